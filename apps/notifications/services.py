"""Notification writes. Inserting is idempotent: the dedupe key is unique, conflicts are ignored."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.notifications.models import Notification

log = logging.getLogger(__name__)


def notification_dedupe_key(
    *,
    kind: str,
    recipient_id: int,
    plan_id: int | None = None,
    handover_id: int | None = None,
    due: dt.date | None = None,
    subject: str | None = None,
) -> str:
    """kind + subject + due date + recipient (DESIGN §4.6). The subject is the handover or
    the plan, unless the rule names a finer one (``a12`` for agreement 12, say)."""
    subject = subject or (f"h{handover_id}" if handover_id else f"p{plan_id or 0}")
    return f"{kind}:{subject}:{due.isoformat() if due else '-'}:u{recipient_id}"


def notification_create(
    *,
    kind: str,
    recipient: Any,
    plan: Any = None,
    handover: Any = None,
    due: dt.date | None = None,
    context: dict | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Insert one notification; return None when one with the same dedupe key exists.

    Delivery (in-app + e-mail) is enqueued after commit; if that enqueue is lost the next
    sweep picks the row up again (the table is the outbox).
    """
    recipient_id = getattr(recipient, "pk", recipient)
    plan_id = getattr(plan, "pk", plan)
    handover_id = getattr(handover, "pk", handover)
    key = dedupe_key or notification_dedupe_key(
        kind=kind, recipient_id=recipient_id, plan_id=plan_id, handover_id=handover_id, due=due
    )
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                recipient_id=recipient_id,
                plan_id=plan_id,
                handover_id=handover_id,
                due=due,
                context=context or {},
                dedupe_key=key,
            )
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=key).exists():
            return None
        raise
    enqueue_delivery([notification.pk])
    return notification


def enqueue_delivery(ids: list[int]) -> None:
    """After commit, send the ids to the workers in batches. A lost enqueue is not an error:
    the next sweep finds the undelivered rows again."""
    if not ids:
        return
    batch = settings.KIP_NOTIFICATION_BATCH_SIZE
    chunks = [ids[i : i + batch] for i in range(0, len(ids), batch)]

    def send() -> None:
        from workers.tasks import notifications_deliver

        for chunk in chunks:
            try:
                notifications_deliver.delay(chunk)
            except Exception:  # broker down: the next sweep re-enqueues
                log.warning("could not enqueue %s notifications", len(chunk), exc_info=True)
                return

    transaction.on_commit(send)


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification in the acting person's inbox read; return how many.

    Only what the inbox shows them (the access rule's selection) is marked, in one UPDATE.
    """
    from apps.notifications.selectors import inbox

    return inbox(actor=actor).filter(read_at__isnull=True).update(read_at=timezone.now())
