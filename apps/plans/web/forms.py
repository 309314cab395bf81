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
        if value in (None, ""):
            return NOTHING
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
    text = forms.CharField(
        label=_("The goal, in the citizen's own words"),
        help_text=_("Write it as the citizen says it."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["status"]


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

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in LIFE_DOMAINS.items():
            self.fields[key] = forms.CharField(
                label=str(label).capitalize(),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def service_data(self) -> dict[str, Any]:
        texts = {k: (self.cleaned_data.get(k) or "").strip() for k in LIFE_DOMAINS}
        return {"assessment": {k: v for k, v in texts.items() if v}}


class NextReviewForm(VersionedForm):
    next_review = forms.DateField(
        label=_("Next review"),
        help_text=_("At most six months ahead."),
        widget=DateInput(),
    )


class ParticipantAddForm(VersionedForm):
    organisation = forms.ChoiceField(label=_("Add an organisation"))

    def __init__(self, *args: Any, addable: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "organisation", [("", _("Choose")), *((str(o.pk), o.name) for o in addable)]
        )


class ParticipantRemoveForm(VersionedForm):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


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
