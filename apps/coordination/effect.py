"""The effect report: does the plan work, for the plans an organisation takes part in?

For a period (``date_from`` to ``date_to``, both included), over the plans the manager's
organisation takes part in (the same scope as the manager's overview):

- ``plans_by_status``: the plans started by the end of the period, by their status now;
- ``reviews_on_time_share``: of the reviews held in the period that had a due date (the next
  review agreed at the review before), the share held on or before it. A plan's first review
  has no recorded due date and is not counted;
- ``median_days_to_first_effort``: for plans started in the period, the median number of days
  from the plan's start to the first effort that started (an effort that is active or ended,
  with a start date); plans with no effort started yet are not counted;
- ``median_days_motivated_to_first_effort``: for plans whose fast start (``motivated_on``, the
  day the citizen was motivated and ready) falls in the period and whose first effort has
  started since (``first_effort_on``), the median number of calendar days between the two;
- ``goals``: goals that ended in the period, by outcome;
- ``mean_citizen_rating_change``: for goals the citizen rated at two or more reviews in the
  period, the mean of (latest rating - first rating), to one decimal;
- ``heard_share``: of the reviews in the period where the citizen rated whether they were
  heard, the share rated ``KIP_EFFECT_HEARD_FROM`` (7) or more of 10.

Every number rests on a count; a count under ``SMALL`` (5) is shown as ``"<5"``, and so is a
share, median or mean computed from fewer than five, so nobody in a small group can be
recognised. A fixed number of queries, whatever the number of plans.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, Forbidden, plans_visible_to
from apps.access.context import Actor
from apps.coordination.models import GoalRating, Review
from apps.plans.models import Effort, Goal, Plan

SMALL = 5
HIDDEN = "<5"
GOAL_OUTCOMES = ("reached", "partly_reached", "changed", "dropped")

PURPOSE = "effect_report"

Figure = int | float | str | None


def effect_reader_required(actor: Actor) -> None:
    """Managers read the report; anyone else is refused, and that is recorded."""
    if not actor.is_manager:
        raise Forbidden(
            _("Only managers see the effect report."),
            audit.event(actor, Action.VIEW, "effect_report", outcome="denied", purpose=PURPOSE),
        )


def effect_report_read(*, actor: Actor, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The report for a manager, recorded as one aggregate read (no citizen is named in it,
    so none is recorded as seen); anyone else is refused, and that is recorded too."""
    effect_reader_required(actor)
    report = effect_report(actor=actor, date_from=date_from, date_to=date_to)
    audit.record(
        actor,
        Action.VIEW,
        "effect_report",
        actor.organisation.pk,
        purpose=PURPOSE,
        detail={"from": date_from.isoformat(), "to": date_to.isoformat()},
    )
    return report


def _count(n: int) -> int | str:
    return HIDDEN if n < SMALL else n


def _from(n: int, value: float | None) -> Figure:
    """A share, median or mean computed from ``n`` items."""
    if n == 0:
        return None
    return HIDDEN if n < SMALL else value


