"""The trail's filter form and the break-the-glass review form.

The filter form turns what a manager types (a person from a list, a citizen's name or CPR
number, dates) into exactly the filters the API takes (``apps/audit/api/queries.py``), so the
page and the API show the same events for the same filters and record the same query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.access.checks import citizens_visible_to
from apps.access.context import Actor
from apps.audit.models import AccessEvent, BreakGlass
from apps.citizens import cpr
from apps.citizens.models import Citizen
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Participation
from apps.web.forms import KipForm

FILTER_NAMES = (
    "person",
    "organisation",
    "citizen",
    "citizen_id",
    "action",
    "outcome",
    "from",
    "to",
)
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]
FIRST_YEAR, LAST_YEAR = 1900, 2999  # beyond them a date is a typing error (and 9999 overflows)


def period_years_check(form: forms.Form, data: dict[str, Any]) -> None:
    """A period's days ("from", "to") lie between FIRST_YEAR and LAST_YEAR, or the field says
    so."""
    for name in ("from", "to"):
        day = data.get(name)
        if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
            form.add_error(
                name,
                _("Choose a date between the years %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )


def person_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def people_in_view(actor: Actor) -> list[tuple[str, list[tuple[int, str]]]]:
    """People whose events the manager may see, by organisation: the organisation's own
    people, the people of the organisations it shares plans with, and those who broke the
    glass to one of its plans. One query."""
    org = actor.organisation
    our_plans = Participation.objects.filter(organisation=org).values("plan_id")
    partners = Participation.objects.filter(plan_id__in=our_plans).values("organisation_id")
    glass = BreakGlass.objects.filter(plan_id__in=our_plans)
    memberships = (
        Membership.objects.filter(
            Q(organisation=org)
            | Q(organisation_id__in=partners)
            | Q(
                user_id__in=glass.values("actor_id"),
                organisation_id__in=glass.values("organisation_id"),
            )
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__first_name", "user__last_name", "user_id")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for membership in memberships:
        people = groups.setdefault(membership.organisation.name, [])
        people.append((membership.user_id, person_name(membership.user)))
    return list(groups.items())


class SelectId(forms.IntegerField):
    """An id chosen from a list; validated as the API validates it (it exists), so a page and
    the API accept the same values."""

    widget = forms.Select

    def __init__(self, *, model: Any, unknown: Any, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, **kwargs)
        self.model = model
        self.unknown = unknown

    def clean(self, value: Any) -> int | None:
        number = super().clean(value)
        if number is not None and not self.model.objects.filter(pk=number).exists():
            raise forms.ValidationError(self.unknown)
        return number


class TrailFilterForm(KipForm):
    person = SelectId(model=get_user_model(), unknown=_("Unknown person."), label=_("Person"))
    organisation = SelectId(
        model=Organisation, unknown=_("Unknown organisation."), label=_("Organisation")
    )
    citizen = forms.CharField(
        label=_("Citizen"), required=False, max_length=200, help_text=_("Name or CPR number")
    )
    # The citizen found, carried in links instead of what was typed: a CPR number never
    # stands in a URL (the form posts; the page it leads to names the citizen by id).
    citizen_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(label=pgettext_lazy("access log", "Outcome"), required=False)

    def __init__(self, data: Any, *, actor: Actor) -> None:
        data = data.copy()
        chosen = str(data.get("citizen_id", ""))
        if chosen.isascii() and chosen.isdigit() and "citizen" not in data:
            # A link names the citizen by id: show the name in the field.
            found = citizens_visible_to(actor).filter(pk=int(chosen[:18])).first()
            if found is not None:
                data["citizen"] = found.name
        super().__init__(data)
        self.actor = actor
        self.citizen_found: Citizen | None = None
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            input_formats=DATE_FORMATS,
            widget=forms.DateInput(
                attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d"
            ),
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            input_formats=DATE_FORMATS,
            help_text=_("The day itself included"),
            widget=forms.DateInput(
                attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d"
            ),
        )
        people: list[Any] = [("", _("Everyone"))]
        people += [(name, list(group)) for name, group in people_in_view(actor)]
        chosen = str(self.data.get("person", ""))
        listed = {str(pk) for _name, group in people[1:] for pk, _person in group}
        if chosen.isascii() and chosen.isdigit() and chosen not in listed:
            # Someone from a link (the API takes any person): shown as chosen, not as "Everyone".
            user = get_user_model().objects.filter(pk=int(chosen[:18])).first()
            if user is not None:
                people.append((_("Others"), [(user.pk, person_name(user))]))
        self.fields["person"].widget.choices = people
        self.fields["organisation"].widget.choices = [
            ("", _("All organisations")),
            (actor.organisation.pk, actor.organisation.name),
        ]
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("All actions")),
            *((value, capfirst(label)) for value, label in AccessEvent.Action.choices),
        ]
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            ("", _("Allowed and refused")),
            *((value, capfirst(label)) for value, label in AccessEvent.Outcome.choices),
        ]

    def clean_citizen(self) -> str:
        return " ".join(self.cleaned_data.get("citizen", "").split())

    def _find_citizen(self, text: str, chosen: int | None) -> Citizen | None:
        """The citizen by the id a link carries (while the field still shows their name), or
        by what was typed: a CPR number, or a name that fits one citizen the actor may see."""
        visible = citizens_visible_to(self.actor)
        if chosen is not None:
            found = visible.filter(pk=chosen).first()
            if found is None:
                raise forms.ValidationError(_("Unknown citizen."))
            if text == found.name:
                return found
        if not text:
            return None
        if any(ch.isdigit() for ch in text):
            try:
                digits = cpr.normalise(text)
            except cpr.InvalidCPR as exc:
                raise forms.ValidationError(str(exc)) from exc
            found = visible.filter(cpr_hash=cpr.lookup_hash(digits)).first()
            if found is None:
                raise forms.ValidationError(_("No citizen you have access to has this CPR number."))
            return found
        exact = list(visible.filter(name__iexact=text)[:2])
        matches = exact or list(visible.filter(name__icontains=text)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No citizen you have access to is called “%(name)s”.") % {"name": text}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several citizens match “%(name)s”. Write the whole name or the CPR number.")
                % {"name": text}
            )
        return matches[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "citizen_id" in self.errors:
            self.add_error("citizen", _("Unknown citizen."))
        if "citizen" in data and "citizen_id" in data:
            try:
                self.citizen_found = self._find_citizen(data["citizen"], data["citizen_id"])
            except forms.ValidationError as error:
                self.add_error("citizen", error)
        period_years_check(self, data)
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date lies before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The API's filters (``EventQuery``): ids, codes and moments; ``to`` is exclusive
        there, so the last day typed here is included by ending at the next midnight."""
        data = self.cleaned_data
        filters: dict[str, Any] = {
            "actor": data.get("person"),
            "organisation": data.get("organisation"),
            "citizen": self.citizen_found.pk if self.citizen_found else None,
            "action": data.get("action") or None,
            "outcome": data.get("outcome") or None,
            "from": _midnight(data["from"]) if data.get("from") else None,
            "to": _midnight(data["to"] + dt.timedelta(days=1)) if data.get("to") else None,
        }
        return {name: value for name, value in filters.items() if value is not None}

    def asked(self) -> dict[str, str]:
        """The query as the API would have received it, for the audit record."""
        return {
            name: value.isoformat() if isinstance(value, dt.datetime) else str(value)
            for name, value in self.filters().items()
        }

    def query_string(self) -> dict[str, str]:
        """The filters for links that carry them (paging, CSV, the page a search leads to):
        the citizen by id, dates as ISO dates."""
        data = self.cleaned_data
        query = {
            "person": data.get("person"),
            "organisation": data.get("organisation"),
            "citizen_id": self.citizen_found.pk if self.citizen_found else None,
            "action": data.get("action"),
            "outcome": data.get("outcome"),
            "from": data["from"].isoformat() if data.get("from") else None,
            "to": data["to"].isoformat() if data.get("to") else None,
        }
        return {name: str(value) for name, value in query.items() if value}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def raw_asked(params: Any) -> dict[str, str]:
    """What was asked, cut short, for the record of a refused query; a CPR number is kept only
    as its truncated keyed hash, never in clear text."""
    asked = {name: str(params.get(name))[:64] for name in FILTER_NAMES if params.get(name)}
    text = asked.get("citizen", "")
    if any(ch.isdigit() for ch in text):
        try:
            asked["citizen"] = "cpr:" + cpr.lookup_hash(cpr.normalise(text))[:16]
        except cpr.InvalidCPR:
            asked["citizen"] = "cpr:invalid"
    return asked


class ReviewForm(KipForm):
    note = forms.CharField(
        label=_("Note from the review"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example what the use was about and whether it was justified."),
    )
