"""The coordination forms. They parse what was typed; the services decide the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import HospitalEvent, Review
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Membership, Organisation
from apps.web.forms import KipForm


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO (yyyy-mm-dd) whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def errors_onto(
    form: forms.Form, error: ApplicationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's refusal back on the form: each named field of the form gets its
    message (a field the form calls differently is looked up in ``aliases``); anything else
    (a stale version, a state) goes above the form in the service's words."""
    aliases = aliases or {}
    placed = False
    for name, messages in (error.fields or {}).items():
        target = aliases.get(name, name)
        if target in form.fields and not form.fields[target].widget.is_hidden:
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.detail)


class NextReviewField(forms.DateField):
    """Shown as required (it is, unless the meeting closes the plan); left empty, the service
    decides and says so on the field, knowing the outcome."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, **kwargs)

    def validate(self, value: Any) -> None:
        return None


class ReviewForm(KipForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Date of the meeting"), widget=DateInput)
    organisations = forms.MultipleChoiceField(
        label=_("Organisations that took part"),
        # Set here: the shell's class map would give these the radio style.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
    )
    citizen_took_part = forms.BooleanField(label=_("The citizen took part"), required=False)
    people = forms.CharField(
        label=_("Other people who took part"),
        help_text=_("One name on each line, for example a relative or a support worker."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    citizen_view = forms.CharField(
        label=_("The citizen's own view"),
        help_text=_("How the citizen thinks things are going, in their own words."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Review.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=8000
    )
    next_review = NextReviewField(
        label=_("Next review"),
        help_text=_("At most six months ahead. Leave it empty only when the plan is closed."),
        widget=DateInput,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_names = {str(o.pk): o.name for o in organisations}
        field = cast(forms.MultipleChoiceField, self.fields["organisations"])
        field.choices = list(self.organisation_names.items())

    def participants(self) -> list[str]:
        """Who took part, as ``review_record`` keeps it: organisations' and people's names."""
        ticked = set(self.cleaned_data["organisations"])
        chosen = [name for pk, name in self.organisation_names.items() if pk in ticked]
        people = [line.strip() for line in self.cleaned_data["people"].splitlines()]
        return chosen + [p for p in people if p]


class HandoverProposeForm(KipForm):
    receiver = forms.ChoiceField(
        label=_("New coordinator"),
        help_text=_(
            "Caseworkers of the organisations the citizen's consent covers. An organisation "
            "that is not on the plan yet joins it when the handover is accepted."
        ),
    )
    note = forms.CharField(
        label=_("Note to the new coordinator"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, receivers: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("Choose a person"))]
        for m in receivers:
            name = m.user.get_full_name() or m.user.get_username()
            choices.append((f"{m.user_id}:{m.organisation_id}", f"{name} ({m.organisation.name})"))
        field = cast(forms.ChoiceField, self.fields["receiver"])
        field.choices = choices

    def receiver_ids(self) -> tuple[int, int]:
        user_id, organisation_id = self.cleaned_data["receiver"].split(":")
        return int(user_id), int(organisation_id)


class HandoverDeclineForm(KipForm):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        help_text=_("The coordinator and the person who proposed it will read this."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Give a reason for declining.")},
    )


class HospitalEventForm(KipForm):
    kind = forms.ChoiceField(
        label=_("What happened"), choices=HospitalEvent.Kind.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        help_text=_("Only an expected discharge may lie in the future."),
        widget=DateInput,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
