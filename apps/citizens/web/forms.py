"""The citizen pages' forms. They parse what was typed; the services decide what is allowed."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.citizens.models import Consent
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Organisation
from apps.web.forms import KipForm


class ServiceErrorsMixin:
    """Put a service's ``ApplicationError`` back on the form, field by field."""

    fields: dict[str, forms.Field]
    add_error: Any
    errors: Any

    # A service's field name -> the form's field name, where they differ.
    service_fields: dict[str, str] = {}

    def put_service_error(
        self, error: ApplicationError, messages: dict[str, str] | None = None
    ) -> None:
        """``messages``: clearer words for a field than the service's, where the page has them."""
        messages = messages or {}
        placed = False
        for name, problems in (error.fields or {}).items():
            target = self.service_fields.get(name, name)
            if target not in self.fields:
                continue
            if target in messages:
                self.add_error(target, messages[target])
            else:
                for problem in problems if isinstance(problems, list | tuple) else [problems]:
                    self.add_error(target, str(problem))
            placed = True
        if not placed:
            self.add_error(None, str(error.detail))
        self.mark_invalid()

    def mark_invalid(self) -> None:
        # As KipForm does after cleaning: tie the message to the field for screen readers.
        for name in self.errors:
            if name in self.fields:
                described = f"id_{name}_error"
                if self.fields[name].help_text:
                    described += f" id_{name}_helptext"
                self.fields[name].widget.attrs["aria-describedby"] = described
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class CitizenRegisterForm(ServiceErrorsMixin, KipForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=20,
        help_text=_("Ten digits, for example 010180-1234."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class ConsentForm(ServiceErrorsMixin, KipForm):
    # Whether at least one organisation is chosen is the service's rule, so the form lets an
    # empty choice through to it.
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations the consent covers"),
        queryset=Organisation.objects.order_by("name"),
        # Set here: the shell's class map would take a CheckboxSelectMultiple (a RadioSelect
        # subclass) for a radio.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        required=False,
        help_text=_("The organisations that may see and work with the citizen's plan."),
    )
    form = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=[(value, capfirst(label)) for value, label in Consent.Form.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    expires_at = forms.DateField(
        label=_("Valid until and including"),
        required=False,
        help_text=_("Leave empty if the consent has no end date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def expiry(self) -> datetime.datetime | None:
        """The end of the chosen day, local time: consent holds through that whole day."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(midnight)


class ServiceCheckedField(forms.CharField):
    """Shown and marked as required, but an empty value is left for the service to refuse.

    Break-the-glass records every refused attempt in the trail, an empty one too, as the API
    does; a form that stopped it first would leave no trace.
    """

    def validate(self, value: Any) -> None:
        return None


class BreakGlassForm(ServiceErrorsMixin, KipForm):
    cpr = ServiceCheckedField(
        label=_("The citizen's CPR number"),
        help_text=_("Ten digits, for example 010180-1234."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    reason = ServiceCheckedField(
        label=_("Why do you need access now?"),
        help_text=_(
            "Write the situation, for example: the citizen is admitted acutely and we need to "
            "know the agreed efforts. Your managers and the plan's coordinator read it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
