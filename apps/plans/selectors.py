"""Reads of plans, scoped by ``apps.access`` and shaped for the API in a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet, prefetch_related_objects

from apps.access.checks import plans_visible_to
from apps.access.context import Actor
from apps.plans.models import Plan


def plan_list(*, actor: Actor, filters: dict[str, str] | None = None) -> QuerySet[Plan]:
    filters = filters or {}
    plans = plans_visible_to(actor).prefetch_related("participations")
    if filters.get("status"):
        plans = plans.filter(status=filters["status"])
    if filters.get("citizen"):
        plans = plans.filter(citizen_id=filters["citizen"])
    return plans


def plan_detail_prefetch(plan: Plan) -> Plan:
    prefetch_related_objects(
        [plan], "participations", "goals__efforts", "efforts__goals", "agreements", "network"
    )
    return plan
