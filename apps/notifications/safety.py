"""The safety net's reminder rules: fast start, agreements due, plans nobody touches.

Each rule is ``(today, now) -> list[Notification]`` (``reminders.sweep_rules``), sends each
notice once (the dedupe key), reads a partial index by a bounded range, and, like the review
rules, tells people only while the citizen's consent covers their organisation: without it
they cannot open the plan.

- ``fast_start_due``: the coordinator, ``KIP_FAST_START_REMINDER_WORKING_DAYS`` working days
  before the first effort is due (``Plan.first_effort_due``), unless it has started.
- ``fast_start_escalation``: the managers of the coordinator's organisation, once the day has
  passed without a first effort. Before deciding, the rule stops the clock of plans whose
  effort has reached its start date since it was saved (``apps.plans.faststart``).
- ``agreement_due``: the person responsible for an open agreement, on its due date, while
  consent covers an organisation of theirs (a membership that reads plans) on the plan.
- ``plan_inactive``: the managers of the coordinator's organisation, when an active plan has
  not changed for ``KIP_PLAN_INACTIVE_DAYS`` days. A change is anything that moves the plan's
  version (``Plan.updated``): its own fields, goals, efforts, agreements, the network,
  participants, reviews, an accepted handover, the fast start. Reading the plan, a proposed or
  declined handover, a hospital event and what the sweep itself records are not. The notice
  is due the day the days ran out, so a plan that changes and then rests again is told again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from apps.access.derived import consent_covers_organisation
from apps.citizens.models import Consent
from apps.notifications.models import Notification
from apps.notifications.rows import due_row, managers_by_organisation
from apps.notifications.workdays import last_date_where, working_days_add
from apps.organisations.models import Membership
from apps.plans.faststart import STARTED, fast_start_reminder_from
from apps.plans.models import Agreement, Effort, Participation, Plan

if TYPE_CHECKING:
    from apps.notifications.reminders import Rule

K = Notification.Kind
# The roles that read plans (a local administrator does not).
READERS = (Membership.Role.CASEWORKER, Membership.Role.MANAGER)


def _lookback(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=settings.KIP_REMINDER_LOOKBACK_DAYS)


def per_row(condition: Exists) -> Case:
    """``condition`` checked row by row on the few rows due. As a bare EXISTS, PostgreSQL may
    make it a join of its own and read every consent (or every participation) to keep the
    thousand rows due (``apps.access.checks.plan_consent_covers`` says more)."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _coordinator_covered(now: dt.datetime) -> Case:
    return per_row(
        consent_covers_organisation(
            OuterRef("citizen_id"), OuterRef("coordinator_organisation_id"), at=now
        )
    )


def _first_efforts_record(waiting: QuerySet[Plan], today: dt.date) -> None:
    """Stop the clock of waiting plans whose effort has reached its start date since it was
    saved (an active effort with a start date ahead). ``Plan.updated`` is left as it is: the
    sweep's own record is no activity. The version is bumped like any change to what the plan
    shows: a client holding the old ETag must not be told (304) that nothing changed."""
    started = Effort.objects.filter(
        plan_id=OuterRef("pk"),
        status__in=STARTED,
        starts_on__gte=OuterRef("motivated_on"),
        starts_on__lte=today,
    )
    first = started.order_by("starts_on").values("starts_on")[:1]
    waiting.filter(Exists(started)).update(
        first_effort_on=Subquery(first), version=F("version") + 1
    )


def fast_start_rows(today: dt.date, now: dt.datetime) -> list[Notification]:
    """The coordinator before the first effort is due; their managers when it was missed.
    Reads ``plan_fast_start_idx`` (active plans waiting for their first effort)."""
    until = last_date_where(
        working_days_add(today, settings.KIP_FAST_START_REMINDER_WORKING_DAYS),
        lambda d: fast_start_reminder_from(d) <= today,
    )
    waiting = Plan.objects.filter(
        status=Plan.Status.ACTIVE,
        first_effort_on__isnull=True,
        first_effort_due__gte=_lookback(today),
    )
    # Any waiting plan may have an effort that reached its start date: the latest deadline is
    # that of a citizen motivated today.
    _first_efforts_record(
        waiting.filter(
            first_effort_due__lte=working_days_add(today, settings.KIP_FAST_START_WORKING_DAYS)
        ),
        today,
    )
    plans: list[tuple[int, dt.date, int, int]] = list(
        waiting.filter(first_effort_due__lte=until)
        .filter(_coordinator_covered(now))
        .values_list(  # type: ignore[arg-type]
            "pk", "first_effort_due", "coordinator_user_id", "coordinator_organisation_id"
        )
    )
    rows = [
        due_row(K.FAST_START_DUE, user_id, plan_id=pk, due=due)
        for pk, due, user_id, _ in plans
        if fast_start_reminder_from(due) <= today
    ]
    late = [(pk, due, org_id) for pk, due, _, org_id in plans if due < today]
    managers = managers_by_organisation(org_id for *_, org_id in late)
    for pk, due, org_id in late:
        rows.extend(
            due_row(K.FAST_START_ESCALATION, m, plan_id=pk, due=due)
            for m in managers.get(org_id, [])
        )
    return rows


