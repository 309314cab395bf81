"""Fast start: when the citizen is motivated and ready, the first effort starts within
``KIP_FAST_START_WORKING_DAYS`` working days.

A caseworker of a participating organisation records the day the citizen was motivated
(``motivated_on``); the deadline (``first_effort_due``) follows from it in Danish working
days. The clock stops (``first_effort_on``) on the day the first effort starts on or after
that day: an effort saved as active (or ended) whose start date is today or earlier, or, with
no start date, the day a save made it active. An effort that was running before the citizen
was motivated does not stop it. ``first_effort_on`` is set once and never moved later; the
sweep also sets it for an effort whose start date has come since it was saved
(``apps.notifications.safety``).

Days from motivation to the first effort: ``first_effort_on - motivated_on`` (calendar days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.access.context import Actor
from apps.core.exceptions import ApplicationError
from apps.notifications.workdays import working_days_add, working_days_sub
from apps.plans.models import Effort, Plan

FIELD = "motivated_on"
# An effort counts as started in these states (an ended effort did start).
STARTED = (Effort.Status.ACTIVE, Effort.Status.ENDED)


def _invalid(message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={FIELD: [message]})


def first_effort_due_from(motivated_on: dt.date) -> dt.date:
    """The deadline for the first effort: working days after the citizen was motivated."""
    return working_days_add(motivated_on, settings.KIP_FAST_START_WORKING_DAYS)


def fast_start_reminder_from(first_effort_due: dt.date) -> dt.date:
    """The day the coordinator is reminded that the deadline is near."""
    return working_days_sub(first_effort_due, settings.KIP_FAST_START_REMINDER_WORKING_DAYS)


def days_to_first_effort(plan: Plan) -> int | None:
    """Calendar days from motivation to the first effort, once both are known."""
    if plan.motivated_on is None or plan.first_effort_on is None:
        return None
    return (plan.first_effort_on - plan.motivated_on).days


def first_effort_started_since(
    plan_id: int, motivated_on: dt.date, today: dt.date
) -> dt.date | None:
    """The earliest start date, from ``motivated_on`` to ``today``, of an effort that started."""
    starts = Effort.objects.filter(
        plan_id=plan_id,
        status__in=STARTED,
        starts_on__gte=motivated_on,
        starts_on__lte=today,
    ).order_by("starts_on")
    return starts.values_list("starts_on", flat=True).first()


def fast_start_changes(plan: Plan, motivated_on: Any, *, today: dt.date | None = None) -> dict:
    """Validate a new ``motivated_on`` for ``plan`` and return the plan fields it changes.

    ``None`` clears the fast start, while no first effort has started. A date is today or
    earlier, not before the plan was made, and not after the first effort started (the clock
    cannot start after it stopped); the deadline follows from it.
    """
    today = today or timezone.localdate()
    if motivated_on is None:
        if plan.first_effort_on is not None:
            raise _invalid(
                _("The first effort has started; the day the citizen was motivated stays."),
                "fast_start_done",
            )
        return {"motivated_on": None, "first_effort_due": None}
    if not isinstance(motivated_on, dt.date) or isinstance(motivated_on, dt.datetime):
        raise _invalid(_("Enter a valid date."))
    if motivated_on > today:
        raise _invalid(_("This date cannot lie in the future."), "date_in_future")
    made = timezone.localdate(plan.created)
    if motivated_on < made:
        raise _invalid(
            _("The date cannot lie before the plan was made (%(day)s).")
            % {"day": date_format(made)},
            "before_plan",
        )
    changes: dict[str, Any] = {
        "motivated_on": motivated_on,
        "first_effort_due": first_effort_due_from(motivated_on),
    }
    if plan.first_effort_on is not None:
        if motivated_on > plan.first_effort_on:
            raise _invalid(
                _("The first effort started on %(day)s; the citizen was motivated on or before it.")
                % {"day": date_format(plan.first_effort_on)},
                "after_first_effort",
            )
    else:
        changes["first_effort_on"] = first_effort_started_since(plan.pk, motivated_on, today)
    return changes


@transaction.atomic
def plan_motivation_record(
    *,
    actor: Actor,
    plan_id: int,
    expected_version: Any,
    motivated_on: dt.date | None = None,
) -> Plan:
    """The citizen is motivated and ready (today, unless a day is given): record it on the
    open plan and set the deadline for the first effort. A plan write (version, audit) by a
    caseworker of a participating organisation, through ``plan_update``."""
    from apps.plans.services import plan_update

    day = motivated_on or timezone.localdate()
    return plan_update(
        actor=actor, plan_id=plan_id, expected_version=expected_version, data={FIELD: day}
    )


def first_effort_record(*, plan: Plan, effort: Effort, was_active: bool) -> None:
    """After an effort is saved: if it has now started, on or after the day the citizen was
    motivated, stop the fast-start clock (once; an earlier day is never replaced)."""
    if effort.status not in STARTED:
        return
    today = timezone.localdate()
    day = effort.starts_on or (None if was_active else today)
    if day is None or day > today:
        return
    updated = Plan.objects.filter(
        Q(first_effort_on__isnull=True),
        pk=plan.pk,
        motivated_on__isnull=False,
        motivated_on__lte=day,
    ).update(first_effort_on=day)
    if updated:
        plan.first_effort_on = day


@dataclass(frozen=True)
class FastStart:
    """The plan page's view of the fast start."""

    motivated_on: dt.date | None
    due: dt.date | None
    started_on: dt.date | None
    state: str  # "none" (not recorded) | "started" | "late" | "near" | "waiting"
    working_days: int  # KIP_FAST_START_WORKING_DAYS, for the page's explanation

    @property
    def days(self) -> int | None:
        if self.started_on is None or self.motivated_on is None:
            return None
        return (self.started_on - self.motivated_on).days


def fast_start_view(plan: Plan, today: dt.date) -> FastStart:
    """What the page says about the fast start (state "none" when none was recorded)."""
    due = plan.first_effort_due
    if plan.motivated_on is None or due is None:
        state = "none"
    elif plan.first_effort_on is not None:
        state = "started"
    elif today > due:
        state = "late"
    elif today >= fast_start_reminder_from(due):
        state = "near"
    else:
        state = "waiting"
    return FastStart(
        plan.motivated_on,
        due,
        plan.first_effort_on,
        state,
        settings.KIP_FAST_START_WORKING_DAYS,
    )
