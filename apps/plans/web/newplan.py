"""A new plan in one sitting: citizen, who takes part, the first goals, the next review.

The answers are kept server-side in the session until the last step, and the plan is made
there in one transaction (``plan_start``). A draft plan made at the first step would hold the
citizen's one open plan, be shared with the participants half-made, and be left behind by
every abandoned attempt; the session holds nothing anyone else can see, and ends with the
login. Each step checks its answers by the services' own rules (``plan_create_check``,
``review_date_validate``), so an error shows on the step that caused it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import Action, access_citizen, citizens_visible_to, require_caseworker
from apps.access.context import Actor
from apps.citizens import cpr
from apps.citizens.models import Citizen
from apps.citizens.services import cpr_digits, organisations_covered
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Plan
from apps.plans.services import plan_create_check, review_date_validate
from apps.plans.start import plan_start
from apps.plans.web.forms import ActivateForm, CitizenForm, GoalsForm, PeopleForm, put_errors
from apps.web.decorators import acting

SESSION_KEY = "kip_new_plan"
CANDIDATES = 20
REVIEW_DEFAULT_MONTHS = 3
STEPS = [
    ("plans:new", gettext_lazy("Citizen")),
    ("plans:new-people", gettext_lazy("Who takes part")),
    ("plans:new-goals", gettext_lazy("Goals")),
    ("plans:new-activate", gettext_lazy("Review and activate")),
]


# --- the state between steps ------------------------------------------------------------------


def _state(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY) or {}
    if state.get("organisation") != actor.organisation.pk:  # another organisation's attempt
        state = {"organisation": actor.organisation.pk}
    return state


def _store(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _render(
    request: HttpRequest, step: int, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    state = context.get("state", {})
    done = [bool(state.get("citizen")), bool(state.get("participants")), bool(state.get("goals"))]
    steps = []
    for n, (name, label) in enumerate(STEPS, 1):
        reachable = n == 1 or all(done[: n - 1])
        steps.append(
            {
                "n": n,
                "url_name": name,
                "label": label,
                "current": n == step,
                "done": n < len(STEPS) and done[n - 1] and n != step,
                "reachable": reachable and n != step,
            }
        )
    context.update(steps=steps, step=step, step_count=len(STEPS), step_label=STEPS[step - 1][1])
    return render(request, f"plans/new/step{step}.html", context, status=status)


def _citizen(actor: Actor, state: dict[str, Any]) -> Citizen | None:
    """The chosen citizen, read through apps.access (each step shows them: a view)."""
    if not state.get("citizen"):
        return None
    return access_citizen(actor, state["citizen"])


# --- step 1: the citizen ------------------------------------------------------------------------


@acting
@require_http_methods(["GET", "POST"])
def step_citizen(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_caseworker(actor, Action.CREATE, "plan")
    state = _state(request, actor)
    preselected = request.GET.get("citizen", "")
    if request.method == "GET" and preselected:
        citizen = access_citizen(actor, preselected)  # 404 for a citizen one may not see
        error = _open_plan_error(citizen)
        if error is None:
            state = {"organisation": actor.organisation.pk, "citizen": citizen.pk}
            _store(request, state)
            return redirect("plans:new-people")
        return _step_citizen_page(request, actor, state, CitizenForm(), error=error, status=409)
    if request.method == "POST":
        form = CitizenForm(request.POST)
        if form.is_valid():
            citizen = access_citizen(actor, form.cleaned_data["citizen"])
            error = _open_plan_error(citizen)
            if error is None:
                if state.get("citizen") != citizen.pk:
                    state = {"organisation": actor.organisation.pk, "citizen": citizen.pk}
                _store(request, state)
                return redirect("plans:new-people")
            form.add_error("citizen", error)
        return _step_citizen_page(request, actor, state, form, status=400)
    return _step_citizen_page(
        request, actor, state, CitizenForm(initial={"citizen": state.get("citizen")})
    )


def _open_plan_error(citizen: Citizen) -> str | None:
    if Plan.objects.filter(citizen=citizen).exclude(status=Plan.Status.CLOSED).exists():
        return _("%(name)s already has an open plan.") % {"name": citizen.name}
    return None


def _step_citizen_page(
    request: HttpRequest,
    actor: Actor,
    state: dict[str, Any],
    form: CitizenForm,
    *,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    candidates, search_error = _candidates(actor, query)
    form.offer(candidates)
    context = {
        "state": state,
        "form": form,
        "query": query,
        "search_error": search_error,
        "candidates": candidates,
        "error": error,
    }
    return _render(request, 1, context, status=400 if search_error else status)


def _candidates(actor: Actor, query: str) -> tuple[list[Citizen], str | None]:
    """Citizens the actor may see and who have no open plan; by name or CPR when asked.

    Audited as the API audits: a list event per citizen shown, or search events (the CPR only
    as a truncated keyed hash, the name not at all).
    """
    citizens = citizens_visible_to(actor).exclude(
        plans__status__in=[Plan.Status.DRAFT, Plan.Status.ACTIVE]
    )
    criteria: dict[str, Any] = {}
    if query:
        digits = query.replace("-", "").replace(" ", "")
        if digits.isdigit():
            try:
                lookup = cpr.lookup_hash(cpr_digits(query))
            except ApplicationError as error:
                return [], str(error.detail)
            citizens = citizens.filter(cpr_hash=lookup)
            criteria = {"criteria": {"cpr_hash": lookup[:16]}}
        else:
            citizens = citizens.filter(name__icontains=query)
            criteria = {"criteria": {"name": True}}
    found = list(citizens.order_by("-created", "-id")[:CANDIDATES])
    if not query:
        audit.record_objects(actor, Action.LIST, found)
    elif not found:
        audit.record(actor, Action.SEARCH, "citizen", detail=criteria)
    else:
        audit.write(
            [
                audit.event(actor, Action.SEARCH, "citizen", c.pk, citizen_id=c.pk, detail=criteria)
                for c in found
            ]
        )
    return found, None


# --- step 2: coordinator and participants -------------------------------------------------------


@acting
@require_http_methods(["GET", "POST"])
def step_people(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_caseworker(actor, Action.CREATE, "plan")
    state = _state(request, actor)
    citizen = _citizen(actor, state)
    if citizen is None:
        return redirect("plans:new")
    covered_ids = organisations_covered(citizen=citizen)
    organisations = list(Organisation.objects.order_by("name"))
    covered = [o for o in organisations if o.pk in covered_ids]
    uncovered = [o for o in organisations if o.pk not in covered_ids]
    me = f"{actor.user.pk}:{actor.organisation.pk}"
    initial = {
        "coordinator": state.get("coordinator", me),
        "participants": state.get("participants") or [o.pk for o in covered],
    }
    form = PeopleForm(request.POST or None, initial=initial, covered=covered)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            user_id, organisation_id = (int(x) for x in form.cleaned_data["coordinator"].split(":"))
            try:
                plan_create_check(
                    actor=actor,
                    citizen_id=citizen.pk,
                    coordinator_user_id=user_id,
                    coordinator_organisation_id=organisation_id,
                    participant_ids=form.cleaned_data["participants"],
                    status=Plan.Status.ACTIVE,
                )
            except ApplicationError as error:
                put_errors(form, error)
                status = error.status_code
            else:
                state.update(
                    coordinator=form.cleaned_data["coordinator"],
                    participants=form.cleaned_data["participants"],
                )
                _store(request, state)
                return redirect("plans:new-goals")
    context = {
        "state": state,
        "citizen": citizen,
        "form": form,
        "covered": covered,
        "uncovered": uncovered,
        "own_covered": actor.organisation.pk in covered_ids,
    }
    return _render(request, 2, context, status)


# --- step 3: the first goals -------------------------------------------------------------------


@acting
@require_http_methods(["GET", "POST"])
def step_goals(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_caseworker(actor, Action.CREATE, "plan")
    state = _state(request, actor)
    citizen = _citizen(actor, state)
    if citizen is None or not state.get("participants"):
        return redirect("plans:new-people" if citizen else "plans:new")
    goals = state.get("goals") or []
    status = 200
    if request.method == "POST":
        count = max(int(request.POST.get("count", "1") or 1), 1)
        form = GoalsForm(request.POST, count=min(count, 10))
        status = 400
        if form.is_valid():
            state["goals"] = form.goals()
            _store(request, state)
            if "more" in request.POST:
                form = GoalsForm(
                    initial=_goal_initial(state["goals"]), count=min(len(state["goals"]) + 1, 10)
                )
                status = 200
            else:
                return redirect("plans:new-activate")
    else:
        form = GoalsForm(initial=_goal_initial(goals), count=max(len(goals), 1))
    context = {"state": state, "citizen": citizen, "form": form, "count": len(form.fields)}
    return _render(request, 3, context, status)


def _goal_initial(goals: list[str]) -> dict[str, str]:
    return {f"goal_{n}": text for n, text in enumerate(goals, 1)}


# --- step 4: the next review, and activate -------------------------------------------------


@acting
@require_http_methods(["GET", "POST"])
def step_activate(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_caseworker(actor, Action.CREATE, "plan")
    state = _state(request, actor)
    citizen = _citizen(actor, state)
    if citizen is None or not state.get("participants") or not state.get("goals"):
        return redirect("plans:new-goals" if citizen else "plans:new")
    default = timezone.localdate() + relativedelta(months=REVIEW_DEFAULT_MONTHS)
    form = ActivateForm(request.POST or None, initial={"next_review": default})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            plan = _activate(actor, state, citizen, form)
            if plan is not None:
                request.session.pop(SESSION_KEY, None)
                names = ", ".join(p.organisation.name for p in plan.participations.all())
                messages.success(
                    request,
                    _("The plan is active and shared with %(names)s.") % {"names": names},
                )
                return redirect("plans:plan", pk=plan.pk)
            status = 409 if form.errors.get("__all__") else 400
    user_id, organisation_id = (int(x) for x in state["coordinator"].split(":"))
    context = {
        "state": state,
        "citizen": citizen,
        "form": form,
        "coordinator": Membership.objects.select_related("user", "organisation")
        .filter(user_id=user_id, organisation_id=organisation_id)
        .first(),
        "participants": Organisation.objects.filter(pk__in=state["participants"]).order_by("name"),
    }
    return _render(request, 4, context, status)


def _activate(actor: Actor, state: dict[str, Any], citizen: Citizen, form: ActivateForm) -> Any:
    next_review: dt.date = form.cleaned_data["next_review"]
    try:
        review_date_validate(next_review)
        user_id, organisation_id = (int(x) for x in state["coordinator"].split(":"))
        return plan_start(
            actor=actor,
            citizen_id=citizen.pk,
            coordinator_user_id=user_id,
            coordinator_organisation_id=organisation_id,
            participant_ids=state["participants"],
            goals=state["goals"],
            next_review=next_review,
        )
    except ApplicationError as error:
        # A rule of an earlier step (consent withdrawn meanwhile, an open plan made by someone
        # else): said above the form, with the way back through the step indicator.
        put_errors(form, error)
        return None
