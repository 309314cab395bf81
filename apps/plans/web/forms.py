"""Forms of the plan page's sections. They parse input; the rules are the services'.

Every form that writes to a plan carries the plan's ``version`` as it was when the form was
filled in; the service compares it (``expected_version``) and refuses a stale one.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import ApplicationError
from apps.organisations.models import Membership, Organisation
from apps.plans.models import LIFE_DOMAINS, Effort, Goal, Plan
from apps.web.forms import KipForm

User = get_user_model()
# How an empty value reads in the conflict view (as on the plan page).
NOTHING = "\u2013"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def set_choices(form: forms.Form, name: str, options: Any) -> None:
    """The choices of a choice field, known only when the form is made."""
    cast(forms.ChoiceField, form.fields[name]).choices = options


def person_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class VersionedForm(KipForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, section: str = "", **kwargs: Any) -> None:
        # Several sections' forms can be open on one page at once: ids unique per section.
        kwargs.setdefault("auto_id", f"id_{section}_%s" if section else "id_%s")
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        """The cleaned values for the service, without the version."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def display(self, name: str, value: Any) -> str:
        """A value as the conflict view shows it."""
        field = self.fields[name]
        if value in (None, "", []):
            return NOTHING
        if isinstance(value, list | tuple):
            return "; ".join(self._one(field, v) for v in value)
        return self._one(field, value)

    def _one(self, field: forms.Field, value: Any) -> str:
        if isinstance(field, forms.ChoiceField):
            flat = dict(_flat_choices(field.choices))
            return str(flat.get(str(value), flat.get(value, value)))
        if isinstance(field, forms.BooleanField):
            return str(_("Yes") if value else _("No"))
        if isinstance(field, forms.DateField):
            from django.utils.formats import date_format

            return date_format(value)
        return str(value)


def _flat_choices(choices: Any) -> list[tuple[Any, Any]]:
    flat: list[tuple[Any, Any]] = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            flat.extend((str(k), v) for k, v in label)
        else:
            flat.append((str(key), label))
    return flat


def put_errors(
    form: forms.Form, error: ApplicationError, names: dict[str, str] | None = None
) -> None:
    """Put a service's field errors back on the form (``names`` maps service fields to form
    fields); what no field holds goes above the form."""
    placed = False
    for service_field, messages in (error.fields or {}).items():
        name = (names or {}).get(service_field, service_field)
        if name in form.fields and not form.fields[name].widget.is_hidden:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.detail))


# --- goals, agreements, efforts -------------------------------------------------------------


