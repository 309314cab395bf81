"""Handover pages: propose, my handovers, one handover with accept, decline (after a confirm
page) and cancel. Each change goes through the service the API calls, so it is checked and
audited the same way; what a page shows is recorded as the API records it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.access.handovers import (
    access_handover,
    access_plan_for_handover,
    handover_answer_check,
    handover_cancel_check,
    handovers_visible_to,
)
from apps.coordination import selectors, services
from apps.coordination.models import Handover, Transition
from apps.coordination.web.common import allowed
from apps.coordination.web.forms import (
    HandoverAcceptForm,
    HandoverDeclineForm,
    HandoverProposeForm,
    errors_onto,
)
from apps.core.exceptions import ApplicationError
from apps.plans.models import Plan
from apps.web.decorators import acting

DECIDED_SHOWN = 50
RECEIVER_FIELDS = {"to_user": "receiver", "to_organisation": "receiver"}


def _people(queryset: Any) -> Any:
    return queryset.select_related(
        "plan__citizen",
        "from_user",
        "from_organisation",
        "to_user",
        "to_organisation",
        "proposed_by",
        "decided_by",
    )


@acting
@require_http_methods(["GET", "POST"])
def handover_propose(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator (or a manager of the coordinator's organisation) offers the role."""
    plan = access_plan_for_handover(actor, pk)
    receivers = selectors.handover_receivers(plan=plan)
    status = 200
    if request.method == "POST":
        form = HandoverProposeForm(request.POST, receivers=receivers)
        if form.is_valid():
            user_id, organisation_id = form.receiver_ids()
            try:
                handover = services.handover_propose(
                    actor=actor,
                    plan_id=plan.pk,
                    to_user_id=user_id,
                    to_organisation_id=organisation_id,
                    note=form.cleaned_data["note"],
                    transition=form.cleaned_data["transition"] or None,
                )
            except ApplicationError as error:
                errors_onto(form, error, RECEIVER_FIELDS)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("The handover is proposed. %(name)s has been told and must answer.")
                    % {"name": handover.to_user.get_full_name() or handover.to_user.get_username()},
                )
                return redirect("coordination:handover", handover.pk)
        else:
            status = 400
    else:
        form = HandoverProposeForm(receivers=receivers)
    audit.record_objects(actor, Action.VIEW, [plan])  # the page shows the plan
    context = {
        "plan": plan,
        "form": form,
        "pending": selectors.plan_pending_handover(plan=plan),
        "closed": plan.status == Plan.Status.CLOSED,
    }
    return render(request, "coordination/handover_propose.html", context, status=status)


@acting
@require_GET
def handover_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """My handovers: waiting for my answer, proposed by me (or from me), and decided ones."""
    visible = _people(handovers_visible_to(actor))
    pending = list(visible.filter(state=Handover.State.PROPOSED).order_by("created"))
    decided = list(visible.exclude(state=Handover.State.PROPOSED).order_by("-id")[:DECIDED_SHOWN])
    audit.record_objects(actor, Action.LIST, [*pending, *decided])
    context = {
        "waiting": [h for h in pending if h.to_user_id == actor.user.pk],
        "proposed": [h for h in pending if h.to_user_id != actor.user.pk],
        "decided": decided,
    }
    return render(request, "coordination/handover_list.html", context)


def _detail(
    request: HttpRequest,
    actor: Actor,
    pk: int,
    *,
    error: str | None = None,
    status: int = 200,
    accept_form: HandoverAcceptForm | None = None,
) -> HttpResponse:
    handover = access_handover(actor, pk)
    handover = _people(handovers_visible_to(actor)).get(pk=handover.pk)
    live = handover.state == Handover.State.PROPOSED and handover.expires_at > timezone.now()
    context = {
        "handover": handover,
        # The step on the citizen's path the handover is marked as, if any.
        "transition": Transition.objects.filter(handover=handover).first(),
        "accept_form": accept_form or HandoverAcceptForm(),
        "plan": handover.plan,
        "live": live,
        "may_answer": live and allowed(lambda: handover_answer_check(actor, handover)),
        "receiver_elsewhere": live
        and handover.to_user_id == actor.user.pk
        and not allowed(lambda: handover_answer_check(actor, handover)),
        "may_cancel": live and allowed(lambda: handover_cancel_check(actor, handover)),
        "plan_visible": allowed(lambda: access_plan(actor, handover.plan_id, record=False)),
        "error": error,
    }
    return render(request, "coordination/handover_detail.html", context, status=status)


@acting
@require_GET
def handover_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _detail(request, actor, pk)


@acting
@require_POST
def handover_accept(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    form = HandoverAcceptForm(request.POST)
    if not form.is_valid():
        return _detail(request, actor, pk, status=400, accept_form=form)
    try:
        handover = services.handover_accept(
            actor=actor, handover_id=pk, receiving_note=form.cleaned_data["receiving_note"]
        )
    except ApplicationError as error:
        if "receiving_note" in (error.fields or {}):
            errors_onto(form, error)
            return _detail(request, actor, pk, status=error.status_code, accept_form=form)
        return _detail(request, actor, pk, error=error.detail, status=error.status_code)
    messages.success(request, _("You are now the plan's coordinator."))
    return redirect("plans:plan", handover.plan_id)


@acting
@require_http_methods(["GET", "POST"])
def handover_decline(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Declining asks for a reason on a page of its own, which is also the confirmation."""
    status = 200
    if request.method == "POST":
        form = HandoverDeclineForm(request.POST)
        if form.is_valid():
            try:
                handover = services.handover_decline(
                    actor=actor, handover_id=pk, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as error:
                errors_onto(form, error)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("You declined the handover. %(name)s stays the coordinator and is told.")
                    % {
                        "name": handover.from_user.get_full_name()
                        or handover.from_user.get_username()
                    },
                )
                return redirect("coordination:handovers")
        else:
            status = 400
    else:
        form = HandoverDeclineForm()
    handover = access_handover(actor, pk)
    handover_answer_check(actor, handover)  # only the receiver sees this page (403, recorded)
    handover = _people(handovers_visible_to(actor)).get(pk=handover.pk)
    live = handover.state == Handover.State.PROPOSED and handover.expires_at > timezone.now()
    context = {"handover": handover, "plan": handover.plan, "form": form, "live": live}
    return render(request, "coordination/handover_decline.html", context, status=status)


@acting
@require_POST
def handover_cancel(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        services.handover_cancel(actor=actor, handover_id=pk)
    except ApplicationError as error:
        return _detail(request, actor, pk, error=error.detail, status=error.status_code)
    messages.success(request, _("The handover is cancelled; the plan keeps its coordinator."))
    return redirect("coordination:handover", pk)
