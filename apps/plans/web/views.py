"""The plan pages. Thin: every read goes through apps.access (and so into the audit trail)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.access import audit
from apps.access.checks import access_plan
from apps.access.context import Actor
from apps.plans import selectors
from apps.plans.models import LIFE_DOMAINS
from apps.web.decorators import acting

PAGE_SIZE = 50


@acting
def plan_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    plans = list(
        selectors.plan_list(actor=actor)
        .select_related("citizen", "coordinator_user", "coordinator_organisation")
        .order_by("-id")[:PAGE_SIZE]
    )
    audit.record_objects(actor, audit.Action.LIST, plans)
    return render(request, "plans/plan_list.html", {"plans": plans})


@acting
def plan_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    plan = selectors.plan_detail_prefetch(access_plan(actor, pk))
    prefetch_related_objects(
        [plan], "participations__organisation", "efforts__organisation", "efforts__responsible"
    )
    assessment = [(label, plan.assessment.get(key, "")) for key, label in LIFE_DOMAINS.items()]
    return render(request, "plans/plan_detail.html", {"plan": plan, "assessment": assessment})