class GoalForm(VersionedForm):
    """A goal's words and, for a goal on the plan, whether it has ended and how.

    The outcome goes to the service only when it changes (ending, reopening), so editing the
    words of an ended goal leaves its outcome and date as they are."""

    text = forms.CharField(
        label=_("The goal, in the citizen's own words"),
        help_text=_("Write it as the citizen says it."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=_("Has the goal ended?"),
        required=False,
        choices=[("", _("No, we are still working on it")), *Goal.Outcome.choices],
    )
    outcome_on = forms.DateField(
        label=_("Ended on"),
        help_text=_("Only used when the goal has ended."),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, new: bool = False, goal: Goal | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.goal = goal
        if new:
            del self.fields["outcome"]
            del self.fields["outcome_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.goal is None or "outcome" not in self.fields:
            return data
        outcome = data.get("outcome") or ""
        if outcome and outcome == self.goal.outcome and "outcome_on" in data:
            day = data.get("outcome_on")
            if day and day != self.goal.outcome_on:
                self.add_error(
                    "outcome_on",
                    _("To change the date, first reopen the goal, then end it again."),
                )
        return data

    def service_data(self) -> dict[str, Any]:
        data = {"text": self.cleaned_data["text"]}
        if "outcome" not in self.fields:
            return data
        outcome = self.cleaned_data.get("outcome") or ""
        if self.goal is None or outcome != self.goal.outcome:
            data["outcome"] = outcome
            if outcome and self.cleaned_data.get("outcome_on"):
                data["outcome_on"] = self.cleaned_data["outcome_on"]
        return data


class AgreementForm(VersionedForm):
    text = forms.CharField(
        label=_("What is agreed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.ChoiceField(label=_("Who"), required=False)
    due = forms.DateField(label=_("By when"), required=False, widget=DateInput())
    done = forms.BooleanField(label=_("Done"), required=False)

    def __init__(self, *args: Any, plan: Plan, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "responsible",
            [
                ("", _("No one from the organisations (e.g. the citizen)")),
                *people_by_organisation([p.organisation_id for p in plan.participations.all()]),
            ],
        )
        if new:
            del self.fields["done"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["responsible"] = data.get("responsible") or None
        return data


class EffortForm(VersionedForm):
    description = forms.CharField(
        label=_("What we do"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = forms.ChoiceField(label=_("Responsible"))
    status = forms.ChoiceField(label=_("Status"), choices=Effort.Status.choices)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())
    # Any ids: the service decides which goals the effort may serve (this plan's only).
    goals = forms.TypedMultipleChoiceField(
        label=_("Which of the citizen's goals does the effort serve?"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organisation: Organisation, goals: list[Goal] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if goals:
            set_choices(self, "goals", [(g.pk, goal_choice(g)) for g in goals])
            # A posted id that is not a choice still reaches the service, which names it.
            self.fields["goals"].valid_value = lambda value: True  # type: ignore[attr-defined]
        else:
            del self.fields["goals"]
        members = (
            User.objects.filter(memberships__organisation=organisation)
            .order_by("first_name", "last_name", "username")
            .distinct()
        )
        people = [(str(u.pk), person_name(u)) for u in members]
        set_choices(self, "responsible", [("", _("Choose")), *people])
        self.fields["responsible"].help_text = _("Someone from %(organisation)s.") % {
            "organisation": organisation.name
        }


def goal_choice(goal: Goal) -> str:
    text = f"“{goal.text}”"
    if goal.outcome:
        return str(_("%(goal)s (ended: %(outcome)s)")) % {
            "goal": text,
            "outcome": goal.get_outcome_display(),
        }
    return text


def people_by_organisation(organisation_ids: list[int]) -> list[tuple[str, list]]:
    """The people of the given organisations, grouped by organisation (for a select)."""
    memberships = (
        Membership.objects.filter(organisation_id__in=organisation_ids)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for m in memberships:
        groups.setdefault(m.organisation.name, []).append((str(m.user_id), person_name(m.user)))
    return list(groups.items())


class DeleteForm(VersionedForm):
    pass


# --- the plan's own sections ------------------------------------------------------------------


class AssessmentForm(VersionedForm):
    """Per life domain, what is hard (``<domain>``) and what works (``works_<domain>``)."""

    template_name = "plans/_assessment_fields.html"  # a fieldset per life domain

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in LIFE_DOMAINS.items():
            domain = str(label).capitalize()
            for name, short in ((key, _("What is hard")), (f"works_{key}", _("What works"))):
                field = forms.CharField(
                    label=_("%(domain)s: %(part)s")
                    % {"domain": domain, "part": str(short).lower()},
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                field.template_name = "plans/_domain_field.html"  # type: ignore[attr-defined]
                field.short_label = short  # type: ignore[attr-defined]
                field.domain_label = domain  # type: ignore[attr-defined]
                self.fields[name] = field

    def domains(self) -> list[tuple[str, Any, Any]]:
        """(legend, what is hard, what works) per life domain, for a fieldset each."""
        return [
            (str(label).capitalize(), self[key], self[f"works_{key}"])
            for key, label in LIFE_DOMAINS.items()
        ]

    def service_data(self) -> dict[str, Any]:
        def texts(prefix: str) -> dict[str, str]:
            found = {k: (self.cleaned_data.get(prefix + k) or "").strip() for k in LIFE_DOMAINS}
            return {k: v for k, v in found.items() if v}

        return {"assessment": texts(""), "strengths": texts("works_")}


class CitizenWordsForm(VersionedForm):
    """What matters to the citizen, hopes and dreams, resources: in the citizen's own words."""

    what_matters = forms.CharField(
        label=_("What matters most to the citizen"),
        help_text=_("In the citizen's own words."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hopes = forms.CharField(
        label=_("Hopes and dreams"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resources = forms.CharField(
        label=_("Resources"),
        help_text=_("What the citizen is good at, and who in the network helps."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NextReviewForm(VersionedForm):
    next_review = forms.DateField(
        label=_("Next review"),
        help_text=_("At most six months ahead."),
        widget=DateInput(),
    )


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(
        label=_("Why is the plan closed?"),
        choices=Plan.ClosedReason.choices,
        widget=forms.RadioSelect,
    )


# --- the new-plan steps ---------------------------------------------------------------------


class CitizenForm(KipForm):
    # Any id: access_citizen decides whether it may be chosen (404 otherwise).
    citizen = forms.IntegerField(label=_("Choose the citizen"), widget=forms.RadioSelect)

    def offer(self, citizens: Any) -> None:
        self.fields["citizen"].widget.choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.name} ({c.cpr_masked})") for c in citizens
        ]


class PeopleForm(KipForm):
    coordinator = forms.ChoiceField(
        label=_("Coordinator"),
        help_text=_("The citizen's single point of contact. Usually you."),
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Organisations taking part"),
        help_text=_("Only organisations the citizen's consent covers can take part."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, covered: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "participants", [(o.pk, o.name) for o in covered])
        groups: dict[str, list[tuple[str, str]]] = {}
        for m in (
            Membership.objects.filter(organisation__in=covered, role=Membership.Role.CASEWORKER)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__first_name", "user__last_name")
        ):
            groups.setdefault(m.organisation.name, []).append(
                (f"{m.user_id}:{m.organisation_id}", person_name(m.user))
            )
        set_choices(self, "coordinator", list(groups.items()))


class GoalsForm(KipForm):
    def __init__(self, *args: Any, count: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, count + 1):
            self.fields[f"goal_{n}"] = forms.CharField(
                label=_("Goal %(n)s") % {"n": n},
                required=n == 1,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("In the citizen's own words, e.g. “I want my own flat.”")
                if n == 1
                else "",
            )

    def goals(self) -> list[str]:
        texts = [(self.cleaned_data.get(name) or "").strip() for name in self.fields]
        return [t for t in texts if t]


class ActivateForm(KipForm):
    next_review = forms.DateField(
        label=_("Next review"),
        help_text=_("When you meet again to follow up. At most six months ahead."),
        widget=DateInput(),
    )
