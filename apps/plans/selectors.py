"""Reads of plans, scoped by ``apps.access`` and shaped for the API in a fixed number of queries."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects

from apps.access.checks import plans_visible_to
from apps.access.context import Actor
from apps.core import aggregated
from apps.core.prepared import preparing_cursor
from apps.plans.models import Agreement, Effort, Goal, NetworkMember, Participation, Plan


def plan_list(*, actor: Actor, filters: dict[str, str] | None = None) -> QuerySet[Plan]:
    filters = filters or {}
    plans = plans_visible_to(actor).prefetch_related("participations")
    if filters.get("status"):
        plans = plans.filter(status=filters["status"])
    if filters.get("citizen"):
        plans = plans.filter(citizen_id=filters["citizen"])
    return plans


def plan_detail_prefetch(plan: Plan) -> Plan:
    """The plan's parts read for the detail: on PostgreSQL in one statement (JSON), elsewhere
    by ``prefetch_related``; the same instances and order either way."""
    if connections[plan._state.db or "default"].vendor == "postgresql":
        return _parts_as_json(plan)
    prefetch_related_objects(
        [plan], "participations", "goals__efforts", "efforts__goals", "agreements", "network"
    )
    return plan


# The plan's parts as its prefetches read them: (model, which rows, in what order).
_OF_PLAN = 't."plan_id" = %s'
_PARTS = (
    (Participation, _OF_PLAN, "t.id"),
    (Goal, _OF_PLAN, "t.priority, t.id"),
    (Effort, _OF_PLAN, "t.id"),
    (Agreement, _OF_PLAN, "t.id"),
    (NetworkMember, _OF_PLAN, "t.id"),
)
# Which goals each effort serves: the through table's rows of the plan's efforts.
_EFFORT_GOALS = (
    Effort.goals.through,
    f't."effort_id" IN (SELECT "id" FROM "{Effort._meta.db_table}" WHERE "plan_id" = %s)',  # noqa: S608
    "t.id",
)
_PARTS_SQL = aggregated.parts_statement([*_PARTS, _EFFORT_GOALS])


def _parts_as_json(plan: Plan) -> Plan:
    using = plan._state.db or "default"
    with preparing_cursor(using) as cursor:
        cursor.execute(_PARTS_SQL, [plan.pk] * (len(_PARTS) + 1))
        row = cursor.fetchone()
    participations, goals, efforts, agreements, network = (
        aggregated.instances(model, rows, using)
        for (model, _, _), rows in zip(_PARTS, row, strict=False)
    )
    links = row[-1]
    for name, objects in (
        ("participations", participations),
        ("goals", goals),
        ("efforts", efforts),
        ("agreements", agreements),
        ("network", network),
    ):
        for obj in objects:
            obj.plan = plan
        aggregated.cache_related(plan, name, objects)
    # Each side in its own model's order, as the prefetches give them.
    pairs = {(link["effort_id"], link["goal_id"]) for link in links}
    for goal in goals:
        served = [effort for effort in efforts if (effort.pk, goal.pk) in pairs]
        aggregated.cache_related(goal, "efforts", served)
    for effort in efforts:
        serves = [goal for goal in goals if (effort.pk, goal.pk) in pairs]
        aggregated.cache_related(effort, "goals", serves)
    return plan
