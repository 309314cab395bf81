"""What only the coordinator does on the plan page: change who takes part, close the plan.

The same services as the API (``participant_add``, ``participant_remove``, ``plan_close``),
with the plan's version; a stale version shows the conflict view, as every section does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination import transitions
from apps.coordination.web.transitions import removal_forms, remove_auto_id
from apps.core.exceptions import ApplicationError, PreconditionFailed
from apps.plans import services
from apps.plans.models import Plan
from apps.plans.web import sections
from apps.plans.web.context import COORDINATE, PlanPage, plan_for_page, plan_page
from apps.plans.web.forms import CloseForm, VersionedForm, put_errors
from apps.plans.web.participant_forms import ParticipantAddForm, ParticipantRemoveForm
from apps.web.decorators import acting


@acting
@require_http_methods(["GET", "POST"])
def participants_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator adds an organisation the consent covers, or removes one."""
    plan = access_plan(actor, pk, COORDINATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections.closed(request, plan)
    page = plan_page(actor, plan)
    url = reverse("plans:participants", args=[plan.pk])
    add = ParticipantAddForm(
        initial={"version": plan.version}, addable=page.addable, section="participants"
    )
    if request.method == "POST":
        removing = request.POST.get("op") == "remove"
        form: VersionedForm = (
            ParticipantRemoveForm(request.POST, auto_id=remove_auto_id(request.POST))
            if removing
            else ParticipantAddForm(request.POST, addable=page.addable, section="participants")
        )
        status = 400
        if form.is_valid():
            version = form.cleaned_data["version"]
            change = (
                transitions.participant_remove_marked
                if removing
                else transitions.participant_add_marked
            )
            try:
                change(
                    actor=actor,
                    plan_id=plan.pk,
                    expected_version=version,
                    organisation_id=int(form.cleaned_data["organisation"]),
                    transition=form.cleaned_data["transition"] or None,
                    note=form.cleaned_data["note"],
                )
            except PreconditionFailed:
                return _participants_conflict(request, actor, plan.pk, form, url, removing)
            except ApplicationError as error:
                put_errors(form, error)
                status = error.status_code
            else:
                return sections.saved(request, actor, "participants", plan.pk, version)
        if not removing:
            add = form  # type: ignore[assignment]
        errors = (
            [*form.non_field_errors(), *form.errors.get("organisation", [])] if removing else []
        )
        return _participants_form(
            request, actor, page, add, url, status, errors, form if removing else None
        )
    return _participants_form(request, actor, page, add, url, 200, [])


def _participants_form(
    request: HttpRequest,
    actor: Actor,
    page: PlanPage,
    add: VersionedForm,
    url: str,
    status: int,
    errors: Any,
    removing: VersionedForm | None = None,
) -> HttpResponse:
    audit.record_objects(actor, Action.VIEW, [page.plan])
    if request.htmx and removing is None:  # type: ignore[attr-defined]
        sections.autofocus(add)
    return sections.render_section(
        request,
        page,
        "participants",
        status,
        form=add,
        editing="participants",
        form_action=url,
        errors=errors,
        focus=not page.addable,
        remove_forms=removal_forms(page, removing),
    )


def _participants_conflict(
    request: HttpRequest, actor: Actor, plan_id: int, form: VersionedForm, url: str, removing: bool
) -> HttpResponse:
    current = plan_for_page(actor, plan_id)
    page = plan_page(actor, current)
    op = "remove" if removing else "add"
    data = {
        "version": current.version,
        "organisation": form.cleaned_data["organisation"],
        "transition": form.cleaned_data["transition"],
        "note": form.cleaned_data["note"],
    }
    keep_mine = (
        ParticipantRemoveForm(data=data, auto_id=False)
        if removing
        else ParticipantAddForm(data=data, addable=page.addable, auto_id=False)
    )
    keep_mine.is_valid()
    return sections.render_conflict(
        request,
        page,
        "participants",
        mode="section",
        keep_mine=keep_mine,
        action_url=url,
        template="plans/_participants.html",
        op=op,
    )


@acting
@require_http_methods(["GET", "POST"])
def plan_close(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator closes the plan, after choosing why (a page of its own: a confirm)."""
    plan = access_plan(actor, pk, COORDINATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections.closed(request, plan)
    form = CloseForm(request.POST or None, initial={"version": plan.version}, section="close")
    status = 200
    stale = False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.plan_close(
                    actor=actor,
                    plan_id=plan.pk,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                )
            except PreconditionFailed:
                stale = True
                status = 409
                plan.refresh_from_db()
                form = CloseForm(
                    data={"version": plan.version, "reason": form.cleaned_data["reason"]},
                    section="close",
                )
                form.is_valid()
            except ApplicationError as error:
                put_errors(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The plan is closed."))
                return redirect("plans:plan", pk=plan.pk)
    current = plan_for_page(actor, plan.pk)
    return render(
        request,
        "plans/plan_close.html",
        {"page": plan_page(actor, current), "plan": current, "form": form, "stale": stale},
        status=status,
    )
