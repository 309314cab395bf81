"""Fixtures of the coordination tests: a frozen clock, handovers, inbox helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.models import Notification
from apps.plans.models import Plan
from tests.lapse import lapsing  # noqa: F401  (a fixture)

CPH = dt.timezone(dt.timedelta(hours=1))


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    """A local (Copenhagen winter time) moment, for frozen clocks."""
    return timezone.make_aware(dt.datetime(year, month, day, hour))  # noqa: DTZ001


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    """``clock(moment)`` freezes time; call again to move it."""
    travellers: list[Any] = []

    def move(moment: dt.datetime) -> None:
        while travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield move
    while travellers:
        travellers.pop().stop()


def inbox(user: Any, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def set_review(plan: Plan, day: dt.date) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(next_review=day)
    plan.refresh_from_db()
    return plan
