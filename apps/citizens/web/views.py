"""The citizen pages: search, register, the citizen with consents and plans.

Thin: every read goes through ``apps.access`` and is recorded as the API records it; every
write goes through the same service as the API.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import access_citizen, require_caseworker
from apps.access.context import Actor
from apps.citizens import cpr, selectors, services
from apps.citizens.models import Citizen, Consent
from apps.citizens.web.forms import CitizenRegisterForm
from apps.core.exceptions import ApplicationError
from apps.plans import selectors as plan_selectors
from apps.plans.models import Plan
from apps.web.decorators import acting

Action = audit.Action


def visible_plans(actor: Actor, citizen_ids: list[int], *, record: bool = True) -> list[Plan]:
    """The plans of these citizens the actor may see, each recorded as the plan list does."""
    if not citizen_ids:
        return []
    plans = list(
        plan_selectors.plan_list(actor=actor)
        .filter(citizen_id__in=citizen_ids)
        .select_related("coordinator_user", "coordinator_organisation")
        .prefetch_related("participations__organisation")
        .order_by("-id")
    )
    if record:
        audit.record_objects(actor, Action.LIST, plans)
    return plans


@acting
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest, actor: Actor) -> HttpResponse:
    # The pages' search forms POST, so a CPR number never stands in a URL: not in the access
    # log, the browser's history or a Referer. A GET with ``q`` still works for links.
    query = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    context: dict[str, Any] = {"query": query, "error": None, "results": None}
    status = 200
    if query:
        try:
            found = selectors.citizen_search(actor=actor, query=query)
        except ApplicationError as exc:
            problems = exc.fields.get("q") or exc.fields.get("cpr") or [exc.detail]
            context["error"] = cpr_explained(exc) or str(problems[0])
            status = 400
        else:
            plans = visible_plans(actor, [c.pk for c in found])
            open_plans = {p.citizen_id: p for p in plans if p.status != Plan.Status.CLOSED}
            context["results"] = [(c, open_plans.get(c.pk)) for c in found]
    return render(request, "citizens/search.html", context, status=status)


def cpr_explained(error: ApplicationError) -> str | None:
    """The CPR parser's reason, said plainly with what to check; None for other errors."""
    if error.code != "invalid_cpr":
        return None
    plain = {
        _("A CPR number has ten digits: DDMMYY-SSSS."): _(
            "A CPR number has 10 digits: 6 for the date of birth (DDMMYY) and 4 after it, for "
            "example 010180-1234. Check that no digit is missing or extra."
        ),
        _("The CPR number does not hold a valid date of birth."): _(
            "The first 6 digits must be a date of birth that exists: day, month and year "
            "(DDMMYY). For example, 31 February and month 13 do not exist."
        ),
        _("The CPR number's date of birth lies in the future."): _(
            "The 7th digit and the year together give a date of birth in the future. The 7th "
            "digit tells which century the citizen was born in: check the year and the 7th "
            "digit."
        ),
    }
    return plain.get(str(error.detail), str(error.detail))


@acting
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not actor.is_caseworker:
        # The form is for caseworkers only. A POST is refused and recorded as the API does.
        if request.method == "POST":
            require_caseworker(actor, Action.CREATE, "citizen")
        raise PermissionDenied
    form = CitizenRegisterForm(request.POST or None)
    existing: Citizen | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                citizen = services.citizen_register(
                    actor=actor,
                    cpr_number=form.cleaned_data["cpr"],
                    name=form.cleaned_data["name"],
                )
            except ApplicationError as exc:
                status = exc.status_code
                if exc.code == "citizen_exists":
                    existing = _visible_holder(actor, form.cleaned_data["cpr"])
                    form.put_service_error(exc, {"cpr": _already_registered(existing)})
                else:
                    explained = cpr_explained(exc)
                    form.put_service_error(exc, {"cpr": explained} if explained else None)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": citizen.name})
                return redirect("citizens:citizen", citizen.pk)
    return render(
        request, "citizens/register.html", {"form": form, "existing": existing}, status=status
    )


def _visible_holder(actor: Actor, number: str) -> Citizen | None:
    # The number is taken. Name the holder only to someone who may see them, and record that
    # as the search it is.
    found = selectors.citizen_search_cpr(actor=actor, number=number)
    return found[0] if found else None


def _already_registered(existing: Citizen | None) -> str:
    if existing is not None:
        return _("A citizen with this CPR number is already registered: see the link below.")
    return _(
        "A citizen with this CPR number is already registered, but your organisation has no "
        "access: the citizen's consent does not cover it."
    )


@acting
@require_http_methods(["GET"])
def citizen_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    citizen = access_citizen(actor, pk)
    consents = list(selectors.consents_of(citizen=citizen))
    audit.record_objects(actor, Action.LIST, consents)
    plans = visible_plans(actor, [citizen.pk])
    now = timezone.now()
    rows = [(c, consent_state(c, now), valid_through(c)) for c in consents]
    return render(
        request,
        "citizens/citizen.html",
        {
            "citizen": citizen,
            "cpr_whole": cpr.formatted(citizen.cpr_digits),
            "consents": rows,
            "plans": plans,
            "open_plan": next((p for p in plans if p.status != Plan.Status.CLOSED), None),
            "may_write": actor.is_caseworker,
        },
    )


def valid_through(consent: Consent) -> datetime.date | None:
    """The last day the consent holds (it expires at the start of the next)."""
    if consent.expires_at is None:
        return None
    return timezone.localtime(consent.expires_at - datetime.timedelta(microseconds=1)).date()


def consent_state(consent: Consent, now: Any) -> str:
    """``in_force``, ``withdrawn`` or ``expired``, by the same rule as ``Consent.in_force``."""
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return "withdrawn"
    if consent.expires_at is not None and consent.expires_at <= now:
        return "expired"
    if consent.given_at > now:
        return "future"
    return "in_force"
