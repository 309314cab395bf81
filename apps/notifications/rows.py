"""Building blocks of the reminder rules: one due notification, and who manages whom."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from apps.notifications.models import Notification
from apps.notifications.services import notification_dedupe_key
from apps.organisations.models import Membership


def managers_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[int]]:
    """Manager user ids by organisation id."""
    by_org: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=set(organisation_ids), role=Membership.Role.MANAGER
    ).values_list("organisation_id", "user_id"):
        by_org[org_id].append(user_id)
    return by_org


def due_row(
    kind: str,
    recipient_id: int,
    *,
    plan_id: int | None = None,
    handover_id: int | None = None,
    due: dt.date | None = None,
    subject: str | None = None,
    context: dict | None = None,
) -> Notification:
    """One notification a rule calls for; ``subject`` names what it is about when that is
    finer than the plan (an agreement, a discharge task, a consent)."""
    return Notification(
        kind=kind,
        recipient_id=recipient_id,
        plan_id=plan_id,
        handover_id=handover_id,
        due=due,
        context=context or {},
        dedupe_key=notification_dedupe_key(
            kind=kind,
            recipient_id=recipient_id,
            plan_id=plan_id,
            handover_id=handover_id,
            due=due,
            subject=subject,
        ),
    )
