"""The append-only trigger on PostgreSQL: no UPDATE, no DELETE, except retention."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.chain import audit_seal
from apps.audit.models import AccessEvent, AuditCheckpoint, AuditSeal
from apps.audit.retention import audit_prune

pytestmark = pytest.mark.postgres
LATER = datetime.timedelta(minutes=1)


def _refused(sql: str, params: list | None = None) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params or [])


def test_events_cannot_be_updated_or_deleted(world):
    event = AccessEvent.objects.first()
    _refused("UPDATE audit_accessevent SET purpose = 'x' WHERE id = %s", [event.pk])
    _refused("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(outcome="denied")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.filter(pk=event.pk, outcome=event.outcome).exists()


def test_seals_and_checkpoints_cannot_be_changed(world):
    audit_seal(now=timezone.now() + LATER)
    seal = AuditSeal.objects.first()
    _refused("UPDATE audit_auditseal SET hash = 'x' WHERE seq = %s", [seal.seq])
    _refused("DELETE FROM audit_auditseal WHERE seq = %s", [seal.seq])
    AuditCheckpoint.objects.create(up_to_seq=0, hash="0" * 64, cutoff=timezone.now())
    _refused("DELETE FROM audit_auditcheckpoint")
    _refused("UPDATE audit_auditcheckpoint SET up_to_seq = 999999")


def test_retention_deletes_only_what_a_checkpoint_covers(world):
    future = timezone.now() + datetime.timedelta(days=10)
    removed = audit_prune(now=future, days=5)
    assert removed > 0
    # a fresh event, not covered by any checkpoint, still cannot go
    world.client(world.coordinator).get(f"/api/v1/plans/{world.plan.pk}/")
    newest = AccessEvent.objects.order_by("-id").first()
    _refused("DELETE FROM audit_accessevent WHERE id = %s", [newest.pk])
