"""Retention: access events older than ``KIP_AUDIT_RETENTION_DAYS`` are removed."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.audit.models import AccessEvent, AuditCheckpoint, AuditSeal

logger = logging.getLogger(__name__)
Action = AccessEvent.Action
PRUNE_BATCH = 10_000


def audit_prune(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete access events older than ``KIP_AUDIT_RETENTION_DAYS``; return how many.

    Only sealed events go, as a prefix of the chain: a checkpoint keeps the hash of the last
    removed seal, so ``verify_audit`` starts from it and the rest stays verifiable. The prune
    leaves an event of its own. Plan history is not touched.
    """
    from apps.audit.chain import audit_seal

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days or settings.KIP_AUDIT_RETENTION_DAYS)
    audit_seal(now=now)
    with transaction.atomic():
        last = AuditCheckpoint.objects.order_by("-up_to_seq").first()
        after = last.up_to_seq if last else 0
        # The first seal (in chain order) whose event is young enough to keep ends the cut.
        young = (
            AuditSeal.objects.filter(seq__gt=after)
            .filter(~Exists(AccessEvent.objects.filter(id=OuterRef("event_id"), at__lt=cutoff)))
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        cut = AuditSeal.objects.filter(seq__gt=after)
        if young is not None:
            cut = cut.filter(seq__lt=young)
        edge = cut.order_by("-seq").values_list("seq", "hash").first()
        removed, checkpoint_id = 0, None
        if edge is not None:
            checkpoint = AuditCheckpoint.objects.create(
                up_to_seq=edge[0],
                hash=edge[1],
                cutoff=cutoff,
                events_removed=cut.filter(seq__lte=edge[0]).count(),
            )
            while True:
                ids = list(
                    AuditSeal.objects.filter(seq__gt=after, seq__lte=edge[0])
                    .order_by("seq")
                    .values_list("event_id", flat=True)[:PRUNE_BATCH]
                )
                if not ids:
                    break
                removed += AccessEvent.objects.filter(id__in=ids).delete()[0]
                AuditSeal.objects.filter(event_id__in=ids).delete()
            checkpoint_id = checkpoint.pk
        AccessEvent.objects.create(
            action=Action.DELETE,
            object_type="accessevent",
            outcome=AccessEvent.Outcome.ALLOWED,
            purpose="retention",
            detail={"cutoff": cutoff.isoformat(), "removed": removed, "checkpoint": checkpoint_id},
        )
    logger.info("audit prune: %s events older than %s removed", removed, cutoff)
    return removed
