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

from apps.access import audit
from apps.access.context import Actor, organisation_refused
from apps.core.parsers import as_id
from apps.web.decorators import acting
from apps.web.mywork import my_work


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return my_work_page(request)
    return render(request, "web/home.html")


@acting
def my_work_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    if actor.is_local_admin:  # administers people, holds no cases
        return redirect("administration:staff")
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
        asked = request.POST.get("organisation", "")
        chosen = as_id(asked)
        if chosen is not None and memberships.filter(organisation_id=chosen).exists():
            request.session["organisation_id"] = chosen
            return redirect(next_url or "web:home")
        # Not one of the user's organisations: refused, and the attempt is in the trail.
        audit.write(
            [
                organisation_refused(
                    request.user,  # type: ignore[arg-type]
                    asked,
                    request_id=getattr(request, "request_id", ""),
                    client_address=getattr(request, "client_address", None),
                    client_request_id=getattr(request, "client_request_id", ""),
                )
            ]
        )
    return render(
        request,
        "web/choose_organisation.html",
        {"memberships": memberships, "next": next_url},
    )
