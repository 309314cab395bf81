"""Pages for people. Thin: every read goes through apps.access (and so into the audit trail)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import access_plan
from apps.access.context import OrganisationRequired, actor_from_request
from apps.core.parsers import as_id
from apps.plans import selectors
from apps.plans.models import LIFE_DOMAINS

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:plans")
    return render(request, "web/home.html")


@login_required
@require_http_methods(["GET", "POST"])
def choose_organisation(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organisation")  # type: ignore[union-attr]
    if request.method == "POST":
        chosen = as_id(request.POST.get("organisation", ""))
        if chosen is not None and memberships.filter(organisation_id=chosen).exists():
            request.session["organisation_id"] = chosen
            return redirect("web:plans")
    return render(request, "web/choose_organisation.html", {"memberships": memberships})


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    try:
        actor = actor_from_request(request)
    except OrganisationRequired:
        return redirect("web:choose-organisation")
    plans = list(
        selectors.plan_list(actor=actor)
        .select_related("citizen", "coordinator_user", "coordinator_organisation")
        .order_by("-id")[:PAGE_SIZE]
    )
    audit.record_objects(actor, audit.Action.LIST, plans)
    return render(request, "web/plan_list.html", {"plans": plans, "actor": actor})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = actor_from_request(request)
    except OrganisationRequired:
        return redirect("web:choose-organisation")
    plan = selectors.plan_detail_prefetch(access_plan(actor, pk))
    prefetch_related_objects(
        [plan], "participations__organisation", "efforts__organisation", "efforts__responsible"
    )
    assessment = [(label, plan.assessment.get(key, "")) for key, label in LIFE_DOMAINS.items()]
    return render(
        request,
        "web/plan_detail.html",
        {"plan": plan, "assessment": assessment, "actor": actor},
    )
