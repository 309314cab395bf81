"""Fast start through the API: the plan shows motivated_on, first_effort_due and the days to
the first effort; PATCH writes motivated_on with If-Match; the rest is read only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.notifications.workdays import working_days_add
from apps.plans.models import Plan
from apps.plans.parts import effort_save
from apps.plans.services import plan_close
from tests.conftest import World
from tests.helpers import API, assert_error, snapshot


def _url(world: World) -> str:
    return f"{API}/plans/{world.plan.pk}/"


def _patch(world: World, body: Any, user: Any = None, etag: str | None = "current") -> Any:
    plan = Plan.objects.get(pk=world.plan.pk)
    headers: dict[str, Any] = {}
    if etag is not None:
        headers["HTTP_IF_MATCH"] = plan.etag if etag == "current" else etag
    return world.client(user or world.participant).patch(
        _url(world), body, format="json", **headers
    )


def _fields(plan: Plan) -> tuple:
    fresh = Plan.objects.get(pk=plan.pk)
    return fresh.version, fresh.motivated_on, fresh.first_effort_due, fresh.first_effort_on


def test_the_plan_shows_the_fast_start_fields(world: World) -> None:
    body = world.client(world.coordinator).get(_url(world)).json()
    assert body["motivated_on"] is None
    assert body["first_effort_due"] is None
    assert body["first_effort_on"] is None
    assert body["days_to_first_effort"] is None
    listed = world.client(world.coordinator).get(f"{API}/plans/").json()["results"]
    assert {"motivated_on", "first_effort_due", "days_to_first_effort"} <= set(listed[0])


def test_patch_motivated_on_with_if_match(world: World) -> None:
    today = timezone.localdate()
    version = world.plan.version
    response = _patch(world, {"motivated_on": today.isoformat()})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["motivated_on"] == today.isoformat()
    assert body["first_effort_due"] == working_days_add(today, 5).isoformat()
    assert body["days_to_first_effort"] is None
    assert body["version"] == version + 1
    assert response["ETag"] == f'"{version + 1}"'


def test_the_days_to_the_first_effort(world: World) -> None:
    today = timezone.localdate()
    Plan.objects.filter(pk=world.plan.pk).update(created=timezone.now() - dt.timedelta(days=9))
    assert _patch(world, {"motivated_on": str(today - dt.timedelta(days=4))}).status_code == 200
    plan = Plan.objects.get(pk=world.plan.pk)
    effort_save(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"description": "Samtaler", "responsible": world.coordinator.pk, "status": "active"},
    )
    body = world.client(world.participant).get(_url(world)).json()
    assert body["first_effort_on"] == today.isoformat()
    assert body["days_to_first_effort"] == 4


def test_null_clears_it(world: World) -> None:
    _patch(world, {"motivated_on": timezone.localdate().isoformat()})
    body = _patch(world, {"motivated_on": None}).json()
    assert (body["motivated_on"], body["first_effort_due"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"motivated_on": "tomorrow"}, 400, None, "motivated_on"),
        ({"motivated_on": "2026-13-01"}, 400, None, "motivated_on"),
        ({"motivated_on": 20261201}, 400, None, "motivated_on"),
        ({"first_effort_due": "2026-12-24"}, 400, None, "first_effort_due"),
        ({"first_effort_on": "2026-12-24"}, 400, None, "first_effort_on"),
    ],
    ids=["words", "no such month", "a number", "the deadline", "the start"],
)
def test_bad_input_names_the_field_and_changes_nothing(
    world: World, body: dict, status: int, code: str | None, field: str
) -> None:
    before, fields = snapshot(), _fields(world.plan)
    assert_error(_patch(world, body), status, code, field)
    assert (snapshot(), _fields(world.plan)) == (before, fields)


def test_a_day_ahead_names_the_field(world: World) -> None:
    before, fields = snapshot(), _fields(world.plan)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert_error(
        _patch(world, {"motivated_on": str(tomorrow)}), 400, "date_in_future", "motivated_on"
    )
    assert (snapshot(), _fields(world.plan)) == (before, fields)


def test_a_closed_plan_answers_409_naming_the_field(world: World) -> None:
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=world.plan.version,
        reason="goals_reached",
    )
    before, fields = snapshot(), _fields(world.plan)
    today = timezone.localdate().isoformat()
    assert_error(_patch(world, {"motivated_on": today}), 409, "plan_closed", "motivated_on")
    assert (snapshot(), _fields(world.plan)) == (before, fields)


def test_if_match_is_required_and_checked(world: World) -> None:
    fields = _fields(world.plan)
    today = timezone.localdate().isoformat()
    assert_error(_patch(world, {"motivated_on": today}, etag=None), 428, field="If-Match")
    assert_error(_patch(world, {"motivated_on": today}, etag='"99"'), 412, field="If-Match")
    assert _fields(world.plan) == fields


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("colleague", 200),
        ("participant", 200),
        ("manager", 403),
        ("outsider", 404),
        ("withdrawn", 404),
    ],
)
def test_who_may_record_it(world: World, persona: str, status: int) -> None:
    fields = _fields(world.plan)
    today = timezone.localdate().isoformat()
    response = _patch(world, {"motivated_on": today}, getattr(world, persona))
    assert response.status_code == status, response.json()
    if status != 200:
        assert _fields(world.plan) == fields
