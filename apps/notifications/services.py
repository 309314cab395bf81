"""Notification writes. Inserting is idempotent: the dedupe key is unique, conflicts are ignored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from apps.notifications.models import Notification


def notification_dedupe_key(
    *, kind: str, recipient_id: int, plan_id: int | None = None,
    handover_id: int | None = None, due: dt.date | None = None,
) -> str:
    """kind + plan/handover + due date + recipient (DESIGN §4.6)."""
    subject = f"h{handover_id}" if handover_id else f"p{plan_id or 0}"
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
                kind=kind, recipient_id=recipient_id, plan_id=plan_id,
                handover_id=handover_id, due=due, context=context or {}, dedupe_key=key,
            )
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=key).exists():
            return None
        raise
    _enqueue_delivery([notification.pk])
    return notification


def _enqueue_delivery(ids: list[int]) -> None:
    if not ids:
        return

    def send() -> None:
        from workers.tasks import notification_deliver

        for pk in ids:
            try:
                notification_deliver.delay(pk)
            except Exception:  # noqa: BLE001 - broker down: the next sweep re-enqueues
                import logging

                logging.getLogger(__name__).warning("could not enqueue notification %s", pk)

    transaction.on_commit(send)
