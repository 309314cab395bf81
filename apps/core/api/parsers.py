"""The API's one request parser: JSON, bounded in size and depth before it is parsed.

Python's ``json`` recurses once per level of nesting: ten thousand ``[`` reach the
interpreter's recursion limit and would end as a server error, before any view or
authentication could refuse them. So the body is read up to the size limit, decoded as
UTF-8 and its nesting measured with two regular expressions (no recursion); only then parsed.
Every refusal is a 400 that names the ``body`` (413 when it is too large).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# Deeper than any body the API takes (a plan with its coordinator is two levels).
MAX_JSON_DEPTH = 20

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class InvalidBody(exceptions.ParseError):
    """400: the body is not JSON the API can take; the error names ``body``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.fields = {"body": [str(self.detail)]}


def json_depth(text: str, limit: int) -> int:
    """The nesting depth of JSON text, counting no further than ``limit + 1``."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        else:
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class JSONParser(parsers.JSONParser):
    """``application/json`` in UTF-8, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and
    ``MAX_JSON_DEPTH`` levels; no ``NaN`` or ``Infinity``."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig(_("The request body is too large."))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidBody(_("The body must be JSON in UTF-8.")) from exc
        if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise InvalidBody(
                _("The body is nested too deeply (at most %(n)s levels).") % {"n": MAX_JSON_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            raise InvalidBody(_("The body is not valid JSON.")) from exc
