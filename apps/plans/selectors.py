"""Reads of plans, scoped by ``apps.access`` and shaped for the API in a fixed number of queries."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet, TextField, prefetch_related_objects
from django.db.models.expressions import RawSQL

from apps.access.checks import (
    access_plan,
    actor_of_ids,
    holds_break_glass,
    one_plan_read,
    plans_shared_with,
    plans_visible_to,
)
from apps.access.context import Actor
from apps.core import aggregated
from apps.core.api.pagination import NewestFirst
from apps.core.prepared import Prepared, preparing_cursor
from apps.plans.models import Agreement, Effort, Goal, NetworkMember, Participation, Plan


def plan_list(*, actor: Actor, filters: dict[str, str] | None = None) -> QuerySet[Plan]:
    filters = filters or {}
    plans = plans_visible_to(actor).prefetch_related("participations")
    if filters.get("status"):
        plans = plans.filter(status=filters["status"])
    if filters.get("citizen"):
        plans = plans.filter(citizen_id=filters["citizen"])
    return plans


def plan_pages(*, actor: Actor, filters: dict[str, str]) -> QuerySet[Plan] | NewestFirst:
    """The plan list as the API pages it.

    The common case, no filter and no break-the-glass grant, walks newest first by prepared
    statements: the access rule compiled once per process (``apps.core.prepared``) with the
    participants folded in on PostgreSQL, so a page is one statement. Anything else, and a step
    back, is ``plan_list``'s queryset.
    """
    if any(filters.values()) or not actor.reads_citizen_data or holds_break_glass(actor):
        return plan_list(actor=actor, filters=filters)
    return NewestFirst(
        fetch=partial(_newest_first, actor),
        fallback=lambda: plans_shared_with(actor).prefetch_related("participations"),
    )


def _page_query(
    user_id: int, organisation_id: int, group_id: int, before: int, *, limit: int, fold: bool
) -> QuerySet[Plan]:
    plans = plans_shared_with(actor_of_ids(user_id, organisation_id, group_id))
    plans = plans.filter(pk__lt=before).order_by("-pk")
    if fold:  # the participants, as the detail reads them (``_PARTS``)
        rows = aggregated.rows_json(*_parts(_THE_PLAN)[0])
        # Constant SQL written from the models' tables (aggregated.rows_json); no input.
        plans = plans.annotate(
            kip_participations=RawSQL(f"{rows}::text", (), TextField())  # noqa: S611
        )
    return plans[:limit]


# One statement per page size (at most ``Cursor.max_page_size`` + 1 of them) and database.
_PAGES: dict[tuple[int, bool], Prepared[Plan]] = {}


def _newest_first(actor: Actor, before: int, limit: int, using: str = "default") -> list[Plan]:
    """Up to ``limit`` plans the actor sees with ids below ``before``, newest first, their
    participants read with them."""
    fold = connections[using].vendor == "postgresql"
    key = (limit, fold)
    statement = _PAGES.get(key) or _PAGES.setdefault(
        key,
        Prepared(
            partial(_page_query, limit=limit, fold=fold),
            "user_id",
            "organisation_id",
            "group_id",
            "before",
        ),
    )
    plans = statement.run(
        using,
        user_id=actor.user.pk,
        organisation_id=actor.organisation.pk,
        group_id=actor.organisation.group_id,
        before=before,
    )
    if not fold:
        prefetch_related_objects(plans, "participations")
        return plans
    for plan in plans:
        rows: Any = json.loads(plan.kip_participations)  # type: ignore[attr-defined]
        participations = aggregated.instances(Participation, rows, using)
        for participation in participations:
            participation.plan = plan
        aggregated.cache_related(plan, "participations", participations)
    return plans


def plan_detail_prefetch(plan: Plan) -> Plan:
    """The plan's parts read for the detail: on PostgreSQL in one statement (JSON), elsewhere
    by ``prefetch_related``; the same instances and order either way."""
    using = plan._state.db or "default"
    if connections[using].vendor == "postgresql":
        with preparing_cursor(using) as cursor:
            cursor.execute(_PARTS_SQL, [plan.pk] * len(_PARTS))
            _attach_parts(plan, cursor.fetchone(), using)
        return plan
    prefetch_related_objects(
        [plan], "participations", "goals__efforts", "efforts__goals", "agreements", "network"
    )
    return plan


def access_plan_detail(actor: Actor, plan_id: Any) -> Plan:
    """``access_plan`` for reading, with the parts the detail shows.

    On PostgreSQL the parts are columns of the access check's own statement (one round trip,
    one snapshot; nothing of a plan the actor may not see is read); elsewhere
    ``plan_detail_prefetch`` after the check.
    """
    if connections["default"].vendor != "postgresql":
        return plan_detail_prefetch(access_plan(actor, plan_id))
    plan = access_plan(actor, plan_id, read=_DETAIL)
    _attach_parts(plan, json.loads(plan.kip_parts), "default")  # type: ignore[attr-defined]
    return plan


def _parts(plan: str) -> tuple[tuple[type[Model], str, str], ...]:
    """The plan's parts as its prefetches read them: (model, which rows, in what order), for
    the plan ``plan`` names (a placeholder, or a column of an outer query). The last are the
    through table's rows of the plan's efforts: which goals each effort serves."""
    of_plan = f't."plan_id" = {plan}'
    return (
        (Participation, of_plan, "t.id"),
        (Goal, of_plan, "t.priority, t.id"),
        (Effort, of_plan, "t.id"),
        (Agreement, of_plan, "t.id"),
        (NetworkMember, of_plan, "t.id"),
        (
            Effort.goals.through,
            f't."effort_id" IN (SELECT "id" FROM "{Effort._meta.db_table}" '  # noqa: S608
            f'WHERE "plan_id" = {plan})',
            "t.id",
        ),
    )


_PARTS = _parts("%s")
# The plan row of the query around the arrays (the access check, a page of the list).
_THE_PLAN = f'"{Plan._meta.db_table}"."id"'
_PARTS_SQL = aggregated.parts_statement(_PARTS)
# The same arrays as one JSON column of the access check (constant SQL from the models'
# tables, no input).
_PARTS_COLUMN = RawSQL(  # noqa: S611
    "json_build_array({})::text".format(
        ", ".join(aggregated.rows_json(*part) for part in _parts(_THE_PLAN))
    ),
    (),
    TextField(),
)
_DETAIL = one_plan_read(kip_parts=_PARTS_COLUMN)


def _attach_parts(plan: Plan, arrays: Any, using: str) -> None:
    """Fill the plan's prefetch caches from ``_PARTS``' JSON arrays, as the prefetches would."""
    participations, goals, efforts, agreements, network = (
        aggregated.instances(model, rows, using)
        for (model, _, _), rows in zip(_PARTS[:5], arrays, strict=False)
    )
    links = arrays[-1]
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