def effect_report(*, actor: Actor, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The effect report for the acting organisation (see the module docstring)."""
    plan_ids = plans_visible_to(actor).values("pk")
    # Plan starts compared as moments, not as dates of a moment: the planner can then weigh
    # the period against the organisation's plans (and it keeps to the plans it may read).
    start, end = _moment(date_from), _moment(date_to + dt.timedelta(days=1))
    statuses = dict(
        Plan.objects.filter(pk__in=plan_ids, created__lt=end)
        .values_list("status")
        .annotate(n=Count("pk"))
    )

    on_time, with_due = _reviews_on_time(plan_ids, date_from, date_to)
    days = _days_to_first_effort(plan_ids, start, end)
    motivated = _days_motivated_to_first_effort(plan_ids, date_from, date_to)
    ended = dict(
        Goal.objects.filter(plan__in=plan_ids, outcome_on__range=(date_from, date_to))
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    changes = _citizen_rating_changes(plan_ids, date_from, date_to)
    heard = Review.objects.filter(
        plan__in=plan_ids, held_on__range=(date_from, date_to), heard__isnull=False
    ).aggregate(
        n=Count("pk"), heard=Count("pk", filter=Q(heard__gte=settings.KIP_EFFECT_HEARD_FROM))
    )
    return {
        "organisation": actor.organisation.pk,
        "from": date_from,
        "to": date_to,
        "plans_by_status": {
            status: _count(statuses.get(status, 0)) for status in Plan.Status.values
        },
        "reviews_on_time_share": _from(with_due, _share(on_time, with_due)),
        "median_days_to_first_effort": _from(len(days), statistics.median(days) if days else None),
        "median_days_motivated_to_first_effort": _from(
            len(motivated), statistics.median(motivated) if motivated else None
        ),
        "goals": {outcome: _count(ended.get(outcome, 0)) for outcome in GOAL_OUTCOMES},
        "mean_citizen_rating_change": _from(
            len(changes), round(statistics.fmean(changes), 1) if changes else None
        ),
        "heard_share": _from(heard["n"], _share(heard["heard"], heard["n"])),
        "basis": {
            "reviews_with_due_date": _count(with_due),
            "plans_with_first_effort": _count(len(days)),
            "plans_motivated_with_first_effort": _count(len(motivated)),
            "goals_rated_twice": _count(len(changes)),
            "meetings_rated": _count(heard["n"]),
        },
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def _reviews_on_time(plan_ids: Any, date_from: dt.date, date_to: dt.date) -> tuple[int, int]:
    """(on time, with a due date) for the reviews held in the period."""
    rows = (
        Review.objects.filter(plan__in=plan_ids, held_on__lte=date_to)
        .order_by("plan_id", "held_on", "id")
        .values_list("plan_id", "held_on", "next_review")
    )
    on_time = with_due = 0
    previous: tuple[int, dt.date | None] | None = None
    for plan_id, held_on, next_review in rows:
        if previous and previous[0] == plan_id and previous[1] and held_on >= date_from:
            with_due += 1
            on_time += held_on <= previous[1]
        previous = (plan_id, next_review)
    return on_time, with_due


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _days_to_first_effort(plan_ids: Any, start: dt.datetime, end: dt.datetime) -> list[int]:
    started = [Effort.Status.ACTIVE, Effort.Status.ENDED]
    rows = (
        Plan.objects.filter(pk__in=plan_ids, created__gte=start, created__lt=end)
        .annotate(
            first=Min(
                "efforts__starts_on",
                filter=Q(efforts__status__in=started, efforts__starts_on__isnull=False),
            )
        )
        .filter(first__isnull=False)
        .values_list("created", "first")
    )
    return [max(0, (first - timezone.localdate(created)).days) for created, first in rows]


def _days_motivated_to_first_effort(
    plan_ids: Any, date_from: dt.date, date_to: dt.date
) -> list[int]:
    """Calendar days from motivation to the first effort, as the plan page's fast start
    counts them (``apps.plans.faststart.days_to_first_effort``), for the plans motivated in
    the period whose first effort has started."""
    rows = Plan.objects.filter(
        pk__in=plan_ids,
        motivated_on__range=(date_from, date_to),
        first_effort_on__isnull=False,
    ).values_list("motivated_on", "first_effort_on")
    return [(first - motivated).days for motivated, first in rows if motivated and first]


def _citizen_rating_changes(plan_ids: Any, date_from: dt.date, date_to: dt.date) -> list[int]:
    rows = (
        GoalRating.objects.filter(
            review__plan__in=plan_ids,
            review__held_on__range=(date_from, date_to),
            citizen__isnull=False,
        )
        .order_by("goal_id", "review__held_on", "review_id")
        .values_list("goal_id", "citizen")
    )
    by_goal: dict[int, list[int]] = {}
    for goal_id, rating in rows:
        if rating is not None:  # the query leaves none out; the type does not know it
            by_goal.setdefault(goal_id, []).append(rating)
    return [ratings[-1] - ratings[0] for ratings in by_goal.values() if len(ratings) > 1]
