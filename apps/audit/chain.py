"""The hash chain over the audit trail: sealing (background) and verification.

Design (DESIGN §7, §4.5):

- Requests only INSERT events; nothing on the request path takes a global lock or reads the
  previous hash. A background step (``audit_seal``: a beat task every few seconds, and
  ``manage.py seal_audit``) appends one ``AuditSeal`` row per event:
  ``hash = sha256(prev_hash | canonical(event))``. Only one sealer runs at a time (an advisory
  transaction lock on PostgreSQL; SQLite's write transactions are serial anyway), and the
  unique ``event_id`` makes double sealing impossible.
- Gaps: the sealer takes *unsealed* events older than a grace period
  (``KIP_AUDIT_SEAL_GRACE_SECONDS``), in id order. It does not follow "ids above the last
  sealed id", so an event whose transaction committed after higher ids were sealed (a slow
  write transaction) is not skipped: it is appended at the end of the chain on the next run.
  The grace period only makes that rare. Holes in the id sequence (rolled-back inserts) mean
  nothing, because the chain orders seals, not ids.
- Verification walks the seals in chain order from the newest retention checkpoint, checks
  each link and recomputes each event's hash; then it looks for events inside the sealed id
  range that no seal covers and that are older than the grace period (a row inserted by hand).
  Removing the newest, still unsealed events cannot be detected by any chain; the grace
  period bounds that window to seconds.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from apps.audit.models import AccessEvent, AuditCheckpoint, AuditSeal

GENESIS = "0" * 64
SEAL_BATCH = 5000
# Advisory lock key for the one sealer ("KIPSEAL" in ASCII, fits a bigint).
SEAL_LOCK_KEY = 0x4B495053454C
# A late-committing event is looked for this many ids behind the newest sealed one.
LATE_LOOKBACK_IDS = 100_000

EVENT_FIELDS = (
    "id",
    "at",
    "actor_id",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "citizen_id",
    "purpose",
    "outcome",
    "detail",
    "request_id",
    "client_address",
)


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes an event's hash covers: every field, in a fixed form on both databases."""
    values = dict(row)
    at = values["at"]
    if isinstance(at, datetime.datetime):
        values["at"] = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail = values.get("detail")
    if isinstance(detail, str):  # raw rows may carry the JSON as text
        values["detail"] = json.loads(detail)
    return json.dumps(
        [values[name] for name in EVENT_FIELDS],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def link_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + canonical(row)).hexdigest()


def _grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KIP_AUDIT_SEAL_GRACE_SECONDS)


def _chain_head() -> tuple[str, int]:
    """The hash to link the next seal to, and the newest sealed event id."""
    last = AuditSeal.objects.order_by("-seq").values_list("hash", "event_id").first()
    if last is not None:
        return last[0], last[1]
    checkpoint = AuditCheckpoint.objects.order_by("-up_to_seq").first()
    return (checkpoint.hash if checkpoint else GENESIS), 0


def audit_seal(*, now: datetime.datetime | None = None, limit: int = 100_000) -> int:
    """Seal the unsealed events older than the grace period; return how many were sealed."""
    sealed = 0
    while sealed < limit:
        count = _seal_batch(now=now or timezone.now(), size=min(SEAL_BATCH, limit - sealed))
        sealed += count
        if count == 0:
            break
    return sealed


@transaction.atomic
def _seal_batch(*, now: datetime.datetime, size: int) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            if not cursor.fetchone()[0]:
                return 0  # another sealer is at work
    prev, newest_sealed = _chain_head()
    unsealed = (
        AccessEvent.objects.filter(
            id__gt=max(newest_sealed - LATE_LOOKBACK_IDS, 0), at__lte=now - _grace()
        )
        .filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
        .order_by("id")
        .values(*EVENT_FIELDS)[:size]
    )
    seals = []
    for row in unsealed:
        digest = link_hash(prev, row)
        seals.append(AuditSeal(event_id=row["id"], prev_hash=prev, hash=digest))
        prev = digest
    AuditSeal.objects.bulk_create(seals)
    return len(seals)


@dataclass
class Broken:
    """The first place where the chain does not hold."""

    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        return f"seal {self.seq}, event {self.event_id}: {self.problem}"


@dataclass
class Verified:
    checked: int
    broken: Broken | None


def audit_verify(
    *, progress: Callable[[int], None] | None = None, now: datetime.datetime | None = None
) -> Verified:
    """Walk the chain from the newest checkpoint; the first broken link, if any."""
    checkpoint = AuditCheckpoint.objects.order_by("-up_to_seq").first()
    prev = checkpoint.hash if checkpoint else GENESIS
    start = checkpoint.up_to_seq if checkpoint else 0
    checked = 0
    newest_event = 0
    for seal, row in _seals_with_events(start):
        checked += 1
        if progress and checked % 100_000 == 0:
            progress(checked)
        if seal["prev_hash"] != prev:
            return Verified(
                checked,
                Broken(seal["seq"], seal["event_id"], "link broken: a seal was removed or changed"),
            )
        if row is None:
            return Verified(
                checked,
                Broken(seal["seq"], seal["event_id"], "the sealed event is missing (deleted)"),
            )
        if link_hash(prev, row) != seal["hash"]:
            return Verified(
                checked,
                Broken(
                    seal["seq"],
                    seal["event_id"],
                    "the event differs from what was sealed (changed)",
                ),
            )
        prev = seal["hash"]
        newest_event = max(newest_event, seal["event_id"])
    stray = _unsealed_inside(newest_event, now or timezone.now())
    if stray is not None:
        return Verified(
            checked, Broken(None, stray, "an event inside the sealed range has no seal (inserted)")
        )
    return Verified(checked, None)


def _seals_with_events(after_seq: int) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """Seals in chain order with their events, fetched in batches (no N+1, bounded memory)."""
    last = after_seq
    while True:
        seals = list(
            AuditSeal.objects.filter(seq__gt=last)
            .order_by("seq")
            .values("seq", "event_id", "prev_hash", "hash")[:SEAL_BATCH]
        )
        if not seals:
            return
        rows = {
            row["id"]: row
            for row in AccessEvent.objects.filter(id__in=[s["event_id"] for s in seals]).values(
                *EVENT_FIELDS
            )
        }
        for seal in seals:
            yield seal, rows.get(seal["event_id"])
        last = seals[-1]["seq"]


def _unsealed_inside(newest_sealed: int, now: datetime.datetime) -> int | None:
    floor = 0
    if AuditCheckpoint.objects.exists():  # below the cut, events are gone by design
        first = AuditSeal.objects.aggregate(first=Min("event_id"))["first"]
        floor = (first or newest_sealed + 1) - 1
    return (
        AccessEvent.objects.filter(id__gt=floor, id__lt=newest_sealed, at__lte=now - _grace())
        .filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
