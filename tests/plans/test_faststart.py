"""Fast start: recording that the citizen is motivated, the deadline in working days, and the
day the first effort started (once, never later); bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.access.checks import Forbidden, NotVisible
from apps.audit.models import AccessEvent
from apps.core.exceptions import ApplicationError, Conflict, PreconditionFailed
from apps.notifications.reminders import reminders_sweep
from apps.notifications.workdays import working_days_add
from apps.plans.faststart import days_to_first_effort, first_effort_due_from, plan_motivation_record
from apps.plans.models import Effort, Plan
from apps.plans.parts import effort_save
from apps.plans.services import plan_close
from tests.conftest import World
from tests.helpers import snapshot

TODAY = timezone.localdate


def _state(plan: Plan) -> tuple:
    fresh = Plan.objects.get(pk=plan.pk)
    return (
        fresh.version,
        fresh.updated,
        fresh.motivated_on,
        fresh.first_effort_due,
        fresh.first_effort_on,
    )


def _record(world: World, user: Any = None, day: dt.date | None = None, **kw: Any) -> Plan:
    plan = Plan.objects.get(pk=world.plan.pk)
    return plan_motivation_record(
        actor=world.actor(user or world.participant),
        plan_id=plan.pk,
        expected_version=kw.get("version", plan.version),
        motivated_on=day,
    )


def _made_days_ago(world: World, days: int) -> None:
    """The plan was made ``days`` ago, so the citizen may have been motivated since."""
    Plan.objects.filter(pk=world.plan.pk).update(created=timezone.now() - dt.timedelta(days=days))


def _effort(world: World, **data: Any) -> Effort:
    plan = Plan.objects.get(pk=world.plan.pk)
    data.setdefault("description", "Samtaler")
    data.setdefault("responsible", world.coordinator.pk)
    return effort_save(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        effort_id=data.pop("effort_id", None),
        data=data,
    )


def _first_effort_on(world: World) -> dt.date | None:
    return Plan.objects.get(pk=world.plan.pk).first_effort_on


def test_the_deadline_counts_danish_working_days() -> None:
    # Fri 18 Dec 2026: 21, 22, 23, 24 Dec and (Christmas Day and Second Day off) Mon 28 Dec.
    assert first_effort_due_from(dt.date(2026, 12, 18)) == dt.date(2026, 12, 28)
    # Wed 24 Mar 2027: Maundy Thursday, Good Friday and Easter Monday (29 Mar) are off, so
    # 30, 31 Mar, 1, 2 and 5 Apr.
    assert first_effort_due_from(dt.date(2027, 3, 24)) == dt.date(2027, 4, 5)


def test_a_caseworker_on_the_plan_records_the_citizen_motivated_today(world: World) -> None:
    before = Plan.objects.get(pk=world.plan.pk)
    start = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    plan = _record(world)  # the chp caseworker: a participating organisation
    assert plan.motivated_on == TODAY()
    assert plan.first_effort_due == working_days_add(TODAY(), 5)
    assert plan.first_effort_on is None
    assert plan.version == before.version + 1
    assert days_to_first_effort(plan) is None
    events = AccessEvent.objects.filter(id__gt=start)
    assert [(e.action, e.object_type, e.outcome, e.actor_id) for e in events] == [
        ("update", "plan", "allowed", world.participant.pk)
    ]


def test_an_earlier_day_since_the_plan_was_made(world: World) -> None:
    _made_days_ago(world, 10)
    day = TODAY() - dt.timedelta(days=3)
    plan = _record(world, day=day)
    assert (plan.motivated_on, plan.first_effort_due) == (day, working_days_add(day, 5))


@pytest.mark.parametrize(
    ("offset", "code"),
    [(1, "date_in_future"), (-1, "before_plan")],
    ids=["tomorrow", "before the plan was made"],
)
def test_a_bad_day_names_the_field_and_changes_nothing(
    world: World, offset: int, code: str
) -> None:
    before, state = snapshot(), _state(world.plan)
    with pytest.raises(ApplicationError) as error:
        _record(world, day=TODAY() + dt.timedelta(days=offset))
    assert error.value.code == code
    assert error.value.status_code == 400
    assert list(error.value.fields) == ["motivated_on"]
    assert (snapshot(), _state(world.plan)) == (before, state)


def test_a_closed_plan_takes_no_fast_start(world: World) -> None:
    plan = world.plan
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        reason="goals_reached",
    )
    before, state = snapshot(), _state(plan)
    with pytest.raises(Conflict) as error:
        _record(world)
    assert error.value.status_code == 409
    assert error.value.code == "plan_closed"
    assert "motivated_on" in error.value.fields
    assert (snapshot(), _state(plan)) == (before, state)


def test_a_stale_version_is_refused(world: World) -> None:
    state = _state(world.plan)
    with pytest.raises(PreconditionFailed):
        _record(world, version=world.plan.version - 1 or 99)
    assert _state(world.plan) == state


@pytest.mark.parametrize(
    ("persona", "error"),
    [("manager", Forbidden), ("outsider", NotVisible), ("withdrawn", NotVisible)],
)
def test_who_may_not(world: World, persona: str, error: type) -> None:
    state = _state(world.plan)
    with pytest.raises(error):
        _record(world, getattr(world, persona))
    assert _state(world.plan) == state


def test_an_effort_made_active_stops_the_clock_once(world: World) -> None:
    _made_days_ago(world, 10)
    _record(world, day=TODAY() - dt.timedelta(days=3))
    effort = _effort(world)  # planned: not started
    assert _first_effort_on(world) is None
    _effort(world, effort_id=effort.pk, status="active")  # started now
    assert _first_effort_on(world) == TODAY()
    plan = Plan.objects.get(pk=world.plan.pk)
    assert days_to_first_effort(plan) == 3
    # A later effort does not move it; nor does saving the running one again.
    _effort(world, description="Bostøtte", status="active")
    _effort(world, effort_id=effort.pk, description="Samtaler hver uge")
    assert _first_effort_on(world) == TODAY()


def test_a_start_date_counts_from_the_day_the_citizen_was_motivated(world: World) -> None:
    _made_days_ago(world, 10)
    _record(world, day=TODAY() - dt.timedelta(days=5))
    # Running since before the citizen was motivated: not the first effort of the fast start.
    _effort(world, status="active", starts_on=TODAY() - dt.timedelta(days=7))
    assert _first_effort_on(world) is None
    # Active with a start two days ago: that is the day.
    _effort(world, status="active", starts_on=TODAY() - dt.timedelta(days=2))
    assert _first_effort_on(world) == TODAY() - dt.timedelta(days=2)


def test_a_running_effort_without_a_start_date_is_not_a_new_start(world: World) -> None:
    running = _effort(world, status="active")  # before any fast start
    _record(world)
    _effort(world, effort_id=running.pk, description="Nye samtaler")
    assert _first_effort_on(world) is None


def test_no_fast_start_no_first_effort_day(world: World) -> None:
    _effort(world, status="active")
    assert _first_effort_on(world) is None


def test_an_effort_with_a_start_ahead_starts_the_day_the_sweep_sees_it(world: World) -> None:
    _record(world)
    ahead = TODAY() + dt.timedelta(days=2)
    _effort(world, status="active", starts_on=ahead)
    assert _first_effort_on(world) is None
    reminders_sweep(now=timezone.now() + dt.timedelta(days=1))
    assert _first_effort_on(world) is None
    before = Plan.objects.get(pk=world.plan.pk)
    reminders_sweep(now=timezone.now() + dt.timedelta(days=2))
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.first_effort_on == ahead
    assert plan.updated == before.updated  # the sweep's record is no activity on the plan
    # ... but it changes what the plan shows: a new version, so a held ETag is not "unchanged".
    assert plan.version == before.version + 1


def test_recording_a_day_finds_an_effort_that_started_since(world: World) -> None:
    _made_days_ago(world, 10)
    _effort(world, status="active", starts_on=TODAY() - dt.timedelta(days=1))
    plan = _record(world, day=TODAY() - dt.timedelta(days=4))
    assert plan.first_effort_on == TODAY() - dt.timedelta(days=1)
    assert days_to_first_effort(plan) == 3


def test_after_the_first_effort_the_day_may_move_earlier_only(world: World) -> None:
    _made_days_ago(world, 10)
    _record(world, day=TODAY() - dt.timedelta(days=2))
    _effort(world, status="active", starts_on=TODAY() - dt.timedelta(days=1))
    state = _state(world.plan)
    with pytest.raises(ApplicationError) as error:
        _record(world, day=TODAY())
    assert (error.value.code, list(error.value.fields)) == ("after_first_effort", ["motivated_on"])
    assert _state(world.plan) == state
    plan = _record(world, day=TODAY() - dt.timedelta(days=6))  # a correction
    assert days_to_first_effort(plan) == 5


def test_clearing_the_day_before_a_first_effort_only(world: World) -> None:
    from apps.plans.services import plan_update

    _record(world)
    plan = Plan.objects.get(pk=world.plan.pk)
    plan = plan_update(
        actor=world.actor(world.participant),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"motivated_on": None},
    )
    assert (plan.motivated_on, plan.first_effort_due) == (None, None)
    _record(world)
    _effort(world, status="active")
    plan = Plan.objects.get(pk=world.plan.pk)
    state = _state(plan)
    with pytest.raises(ApplicationError) as error:
        plan_update(
            actor=world.actor(world.participant),
            plan_id=plan.pk,
            expected_version=plan.version,
            data={"motivated_on": None},
        )
    assert error.value.code == "fast_start_done"
    assert _state(plan) == state
