"""Filters in the query string, read strictly: a value the API does not know is a 400 naming
the parameter, never silently ignored (a client would take the unfiltered list for the
filtered one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions


def choice(params: Mapping[str, Any], name: str, choices: Iterable[str]) -> str | None:
    """The value of ``name`` if it is one of ``choices``; None when absent."""
    value = params.get(name)
    if value is None:
        return None
    allowed = list(choices)
    if value not in allowed:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        raise exceptions.ValidationError({name: [message]})
    return str(value)


def boolean(params: Mapping[str, Any], name: str) -> bool | None:
    """``true`` or ``false``; None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise exceptions.ValidationError({name: [_("Use true or false.")]})
    return value == "true"
