"""schemathesis' stateful phase: sequences of calls along the links it infers from the schema
(a plan from the list, then its goals, then a change to one, ...), as every demo role.

It adds what single calls cannot show: an object deleted stays gone (``use_after_free``), one
created can be read (``ensure_resource_availability``), and what a role was shown a step ago
and may no longer see is not shown any more. Each sequence runs in a transaction rolled back
at its end. ``KIP_FUZZ_SEQUENCES`` (default 6) sequences of up to ``KIP_FUZZ_STEPS`` (default
8) calls per role.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import pytest
from django.db import transaction

from tests.fuzz import checks, world
from tests.fuzz.api import RANDOM, schema

SEQUENCES = int(os.environ.get("KIP_FUZZ_SEQUENCES", "6"))
STEPS = int(os.environ.get("KIP_FUZZ_STEPS", "8"))

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


def workflow(role: world.Role) -> Any:
    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def before_call(self, case: Any) -> None:
            checks.act_for(case, role)
            self.before = world.visibility(role)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": role.headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            # The role's own token went with the call (get_call_kwargs): the checks are told,
            # as in the single calls, or a valid token reads as one schemathesis made up.
            case.validate_response(
                response,
                additional_checks=checks.for_role(role, self.before),
                headers=role.headers,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    return Workflow


def test_api_workflows(role: world.Role) -> None:
    workflow(role).run(
        settings=hypothesis.settings(
            max_examples=SEQUENCES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=not RANDOM,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
