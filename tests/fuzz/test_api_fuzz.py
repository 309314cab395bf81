"""schemathesis against the API, in-process, as every demo role, with every check.

Each role (``<slug>.caseworker`` and ``<slug>.manager`` for the four demo organisations) gets
its token from ``POST /api/v1/auth/token/`` and acts for its organisation (``X-Organisation``).
Every operation of ``/api/schema/`` is then driven through the examples, coverage and fuzzing
phases, positive and negative data, and each answer goes through all of schemathesis' checks
and ours (``checks.py``): no answer may show an object the role may not see.

The world (``world.py``) is built once for the module, in a transaction rolled back at its
end; each request runs in a savepoint rolled back after its checks, so every request meets the
same world, whatever the one before it created, withdrew or closed.

Bounded for CI: ``KIP_FUZZ_EXAMPLES`` (default 8) drawn cases per operation and role in the
fuzzing phase, on top of the fixed cases of the other phases; the same cases each run unless
``KIP_FUZZ_RANDOM=1``. Run longer locally, for example::

    KIP_FUZZ_EXAMPLES=200 KIP_FUZZ_RANDOM=1 .venv/bin/pytest tests/fuzz

``KIP_FUZZ_MODE=positive`` (or ``negative``) draws only valid (or invalid) data, which helps
when one class of failure hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction

from tests.fuzz import checks, world

EXAMPLES = int(os.environ.get("KIP_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("KIP_FUZZ_RANDOM") == "1"

CONFIG = {
    "suppress-health-check": ["all"],
    "continue-on-failure": True,
    "generation": {
        "mode": os.environ.get("KIP_FUZZ_MODE", "all"),
        "max-examples": EXAMPLES,
        "deterministic": not RANDOM,
        "database": "none",
        # Unknown headers are ignored (RFC 9110), and so are unknown query parameters and
        # body fields: sending them proves nothing the schema promises.
        "allow-extra-parameters": False,
    },
    "checks": {
        # Valid by the schema and still refused: a rule of the domain (400 naming the field:
        # an unknown citizen, a date in the future, ...; checks.positive_rejection_names_a_field
        # holds those to that), a conflict (409), or a stale version (412).
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
        },
        # Without If-Match a plan write answers 428 Precondition Required (RFC 6585).
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
        },
    },
}

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=schemathesis.Config.from_dict(CONFIG)
)
KNOWN_IDS: dict[Any, list[int]] = {}
checks.aim_at_known_ids(schema, KNOWN_IDS)

# django_db: the test database is set up only for tests that ask for it.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # As Django's test client does: the end of a request must not close the connection, or
    # the transaction the world lives in would end with it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world.build()
            KNOWN_IDS.update(world.known_ids())
            yield
            transaction.set_rollback(True)
    finally:
        KNOWN_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", params=world.ROLES)
def role(request: pytest.FixtureRequest, fuzz_world: None) -> world.Role:
    return world.login(request.param)


@schema.parametrize()
def test_api(case: Any, role: world.Role) -> None:
    checks.act_for(case, role)
    with transaction.atomic():
        response = case.call(headers=role.headers)
        case.validate_response(
            response, additional_checks=checks.for_role(role), headers=role.headers
        )
        transaction.set_rollback(True)
