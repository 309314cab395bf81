"""Two real worker processes racing over the same batches of notification ids, against
PostgreSQL and a Redis of our own (the workers and Redis of ``test_worker_integration``): each
notification is delivered and e-mailed exactly once, whichever worker claims it."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.utils import timezone

from apps.notifications.models import Notification
from apps.notifications.reminders import notifications_insert
from apps.notifications.rows import due_row
from apps.plans.models import Plan
from tests.coordination import test_worker_integration as base

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

redis = base.redis
workers = base.workers

K = Notification.Kind


def _both_ready(sender: Celery, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(sender.control.ping(timeout=1) or []) >= 2:
            return
    pytest.fail("the two workers did not both come up")


def test_two_workers_racing_over_the_same_ids_deliver_each_once(world, workers, redis):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = base.due_plans(world, 60)
    today = timezone.localdate()
    # The rows as a sweep makes them, without its enqueue: the race is ours to start. No beat,
    # so no sweep sends anything of its own.
    ids = notifications_insert(
        [due_row(K.REVIEW_DUE, world.coordinator.pk, plan_id=p, due=today) for p in plan_ids]
    )
    assert len(ids) == 60
    sender = Celery(broker=redis.url)
    workers.start("w1", beat=False, delay=0.01)
    workers.start("w2", beat=False, delay=0.01)
    _both_ready(sender)
    # Every id in several batches at once: the same chunks three times, chunks shifted by
    # five, and the whole list; six pool processes in two workers take them together.
    batches = [ids[i : i + 10] for i in range(0, 60, 10)] * 3
    batches += [ids[i : i + 10] for i in range(5, 60, 10)] + [ids, ids[::-1]]
    for batch in batches:
        sender.send_task("workers.tasks.notifications_deliver", args=[batch])
    base.wait_delivered(workers, 60)
    time.sleep(2)  # anything still running finishes
    base.assert_exactly_once(workers, plan_ids)
    assert sum(workers.mails().values()) == 60
    rows = Notification.objects.filter(pk__in=ids)
    assert not rows.filter(email_sent_at__isnull=True).exists()
    logs = {name: (workers.tmp / f"{name}.log").read_text() for name in ("w1", "w2")}
    for name, log in logs.items():
        assert "notifications_deliver" in log, f"{name} took no batch:\n{log[-3000:]}"
