"""Forms in the design system's markup: DKFDS classes, labels, hints and errors tied by id.

Page forms inherit ``KipForm`` (or ``KipModelForm``) and render with ``{{ form }}`` or
``{{ form.field.as_field_group }}``; the renderer puts the error message above the field, as
DKFDS does, and marks the field invalid for screen readers.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates

# First match wins: CheckboxSelectMultiple is a RadioSelect in Django, so it comes first.
WIDGET_CLASSES = {
    forms.CheckboxSelectMultiple: "form-checkbox",
    forms.RadioSelect: "form-radio",
    forms.CheckboxInput: "form-checkbox",
    forms.Select: "form-select",
    forms.Textarea: "form-input",
}


class Renderer(DjangoTemplates):
    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"


class KipFormMixin:
    fields: dict[str, forms.Field]
    errors: Any
    auto_id: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "form-input"
            )
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                # The ids the field template gives the message and hint (prefix and auto_id aware).
                field_id = self[name].auto_id  # type: ignore[index]
                described = f"{field_id}_error"
                if self.fields[name].help_text:
                    described += f" {field_id}_helptext"
                self.fields[name].widget.attrs["aria-describedby"] = described
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class KipForm(KipFormMixin, forms.Form):
    default_renderer = Renderer


class KipModelForm(KipFormMixin, forms.ModelForm):
    default_renderer = Renderer


def add_service_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ``ApplicationError`` back on the form: each named field that the form
    has gets its message; the rest become errors of the whole form."""
    fields = getattr(error, "fields", None) or {}
    placed = False
    for name, messages in fields.items():
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(getattr(error, "detail", error)))