def agreement_due_rows(today: dt.date, now: dt.datetime) -> list[Notification]:
    """The responsible person on an open agreement's due date (or the first sweep after it),
    while consent covers an organisation of theirs (a membership that reads plans) on the
    open plan. Reads ``agreement_open_due_idx``; who is in reach is then asked of the few
    agreements due by their keys, so no plan of PostgreSQL's can turn it into a read of every
    participation or consent."""
    due: list[tuple[int, int, int, dt.date]] = list(
        Agreement.objects.filter(  # type: ignore[arg-type]
            done=False,
            due__isnull=False,
            due__gte=_lookback(today),
            due__lte=today,
            responsible__isnull=False,
        ).values_list("pk", "plan_id", "responsible_id", "due")
    )
    if not due:
        return []
    plan_ids = {plan_id for _, plan_id, _, _ in due}
    citizen_of = dict(
        Plan.objects.filter(
            pk__in=plan_ids, status__in=[Plan.Status.DRAFT, Plan.Status.ACTIVE]
        ).values_list("pk", "citizen_id")
    )
    takes_part: dict[int, set[int]] = defaultdict(set)
    for plan_id, org_id in Participation.objects.filter(plan_id__in=citizen_of).values_list(
        "plan_id", "organisation_id"
    ):
        takes_part[plan_id].add(org_id)
    works_for: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in Membership.objects.filter(
        user_id__in={user_id for _, _, user_id, _ in due}, role__in=READERS
    ).values_list("user_id", "organisation_id"):
        works_for[user_id].add(org_id)
    covered: dict[int, set[int]] = defaultdict(set)
    for citizen_id, org_id in (
        Consent.objects.in_force(now)
        .filter(citizen_id__in=set(citizen_of.values()))
        .values_list("citizen_id", "organisations")
    ):
        covered[citizen_id].add(org_id)
    return [
        due_row(
            K.AGREEMENT_DUE,
            user_id,
            plan_id=plan_id,
            due=day,
            subject=f"a{pk}",
            context={"agreement": pk},
        )
        for pk, plan_id, user_id, day in due
        if plan_id in citizen_of
        and works_for[user_id] & takes_part[plan_id] & covered[citizen_of[plan_id]]
    ]


def plan_inactive_rows(today: dt.date, now: dt.datetime) -> list[Notification]:
    """The coordinator's managers when an active plan has rested ``KIP_PLAN_INACTIVE_DAYS``.
    Reads ``plan_active_updated_idx`` by a range of ``updated``."""
    days = settings.KIP_PLAN_INACTIVE_DAYS
    last_day = today - dt.timedelta(days=days)  # changed on or before it: the days have run out
    first_day = last_day - dt.timedelta(days=settings.KIP_REMINDER_LOOKBACK_DAYS)

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    plans = list(
        Plan.objects.filter(
            status=Plan.Status.ACTIVE,
            updated__gte=midnight(first_day),
            updated__lt=midnight(last_day + dt.timedelta(days=1)),
        )
        .filter(_coordinator_covered(now))
        .values_list("pk", "updated", "coordinator_organisation_id")
    )
    managers = managers_by_organisation(org_id for *_, org_id in plans)
    rows: list[Notification] = []
    for pk, updated, org_id in plans:
        since = timezone.localdate(updated)
        rows.extend(
            due_row(
                K.PLAN_INACTIVE,
                m,
                plan_id=pk,
                due=since + dt.timedelta(days=days),
                context={"since": since.isoformat(), "days": days},
            )
            for m in managers.get(org_id, [])
        )
    return rows


def safety_rules() -> tuple[Rule, ...]:
    """The rules of this module and of consent expiry, in the order the sweep applies them."""
    from apps.notifications.consent_expiry import consent_expired_rows, consent_expiring_rows

    return (
        consent_expired_rows,
        consent_expiring_rows,
        fast_start_rows,
        agreement_due_rows,
        plan_inactive_rows,
    )
