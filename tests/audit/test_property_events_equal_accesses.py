"""Property: over random sequences of API calls by random personas, the trail holds exactly
one event per object read or written and one per refused attempt, and nothing more."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.audit.models import AccessEvent
from apps.plans.models import Plan
from tests.audit.helpers import events_since, last_id

PERSONAS = ("coordinator", "colleague", "participant", "outsider", "manager", "withdrawn")
OPERATIONS = (
    "plan_detail",
    "plan_list",
    "plan_goals",
    "plan_unknown",
    "citizen_list",
    "citizen_detail",
    "citizen_search",
    "consent_list",
    "goal_create",
    "trail",
    "access_report",
    "break_glass",
)


def _call(world: Any, persona: str, operation: str) -> tuple[Any, list[str] | None]:
    """Make the call; return the response and, for lists, the ids it showed."""
    client = world.client(getattr(world, persona))
    plan, citizen = world.plan.pk, world.citizen.pk
    if operation == "plan_detail":
        return client.get(f"/api/v1/plans/{plan}/"), None
    if operation == "plan_unknown":
        return client.get("/api/v1/plans/987654/"), None
    if operation == "plan_goals":
        return client.get(f"/api/v1/plans/{plan}/goals/"), None
    if operation == "plan_list":
        response = client.get("/api/v1/plans/")
        return response, [str(p["id"]) for p in response.json()["results"]]
    if operation == "citizen_list":
        response = client.get("/api/v1/citizens/")
        return response, [str(c["id"]) for c in response.json()["results"]]
    if operation == "citizen_detail":
        return client.get(f"/api/v1/citizens/{citizen}/"), None
    if operation == "citizen_search":
        response = client.get("/api/v1/citizens/", {"cpr": "0101801234"})
        return response, [str(c["id"]) for c in response.json()["results"]] or [""]
    if operation == "consent_list":
        response = client.get(f"/api/v1/citizens/{citizen}/consents/")
        if response.status_code == 200:
            return response, [str(citizen)] + [str(c["id"]) for c in response.json()["results"]]
        return response, None
    if operation == "goal_create":
        version = Plan.objects.get(pk=plan).version
        return client.post(
            f"/api/v1/plans/{plan}/goals/",
            {"text": "Sleep indoors"},
            format="json",
            HTTP_IF_MATCH=f'"{version}"',
        ), None
    if operation == "trail":
        return client.get("/api/v1/audit/events/", {"page_size": 5}), None
    if operation == "access_report":
        return client.get(f"/api/v1/citizens/{citizen}/access-report/"), None
    if operation == "break_glass":
        return client.post(
            "/api/v1/break-glass/", {"cpr": "0101801234", "reason": "Emergency"}, format="json"
        ), None
    raise AssertionError(operation)


def _check(world: Any, persona: str, operation: str) -> None:
    mark = last_id()
    response, shown = _call(world, persona, operation)
    events = events_since(mark)
    user = getattr(world, persona)
    assert all(e.actor_id == user.pk for e in events), operation
    status = response.status_code
    assert status < 500, (operation, status)
    if status >= 400:
        # one refused attempt, one event, and it says so
        assert [e.outcome for e in events] == [AccessEvent.Outcome.DENIED], (operation, status)
        return
    assert all(e.outcome == AccessEvent.Outcome.ALLOWED for e in events)
    if shown is not None:
        # one event per object shown, naming each
        assert sorted(e.object_id for e in events) == sorted(shown), operation
    else:
        assert len(events) == 1, (operation, persona, [(e.action, e.object_type) for e in events])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(PERSONAS), st.sampled_from(OPERATIONS)),
        min_size=1,
        max_size=8,
    )
)
def test_events_equal_accesses(world, steps):
    for persona, operation in steps:
        _check(world, persona, operation)
