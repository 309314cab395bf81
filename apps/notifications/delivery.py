"""Delivery of notifications in batches: claim a batch in one statement, read what the e-mails
need in a fixed number of queries, send them in one call over one connection, mark the batch
delivered (and e-mailed) in one statement.

Exactly once, whatever happens to the workers: a row is sent only by the process whose claim
took it (a conditional UPDATE; on PostgreSQL its rows are picked with FOR UPDATE SKIP LOCKED,
so two workers given the same ids split them instead of waiting on each other). A claim is a
lease: a worker killed mid-batch leaves its rows undelivered, and once the lease runs out the
sweep enqueues them again and another worker claims them. The one gap no outbox closes is a
crash after the mail server took the batch's e-mails and before the UPDATE that records them
(a few milliseconds with a local relay): those are sent again. A batch must be sent well within
the lease (120 s by default), or another worker may take it over meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.db.models import Case, F, Value, When
from django.utils import timezone

from apps.access.derived import notifications_in_reach_of_recipients
from apps.notifications.email import NotificationEmail, notification_email_message
from apps.notifications.models import Notification

log = logging.getLogger(__name__)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "KIP_NOTIFICATION_CLAIM_LEASE_SECONDS", 120))


@dataclass(frozen=True)
class Claim:
    """The rows one process took: only these does it send and mark."""

    token: str
    ids: list[int]


def notifications_claim(*, notification_ids: Iterable[int]) -> Claim:
    """Claim, in one statement, those of the ids that are undelivered and not claimed by
    another process within its lease; rows another process holds are skipped, not awaited."""
    now = timezone.now()
    token = str(uuid.uuid4())
    ids = sorted({int(pk) for pk in notification_ids})
    if not ids:
        return Claim(token, [])
    # Only the model's table name and placeholders are formatted in; values are parameters.
    table = connection.ops.quote_name(Notification._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    free = f"id IN ({marks}) AND delivered_at IS NULL AND (claimed_at IS NULL OR claimed_at < %s)"
    expired = connection.ops.adapt_datetimefield_value(now - _lease())
    where, params = free, [*ids, expired]
    if connection.vendor == "postgresql":
        # The subselect locks the free rows it reads and passes over rows another claim is
        # writing at this moment; the outer UPDATE repeats the test on the rows it got.
        # (SQLite writes one statement at a time: there the conditional UPDATE alone decides.)
        locked = f"SELECT id FROM {table} WHERE {free} FOR UPDATE SKIP LOCKED"  # noqa: S608
        where, params = f"id IN ({locked}) AND {free}", [*params, *params]
    claim = "claimed_at = %s, claim_token = %s, attempts = attempts + 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {claim} WHERE {where} RETURNING id",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), token, *params],
        )
        claimed = sorted(row[0] for row in cursor.fetchall())
    return Claim(token, claimed)


def notifications_deliver(*, notification_ids: Iterable[int]) -> list[int]:
    """Deliver a batch once: the inbox shows a row as soon as it exists; here each claimed row
    is e-mailed (if the recipient has an address, wants e-mail, and may still see what it is
    about) and the batch is marked delivered. Returns the ids this call delivered.

    Queries per batch: the claim, one read of the rows with their recipients and preferences,
    one consent check for those about a plan, one UPDATE per e-mail sent (so that a kill
    between sending and marking repeats at most one e-mail), one UPDATE marking the batch.
    """
    claim = notifications_claim(notification_ids=notification_ids)
    if not claim.ids:
        return []
    rows = list(
        Notification.objects.filter(pk__in=claim.ids, claim_token=claim.token)
        .select_related("recipient", "recipient__notification_preference")
        .order_by("pk")
    )
    unsent = [n for n in rows if n.email_sent_at is None]
    about_plan = [n.pk for n in unsent if n.plan_id is not None]
    in_reach = notifications_in_reach_of_recipients(about_plan) if about_plan else set()
    messages = []
    for notification in unsent:
        if notification.plan_id is not None and notification.pk not in in_reach:
            # Consent for the recipient's organisation lapsed after the row was made: no
            # e-mail about a plan they can no longer open (the inbox hides it too).
            log.info("notification %s not e-mailed: out of the recipient's reach", notification.pk)
            continue
        message = notification_email_message(notification)
        if message is not None:
            messages.append(message)
    done = {n.pk for n in rows} - {m.notification_id for m in messages}
    emailed: list[int] = []
    try:
        _send(messages, emailed, claim)
    finally:
        # Also after a failed send: what went out is recorded, the rest waits out the lease.
        delivered = _mark_delivered(claim, done | set(emailed), emailed)
    return delivered


def _send(messages: list[NotificationEmail], sent: list[int], claim: Claim) -> None:
    """Send over one connection, one message at a time, each recorded as e-mailed (under our
    claim) as soon as it went out, filling ``sent``: a worker killed mid-batch, or a backend
    failing part way, sends again at most the message it was sending."""
    if not messages:
        return
    with get_connection(fail_silently=False) as connection:
        for message in messages:
            connection.send_messages([message])
            Notification.objects.filter(pk=message.notification_id, claim_token=claim.token).update(
                email_sent_at=timezone.now()
            )
            sent.append(message.notification_id)


def _mark_delivered(claim: Claim, ids: set[int], emailed: list[int]) -> list[int]:
    """One UPDATE: delivered (and e-mailed, for those that were), only under our own claim."""
    if not ids:
        return []
    now = timezone.now()
    changes: dict = {"delivered_at": now}
    if emailed:
        changes["email_sent_at"] = Case(
            When(pk__in=emailed, then=Value(now)), default=F("email_sent_at")
        )
    rows = Notification.objects.filter(
        pk__in=sorted(ids), claim_token=claim.token, delivered_at__isnull=True
    )
    if rows.update(**changes) == len(ids):
        return sorted(ids)
    # Fewer: our lease ran out and another claim took some rows over (rare); which did we mark?
    mine = Notification.objects.filter(pk__in=ids, claim_token=claim.token, delivered_at=now)
    return sorted(mine.values_list("pk", flat=True))


# One notification at a time, for callers with a single id (and the tests of the lease).


def notification_claim(*, notification_id: int) -> str | None:
    """Claim one undelivered notification for this process; None if another process has it."""
    claim = notifications_claim(notification_ids=[notification_id])
    return claim.token if claim.ids else None


def notification_deliver(*, notification_id: int) -> bool:
    """Deliver one notification; True if this call delivered it."""
    return notifications_deliver(notification_ids=[notification_id]) == [int(notification_id)]
