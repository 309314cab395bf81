"""A real Celery worker (and beat) against PostgreSQL and a Redis we start ourselves:
due reminders are delivered exactly once, even when the worker is killed mid-batch, two
sweeps run at once, or Redis goes away during a sweep."""

from __future__ import annotations

import datetime
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from apps.citizens.services import citizen_register, consent_give
from apps.notifications.models import Notification
from apps.plans.models import Plan
from apps.plans.services import plan_create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """Our own redis-server: the machine's Redis is never touched."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s['USER']}{password}@{s.get('HOST') or '127.0.0.1'}:"
        f"{s.get('PORT') or 5432}/{s['NAME']}"
    )


class Workers:
    def __init__(self, tmp: Path, redis: Redis) -> None:
        self.tmp = tmp
        self.redis = redis
        self.procs: list[subprocess.Popen] = []
        self.mail = tmp / "mail"
        self.mail.mkdir()

    def start(self, name: str, *, beat: bool = True, delay: float = 0.0) -> subprocess.Popen:
        var = self.tmp / name
        var.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kip_service.settings.local",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "KIP_VAR_DIR": str(var),
            "EMAIL_BACKEND": "tests.coordination.mailbackend.SlowFileBackend",
            "KIP_TEST_MAIL_DELAY": str(delay),
            "KIP_SWEEP_SECONDS": "2",
            "KIP_NOTIFICATION_CLAIM_LEASE_SECONDS": "4",
            "KIP_NOTIFICATION_REQUEUE_AFTER_SECONDS": "2",
            "KIP_NOTIFICATION_BATCH_SIZE": "10",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONPATH": str(ROOT),
        }
        # EMAIL_FILE_PATH follows KIP_VAR_DIR; all workers share one mail folder via a link.
        (var / "mail").symlink_to(self.mail)
        args = [
            CELERY,
            "-A",
            "kip_service",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "3",
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            args.append("-B")
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool: no goodbye, no ack, no cleanup."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)

    def mails(self) -> Counter:
        ids: Counter = Counter()
        for path in self.mail.glob("*"):
            ids.update(re.findall(r"^X-KIP-Notification: (\d+)$", path.read_text(), re.M))
        return ids

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.tmp.glob("*.log"))


@pytest.fixture
def workers(tmp_path, redis):
    pool = Workers(tmp_path, redis)
    yield pool
    pool.stop_all()


def due_plans(world, n: int) -> list[int]:
    """n active plans whose review is due today, coordinated by the world's coordinator,
    each made as people make them: consent first, then the plan shared within it (the sweep
    and delivery remind only those the citizen's consent lets see the plan)."""
    actor = world.actor(world.coordinator, "addiction")
    addiction = world.orgs["addiction"].pk
    today = timezone.localdate()
    plans = []
    for i in range(n):
        citizen = citizen_register(actor=actor, cpr_number=f"01019{i:05d}", name=f"Borger {i}")
        consent_give(
            actor=actor,
            citizen_id=citizen.pk,
            organisation_ids=[addiction],
            form="written",
            given_at=timezone.now() - datetime.timedelta(hours=1),
        )
        plan = plan_create(
            actor=actor,
            citizen_id=citizen.pk,
            coordinator_user_id=world.coordinator.pk,
            coordinator_organisation_id=addiction,
            participant_ids=[addiction],
            next_review=today,
            status=Plan.Status.ACTIVE,
        )
        plans.append(plan.pk)
    return plans


def wait_delivered(workers: Workers, expected: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = Notification.objects.filter(kind="review_due", delivered_at__isnull=False).count()
        if done >= expected and sum(workers.mails().values()) >= expected:
            return
        time.sleep(0.5)
    pytest.fail(f"not delivered in time: {done}/{expected}\n{workers.logs()}")


def assert_exactly_once(workers: Workers, plan_ids: list[int]) -> None:
    rows = Notification.objects.filter(kind="review_due", plan_id__in=plan_ids)
    assert rows.count() == len(plan_ids)  # one row per due plan: none lost, none twice
    assert not rows.filter(delivered_at__isnull=True).exists()
    mails = workers.mails()
    ids = {str(pk) for pk in rows.values_list("pk", flat=True)}
    assert set(mails) >= ids
    twice = {k: v for k, v in mails.items() if v != 1}
    assert twice == {}, f"mailed more than once: {twice}"


def test_due_reminders_delivered_exactly_once(world, workers):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = due_plans(world, 30)
    workers.start("w1")
    wait_delivered(workers, 30)
    time.sleep(5)  # more sweeps run: nothing new, nothing re-sent
    assert_exactly_once(workers, plan_ids)


def test_worker_killed_mid_batch_then_restarted(world, workers):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = due_plans(world, 120)
    first = workers.start("w1", delay=0.05)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        delivered = Notification.objects.filter(delivered_at__isnull=False).count()
        if delivered >= 10:
            break
        time.sleep(0.1)
    workers.kill(first)
    partial = Notification.objects.filter(delivered_at__isnull=False).count()
    assert 0 < partial < 120, "the kill should land mid-batch"
    workers.start("w2", delay=0.01)
    wait_delivered(workers, 120)
    time.sleep(3)
    assert_exactly_once(workers, plan_ids)
    assert Notification.objects.filter(attempts__gt=1).exists() or partial == 120


def test_two_sweeps_at_once(world, workers, redis):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = due_plans(world, 60)
    # Two workers, each with its own beat: their sweeps overlap; plus a burst of extra sweeps.
    workers.start("w1", delay=0.01)
    workers.start("w2", delay=0.01)
    sender = Celery(broker=redis.url)
    for _ in range(6):
        sender.send_task("workers.tasks.sweep")
    wait_delivered(workers, 60)
    time.sleep(4)
    assert_exactly_once(workers, plan_ids)


def test_redis_stopped_and_started_during_a_sweep(world, workers, redis):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    worker = workers.start("w1", delay=0.02)
    time.sleep(4)  # the worker is up and sweeping
    redis.stop()
    plan_ids = due_plans(world, 40)  # due while the broker is away
    time.sleep(5)  # sweeps insert rows; their enqueue (and beat's) fail
    redis.start()  # same port, empty: every queued message is gone
    time.sleep(2)
    if worker.poll() is not None:
        # kombu's Redis transport may end the worker on a lost connection ("Unrecoverable
        # error"); in production the supervisor restarts it, as we do here.
        workers.start("w1-restarted", delay=0.02)
    wait_delivered(workers, 40, timeout=120)
    time.sleep(3)
    assert_exactly_once(workers, plan_ids)
