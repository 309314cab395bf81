"""The manager's overview: overdue reviews and pending handovers per organisation, week by
week, and plans per status, over the plans the manager's organisation takes part in.

Operational counts for the organisation's own work, not published statistics: small numbers
are shown as they are (the effect report is where counts under five are suppressed).

The past is derived from what the data keeps, in a fixed number of queries:

- Overdue review. Each recorded review sets the next review date, so the due date in force at
  any moment is the ``next_review`` of the last review recorded before it, and the current
  ``Plan.next_review`` from the last review on. A plan is overdue on a day when that day is on
  or after the overdue date of the due date in force (the working-day rule of the reminders and
  My work) and the next review had not been recorded yet; from its closing on it is not. The
  first due date of a plan that has had a review since is not kept anywhere, so the weeks
  before its first review may undercount.
- Pending handover: proposed on or before a day and not yet decided (accepted, declined,
  cancelled or expired) then.
- A week counts a plan or handover once if any day of it (up to today) was overdue or pending.
  Overdue reviews count for the coordinating organisation of the time (accepted handovers
  move it), pending handovers for the organisation asked to take over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from apps.access.checks import plans_visible_to
from apps.access.context import Actor
from apps.coordination.models import Handover, Review
from apps.notifications.reminders import review_overdue_from
from apps.organisations.models import Organisation
from apps.plans.models import Plan

WEEKS = 12


@dataclass(frozen=True)
class Week:
    start: dt.date  # Monday
    end: dt.date  # Sunday (or today, for the week under way)

    @property
    def number(self) -> int:
        return self.start.isocalendar().week


@dataclass
class Series:
    organisation: Organisation
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Overview:
    weeks: list[Week]
    overdue: list[Series] = field(default_factory=list)
    pending: list[Series] = field(default_factory=list)
    plans_by_status: list[tuple[str, str, int]] = field(default_factory=list)


def last_weeks(today: dt.date, n: int = WEEKS) -> list[Week]:
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=i) for i in range(n - 1, -1, -1)]
    return [Week(s, min(s + dt.timedelta(days=6), today)) for s in starts]


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _weeks_touched(weeks: list[Week], first: dt.date, last: dt.date) -> Iterable[int]:
    """Indexes of the weeks with a day in ``first``..``last`` (both included)."""
    for i, week in enumerate(weeks):
        if first <= week.end and last >= week.start:
            yield i


class _Coordinators:
    """The coordinating organisation of each plan on a given day, from accepted handovers."""

    def __init__(self, current: dict[int, int | None], accepted: list[tuple[int, Any]]) -> None:
        self.current = current
        self.moves: dict[int, list[tuple[dt.date, int, int]]] = {}
        for plan_id, handover in accepted:
            self.moves.setdefault(plan_id, []).append(handover)
        for moves in self.moves.values():
            moves.sort()

    def on(self, plan_id: int, day: dt.date) -> int | None:
        moves = self.moves.get(plan_id, [])
        before = [m for m in moves if m[0] <= day]
        if before:
            return before[-1][2]
        if moves:  # the first handover after the day took it from the coordinator of then
            return moves[0][1]
        return self.current.get(plan_id)


def overview(*, actor: Actor, today: dt.date | None = None) -> Overview:
    """The overview for the acting organisation (see the module docstring). Five queries
    whatever the number of plans, reviews and handovers."""
    today = today or timezone.localdate()
    weeks = last_weeks(today)
    start = weeks[0].start
    start_moment = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    visible = plans_visible_to(actor)  # one query: break-the-glass grants (managers have none)
    plan_ids = visible.values("pk")

    statuses = dict(
        Plan.objects.filter(pk__in=plan_ids).values_list("status").annotate(n=Count("pk"))
    )
    result = Overview(weeks=weeks)
    result.plans_by_status = [
        (value, str(label), statuses.get(value, 0)) for value, label in Plan.Status.choices
    ]

    due_at_start = (
        Review.objects.filter(plan=OuterRef("pk"), created__lt=start_moment)
        .order_by("-created", "-id")
        .values("next_review")[:1]
    )
    reviewed_before = Review.objects.filter(plan=OuterRef("pk"), created__lt=start_moment)
    plans = list(
        Plan.objects.filter(pk__in=plan_ids)
        .exclude(status=Plan.Status.DRAFT)
        .exclude(closed_at__lt=start_moment)
        .annotate(
            due_at_start=Subquery(due_at_start),
            reviewed_before=Subquery(reviewed_before.values("pk")[:1]),
        )
        .values_list(
            "pk",
            "created",
            "closed_at",
            "next_review",
            "coordinator_organisation_id",
            "due_at_start",
            "reviewed_before",
        )
    )
    reviews: dict[int, list[tuple[dt.datetime, dt.date | None]]] = {}
    for plan_id, created, next_review in (
        Review.objects.filter(plan_id__in=plan_ids, created__gte=start_moment)
        .order_by("created", "id")
        .values_list("plan_id", "created", "next_review")
    ):
        reviews.setdefault(plan_id, []).append((created, next_review))
    handovers = list(
        Handover.objects.filter(plan_id__in=plan_ids)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=start_moment))
        .values_list(
            "plan_id",
            "state",
            "created",
            "decided_at",
            "from_organisation_id",
            "to_organisation_id",
        )
    )

    coordinators = _Coordinators(
        {p[0]: p[4] for p in plans},
        [
            (plan_id, (_day(decided), from_org, to_org))
            for plan_id, state, _created, decided, from_org, to_org in handovers
            if state == Handover.State.ACCEPTED and decided is not None
        ],
    )
    overdue: dict[int, list[int]] = {}
    for plan in plans:
        for week, org in _overdue_weeks(plan, reviews.get(plan[0], []), weeks, today, coordinators):
            counts = overdue.setdefault(org, [0] * len(weeks))
            counts[week] += 1
    pending: dict[int, list[int]] = {}
    for _plan_id, _state, created, decided, _from_org, to_org in handovers:
        last = _day(decided) if decided else today  # pending that day until it was decided
        counts = pending.setdefault(to_org, [0] * len(weeks))
        for week in _weeks_touched(weeks, _day(created), last):
            counts[week] += 1

    names = Organisation.objects.in_bulk({*overdue, *pending} - {None})  # type: ignore[arg-type]
    result.overdue = _series(overdue, names)
    result.pending = _series(pending, names)
    return result


def _series(counts: dict[int, list[int]], names: dict[int, Organisation]) -> list[Series]:
    series = [Series(names[org], values) for org, values in counts.items() if org in names]
    return sorted(series, key=lambda s: s.organisation.name)


def _overdue_weeks(
    plan: tuple[Any, ...],
    reviews: list[tuple[dt.datetime, dt.date | None]],
    weeks: list[Week],
    today: dt.date,
    coordinators: _Coordinators,
) -> Iterable[tuple[int, int]]:
    """(week index, coordinating organisation) for each week the plan's review was overdue."""
    plan_id, created, closed_at, next_review, _org, due_at_start, reviewed_before = plan
    # Spans of the due date in force: (first day, last day, due date). Before the first review
    # in the window: the last earlier review's date, unknown if there was none (the plan's
    # first date is overwritten by its first review); from the last review on, the plan's own.
    dues = [due_at_start if reviewed_before else None, *(r[1] for r in reviews[:-1])]
    dues = [*dues, next_review] if reviews else [next_review]
    days = [max(weeks[0].start, _day(created)), *(_day(r[0]) for r in reviews)]
    last_day = min(today, _day(closed_at)) if closed_at else today
    seen: set[int] = set()
    for i, due in enumerate(dues):
        if due is None:
            continue
        first = max(days[i], review_overdue_from(due))
        # Overdue until the day the next review is recorded or the plan closes, that day
        # included (it was overdue that morning).
        last = min(days[i + 1], last_day) if i + 1 < len(days) else last_day
        for week in _weeks_touched(weeks, first, last):
            if week not in seen:
                seen.add(week)
                org = coordinators.on(plan_id, min(last, weeks[week].end))
                if org is not None:
                    yield week, org
