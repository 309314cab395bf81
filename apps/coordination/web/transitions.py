"""The plan page's section "Borgerens vej" (the citizen's path), where the coordinator records
a transition on its own, in place like every section (``sections.handle``: htmx or a plain
page, the plan's version, the conflict view when it is stale); and the participants
section's remove forms, each of which may mark the organisation's leaving as a transition."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.access.context import Actor
from apps.coordination import transitions
from apps.coordination.models import Transition
from apps.core.parsers import as_id
from apps.organisations.models import Organisation
from apps.plans.models import Plan
from apps.plans.web import sections
from apps.plans.web.context import COORDINATE, PlanPage
from apps.plans.web.edits import _edit_view
from apps.plans.web.forms import DateInput, VersionedForm, set_choices
from apps.plans.web.participant_forms import ParticipantRemoveForm

SECTION = "path"


class TransitionForm(VersionedForm):
    kind = forms.ChoiceField(
        label=_("Transition"),
        help_text=_("The step on the citizen's path, for example from shelter to own housing."),
        choices=[("", _("Choose")), *Transition.Kind.choices],
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        help_text=_("From the day the plan began up to today."),
        widget=DateInput(),
    )
    organisation = forms.ChoiceField(
        label=_("Organisation"),
        help_text=_("The organisation the citizen moves to or from, if any."),
        required=False,
    )
    note = forms.CharField(
        label=_("Note on the transition"),
        help_text=_("What the next place must know, so that nothing is lost on the way."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=transitions.NOTE_LIMIT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name").values_list("pk", "name")
        set_choices(self, "organisation", [("", _("None")), *organisations])


class TransitionEdit(sections.Edit):
    """A new transition (transitions are not edited: they are what happened)."""

    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        return reverse("coordination:transition-new", args=[plan.pk])

    def template(self) -> str:
        return "plans/_path.html"

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return TransitionForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {"occurred_on": timezone.localdate()}

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        data = form.cleaned_data
        transitions.transition_record(
            actor=actor,
            plan_id=plan.pk,
            expected_version=data["version"],
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            organisation_id=data["organisation"] or None,
            note=data["note"],
        )


def remove_auto_id(data: Any) -> str:
    """Each organisation's remove form has ids of its own (several are on the page)."""
    return f"id_remove_{as_id(data.get('organisation')) or 0}_%s"


def removal_forms(page: PlanPage, bound: VersionedForm | None = None) -> list[VersionedForm]:
    """The remove form of each organisation that may leave the plan (not the coordinator's),
    with its transition fields: the one just posted (with its errors) for its organisation,
    empty ones for the others. Each knows its ``organisation_id``."""
    posted = as_id(bound.data.get("organisation")) if bound is not None else None
    result = []
    for coverage in page.coverage:
        if coverage.coordinates:
            continue
        pk = coverage.organisation.pk
        form = bound if bound is not None and posted == pk else None
        if form is None:
            form = ParticipantRemoveForm(auto_id=remove_auto_id({"organisation": pk}))
        form.organisation_id = pk  # type: ignore[attr-defined]
        name = coverage.organisation.name
        form.fields["transition"].label = _("Transition as %(organisation)s leaves") % {
            "organisation": name
        }
        form.fields["note"].label = _("Note on the transition as %(organisation)s leaves") % {
            "organisation": name
        }
        result.append(form)
    return result


PATH = TransitionEdit(section=SECTION, action=COORDINATE, has_parts=True, conflict_mode="section")

transition_new = _edit_view(PATH)
