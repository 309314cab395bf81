"""The plan page's section "Udskrivningsaftale": for an admission, who does what by when.

Edited in place like goals and agreements (``sections.handle``, htmx or plain pages), through
the services of ``apps.coordination.discharge``; a task is marked done (or not) with one
button, which is a plan write with the plan's version like every other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.coordination import discharge
from apps.coordination.models import DischargeTask, HospitalEvent
from apps.core.exceptions import NotFound, PreconditionFailed
from apps.plans.models import Plan
from apps.plans.web import sections
from apps.plans.web.context import PlanPage, plan_for_page, plan_page
from apps.plans.web.edits import PartEdit, _bad_delete, _edit_view, delete_part
from apps.plans.web.forms import DateInput, VersionedForm, person_name, set_choices
from apps.web.decorators import acting

SECTION = "discharge"


def admission_label(admission: HospitalEvent) -> str:
    return str(_("Admission on %(day)s")) % {"day": date_format(admission.occurred_on)}


def _person_value(user_id: Any, organisation_id: Any) -> str:
    """One choice names the person and the organisation they act for on the task."""
    return f"{user_id}:{organisation_id}"


class DischargeTaskForm(VersionedForm):
    admission = forms.TypedChoiceField(label=_("Admission"), coerce=int)
    description = forms.CharField(
        label=_("What is to be done"),
        help_text=_("For example: housing ready, medicine collected, first appointment."),
        max_length=discharge.DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible = forms.ChoiceField(
        label=_("Who is responsible"),
        help_text=_("A caseworker of an organisation on the plan."),
    )
    due = forms.DateField(label=_("By when"), widget=DateInput())
    done = forms.BooleanField(label=_("Done"), required=False)

    def __init__(
        self, *args: Any, plan: Plan, task: DischargeTask | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        admissions = list(discharge.admissions_of(plan))
        set_choices(self, "admission", [(a.pk, admission_label(a)) for a in admissions])
        if len(admissions) == 1:
            self.fields["admission"].widget = forms.HiddenInput()
        groups: dict[str, list[tuple[str, str]]] = {}
        for membership in discharge.responsible_candidates(plan):
            value = _person_value(membership.user_id, membership.organisation_id)
            groups.setdefault(membership.organisation.name, []).append(
                (value, person_name(membership.user))
            )
        if task is not None:
            # The person named now stays a choice, so other changes can be saved without
            # placing them anew (the service checks only a person that changes).
            value = _person_value(task.responsible_id, task.responsible_organisation_id)
            if not any(value == v for people in groups.values() for v, _label in people):
                groups.setdefault(task.responsible_organisation.name, []).append(
                    (value, person_name(task.responsible))
                )
        set_choices(self, "responsible", [("", _("Choose")), *groups.items()])
        if task is None:
            del self.fields["done"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        user, _sep, organisation = data.pop("responsible").partition(":")
        person = (int(user), int(organisation))
        task = self.task
        if task is None or person != (task.responsible_id, task.responsible_organisation_id):
            data["responsible"], data["responsible_organisation"] = person
        return data


class DoneForm(VersionedForm):
    done = forms.BooleanField(required=False)


class DischargeEdit(PartEdit):
    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        if new or part_id is None:
            return reverse("coordination:discharge-task-new", args=[plan.pk])
        return reverse("coordination:discharge-task-edit", args=[plan.pk, part_id])

    def delete_url(self, plan: Plan, part_id: Any) -> str:
        return reverse("coordination:discharge-task-delete", args=[plan.pk, part_id])

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return DischargeTaskForm(plan=page.plan, task=part, section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            latest = discharge.admissions_of(plan).values_list("pk", flat=True).first()
            return {"admission": latest}
        return {
            "admission": part.admission_id,
            "description": part.description,
            "responsible": _person_value(part.responsible_id, part.responsible_organisation_id),
            "due": part.due,
            "done": part.done,
        }

    def remove(self, actor: Actor, plan: Plan, part_id: Any, expected_version: int) -> None:
        discharge.discharge_task_delete(
            actor=actor, plan_id=plan.pk, expected_version=expected_version, task_id=part_id
        )

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        discharge.discharge_task_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            task_id=part_id,
            data=form.service_data(),
        )


DISCHARGE = DischargeEdit(section=SECTION, model=DischargeTask, url_prefix="discharge-task")

discharge_task_edit = _edit_view(DISCHARGE)


@acting
@require_POST
def discharge_task_done(request: HttpRequest, actor: Actor, pk: int, part: int) -> HttpResponse:
    """Mark a task done, or not done after all (``discharge_task_done``)."""
    plan = access_plan(actor, pk, Action.UPDATE, record=False)
    if plan.status == Plan.Status.CLOSED:
        return sections.closed(request, plan)
    form = DoneForm(request.POST, section=SECTION)
    if not form.is_valid():
        return _bad_delete(request, actor, plan, SECTION)
    version, done = form.cleaned_data["version"], form.cleaned_data["done"]
    if DISCHARGE.part(actor, plan, part, missing_ok=True) is None and version == plan.version:
        raise Http404
    try:
        discharge.discharge_task_done(
            actor=actor, plan_id=plan.pk, expected_version=version, task_id=part, done=done
        )
    except PreconditionFailed:
        current = plan_for_page(actor, plan.pk)
        page = plan_page(actor, current)
        if DISCHARGE.part(actor, current, part, missing_ok=True) is None:
            gone = _("The task has been removed by someone else.")
            return sections.render_section(request, page, SECTION, 409, error=gone)
        return sections.render_conflict(
            request,
            page,
            SECTION,
            mode="section",
            keep_mine=DoneForm(data={"version": current.version, "done": done}, auto_id=False),
            action_url=reverse("coordination:discharge-task-done", args=[plan.pk, part]),
            template=DISCHARGE.template(),
        )
    except NotFound as error:
        raise Http404 from error
    return sections.saved(request, actor, SECTION, plan.pk, version)


@acting
@require_POST
def discharge_task_delete(request: HttpRequest, actor: Actor, pk: int, part: int) -> HttpResponse:
    """Take a task off the discharge agreement (``discharge_task_delete``)."""
    return delete_part(request, actor, DISCHARGE, pk, part)
