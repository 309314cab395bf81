"""Delivery of one notification: claim it atomically, send the e-mail, mark it delivered."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from apps.access.derived import notification_in_reach_of_recipient
from apps.notifications.models import Notification

log = logging.getLogger(__name__)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "KIP_NOTIFICATION_CLAIM_LEASE_SECONDS", 120))


def notification_claim(*, notification_id: int) -> str | None:
    """Claim an undelivered notification for this process; None if another process has it."""
    now = timezone.now()
    token = str(uuid.uuid4())
    claimed = (
        Notification.objects.filter(pk=notification_id, delivered_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - _lease()))
        .update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    )
    # 0 rows: delivered already, or another process got there first.
    return token if claimed == 1 else None


def notification_deliver(*, notification_id: int) -> bool:
    """Deliver once: the in-app inbox shows the row as soon as it exists; here we send the
    e-mail (if the recipient has an address and wants it, and may still see what it is
    about) and mark the row delivered.
    Returns True if this call delivered it."""
    token = notification_claim(notification_id=notification_id)
    if token is None:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if notification.email_sent_at is None and not notification_in_reach_of_recipient(notification):
        # Consent for the recipient's organisation lapsed after the row was made: no e-mail
        # about a plan they can no longer open (the inbox hides it too).
        log.info("notification %s not e-mailed: out of the recipient's reach", notification_id)
    elif notification.email_sent_at is None:
        from apps.notifications.email import notification_email_send

        if notification_email_send(notification=notification):
            Notification.objects.filter(pk=notification_id, claim_token=token).update(
                email_sent_at=timezone.now()
            )
    done = Notification.objects.filter(
        pk=notification_id, claim_token=token, delivered_at__isnull=True
    ).update(delivered_at=timezone.now())
    return done == 1
