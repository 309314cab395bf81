"""Danish working days: no weekends, no public holidays (the ``holidays`` package)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def working_days_add(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (n=0: ``day`` itself)."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_sub(day: dt.date, n: int) -> dt.date:
    """The n-th working day before ``day``."""
    return working_days_add(day, -n)


def last_date_where(start: dt.date, holds: Callable[[dt.date], bool]) -> dt.date:
    """The last date from ``start`` on for which the monotone predicate ``holds`` still holds
    (``start`` must hold). Walks a few days at most: across a weekend or Easter."""
    day = start
    while holds(day + dt.timedelta(days=1)):
        day += dt.timedelta(days=1)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``: positive ahead, negative behind, 0 the same day.

    Counts the working days after ``start`` up to and including ``end`` (or the reverse).
    """
    if start == end:
        return 0
    low, high = sorted((start, end))
    days = sum(
        1 for n in range(1, (high - low).days + 1) if is_working_day(low + dt.timedelta(days=n))
    )
    return days if end > start else -days
