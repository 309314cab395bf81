"""Reminders of the discharge agreement: a task not done is the responsible person's from its
due date on (``discharge_task_due``, once per task and date), and goes to the managers of the
organisation they act for when it is still not done ``KIP_DISCHARGE_TASK_ESCALATION_WORKING_DAYS``
working days later (``discharge_task_escalation``).

Only on open plans, only while the organisation takes part in the plan and the citizen's
consent covers it (else nobody there can open the plan). The open tasks are read by their due
date on ``discharge_task_open_due_idx``, from ``KIP_REMINDER_LOOKBACK_DAYS`` back to today, so
a sweep costs what is due, not what the plans hold.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.access.derived import consent_covers_organisation
from apps.notifications.models import Notification
from apps.notifications.rows import due_row, managers_by_organisation
from apps.notifications.workdays import working_days_add
from apps.plans.models import Participation, Plan

K = Notification.Kind


def discharge_task_escalation_from(due: dt.date) -> dt.date:
    return working_days_add(due, settings.KIP_DISCHARGE_TASK_ESCALATION_WORKING_DAYS)


def discharge_task_rows(today: dt.date, now: dt.datetime | None = None) -> list[Notification]:
    """The reminder of each open task due by today, and the escalation of those overdue."""
    from apps.coordination.models import DischargeTask

    lookback = today - dt.timedelta(days=settings.KIP_REMINDER_LOOKBACK_DAYS)
    taking_part = Participation.objects.filter(
        plan_id=OuterRef("plan_id"), organisation_id=OuterRef("responsible_organisation_id")
    )
    covered = consent_covers_organisation(
        OuterRef("plan__citizen_id"),
        OuterRef("responsible_organisation_id"),
        at=now or timezone.now(),
    )
    tasks = list(
        DischargeTask.objects.filter(done=False, due__gte=lookback, due__lte=today)
        .exclude(plan__status=Plan.Status.CLOSED)
        .filter(Exists(taking_part), covered)
        .values_list("pk", "plan_id", "responsible_id", "responsible_organisation_id", "due")
    )
    rows: list[Notification] = []
    escalate: list[tuple[int, int, int, dt.date]] = []
    for pk, plan_id, user_id, org_id, due in tasks:
        rows.append(
            due_row(K.DISCHARGE_TASK_DUE, user_id, plan_id=plan_id, due=due, subject=f"t{pk}")
        )
        if discharge_task_escalation_from(due) <= today:
            escalate.append((pk, plan_id, org_id, due))
    managers = managers_by_organisation(org for _, _, org, _ in escalate)
    for pk, plan_id, org_id, due in escalate:
        rows.extend(
            due_row(K.DISCHARGE_TASK_ESCALATION, m, plan_id=plan_id, due=due, subject=f"t{pk}")
            for m in managers.get(org_id, [])
        )
    return rows
