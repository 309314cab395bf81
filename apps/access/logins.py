"""Logins in the audit trail, and the lockout after repeated failures (django-axes).

django-axes counts failed logins per username and client address in the database (so every
web process sees the same count) and refuses further attempts for a cool-off period once
``KIP_LOGIN_FAILURE_LIMIT`` is reached. ``AuditedAxesHandler`` is its database handler with
one addition: each login, failed login, lockout and logout becomes an ``AccessEvent``.

What the trail holds of an attempt: the user as actor when the username exists (so the
managers of the user's organisations see it), never the password, and for a username that
matches nobody only a keyed hash of it: what was typed there may be a password typed into
the wrong field, and the hash still lets repeated attempts on one name be told apart.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from apps.access import audit
from apps.core.clients import client_address

Action = audit.Action
Outcome = audit.AccessEvent.Outcome
PURPOSE = "authentication"


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    """``AXES_FAILURE_LIMIT``: read when asked, so it follows the setting."""
    return settings.KIP_LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """``AXES_COOLOFF_TIME``: how long a lockout lasts."""
    return datetime.timedelta(minutes=settings.KIP_LOGIN_COOLOFF_MINUTES)


def retry_after_seconds(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """Seconds until the lockout of this username and address ends (at least 1)."""
    username = get_client_username(request, credentials)
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return max(1, int(cool_off(request).total_seconds()))
    remaining = (last + cool_off(request) - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def locked_out_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute, or ask your local "
        "administrator for help.",
        "Too many failed logins. Try again in %(minutes)d minutes, or ask your local "
        "administrator for help.",
        minutes,
    ) % {"minutes": minutes}


def username_hash(username: str) -> str:
    """A keyed, shortened hash of a username that matches nobody (see the module note)."""
    return salted_hmac("kip.access.login-username", username).hexdigest()[:16]


def channel(request: HttpRequest) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


def _from_http(request: Any) -> bool:
    """Came over HTTP through our middleware (not a test client's ``force_login`` or a shell)."""
    return request is not None and bool(getattr(request, "request_id", ""))


def _event(
    request: Any, user: Any, action: str, outcome: str, detail: dict[str, Any]
) -> dict[str, Any]:
    return {
        "actor": user,
        "organisation": None,  # a login acts for no organisation yet
        "action": action,
        "object_type": "user",
        "object_id": str(user.pk) if user is not None else "",
        "citizen_id": None,
        "purpose": PURPOSE,
        "outcome": outcome,
        "detail": {"via": channel(request), **detail},
        "request_id": str(getattr(request, "request_id", ""))[:64],
        "client_address": getattr(request, "client_address", None) or client_address(request),
    }


def _user_named(username: str | None) -> Any:
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def record_failed_login(request: Any, credentials: dict[str, Any]) -> None:
    """One event for a refused login: wrong credentials, the failure that reached the limit,
    or an attempt refused during a lockout (uncounted, so it does not prolong the lockout)."""
    username = get_client_username(request, credentials)
    user = _user_named(username)
    failures = getattr(request, "axes_failures_since_start", None)
    if getattr(request, "axes_locked_out", False):
        action = Action.LOCKOUT
        reason = "locked_out" if failures is None else "limit_reached"
    else:
        action, reason = Action.LOGIN, "wrong_credentials"
    detail: dict[str, Any] = {"reason": reason}
    if failures is not None:
        detail["failures"] = failures
    if user is None and username:
        detail["username_hash"] = username_hash(str(username))
    audit.write([_event(request, user, action, Outcome.DENIED, detail)])


class AuditedAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, writing each outcome into the audit trail after axes
    has counted it (so the event knows whether it locked the account)."""

    def user_login_failed(  # type: ignore[no-untyped-def]
        self, sender, credentials: dict, request=None, **kwargs
    ):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if _from_http(request):
            record_failed_login(request, credentials)

    def user_logged_in(self, sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
        super().user_logged_in(sender, request, user, **kwargs)
        if _from_http(request):
            audit.write([_event(request, user, Action.LOGIN, Outcome.ALLOWED, {})])

    def user_logged_out(self, sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
        super().user_logged_out(sender, request, user, **kwargs)
        if _from_http(request) and user is not None:
            audit.write([_event(request, user, Action.LOGOUT, Outcome.ALLOWED, {})])
