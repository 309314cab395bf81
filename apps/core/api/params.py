"""Query parameters read through ``apps.core.parsers``: a 400 that names the parameter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from apps.core import parsers


def _refuse(name: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


def query_id(params: Mapping[str, Any], name: str) -> int | None:
    """The id in ``?name=``; None when absent or empty."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return parsers.parse_id(raw)
    except parsers.InvalidValue as exc:
        raise _refuse(name, str(exc)) from exc


def query_choice(params: Mapping[str, Any], name: str, choices: Iterable[str]) -> str | None:
    """One of ``choices`` in ``?name=``; None when absent or empty."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise _refuse(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    return str(raw)


def query_bool(params: Mapping[str, Any], name: str) -> bool | None:
    """``true``/``false`` (or ``1``/``0``) in ``?name=``; None when absent or empty."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise _refuse(name, _("Use true or false."))
