"""schemathesis against the API, in-process, as every demo role, with every check.

Each role (``<slug>.caseworker`` and ``<slug>.manager`` for the four demo organisations, and
the local administrator ``addiction.admin``) gets
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

from typing import Any

import pytest
from django.db import transaction

from tests.fuzz import checks, world
from tests.fuzz.api import schema

# django_db: the test database is set up only for tests that ask for it.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@schema.parametrize()
def test_api(case: Any, role: world.Role) -> None:
    checks.act_for(case, role)
    with transaction.atomic():
        response = case.call(headers=role.headers)
        case.validate_response(
            response, additional_checks=checks.for_role(role), headers=role.headers
        )
        transaction.set_rollback(True)
