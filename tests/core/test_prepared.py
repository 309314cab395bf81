"""``apps.core.prepared``: the ORM's statement compiled once, run with new values bound."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db.models import QuerySet
from django.utils import timezone

from apps.access.checks import plans_visible_to
from apps.citizens.models import Consent
from apps.core.prepared import NotPreparable, Prepared
from apps.plans.models import Plan
from tests.conftest import World


def _by_id(plan_id: int, citizen_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(pk=plan_id, citizen_id=citizen_id)


def test_runs_give_what_the_queryset_gives(world: World) -> None:
    prepared: Prepared[Plan] = Prepared(_by_id, "plan_id", "citizen_id")
    plan = world.plan
    found = prepared.run(plan_id=plan.pk, citizen_id=plan.citizen_id)
    assert [p.pk for p in found] == [plan.pk]
    assert found[0].created == plan.created  # converted as the ORM converts (SQLite: text)
    assert found[0].next_review == Plan.objects.get(pk=plan.pk).next_review
    assert prepared.run(plan_id=plan.pk, citizen_id=plan.citizen_id + 1) == []
    assert prepared.run(plan_id=plan.pk + 1, citizen_id=plan.citizen_id) == []


def test_annotations_come_back(world: World) -> None:
    actor = world.actor(world.coordinator)

    def build(plan_id: int) -> QuerySet[Plan]:
        return plans_visible_to(actor, one=True).filter(pk=plan_id)

    found = Prepared[Plan](build, "plan_id").run(plan_id=world.plan.pk)
    assert getattr(found[0], "kip_shared", None) is True
    assert getattr(found[0], "break_glass_reason", "absent") is None


def test_an_argument_that_changes_the_statement_is_refused(world: World) -> None:
    def branching(plan_id: int) -> QuerySet[Plan]:
        plans = Plan.objects.filter(pk=plan_id)
        return plans.filter(status="open") if plan_id % 2 else plans

    with pytest.raises(NotPreparable):
        Prepared(branching, "plan_id").run(plan_id=world.plan.pk)


def test_an_argument_hidden_in_a_derived_value_is_refused(world: World) -> None:
    def derived(plan_id: int) -> QuerySet[Plan]:
        return Plan.objects.filter(pk=plan_id + 1)

    with pytest.raises(NotPreparable):
        Prepared(derived, "plan_id").run(plan_id=world.plan.pk)


def test_now_is_taken_at_each_run(world: World) -> None:
    """A consent that runs out stops covering the plan at that moment, though the statement
    was compiled before it."""
    actor = world.actor(world.participant)  # chp: consent in force

    def build(plan_id: int) -> QuerySet[Plan]:
        return plans_visible_to(actor, one=True).filter(pk=plan_id)

    prepared: Prepared[Plan] = Prepared(build, "plan_id")
    assert getattr(prepared.run(plan_id=world.plan.pk)[0], "kip_shared", None) is True
    ends = timezone.now() + datetime.timedelta(days=3)
    Consent.objects.filter(citizen=world.citizen, organisations=world.orgs["chp"]).update(
        expires_at=ends
    )
    with time_machine.travel(ends + datetime.timedelta(minutes=1)):
        assert prepared.run(plan_id=world.plan.pk) == []
