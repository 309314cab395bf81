"""Strict parsers for what clients send: ids, dates, moments, page sizes, entity tags.

Each takes arbitrary text and either returns a value the rest of the service can use as it
is, or raises ``InvalidValue`` with a translated reason; never another exception. Digits are
ASCII ``0-9`` only: Python's ``int()``, ``str.isdigit()`` and regex ``\\d`` also take digits of
other scripts (Arabic-Indic, Devanagari, fullwidth, ...), which would make two spellings of
one identifier. Ids fit a signed 64-bit integer (the database's, SQLite's too), and dates lie
in a range where every date and time converts to UTC and back.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
MIN_INTEGER = -(2**63)
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2999, 12, 31)

_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# RFC 3339 date-time, with the common ISO 8601 liberties: a space for "T", no seconds, no offset.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?"
)
# More characters than any valid value here can have; longer input is refused unread.
_MAX_TEXT = 64


class InvalidValue(ValueError):
    """The value cannot be read; ``str()`` is the reason, fit to show the user."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(_("Expected text."))
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise InvalidValue(_("The value is too long."))
    return text


def parse_integer(value: Any, *, minimum: int = MIN_INTEGER, maximum: int = MAX_ID) -> int:
    """An integer given as a JSON number or as text of ASCII digits, within the bounds."""
    if isinstance(value, bool):
        raise InvalidValue(_("A whole number is required."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        number = int(value)
    elif isinstance(value, str):
        text = _text(value)
        if not _INTEGER.fullmatch(text):
            if any(ch.isdigit() and not ch.isascii() for ch in text):
                raise InvalidValue(_("Write numbers with the digits 0-9."))
            raise InvalidValue(_("A whole number is required."))
        number = int(text)
    else:
        raise InvalidValue(_("A whole number is required."))
    if number < minimum:
        raise InvalidValue(_("Must be at least %(n)s.") % {"n": minimum})
    if number > maximum:
        raise InvalidValue(_("Must be at most %(n)s.") % {"n": maximum})
    return number


def parse_id(value: Any) -> int:
    """An object id: a positive integer that fits the database (1 to 2**63-1)."""
    return parse_integer(value, minimum=1, maximum=MAX_ID)


def as_id(value: Any) -> int | None:
    """``parse_id``, or None for anything that cannot be an id (it names no object)."""
    try:
        return parse_id(value)
    except InvalidValue:
        return None


def _in_range(day: datetime.date) -> None:
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidValue(
            _("The date must lie between %(first)s and %(last)s.")
            % {"first": MIN_DATE.isoformat(), "last": MAX_DATE.isoformat()}
        )


def parse_date(value: Any) -> datetime.date:
    """A calendar date ``YYYY-MM-DD`` between ``MIN_DATE`` and ``MAX_DATE``."""
    if isinstance(value, datetime.datetime):
        raise InvalidValue(_("A date is required, not a date and time."))
    if isinstance(value, datetime.date):
        _in_range(value)
        return value
    text = _text(value)
    match = _DATE.fullmatch(text)
    if not match:
        raise InvalidValue(_("Not a date: use YYYY-MM-DD."))
    try:
        day = datetime.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise InvalidValue(_("No such date.")) from exc
    _in_range(day)
    return day


def parse_datetime(value: Any) -> datetime.datetime:
    """An ISO 8601 date and time, time-zone aware (local time when no offset is given)."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = _text(value)
        if not _DATETIME.fullmatch(text):
            raise InvalidValue(_("Not a date and time: use YYYY-MM-DDThh:mm:ss+01:00."))
        try:
            moment = datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidValue(_("No such date and time.")) from exc
    # The range check comes before any conversion: year 1 minus an offset is no date at all.
    _in_range(moment.date())
    if timezone.is_naive(moment):
        aware = timezone.make_aware(moment)
        # A local time skipped when summer time starts names no moment: ask for the offset.
        if aware.astimezone(datetime.UTC).astimezone(aware.tzinfo).replace(tzinfo=None) != moment:
            raise InvalidValue(
                _("This local time does not exist; give the offset, such as +01:00.")
            )
        moment = aware
    return moment


def parse_moment(value: Any) -> datetime.datetime:
    """A date (midnight, local time) or a date and time; for filters such as ``from``/``to``."""
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        day = parse_date(value)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    if isinstance(value, str) and not _DATETIME.fullmatch(value.strip()):
        raise InvalidValue(_("Not a date: use YYYY-MM-DD or ISO 8601."))
    return parse_datetime(value)


# --- If-Match (RFC 9110, section 13.1.1) -------------------------------------------------------

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = "!" / %x23-7E / obs-text
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')
_LIST_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")


@dataclass(frozen=True)
class IfMatch:
    """A parsed ``If-Match``: any current version (``*``), or the versions its tags name.

    A well-formed tag that names no version (``"abc"``) simply matches nothing, so the write
    fails its precondition (412), as RFC 9110 has it; only a malformed header is a 400.
    Weak tags compare by their version too: a compressing proxy may weaken our ETag on the way
    out, and a plan's version names one state of it exactly.
    """

    any: bool = False
    versions: frozenset[int] = frozenset()

    def matches(self, version: int) -> bool:
        return self.any or version in self.versions


def parse_if_match(header: str) -> IfMatch | None:
    """The ``If-Match`` header; None when absent or empty."""
    text = header.strip(" \t")
    if not text:
        return None
    if text == "*":
        return IfMatch(any=True)
    versions: set[int] = set()
    for part in _LIST_SEPARATOR.split(text):
        match = _ENTITY_TAG.fullmatch(part)
        if not match:
            raise InvalidValue(_('Send the ETag as it came, in double quotes, such as "3".'))
        version = as_id(match.group(2))
        if version is not None:
            versions.add(version)
    return IfMatch(versions=frozenset(versions))


# --- paging ------------------------------------------------------------------------------------


def parse_page_size(value: Any, *, maximum: int) -> int:
    """A page size from 1 to ``maximum``; anything else is refused, never replaced."""
    return parse_integer(value, minimum=1, maximum=maximum)
