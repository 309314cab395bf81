"""Forms of the plan page's participants section: an organisation joins or leaves the plan,
and the change may be marked as a transition on the citizen's path."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import Transition
from apps.organisations.models import Organisation
from apps.plans.web.forms import VersionedForm, set_choices


class TransitionFieldsForm(VersionedForm):
    """A change of participants may be marked as a transition on the citizen's path."""

    transition = forms.ChoiceField(
        label=_("Transition"),
        help_text=_("When the change is a step on the citizen's path."),
        choices=[("", _("Not a transition")), *Transition.Kind.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note on the transition"),
        help_text=_("What the next place must know."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class ParticipantAddForm(TransitionFieldsForm):
    organisation = forms.ChoiceField(label=_("Add an organisation"))

    def __init__(self, *args: Any, addable: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "organisation", [("", _("Choose")), *((str(o.pk), o.name) for o in addable)]
        )
        self.order_fields(["organisation", "transition", "note"])


class ParticipantRemoveForm(TransitionFieldsForm):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
