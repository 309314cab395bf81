"""What one person has to do today, for the organisation they act for: the "My work" page.

Everything comes through ``apps.access`` (plans and handovers the actor may see, within
consent) and is recorded as the API records it: one list event per plan and handover shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from apps.access import audit
from apps.access.context import Actor
from apps.access.handovers import handovers_visible_to, notifications_visible_to
from apps.coordination.models import Handover
from apps.notifications import reminders
from apps.notifications.models import Notification
from apps.notifications.workdays import working_days_between
from apps.plans import selectors
from apps.plans.models import Plan

LIMIT = 50


# Hospital events that call on the coordinator: an admission (make a discharge agreement), a
# readmission, a discharge to review after.
HOSPITAL_PROMPTS = (
    Notification.Kind.REVIEW_PROMPTED,
    Notification.Kind.ADMISSION,
    Notification.Kind.READMISSION,
)


@dataclass(frozen=True)
class ReviewDue:
    plan: Plan
    state: str  # "overdue" | "due" | "upcoming"
    working_days: int  # until the review (negative: since)

    @property
    def working_days_late(self) -> int:
        return -self.working_days


@dataclass
class MyWork:
    coordinated: list[Plan] = field(default_factory=list)
    taking_part: list[Plan] = field(default_factory=list)
    reviews: list[ReviewDue] = field(default_factory=list)
    waiting_for_me: list[Handover] = field(default_factory=list)
    proposed_by_me: list[Handover] = field(default_factory=list)
    prompts: list[Notification] = field(default_factory=list)


def review_state(next_review: dt.date, today: dt.date) -> str | None:
    """Where a review stands today, by the same working-day rules as the reminders."""
    if today >= reminders.review_overdue_from(next_review):
        return "overdue"
    if today >= next_review:
        return "due"
    if today >= reminders.review_upcoming_from(next_review):
        return "upcoming"
    return None


def my_work(*, actor: Actor, today: dt.date | None = None) -> MyWork:
    today = today or timezone.localdate()
    plans = list(
        selectors.plan_list(actor=actor)
        .exclude(status=Plan.Status.CLOSED)
        .select_related("citizen", "coordinator_user", "coordinator_organisation")
        .order_by("next_review", "id")[:LIMIT]
    )
    work = MyWork(taking_part=plans)
    for plan in plans:
        mine = (
            plan.coordinator_user_id == actor.user.pk
            and plan.coordinator_organisation_id == actor.organisation.pk
        )
        if mine:
            work.coordinated.append(plan)
        if plan.next_review is None or plan.status != Plan.Status.ACTIVE:
            continue
        state = review_state(plan.next_review, today)
        if state:
            days = working_days_between(today, plan.next_review)
            work.reviews.append(ReviewDue(plan, state, days))
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    work.reviews.sort(key=lambda r: (order[r.state], r.plan.next_review))

    pending = list(
        handovers_visible_to(actor)
        .filter(state=Handover.State.PROPOSED)
        .select_related(
            "plan__citizen", "from_user", "from_organisation", "to_user", "to_organisation"
        )
        .order_by("created")[:LIMIT]
    )
    work.waiting_for_me = [h for h in pending if h.to_user_id == actor.user.pk]
    work.proposed_by_me = [h for h in pending if h.to_user_id != actor.user.pk]
    work.prompts = list(
        notifications_visible_to(actor)
        .filter(kind__in=HOSPITAL_PROMPTS, read_at__isnull=True)
        .select_related("plan__citizen")
        .order_by("-created")[:LIMIT]
    )
    audit.record_objects(actor, audit.Action.LIST, [*plans, *pending])
    return work
