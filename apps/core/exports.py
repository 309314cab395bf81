"""What every CSV export shares."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these runs as a formula in a spreadsheet (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet reads as data: numbers as they are, no value as
    empty, text that would start a formula behind a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
