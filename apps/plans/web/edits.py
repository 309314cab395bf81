"""The plan page's edits: goals, agreements, efforts, assessment, next review, participants,
closing, and removing an item. Each calls the same service as the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.access.checks import Action, access_effort, access_plan
from apps.access.context import Actor
from apps.core.exceptions import ApplicationError, NotFound, PreconditionFailed
from apps.plans import services
from apps.plans.models import Agreement, Effort, Goal, Plan
from apps.plans.web import sections
from apps.plans.web.context import COORDINATE, PlanPage, plan_for_page, plan_page
from apps.plans.web.forms import (
    AgreementForm,
    AssessmentForm,
    CloseForm,
    DeleteForm,
    EffortForm,
    GoalForm,
    NextReviewForm,
    ParticipantAddForm,
    ParticipantRemoveForm,
    VersionedForm,
    put_errors,
)
from apps.plans.web.sections import Edit
from apps.web.decorators import acting


@dataclass
class PartEdit(Edit):
    """An item of a section: a goal, an agreement, an effort."""

    model: Any = None
    url_prefix: str = ""

    def part(self, actor: Actor, plan: Plan, part_id: Any, *, missing_ok: bool) -> Any:
        found = self.model.objects.filter(plan=plan, pk=part_id).first()
        if found is None and not missing_ok:
            raise Http404
        return found

    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        if new or part_id is None:
            return reverse(f"plans:{self.url_prefix}-new", args=[plan.pk])
        return reverse(f"plans:{self.url_prefix}-edit", args=[plan.pk, part_id])

    def delete_url(self, plan: Plan, part_id: Any) -> str:
        return reverse(f"plans:{self.url_prefix}-delete", args=[plan.pk, part_id])


class GoalEdit(PartEdit):
    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return GoalForm(new=new, section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {"text": part.text, "status": part.status} if part else {}

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        services.goal_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            goal_id=part_id,
            data=form.service_data(),
        )


class AgreementEdit(PartEdit):
    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return AgreementForm(plan=page.plan, new=new, section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            return {}
        return {
            "text": part.text,
            "responsible": str(part.responsible_id or ""),
            "due": part.due,
            "done": part.done,
        }

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        services.agreement_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            agreement_id=part_id,
            data=form.service_data(),
        )


class EffortEdit(PartEdit):
    def part(self, actor: Actor, plan: Plan, part_id: Any, *, missing_ok: bool) -> Any:
        if missing_ok and not Effort.objects.filter(plan=plan, pk=part_id).exists():
            return None
        # Another organisation's effort: 403, and the attempt is in the trail (as the API).
        return access_effort(actor, plan, part_id, Action.UPDATE)

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        organisation = part.organisation if part else page.actor.organisation
        return EffortForm(organisation=organisation, section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            return {"status": Effort.Status.PLANNED}
        return {
            "description": part.description,
            "responsible": str(part.responsible_id),
            "status": part.status,
            "starts_on": part.starts_on,
            "ends_on": part.ends_on,
        }

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        services.effort_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            effort_id=part_id,
            data=form.service_data(),
        )


class PlanFieldsEdit(Edit):
    """The plan's own fields: the assessment, the next review."""

    url_name: str = ""

    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        return reverse(self.url_name, args=[plan.pk])

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        services.plan_update(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            data=form.service_data(),
        )


class AssessmentEdit(PlanFieldsEdit):
    url_name = "plans:assessment"

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return AssessmentForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return dict(plan.assessment)

    def display_error_names(self) -> None:
        pass


class NextReviewEdit(PlanFieldsEdit):
    url_name = "plans:next-review"

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return NextReviewForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {"next_review": plan.next_review}


GOALS = GoalEdit(section="goals", model=Goal, url_prefix="goal")
AGREEMENTS = AgreementEdit(section="agreements", model=Agreement, url_prefix="agreement")
EFFORTS = EffortEdit(section="efforts", model=Effort, url_prefix="effort")
ASSESSMENT = AssessmentEdit(section="assessment")
NEXT_REVIEW = NextReviewEdit(section="review", action=COORDINATE)
PARTS = {"goals": GOALS, "agreements": AGREEMENTS, "efforts": EFFORTS}


# --- views ------------------------------------------------------------------------------------


def _edit_view(edit: Edit) -> Any:
    @acting
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, actor: Actor, pk: int, part: int | None = None) -> HttpResponse:
        return sections.handle(request, actor, edit, pk, part)

    return view


goal_edit = _edit_view(GOALS)
agreement_edit = _edit_view(AGREEMENTS)
effort_edit = _edit_view(EFFORTS)
assessment_edit = _edit_view(ASSESSMENT)
next_review_edit = _edit_view(NEXT_REVIEW)


