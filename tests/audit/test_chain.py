"""The hash chain on both databases: sealing, verification, tampering, gaps, retention."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from apps.audit.chain import audit_seal, audit_verify
from apps.audit.models import AccessEvent, AuditCheckpoint, AuditSeal
from apps.audit.retention import audit_prune

LATER = datetime.timedelta(minutes=1)


def _read_plan(world, times: int = 3) -> None:
    client = world.client(world.coordinator)
    for _ in range(times):
        assert client.get(f"/api/v1/plans/{world.plan.pk}/").status_code == 200


def _raw(sql: str, params: list) -> None:
    """Bypass the ORM and, on PostgreSQL, the append-only trigger (as a superuser could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


_raw_seal = _raw


def test_every_event_is_sealed_in_order_and_the_chain_verifies(world):
    _read_plan(world)
    sealed = audit_seal(now=timezone.now() + LATER)
    assert sealed == AccessEvent.objects.count() > 0
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.event_id for s in seals] == sorted(s.event_id for s in seals)
    assert all(a.hash == b.prev_hash for a, b in itertools.pairwise(seals))
    result = audit_verify(now=timezone.now() + LATER)
    assert result.broken is None
    assert result.checked == sealed
    assert audit_seal(now=timezone.now() + LATER) == 0  # nothing twice


def test_events_younger_than_the_grace_period_wait(world):
    _read_plan(world, 1)
    assert audit_seal(now=timezone.now()) == 0
    assert AuditSeal.objects.count() == 0


def test_a_late_commit_below_sealed_ids_is_appended_not_skipped(world):
    _read_plan(world, 2)
    last = AccessEvent.objects.order_by("-id").first()
    # The slow transaction's row: a lower id than rows sealed already, committed later.
    hidden = AccessEvent.objects.filter(pk__lt=last.pk).order_by("-id").first()
    kept = {f.name: getattr(hidden, f.name) for f in AccessEvent._meta.fields}
    _raw("DELETE FROM audit_accessevent WHERE id = %s", [hidden.pk])
    audit_seal(now=timezone.now() + LATER)
    _raw(
        "INSERT INTO audit_accessevent (id, at, action, object_type, object_id, purpose, outcome,"
        " detail, request_id, actor_id, organisation_id, citizen_id) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            hidden.pk,
            kept["at"],
            kept["action"],
            kept["object_type"],
            kept["object_id"],
            kept["purpose"],
            kept["outcome"],
            "{}",
            kept["request_id"],
            kept["actor"].pk,
            kept["organisation"].pk,
            kept["citizen_id"],
        ],
    )
    assert audit_seal(now=timezone.now() + LATER) == 1
    assert AuditSeal.objects.order_by("-seq").first().event_id == hidden.pk
    assert audit_verify(now=timezone.now() + LATER).broken is None


@pytest.mark.parametrize("tamper", ["change", "delete", "insert", "reseal"])
def test_tampering_with_any_single_row_is_found(world, tamper):
    _read_plan(world, 4)
    audit_seal(now=timezone.now() + LATER)
    events = list(AccessEvent.objects.order_by("id"))
    victim = events[len(events) // 2]
    if tamper == "change":
        _raw("UPDATE audit_accessevent SET purpose = %s WHERE id = %s", ["curiosity", victim.pk])
    elif tamper == "delete":
        _raw("DELETE FROM audit_accessevent WHERE id = %s", [victim.pk])
    elif tamper == "insert":
        # Replace the row and its seal with a forged event: an insert in the sealed range.
        _raw("DELETE FROM audit_accessevent WHERE id = %s", [victim.pk])
        _raw_seal("DELETE FROM audit_auditseal WHERE event_id = %s", [victim.pk])
        _raw(
            "INSERT INTO audit_accessevent (id, at, action, object_type, object_id, purpose,"
            " outcome, detail, request_id) VALUES (%s, %s, 'view', 'plan', '1', '', 'allowed',"
            " '{}', '')",
            [victim.pk, victim.at],
        )
    elif tamper == "reseal":  # rewrite a seal's hash to match a changed row
        _raw("UPDATE audit_accessevent SET outcome = 'denied' WHERE id = %s", [victim.pk])
        _raw_seal("UPDATE audit_auditseal SET hash = %s WHERE event_id = %s", ["f" * 64, victim.pk])
    result = audit_verify(now=timezone.now() + LATER)
    assert result.broken is not None
    # A removed seal shows at its successor's link; everything else at the victim.
    assert result.broken.event_id in (victim.pk, events[len(events) // 2 + 1].pk)
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


def test_inserting_a_row_in_the_sealed_range_is_found(world):
    _read_plan(world, 3)
    gap = AccessEvent.objects.order_by("-id").first().pk + 5
    # A row far above: the ids between are a hole, as rolled-back inserts leave.
    _raw(
        "INSERT INTO audit_accessevent (id, at, action, object_type, object_id, purpose,"
        " outcome, detail, request_id) VALUES (%s, %s, 'view', 'plan', '1', '', 'allowed',"
        " '{}', '')",
        [gap + 1000, timezone.now()],
    )
    audit_seal(now=timezone.now() + LATER)
    forged = gap + 500
    _raw(
        "INSERT INTO audit_accessevent (id, at, action, object_type, object_id, purpose,"
        " outcome, detail, request_id) VALUES (%s, %s, 'view', 'plan', '1', '', 'allowed',"
        " '{}', '')",
        [forged, timezone.now() - datetime.timedelta(days=1)],
    )
    result = audit_verify(now=timezone.now() + LATER)
    assert result.broken is not None
    assert result.broken.event_id == forged


def test_verify_command_reports_an_intact_chain(world, capsys):
    _read_plan(world, 2)
    audit_seal(now=timezone.now() + LATER)
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_prune_removes_old_events_behind_a_checkpoint_and_the_rest_verifies(world):
    _read_plan(world, 3)
    old_ids = set(AccessEvent.objects.values_list("id", flat=True))
    future = timezone.now() + datetime.timedelta(days=40)
    with time_machine.travel(future - datetime.timedelta(days=1), tick=False):
        _read_plan(world, 2)  # events that stay
    young_ids = set(AccessEvent.objects.values_list("id", flat=True)) - old_ids
    removed = audit_prune(now=future, days=30)
    assert removed == len(old_ids)
    assert not AccessEvent.objects.filter(id__in=old_ids).exists()
    assert AccessEvent.objects.filter(id__in=young_ids).count() == len(young_ids)
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.events_removed == len(old_ids)
    prune_event = AccessEvent.objects.get(purpose="retention")
    assert prune_event.detail["removed"] == len(old_ids)
    audit_seal(now=future + LATER)
    assert audit_verify(now=future + LATER).broken is None
    # a second prune later cuts behind the first checkpoint and still verifies
    assert audit_prune(now=future + datetime.timedelta(days=60), days=30) == len(young_ids) + 1
    assert AuditCheckpoint.objects.count() == 2
    assert audit_verify(now=future + datetime.timedelta(days=61)).broken is None


def test_prune_command_logs_itself(world, capsys):
    _read_plan(world, 1)
    call_command("prune_audit", "--days", "1826")
    assert "removed 0" in capsys.readouterr().out
    assert AccessEvent.objects.filter(purpose="retention", action="delete").count() == 1
