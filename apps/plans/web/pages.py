"""The plan pages that read: the list, the plan, and "Min plan" for the citizen.

Thin: every read goes through ``apps.access`` (and so into the audit trail).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.access import audit
from apps.access.checks import Action
from apps.access.context import Actor
from apps.plans import selectors
from apps.plans.web.context import plan_for_page, plan_page
from apps.plans.web.sections import section_context
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
    page = plan_page(actor, plan_for_page(actor, pk))
    return render(request, "plans/plan_detail.html", section_context(page, "goals"))


@acting
def plan_print(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """ "Min plan": the plan for the citizen, in plain words, to print.

    Recorded as a view of the plan (a break-the-glass read when seen through a grant), with
    ``{"page": "print"}`` in the detail so the trail tells it from the plan page. The purpose
    stays the one of every read here: printing the plan for the citizen is part of treating
    and coordinating, not another reason to see the data.
    """
    plan = plan_for_page(actor, pk, record=False)
    if audit.break_glass_reason(plan):
        audit.record_objects(actor, Action.VIEW, [plan])
    else:
        audit.record(
            actor,
            Action.VIEW,
            "plan",
            plan.pk,
            citizen_id=plan.citizen_id,
            detail={"page": "print"},
        )
    page = plan_page(actor, plan)
    return render(request, "plans/plan_print.html", {"page": page, "plan": page.plan})