@acting
@require_POST
def part_delete(
    request: HttpRequest, actor: Actor, pk: int, part: int, section: str
) -> HttpResponse:
    """Remove a goal, an agreement or an own effort (``plan_part_delete``)."""
    edit = PARTS[section]
    plan = access_plan(actor, pk, Action.UPDATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections._closed(request, plan)
    item = edit.part(actor, plan, part, missing_ok=True)
    form = DeleteForm(request.POST, section=section)
    if not form.is_valid():
        return _bad_delete(request, actor, plan, section)
    version = form.cleaned_data["version"]
    if item is None and version == plan.version:
        raise Http404
    try:
        services.plan_part_delete(
            actor=actor,
            plan_id=plan.pk,
            expected_version=version,
            model=edit.model,
            part_id=part,
        )
    except PreconditionFailed:
        return _delete_conflict(request, actor, edit, plan.pk, part, item)
    except NotFound as error:
        raise Http404 from error
    return sections.saved(request, actor, section, plan.pk, version)


def _bad_delete(request: HttpRequest, actor: Actor, plan: Plan, section: str) -> HttpResponse:
    # Only a tampered or missing version gets here: the button sends it.
    from django.utils.translation import gettext as _

    current = plan_for_page(actor, plan.pk)
    page = plan_page(actor, current)
    return sections.render_section(
        request, page, section, 400, error=_("The plan's version was missing; try again.")
    )


def _delete_conflict(
    request: HttpRequest, actor: Actor, edit: PartEdit, plan_id: int, part_id: int, item: Any
) -> HttpResponse:
    current = plan_for_page(actor, plan_id)
    page = plan_page(actor, current)
    import dataclasses

    from apps.plans.web.context import Controls

    return sections.render_section(
        request,
        page,
        edit.section,
        409,
        template="plans/_conflict.html",
        conflict_mode="delete",
        removed=edit.part(actor, current, part_id, missing_ok=True) is None,
        rows=[],
        merge=None,
        keep_mine=DeleteForm(data={"version": current.version}, auto_id=False),
        form_action=edit.delete_url(current, part_id),
        readonly_page=dataclasses.replace(page, may=Controls()),
        section_template=edit.template(),
    )


@acting
@require_http_methods(["GET", "POST"])
def participants_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator adds an organisation the consent covers, or removes one."""
    plan = access_plan(actor, pk, COORDINATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections._closed(request, plan)
    page = plan_page(actor, plan)
    url = reverse("plans:participants", args=[plan.pk])
    add = ParticipantAddForm(
        initial={"version": plan.version}, addable=page.addable, section="participants"
    )
    if request.method == "POST":
        removing = request.POST.get("op") == "remove"
        form: VersionedForm = (
            ParticipantRemoveForm(request.POST, auto_id=False)
            if removing
            else ParticipantAddForm(request.POST, addable=page.addable, section="participants")
        )
        status = 400
        if form.is_valid():
            version = form.cleaned_data["version"]
            change = services.participant_remove if removing else services.participant_add
            try:
                change(
                    actor=actor,
                    plan_id=plan.pk,
                    expected_version=version,
                    organisation_id=int(form.cleaned_data["organisation"]),
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
        errors = [*form.non_field_errors(), *form.errors.get("organisation", [])] if removing else []
        return _participants_form(request, actor, page, add, url, status, errors)
    return _participants_form(request, actor, page, add, url, 200, [])


def _participants_form(
    request: HttpRequest,
    actor: Actor,
    page: PlanPage,
    add: VersionedForm,
    url: str,
    status: int,
    errors: Any,
) -> HttpResponse:
    from apps.access import audit

    audit.record_objects(actor, Action.VIEW, [page.plan])
    if request.htmx:  # type: ignore[attr-defined]
        sections.autofocus(add)
    return sections.render_section(
        request, page, "participants", status, form=add, editing="participants",
        form_action=url, errors=errors, focus=not page.addable,
    )


def _participants_conflict(
    request: HttpRequest, actor: Actor, plan_id: int, form: VersionedForm, url: str, removing: bool
) -> HttpResponse:
    import dataclasses

    from apps.plans.web.context import Controls

    current = plan_for_page(actor, plan_id)
    page = plan_page(actor, current)
    data = {
        "version": current.version,
        "organisation": form.cleaned_data["organisation"],
        "op": "remove" if removing else "add",
    }
    keep_mine = (
        ParticipantRemoveForm(data=data, auto_id=False)
        if removing
        else ParticipantAddForm(data=data, addable=page.addable, auto_id=False)
    )
    keep_mine.is_valid()
    return sections.render_section(
        request,
        page,
        "participants",
        409,
        template="plans/_conflict.html",
        conflict_mode="section",
        removed=False,
        rows=[],
        merge=None,
        keep_mine=keep_mine,
        keep_mine_op=data["op"],
        form_action=url,
        readonly_page=dataclasses.replace(page, may=Controls()),
        section_template="plans/_participants.html",
    )


@acting
@require_http_methods(["GET", "POST"])
def plan_close(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The coordinator closes the plan, after choosing why (a page of its own: a confirm)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    plan = access_plan(actor, pk, COORDINATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections._closed(request, plan)
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


@acting
def section_view(request: HttpRequest, actor: Actor, pk: int, section: str) -> HttpResponse:
    """One section as it is now (what "Annullér" and "keep theirs" swap back in)."""
    from django.shortcuts import redirect

    if section not in sections.SECTIONS or section == "close":
        raise Http404
    if not request.htmx:  # type: ignore[attr-defined]
        plan_for_page(actor, pk, record=False)  # 404 for the unseen, before redirecting
        return redirect(f"{reverse('plans:plan', args=[pk])}#section-{section}")
    page = plan_page(actor, plan_for_page(actor, pk))
    return render(request, f"plans/_{section}.html", sections.section_context(page, section))
