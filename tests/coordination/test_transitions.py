"""Transitions on the citizen's path: recorded on their own (service and API), who may read
and record them, bad input that changes nothing, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import Transition
from apps.coordination.transitions import transition_record
from apps.core.exceptions import ApplicationError, PreconditionFailed, PreconditionRequired
from apps.plans.models import Plan
from apps.plans.services import plan_close
from tests.conftest import World
from tests.helpers import API, assert_error

TODAY = timezone.localdate
SHAPE = {"id", "kind", "occurred_on", "handover", "organisation", "note", "receiving_note"}


def url(world: World) -> str:
    return f"{API}/plans/{world.plan.pk}/transitions/"


def etag(world: World) -> str:
    world.plan.refresh_from_db()
    return world.plan.etag


def began_days_ago(world: World, days: int) -> None:
    """The plan began ``days`` ago (the world's plan is made today)."""
    Plan.objects.filter(pk=world.plan.pk).update(created=timezone.now() - dt.timedelta(days=days))
    world.plan.refresh_from_db()


def state(world: World) -> tuple[Any, ...]:
    plan = Plan.objects.get(pk=world.plan.pk)
    rows = list(Transition.objects.order_by("pk").values_list("pk", "kind", "note"))
    return plan.version, rows


def record(world: World, user: Any = None, **body: Any) -> Any:
    body.setdefault("kind", "shelter_to_housing")
    body.setdefault("occurred_on", TODAY().isoformat())
    return world.client(user or world.coordinator, None).post(
        url(world), body, format="json", HTTP_IF_MATCH=etag(world)
    )


# --- recorded on its own ----------------------------------------------------------------------


def test_the_coordinator_records_a_transition_and_every_reader_sees_it(world: World) -> None:
    began_days_ago(world, 40)
    before = world.plan.version
    day = TODAY() - dt.timedelta(days=10)
    response = record(
        world,
        kind="shelter_to_housing",
        occurred_on=day.isoformat(),
        organisation=world.orgs["toften"].pk,
        note="Jens flytter fra Toften til egen lejlighed.",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= SHAPE
    assert body["kind"] == "shelter_to_housing"
    assert body["occurred_on"] == day.isoformat()
    assert body["organisation"] == world.orgs["toften"].pk
    assert body["handover"] is None
    assert body["receiving_note"] == ""
    assert response["ETag"] == f'"{before + 1}"'
    item = Transition.objects.get()
    assert (item.recorded_by, item.recorded_for) == (world.coordinator, world.orgs["addiction"])
    event = AccessEvent.objects.filter(object_type="transition").get()
    assert (event.action, event.object_id, event.citizen_id) == (
        "create",
        str(item.pk),
        world.citizen.pk,
    )

    start = AccessEvent.objects.latest("id").pk
    listed = world.client(world.participant).get(url(world))
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [item.pk]
    assert listed.json()["next"] is None
    assert set(listed.json()["results"][0]) >= SHAPE
    read = AccessEvent.objects.filter(pk__gt=start, object_type="transition")
    assert [(e.action, e.object_id) for e in read] == [("list", str(item.pk))]


def test_transitions_are_listed_in_date_order(world: World) -> None:
    began_days_ago(world, 30)
    for days, kind in ((2, "other"), (20, "hospital_to_home"), (9, "treatment_to_work")):
        assert (
            record(
                world, kind=kind, occurred_on=(TODAY() - dt.timedelta(days=days)).isoformat()
            ).status_code
            == 201
        )
    listed = world.client(world.colleague).get(url(world)).json()["results"]
    assert [t["kind"] for t in listed] == ["hospital_to_home", "treatment_to_work", "other"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "moving_house"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": None}, "kind"),
        ({"occurred_on": "i går"}, "occurred_on"),
        ({"organisation": 999999}, "organisation"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(world, body, field) -> None:
    before = state(world)
    assert_error(record(world, **body), 400, field=field)
    assert state(world) == before
    assert not AccessEvent.objects.filter(object_type="transition").exists()


def test_a_day_in_the_future_or_before_the_plan_began_is_refused(world: World) -> None:
    began_days_ago(world, 5)
    before = state(world)
    tomorrow = TODAY() + dt.timedelta(days=1)
    body = assert_error(record(world, occurred_on=tomorrow.isoformat()), 400, field="occurred_on")
    assert body["code"] == "date_in_future"
    earlier = TODAY() - dt.timedelta(days=6)
    body = assert_error(record(world, occurred_on=earlier.isoformat()), 400, field="occurred_on")
    assert body["code"] == "before_plan"
    assert state(world) == before
    # The plan's first day and today are both fine.
    for day in (TODAY() - dt.timedelta(days=5), TODAY()):
        assert record(world, occurred_on=day.isoformat()).status_code == 201


def test_the_service_refuses_the_same_without_writing(world: World) -> None:
    actor = world.actor(world.coordinator)
    before = state(world)
    for kwargs, field in (
        ({"kind": "nope"}, "kind"),
        ({"occurred_on": TODAY() + dt.timedelta(days=3)}, "occurred_on"),
        ({"occurred_on": TODAY() - dt.timedelta(days=3)}, "occurred_on"),
        ({"occurred_on": "2026-01-01"}, "occurred_on"),
        ({"organisation_id": "x"}, "organisation"),
        ({"note": 7}, "note"),
    ):
        values = {"kind": "other", "occurred_on": TODAY(), **kwargs}
        with pytest.raises(ApplicationError) as caught:
            transition_record(
                actor=actor,
                plan_id=world.plan.pk,
                expected_version=world.plan.version,
                **values,
            )
        assert field in caught.value.fields, (kwargs, caught.value.fields)
    assert state(world) == before


def test_the_plans_version_is_required_and_checked(world: World) -> None:
    actor = world.actor(world.coordinator)
    before = state(world)
    with pytest.raises(PreconditionRequired):
        transition_record(
            actor=actor,
            plan_id=world.plan.pk,
            expected_version=None,
            kind="other",
            occurred_on=TODAY(),
        )
    with pytest.raises(PreconditionFailed):
        transition_record(
            actor=actor,
            plan_id=world.plan.pk,
            expected_version=world.plan.version - 1 or 99,
            kind="other",
            occurred_on=TODAY(),
        )
    response = world.client(world.coordinator).post(
        url(world), {"kind": "other", "occurred_on": TODAY().isoformat()}, format="json"
    )
    assert_error(response, 428, field="If-Match")
    assert state(world) == before


def test_a_closed_plan_takes_no_transition(world: World) -> None:
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=world.plan.version,
        reason="goals_reached",
    )
    before = state(world)
    assert_error(record(world), 409, code="plan_closed")
    assert state(world) == before


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "withdrawn"])
def test_someone_not_on_the_plan_gets_404_for_reading_and_recording(world, who) -> None:
    record(world)
    before = state(world)
    user = getattr(world, who)
    assert_error(world.client(user).get(url(world)), 404)
    response = world.client(user).post(
        url(world),
        {"kind": "other", "occurred_on": TODAY().isoformat()},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(response, 404)
    assert state(world) == before
    denied = AccessEvent.objects.filter(outcome="denied", actor=user)
    assert denied.count() == 2


@pytest.mark.parametrize("who", ["participant", "colleague", "manager"])
def test_only_the_coordinator_records_one(world, who) -> None:
    before = state(world)
    assert_error(record(world, user=getattr(world, who)), 403)
    assert state(world) == before
    # ... while each of them reads the plan's path.
    assert world.client(getattr(world, who)).get(url(world)).status_code == 200
