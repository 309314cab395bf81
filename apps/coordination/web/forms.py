"""The coordination forms. They parse what was typed; the services decide the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import MEETING_RATINGS, HospitalEvent, Review, Transition
from apps.coordination.web.frozen import meeting_labels
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Goal
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


RATING_MESSAGE = _("A rating is a whole number from 0 to 10.")


class RatingField(forms.IntegerField):
    """A rating from 0 to 10, optional; anything else is refused in the service's words."""

    def __init__(self, **kwargs: Any) -> None:
        message = RATING_MESSAGE
        super().__init__(
            min_value=0,
            max_value=10,
            required=False,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            widget=forms.NumberInput(
                attrs={"class": "form-input input-char-4", "inputmode": "numeric"}
            ),
            **kwargs,
        )


# Per goal, the form fields' suffixes: each is the rating's key in ``review_record``.
GOAL_PARTS = ("citizen", "citizen_note", "professional", "note")


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
    citizen_agreed = forms.BooleanField(label=_("The citizen agrees with the plan"), required=False)
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

    # The plain fields shown before the ratings; the rest (outcome, notes, next review) after.
    BEFORE_RATINGS = (
        "held_on",
        "organisations",
        "citizen_took_part",
        "people",
        "citizen_view",
        "citizen_agreed",
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        goals: list[Goal] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_names = {str(o.pk): o.name for o in organisations}
        field = cast(forms.MultipleChoiceField, self.fields["organisations"])
        field.choices = list(self.organisation_names.items())
        self.goals = list(goals or [])
        rating_fields: dict[str, forms.Field] = {}
        for goal in self.goals:
            rating_fields[f"goal_{goal.pk}_citizen"] = RatingField(
                label=_("The citizen: where are you now? (0-10)"),
                help_text=_("0 is as far from the goal as can be, 10 is the goal reached."),
            )
            rating_fields[f"goal_{goal.pk}_citizen_note"] = forms.CharField(
                label=_("In the citizen's words"), required=False, max_length=500
            )
            rating_fields[f"goal_{goal.pk}_professional"] = RatingField(
                label=_("The coordinator's rating (0-10)")
            )
            rating_fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=_("The coordinator's note"), required=False, max_length=500
            )
        for name in MEETING_RATINGS:
            # The citizen's feedback on the meeting, after FIT's session rating scale.
            rating_fields[name] = RatingField(label=meeting_labels()[name])
        # KipForm gave the class's fields their design-system class; these come later.
        for extra in rating_fields.values():
            extra.widget.attrs.setdefault("class", "form-input")
        self.fields.update(rating_fields)
        # The page shows them between the meeting's facts and its outcome; the error summary
        # above the form lists the fields in the same order.
        after = [n for n in self.fields if n not in self.BEFORE_RATINGS and n not in rating_fields]
        self.order_fields([*self.BEFORE_RATINGS, *rating_fields, *after])

    def before_ratings(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BEFORE_RATINGS]

    def goal_groups(self) -> list[tuple[Goal, list[forms.BoundField]]]:
        """Per open goal, its four fields (for a fieldset whose legend quotes the goal)."""
        return [
            (goal, [self[f"goal_{goal.pk}_{part}"] for part in GOAL_PARTS]) for goal in self.goals
        ]

    def meeting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MEETING_RATINGS]

    def after_ratings(self) -> list[forms.BoundField]:
        return [self["outcome"], self["notes"], self["next_review"]]

    def ratings(self) -> list[dict[str, Any]]:
        """The goals' ratings as ``review_record`` takes them; a goal left blank is left out."""
        data = self.cleaned_data
        result = []
        for goal in self.goals:
            values = {part: data.get(f"goal_{goal.pk}_{part}") for part in GOAL_PARTS}
            if any(v not in (None, "") for v in values.values()):
                result.append({"goal": goal.pk, **values})
        return result

    def meeting_rating(self) -> dict[str, int]:
        """The citizen's rating of the meeting: the lines they answered."""
        return {
            name: self.cleaned_data[name]
            for name in MEETING_RATINGS
            if self.cleaned_data.get(name) is not None
        }

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
    transition = forms.ChoiceField(
        label=_("Transition"),
        help_text=_(
            "When the handover is part of a step on the citizen's path, for example from "
            "shelter to own housing. It is shown on the path when the handover is accepted."
        ),
        choices=[("", _("Not a transition")), *Transition.Kind.choices],
        required=False,
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


class HandoverAcceptForm(KipForm):
    receiving_note = forms.CharField(
        label=_("Your note as the receiving side"),
        help_text=_("What you will carry on. It is shown with the transition on the path."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )


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
