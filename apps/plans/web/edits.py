"""The plan page's edits: goals, agreements, efforts, the assessment, the next review, and
removing an item. Each calls the same service as the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.access.checks import Action, access_effort, access_plan
from apps.access.context import Actor
from apps.core.exceptions import NotFound, PreconditionFailed
from apps.plans import parts, services
from apps.plans.models import Agreement, Effort, Goal, Plan
from apps.plans.web import sections
from apps.plans.web.context import COORDINATE, PlanPage, plan_for_page, plan_page
from apps.plans.web.forms import (
    AgreementForm,
    AssessmentForm,
    CitizenWordsForm,
    DeleteForm,
    EffortForm,
    GoalForm,
    NextReviewForm,
    VersionedForm,
)
from apps.plans.web.sections import Edit
from apps.web.decorators import acting


@dataclass
class PartEdit(Edit):
    """An item of a section: a goal, an agreement, an effort."""

    model: Any = None
    url_prefix: str = ""
    has_parts: bool = True

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

    def remove(self, actor: Actor, plan: Plan, part_id: Any, expected_version: int) -> None:
        """Take the item off the plan (a plan write: the version is checked and bumped)."""
        parts.plan_part_delete(
            actor=actor,
            plan_id=plan.pk,
            expected_version=expected_version,
            model=self.model,
            part_id=part_id,
        )


class GoalEdit(PartEdit):
    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return GoalForm(new=new, goal=part, section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            return {}
        return {
            "text": part.text,
            "outcome": part.outcome,
            # Ending a goal: today unless said otherwise.
            "outcome_on": part.outcome_on or timezone.localdate(),
        }

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        parts.goal_save(
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
        parts.agreement_save(
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
        return EffortForm(
            organisation=organisation,
            goals=list(page.plan.goals.all()),
            section=self.section,
            **kwargs,
        )

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            return {"status": Effort.Status.PLANNED}
        return {
            "description": part.description,
            "responsible": str(part.responsible_id),
            "status": part.status,
            "starts_on": part.starts_on,
            "ends_on": part.ends_on,
            "goals": [g.pk for g in part.goals.all()],
        }

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        parts.effort_save(
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
        return {
            **plan.assessment,
            **{f"works_{key}": text for key, text in plan.strengths.items()},
        }


class CitizenWordsEdit(PlanFieldsEdit):
    url_name = "plans:matters"

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return CitizenWordsForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {"what_matters": plan.what_matters, "hopes": plan.hopes, "resources": plan.resources}


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
MATTERS = CitizenWordsEdit(section="matters")
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
matters_edit = _edit_view(MATTERS)
next_review_edit = _edit_view(NEXT_REVIEW)


@acting
@require_POST
def part_delete(
    request: HttpRequest, actor: Actor, pk: int, part: int, section: str
) -> HttpResponse:
    """Remove a goal, an agreement or an own effort (``plan_part_delete``)."""
    return delete_part(request, actor, PARTS[section], pk, part)


def delete_part(
    request: HttpRequest, actor: Actor, edit: PartEdit, pk: int, part: int
) -> HttpResponse:
    """Remove an item of ``edit``'s section (``edit.remove``) with the version the button
    sent: the section again when saved, the conflict view when the version is stale."""
    section = edit.section
    plan = access_plan(actor, pk, Action.UPDATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections.closed(request, plan)
    item = edit.part(actor, plan, part, missing_ok=True)
    form = DeleteForm(request.POST, section=section)
    if not form.is_valid():
        return _bad_delete(request, actor, plan, section)
    version = form.cleaned_data["version"]
    if item is None and version == plan.version:
        raise Http404
    try:
        edit.remove(actor, plan, part, version)
    except PreconditionFailed:
        return _delete_conflict(request, actor, edit, plan.pk, part)
    except NotFound as error:
        raise Http404 from error
    return sections.saved(request, actor, section, plan.pk, version)


def _bad_delete(request: HttpRequest, actor: Actor, plan: Plan, section: str) -> HttpResponse:
    # Only a tampered or missing version gets here: the button sends it.
    page = plan_page(actor, plan_for_page(actor, plan.pk))
    return sections.render_section(
        request, page, section, 400, error=_("The plan's version was missing; try again.")
    )


def _delete_conflict(
    request: HttpRequest, actor: Actor, edit: PartEdit, plan_id: int, part_id: int
) -> HttpResponse:
    current = plan_for_page(actor, plan_id)
    return sections.render_conflict(
        request,
        plan_page(actor, current),
        edit.section,
        mode="delete",
        keep_mine=DeleteForm(data={"version": current.version}, auto_id=False),
        action_url=edit.delete_url(current, part_id),
        template=edit.template(),
        removed=edit.part(actor, current, part_id, missing_ok=True) is None,
    )


@acting
def section_view(request: HttpRequest, actor: Actor, pk: int, section: str) -> HttpResponse:
    """One section as it is now (what "Annullér" and "keep theirs" swap back in)."""
    if section not in sections.SECTIONS or section == "close":
        raise Http404
    if not request.htmx:  # type: ignore[attr-defined]
        plan_for_page(actor, pk, record=False)  # 404 for the unseen, before redirecting
        return redirect(f"{reverse('plans:plan', args=[pk])}#section-{section}")
    page = plan_page(actor, plan_for_page(actor, pk))
    return render(request, f"plans/_{section}.html", sections.section_context(page, section))
