"""The safety net's notices through real workers (and beat) against PostgreSQL and a Redis of
our own, as ``test_worker_integration`` does for reviews: a consent running out, an agreement
due, a fast-start deadline, a plan unchanged for 90 days and a consent that ran out are each
delivered exactly once when two sweeps run at once, a worker is killed mid-batch, or Redis
stops and starts during a sweep; a consent that ran out is recorded exactly once."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from celery import Celery
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.citizens.models import Consent
from apps.citizens.services import citizen_register, consent_give
from apps.notifications.models import Notification
from apps.plans.models import Agreement, Plan
from apps.plans.services import plan_create
from tests.coordination import test_worker_integration as base
from tests.coordination.test_worker_integration import Workers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

# The real Redis and workers of the reviews' integration test, as fixtures here too.
redis = base.redis
workers = base.workers

K = Notification.Kind
# Each plan of the world makes one of each; the plans whose consent ran out one more.
EACH = (K.CONSENT_EXPIRING, K.AGREEMENT_DUE, K.FAST_START_DUE, K.PLAN_INACTIVE)
KINDS = (*EACH, K.CONSENT_EXPIRED)


def safety_world(world: Any, n: int, ran_out: int, start: int = 0) -> dict[str, int]:
    """``n`` active plans coordinated by the world's coordinator, each due today for every
    kind in EACH; ``ran_out`` more whose only consent ran out an hour ago (the coordinator is
    told about each once, without the plan). Returns the notices expected, by kind."""
    actor = world.actor(world.coordinator, "addiction")
    addiction = world.orgs["addiction"].pk
    now = timezone.now()
    today = timezone.localdate()
    for i in range(start, start + n + ran_out):
        citizen = citizen_register(actor=actor, cpr_number=f"02028{i:05d}", name=f"Borger {i}")
        consent = consent_give(
            actor=actor,
            citizen_id=citizen.pk,
            organisation_ids=[addiction],
            form="written",
            given_at=now - dt.timedelta(days=200),
            # The 7-day notice; or, for a consent that is to have run out, none meanwhile.
            expires_at=now + dt.timedelta(days=5 if i < start + n else 60),
        )
        plan = plan_create(
            actor=actor,
            citizen_id=citizen.pk,
            coordinator_user_id=world.coordinator.pk,
            coordinator_organisation_id=addiction,
            participant_ids=[addiction],
            status=Plan.Status.ACTIVE,
        )
        if i >= start + n:
            Consent.objects.filter(pk=consent.pk).update(expires_at=now - dt.timedelta(hours=1))
            continue
        Agreement.objects.create(
            plan=plan, text="Ring", responsible=world.coordinator, due=today, done=False
        )
        # Motivated some days ago: the first effort is due today (reminded, not yet missed);
        # and nothing changed on the plan for 91 days.
        Plan.objects.filter(pk=plan.pk).update(
            motivated_on=today - dt.timedelta(days=7),
            first_effort_due=today,
            updated=now - dt.timedelta(days=91),
        )
    return {**dict.fromkeys(EACH, n), K.CONSENT_EXPIRED: ran_out}


def wait_delivered(pool: Workers, expected: dict[str, int], timeout: float = 120) -> None:
    total = sum(expected.values())
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = Notification.objects.filter(kind__in=KINDS, delivered_at__isnull=False).count()
        if done >= total and sum(pool.mails().values()) >= total:
            return
        time.sleep(0.5)
    pytest.fail(f"not delivered in time: {done}/{total}\n{pool.logs()}")


def assert_exactly_once(pool: Workers, expected: dict[str, int]) -> None:
    rows = Notification.objects.filter(kind__in=KINDS)
    by_kind = {kind: rows.filter(kind=kind).count() for kind in KINDS}
    assert by_kind == expected  # one per plan and kind: none lost, none twice
    assert not rows.filter(delivered_at__isnull=True).exists()
    mails = pool.mails()
    ids = {str(pk) for pk in rows.values_list("pk", flat=True)}
    assert set(mails) >= ids
    twice = {k: v for k, v in mails.items() if v != 1}
    assert twice == {}, f"mailed more than once: {twice}"
    # Each consent that ran out is in the trail once.
    recorded = AccessEvent.objects.filter(
        action="consent", object_type="consent", actor__isnull=True
    )
    assert recorded.count() == expected[K.CONSENT_EXPIRED]
    assert len(set(recorded.values_list("object_id", flat=True))) == recorded.count()


def _quiet(world: Any) -> None:
    """The world's own plan stays out of it."""
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)


def test_two_sweeps_at_once(world, workers, redis):
    _quiet(world)
    expected = safety_world(world, 20, 5)
    workers.start("w1", delay=0.01)
    workers.start("w2", delay=0.01)
    sender = Celery(broker=redis.url)
    for _ in range(6):
        sender.send_task("workers.tasks.sweep")
    wait_delivered(workers, expected)
    time.sleep(4)  # more sweeps: nothing new, nothing re-sent
    assert_exactly_once(workers, expected)


def test_worker_killed_mid_batch_then_restarted(world, workers):
    _quiet(world)
    expected = safety_world(world, 25, 5)
    total = sum(expected.values())
    first = workers.start("w1", delay=0.05)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(delivered_at__isnull=False).count() >= 10:
            break
        time.sleep(0.1)
    workers.kill(first)
    partial = Notification.objects.filter(delivered_at__isnull=False).count()
    assert 0 < partial < total, "the kill should land mid-batch"
    workers.start("w2", delay=0.01)
    wait_delivered(workers, expected)
    time.sleep(3)
    assert_exactly_once(workers, expected)


def test_redis_stopped_and_started_during_a_sweep(world, workers, redis):
    _quiet(world)
    worker = workers.start("w1", delay=0.02)
    time.sleep(4)  # the worker is up and sweeping
    redis.stop()
    expected = safety_world(world, 15, 5)  # due while the broker is away
    time.sleep(5)  # sweeps insert rows and record the consents; their enqueue fails
    redis.start()  # same port, empty: every queued message is gone
    time.sleep(2)
    if worker.poll() is not None:
        workers.start("w1-restarted", delay=0.02)
    wait_delivered(workers, expected, timeout=150)
    time.sleep(3)
    assert_exactly_once(workers, expected)
