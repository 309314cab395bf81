"""On PostgreSQL the plan's parts are read in one JSON statement: the same body as the prefetches.

The detail's response is built from the instances ``apps.core.aggregated`` makes of
``json_agg`` rows; here a plan with every kind of part, links between goals and efforts both
ways, empty and filled dates, an outcome, unicode and quotes in text, is serialised both ways
and must be the same, key for key, in the same order.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from apps.access.checks import NotVisible
from apps.audit.models import AccessEvent
from apps.plans import selectors
from apps.plans.api.serializers import PlanDetailSerializer
from apps.plans.models import Agreement, Effort, Goal, NetworkMember, Plan
from tests.conftest import World

pytestmark = pytest.mark.postgres


def _rich(world: World) -> Plan:
    plan, user = world.plan, world.coordinator
    first = Goal.objects.create(plan=plan, text='Bo i egen bolig, "snart"', priority=2)
    second = Goal.objects.create(
        plan=plan,
        text="Komme i arbejde, æøå",
        priority=1,
        status=Goal.Status.REACHED,
        outcome=Goal.Outcome.REACHED,
        outcome_on=datetime.date(2026, 11, 30),
    )
    third = Goal.objects.create(plan=plan, text="Sove bedre", priority=1)
    both = Effort.objects.create(
        plan=plan,
        organisation=world.orgs["addiction"],
        responsible=user,
        description="Samtaler",
        starts_on=datetime.date(2026, 1, 2),
        ends_on=datetime.date(2026, 12, 31),
    )
    both.goals.set([first, second])
    alone = Effort.objects.create(
        plan=plan, organisation=world.orgs["chp"], responsible=world.participant, description="x"
    )
    alone.goals.set([third])
    Effort.objects.create(
        plan=plan, organisation=world.orgs["chp"], responsible=world.participant, description="y"
    )
    Agreement.objects.create(plan=plan, text="Ring til lægen", responsible=user, due=None)
    Agreement.objects.create(plan=plan, text="Møde", due=datetime.date(2027, 1, 5), done=True)
    NetworkMember.objects.create(
        plan=plan, name="Søster", relation="søster", may_be_told="Alt", takes_part=True
    )
    return plan


def _by_prefetch(plan: Plan) -> dict:
    by_prefetch = Plan.objects.get(pk=plan.pk)
    prefetch_related_objects(
        [by_prefetch], "participations", "goals__efforts", "efforts__goals", "agreements", "network"
    )
    return PlanDetailSerializer(by_prefetch).data


def test_the_json_statement_gives_the_prefetches_body(world: World) -> None:
    plan = _rich(world)
    by_json = selectors.plan_detail_prefetch(Plan.objects.get(pk=plan.pk))
    expected = _by_prefetch(plan)
    assert expected["goals"]  # the plan is not empty
    assert expected["efforts"][0]["goals"]
    assert PlanDetailSerializer(by_json).data == expected
    assert list(PlanDetailSerializer(by_json).data["goals"][0]) == list(expected["goals"][0])


def test_an_empty_plan_reads_empty_parts(world: World) -> None:
    plan = selectors.plan_detail_prefetch(Plan.objects.get(pk=world.plan.pk))
    body = PlanDetailSerializer(plan).data
    assert body["goals"] == body["efforts"] == body["agreements"] == body["network"] == []


def test_the_access_check_reads_the_parts_in_its_own_statement(world: World) -> None:
    """The detail's read: the access check with the parts as a column, then the audit insert."""
    plan = _rich(world)
    actor = world.actor(world.participant)
    with CaptureQueriesContext(connection) as captured:
        read = selectors.access_plan_detail(actor, plan.pk)
    assert len(captured.captured_queries) == 2
    assert PlanDetailSerializer(read).data == _by_prefetch(plan)
    assert AccessEvent.objects.filter(
        actor=world.participant, action="view", object_id=str(plan.pk)
    ).exists()


def test_a_plan_out_of_sight_reads_nothing(world: World) -> None:
    """The outsider's organisation takes no part: 404, whatever parts the plan has."""
    plan = _rich(world)
    with pytest.raises(NotVisible):
        selectors.access_plan_detail(world.actor(world.outsider), plan.pk)
