"""Set up a fault test's own database: migrate, seed the demo, and print (JSON) a token and a
session for ``addiction.caseworker`` acting for the addiction centre.

``python -m tests.faults.prepare``, with the service's environment (``services.service_env``).
"""

from __future__ import annotations

import json
import os


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from apps.access.tokens import token_issue
    from apps.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.get(username="addiction.caseworker")
    org = Organisation.objects.get(slug="addiction")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["organisation_id"] = org.pk
    session.create()
    print(  # noqa: T201  (read by the test)
        json.dumps(
            {
                "token": token_issue(user=user).key,
                "org": org.pk,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            }
        )
    )


if __name__ == "__main__":
    main()
