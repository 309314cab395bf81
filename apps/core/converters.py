"""Path converters: ``<id:pk>`` in every URL pattern (registered in ``CoreConfig.ready``)."""

from __future__ import annotations

from typing import Any

from apps.core import parsers


class IdConverter:
    """``<id:pk>``: an object id in a path; others do not match (and so answer 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return parsers.parse_id(value)  # InvalidValue is a ValueError: no match

    def to_url(self, value: Any) -> str:
        return str(parsers.parse_id(value))
