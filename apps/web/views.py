"""The shell's pages: the front page, organisation choice, My work.

Thin: every read goes through apps.access (and so into the audit trail).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

<<<<<<< HEAD
from apps.access.context import Actor
from apps.web.decorators import acting
from apps.web.mywork import my_work
=======
from apps.access import audit
from apps.access.checks import access_plan
from apps.access.context import OrganisationRequired, actor_from_request, organisation_refused
from apps.plans import selectors
from apps.plans.models import LIFE_DOMAINS

PAGE_SIZE = 50
>>>>>>> fix-consent


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return my_work_page(request)
    return render(request, "web/home.html")


@acting
def my_work_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        search_url = reverse("citizens:search")
    except NoReverseMatch:
        search_url = None
    return render(
        request, "web/my_work.html", {"work": my_work(actor=actor), "search_url": search_url}
    )


@login_required
@require_http_methods(["GET", "POST"])
def choose_organisation(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("organisation")  # type: ignore[union-attr]
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        chosen = request.POST.get("organisation", "")
        if chosen.isdigit() and memberships.filter(organisation_id=int(chosen)).exists():
            request.session["organisation_id"] = int(chosen)
<<<<<<< HEAD
            return redirect(next_url or "web:home")
=======
            return redirect("web:plans")
        # Not one of the user's organisations: refused, and the attempt is in the trail.
        audit.write(
            [
                organisation_refused(
                    request.user,  # type: ignore[arg-type]
                    chosen,
                    request_id=getattr(request, "request_id", ""),
                    client_address=getattr(request, "client_address", None),
                    client_request_id=getattr(request, "client_request_id", ""),
                )
            ]
        )
    return render(request, "web/choose_organisation.html", {"memberships": memberships})


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    try:
        actor = actor_from_request(request)
    except OrganisationRequired as refused:
        audit.record_denied(refused, request)  # a remembered organisation one has left
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
    except OrganisationRequired as refused:
        audit.record_denied(refused, request)  # a remembered organisation one has left
        return redirect("web:choose-organisation")
    plan = selectors.plan_detail_prefetch(access_plan(actor, pk))
    prefetch_related_objects(
        [plan], "participations__organisation", "efforts__organisation", "efforts__responsible"
    )
    assessment = [(label, plan.assessment.get(key, "")) for key, label in LIFE_DOMAINS.items()]
>>>>>>> fix-consent
    return render(
        request,
        "web/choose_organisation.html",
        {"memberships": memberships, "next": next_url},
    )
