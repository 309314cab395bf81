"""The citizen's path over time ("Borgerens vej"): where the plan began, the transitions
between places and sectors, who took over the coordination, admissions and discharges, the
review meetings held, and the plan's end, in date order.

Read for a plan the caller already has through ``apps.access`` (the plan page's read, which
is audited as the plan's view), in a fixed number of queries: one per kind of step, however
long the path. A very long path shows its latest ``LIMIT`` steps of each kind, from the day
where the first kind runs out, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.coordination.models import Handover, HospitalEvent, Review, Transition
from apps.coordination.transitions import plan_began, transitions_of
from apps.plans.models import Plan

LIMIT = 100

# Within a day: the plan's start first, then what happened to the citizen, then the
# meetings about it, and the plan's end last.
START, HOSPITAL, TRANSITION, HANDOVER, REVIEW, CLOSED = 0, 1, 2, 2, 3, 9


@dataclass(frozen=True)
class Step:
    """One step on the path: its day, what it is (``kind``: start, transition, handover,
    admission, discharge, review, closed), and the row it shows."""

    day: dt.date
    kind: str
    rank: int = 0
    order: int = 0  # the row's id: a stable order within a day
    transition: Transition | None = None
    handover: Handover | None = None
    event: HospitalEvent | None = None
    review: Review | None = None

    @property
    def sort_key(self) -> tuple[dt.date, int, int]:
        return (self.day, self.rank, self.order)


@dataclass
class CitizenPath:
    steps: list[Step] = field(default_factory=list)
    since: dt.date | None = None  # set when older steps are left out

    @property
    def transitions(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "transition"]


def _latest(rows: QuerySet[Any], day: Callable[[Any], dt.date]) -> tuple[list[Any], dt.date | None]:
    """The newest ``LIMIT`` of ``rows`` (ordered newest first; one query) and, when there
    were more, the oldest day kept."""
    items = list(rows[: LIMIT + 1])
    if len(items) <= LIMIT:
        return items, None
    kept = items[:LIMIT]
    return kept, day(kept[-1])


def citizen_path(plan: Plan) -> CitizenPath:
    """The plan's path, oldest step first (four queries)."""
    transitions, cut_t = _latest(
        transitions_of(plan).order_by("-occurred_on", "-id"),
        lambda t: t.occurred_on,
    )
    handovers, cut_h = _latest(
        # A handover marked as a transition is shown as that transition.
        Handover.objects.filter(plan=plan, state=Handover.State.ACCEPTED, transition__isnull=True)
        .select_related("from_user", "from_organisation", "to_user", "to_organisation")
        .order_by("-decided_at", "-id"),
        _decided_on,
    )
    events, cut_e = _latest(
        HospitalEvent.objects.filter(
            plan=plan,
            kind__in=[HospitalEvent.Kind.ADMISSION, HospitalEvent.Kind.DISCHARGE],
        )
        .select_related("recorded_by", "recorded_for")
        .order_by("-occurred_on", "-id"),
        lambda e: e.occurred_on,
    )
    reviews, cut_r = _latest(
        Review.objects.filter(plan=plan)
        .select_related("recorded_by", "recorded_for")
        .order_by("-held_on", "-id"),
        lambda r: r.held_on,
    )
    steps = [Step(day=plan_began(plan), kind="start", rank=START)]
    steps += [
        Step(day=t.occurred_on, kind="transition", rank=TRANSITION, order=t.pk, transition=t)
        for t in transitions
    ]
    steps += [
        Step(day=_decided_on(h), kind="handover", rank=HANDOVER, order=h.pk, handover=h)
        for h in handovers
    ]
    steps += [
        Step(day=e.occurred_on, kind=e.kind, rank=HOSPITAL, order=e.pk, event=e) for e in events
    ]
    steps += [
        Step(day=r.held_on, kind="review", rank=REVIEW, order=r.pk, review=r) for r in reviews
    ]
    if plan.status == Plan.Status.CLOSED and plan.closed_at:
        steps.append(Step(day=timezone.localdate(plan.closed_at), kind="closed", rank=CLOSED))
    cuts = [c for c in (cut_t, cut_h, cut_e, cut_r) if c is not None]
    since = max(cuts) if cuts else None
    if since is not None:
        steps = [s for s in steps if s.day >= since]
    return CitizenPath(steps=sorted(steps, key=lambda s: s.sort_key), since=since)


def _decided_on(handover: Handover) -> dt.date:
    # An accepted handover always has its time (a database constraint).
    return timezone.localdate(handover.decided_at)  # type: ignore[arg-type]
