"""The plan page's "Hurtig start" box: a caseworker records that the citizen is motivated now,
and the page shows by when the first effort must have started.

Saved like the plan's other fields (``sections.handle``: the version on the form, errors on
the form, the conflict view for a stale one), through ``apps.plans.faststart``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.access.context import Actor
from apps.plans.faststart import plan_motivation_record
from apps.plans.models import Plan
from apps.plans.web.context import PlanPage
from apps.plans.web.edits import _edit_view
from apps.plans.web.forms import DateInput, VersionedForm
from apps.plans.web.sections import Edit

SECTION = "faststart"


class FastStartForm(VersionedForm):
    motivated_on = forms.DateField(
        label=_("The citizen was motivated on"),
        help_text=_("Today, unless it was an earlier day since the plan was made."),
        widget=DateInput(),
    )


class FastStartEdit(Edit):
    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        return reverse("plans:fast-start", args=[plan.pk])

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return FastStartForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {"motivated_on": plan.motivated_on or timezone.localdate()}

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        plan_motivation_record(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            motivated_on=form.cleaned_data["motivated_on"],
        )


FAST_START = FastStartEdit(section=SECTION)

fast_start_edit = _edit_view(FAST_START)
