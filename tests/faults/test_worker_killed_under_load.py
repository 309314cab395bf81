"""A worker SIGKILLed while reminders keep falling due (issue 13, faults).

``tests/coordination/test_worker_integration.py::test_worker_killed_mid_batch_then_restarted``
kills a worker in the middle of one batch of reminders that were all due at the start, and
``tests/notifications/test_delivery_workers.py`` races two workers over the same ids. What
"under load" adds here: reminders fall due in a steady stream (five more plans' reviews every
0.3 s, found by beat's sweeps every 2 s) while the worker delivers them; the worker and its
pool are killed with SIGKILL in the middle of that, the stream goes on, and a new worker
started a moment later delivers the rest: every reminder exactly once, none lost.
"""

from __future__ import annotations

import time

import pytest
from celery import Celery

from apps.notifications.models import Notification
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

PLANS = 200
STEP = 5  # plans falling due every 0.3 s: a stream of about 12 s


def _ready(sender: Celery, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sender.control.ping(timeout=1):
            return
    pytest.fail("the worker did not come up")


def test_worker_killed_while_reminders_keep_falling_due(world, workers, redis):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = base.due_plans(world, PLANS)
    Plan.objects.filter(pk__in=plan_ids).update(status=Plan.Status.DRAFT)  # not due yet
    first = workers.start("w1", delay=0.05)
    _ready(Celery(broker=redis.url))  # the stream starts once the worker takes work
    activated = 0
    killed_at: int | None = None
    delivered_at_kill = 0
    second_started = False
    deadline = time.monotonic() + 90
    while activated < PLANS and time.monotonic() < deadline:
        Plan.objects.filter(pk__in=plan_ids[activated : activated + STEP]).update(
            status=Plan.Status.ACTIVE
        )
        activated += STEP
        time.sleep(0.3)
        delivered = Notification.objects.filter(delivered_at__isnull=False).count()
        if killed_at is None and delivered >= 15:
            workers.kill(first)  # mid-stream, most likely mid-batch (0.05 s per e-mail)
            killed_at, delivered_at_kill = activated, delivered
        elif killed_at is not None and not second_started and activated >= killed_at + 2 * STEP:
            workers.start("w2", delay=0.01)  # the stream went on without any worker
            second_started = True
    assert killed_at is not None, f"nothing delivered before the stream ended\n{workers.logs()}"
    assert activated == PLANS
    assert killed_at < PLANS, "the kill should land while reminders still fall due"
    if not second_started:
        workers.start("w2", delay=0.01)
    base.wait_delivered(workers, PLANS, timeout=120)
    time.sleep(3)  # more sweeps: nothing new, nothing sent again
    base.assert_exactly_once(workers, plan_ids)
    assert delivered_at_kill < PLANS
    # The second worker delivered what the first left, including the stream after the kill.
    logs = (workers.tmp / "w2.log").read_text(errors="replace")
    assert "notifications_deliver" in logs, logs[-3000:]
