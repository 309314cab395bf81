"""The reminder rules and the sweep. The database is the source of truth and the outbox:
a sweep computes what is due from it, inserts notifications (unique dedupe keys, conflicts
ignored), and enqueues delivery after commit. Running it twice, or concurrently, is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q
from django.utils import timezone

from apps.access.derived import consent_covers_organisation
from apps.notifications.models import Notification
from apps.notifications.rows import due_row as _row
from apps.notifications.rows import managers_by_organisation as _managers
from apps.notifications.services import enqueue_delivery
from apps.notifications.workdays import last_date_where, working_days_add, working_days_sub
from apps.plans.models import Plan

log = logging.getLogger(__name__)
K = Notification.Kind


# --- the rules, one date each: when does a reminder for this subject become due? -------------


def review_upcoming_from(next_review: dt.date) -> dt.date:
    return working_days_sub(next_review, settings.KIP_REVIEW_UPCOMING_WORKING_DAYS)


def review_overdue_from(next_review: dt.date) -> dt.date:
    return working_days_add(next_review, settings.KIP_REVIEW_OVERDUE_WORKING_DAYS)


def review_escalation_from(next_review: dt.date) -> dt.date:
    return working_days_add(next_review, settings.KIP_REVIEW_ESCALATION_WORKING_DAYS)


def review_kinds_due(next_review: dt.date, today: dt.date) -> list[Notification.Kind]:
    """Which review reminders hold on ``today`` (upcoming before, due on, overdue after)."""
    kinds = []
    if next_review > today:
        if review_upcoming_from(next_review) <= today:
            kinds.append(K.REVIEW_UPCOMING)
    elif review_overdue_from(next_review) > today:
        kinds.append(K.REVIEW_DUE)
    else:
        kinds.append(K.REVIEW_OVERDUE)
        if review_escalation_from(next_review) <= today:
            kinds.append(K.REVIEW_ESCALATION)
    return kinds


def handover_reminder_from(created: dt.date) -> dt.date:
    return working_days_add(created, settings.KIP_HANDOVER_REMINDER_WORKING_DAYS)


def handover_escalation_from(created: dt.date) -> dt.date:
    return working_days_add(created, settings.KIP_HANDOVER_ESCALATION_WORKING_DAYS)


def handover_expires_at(created: dt.datetime) -> dt.datetime:
    """Midnight (local) starting the expiry working day."""
    day = working_days_add(timezone.localdate(created), settings.KIP_HANDOVER_EXPIRY_WORKING_DAYS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class SweepResult:
    created: int = 0
    requeued: int = 0
    expired: int = 0
    queries: int = 0
    ids: list[int] = field(default_factory=list)


def _review_rows(today: dt.date, now: dt.datetime | None = None) -> list[Notification]:
    """Review reminders for active plans, read by date ranges on plan_active_next_review_idx.

    Only while the citizen's consent covers the coordinator's organisation: without it the
    coordinator (and their manager) cannot open the plan, so nobody there is reminded.
    """
    lookback = today - dt.timedelta(days=settings.KIP_REMINDER_LOOKBACK_DAYS)
    upcoming_until = last_date_where(
        working_days_add(today, settings.KIP_REVIEW_UPCOMING_WORKING_DAYS),
        lambda d: review_upcoming_from(d) <= today,
    )
    active = Plan.objects.filter(status=Plan.Status.ACTIVE).filter(
        consent_covers_organisation(
            OuterRef("citizen_id"),
            OuterRef("coordinator_organisation_id"),
            at=now or timezone.now(),
        )
    )
    fields = ("pk", "next_review", "coordinator_user_id", "coordinator_organisation_id")
    plans = list(
        active.filter(next_review__gte=lookback, next_review__lte=upcoming_until).values_list(
            *fields
        )
    )
    rows: list[Notification] = []
    escalate: list[tuple[int, dt.date, int]] = []
    for plan_id, next_review, user_id, org_id in plans:
        for kind in review_kinds_due(next_review, today):
            if kind == K.REVIEW_ESCALATION:
                escalate.append((plan_id, next_review, org_id))
                continue
            rows.append(_row(kind, user_id, plan_id=plan_id, due=next_review))
    managers = _managers(org for _, _, org in escalate)
    for plan_id, next_review, org_id in escalate:
        rows.extend(
            _row(K.REVIEW_ESCALATION, m, plan_id=plan_id, due=next_review)
            for m in managers.get(org_id, [])
        )
    return rows


def _handover_rows(today: dt.date, now: dt.datetime | None = None) -> list[Notification]:
    """Reminders to the receiver and escalations to their managers, only while the citizen's
    consent covers the receiving organisation (else the handover is out of their reach)."""
    from apps.coordination.models import Handover

    covered = consent_covers_organisation(
        OuterRef("plan__citizen_id"), OuterRef("to_organisation_id"), at=now or timezone.now()
    )
    pending = list(
        Handover.objects.filter(state=Handover.State.PROPOSED)
        .filter(covered)
        .values_list("pk", "plan_id", "to_user_id", "to_organisation_id", "created")
    )
    rows: list[Notification] = []
    escalate = []
    for pk, plan_id, to_user_id, to_org_id, created in pending:
        created_day = timezone.localdate(created)
        reminder_day = handover_reminder_from(created_day)
        if reminder_day <= today:
            rows.append(
                _row(
                    K.HANDOVER_REMINDER,
                    to_user_id,
                    plan_id=plan_id,
                    handover_id=pk,
                    due=reminder_day,
                )
            )
        escalation_day = handover_escalation_from(created_day)
        if escalation_day <= today:
            escalate.append((pk, plan_id, to_org_id, escalation_day))
    managers = _managers(org for _, _, org, _ in escalate)
    for pk, plan_id, org_id, day in escalate:
        rows.extend(
            _row(K.HANDOVER_ESCALATION, m, plan_id=plan_id, handover_id=pk, due=day)
            for m in managers.get(org_id, [])
        )
    return rows


def notifications_insert(rows: list[Notification]) -> list[int]:
    """Insert what is not there yet (conflicts ignored); return the ids of the new rows."""
    if not rows:
        return []
    keys = [r.dedupe_key for r in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), 5000):
        existing.update(
            Notification.objects.filter(dedupe_key__in=keys[start : start + 5000]).values_list(
                "dedupe_key", flat=True
            )
        )
    fresh = [r for r in rows if r.dedupe_key not in existing]
    if not fresh:
        return []
    now = timezone.now()
    for r in fresh:
        r.created = now
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=2000)
    # ignore_conflicts gives no ids back: read them by key, created by this sweep or a twin.
    new_keys = [r.dedupe_key for r in fresh]
    ids: list[int] = []
    for start in range(0, len(new_keys), 5000):
        ids.extend(
            Notification.objects.filter(
                dedupe_key__in=new_keys[start : start + 5000], delivered_at__isnull=True
            ).values_list("pk", flat=True)
        )
    return ids


def _requeue_ids(now: dt.datetime, exclude: set[int], limit: int = 10000) -> list[int]:
    """Undelivered rows whose enqueue may have been lost (broker down, worker killed)."""
    lease = dt.timedelta(seconds=settings.KIP_NOTIFICATION_CLAIM_LEASE_SECONDS)
    quiet = dt.timedelta(seconds=settings.KIP_NOTIFICATION_REQUEUE_AFTER_SECONDS)
    ids = (
        Notification.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease),
            delivered_at__isnull=True,
            created__lt=now - quiet,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return [pk for pk in ids if pk not in exclude]


# A rule reads what is due on ``today`` (at ``now``) and returns the notifications it calls for.
Rule = Callable[[dt.date, dt.datetime], list[Notification]]


def sweep_rules() -> tuple[Rule, ...]:
    """Every reminder rule the sweep applies, in order."""
    from apps.notifications.discharge import discharge_task_rows
    from apps.notifications.safety import safety_rules

    return (_review_rows, _handover_rows, *safety_rules(), discharge_task_rows)


def reminders_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """One sweep: expire handovers, insert due reminders, enqueue delivery (new and stale)."""
    from apps.coordination.services import handovers_expire

    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    result.expired = handovers_expire(now=now)
    with transaction.atomic():
        rows = [row for rule in sweep_rules() for row in rule(today, now)]
        new_ids = notifications_insert(rows)
        requeue = _requeue_ids(now, set(new_ids))
        enqueue_delivery(new_ids + requeue)
    result.created = len(new_ids)
    result.requeued = len(requeue)
    result.ids = new_ids + requeue
    if result.created or result.requeued or result.expired:
        log.info(
            "sweep: %s new, %s re-enqueued, %s handovers expired",
            result.created,
            result.requeued,
            result.expired,
        )
    return result
