"""Redis stopped and started again while the web service and a worker run (issue 13, faults).

``tests/coordination/test_worker_integration.py`` already stops Redis during a sweep and shows
the worker's side: reminders made while it was away are delivered once it is back. This adds
the web service's side: with Redis gone, the API (gunicorn, production settings) keeps
serving reads and writes, a handover proposed meanwhile is stored with its notification (the
outbox is in the database), a plan activated meanwhile makes its review due, ``/readyz`` says
the broker is away while the database is fine; once Redis is back everything is delivered,
each notification e-mailed exactly once. A Redis of the test's own; the machine's is never
stopped.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apps.access.tokens import token_issue
from apps.notifications.models import Notification
from apps.plans.models import Plan
from tests.coordination import test_worker_integration as base
from tests.faults.services import Web, service_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

redis = base.redis
workers = base.workers

# Any answer must come within this many seconds while Redis is away (no hanging on it).
PATIENCE = 10


def _web(tmp_path: Path, redis_url: str) -> Web:
    env = service_env(
        base._database_url(),
        tmp_path / "web-var",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        # The test world's citizens were written with the test settings' keys.
        KIP_CPR_HASH_KEY="test-cpr-hash-key",
        KIP_CPR_ENCRYPTION_KEY="test-cpr-encryption-key",
        DB_CONN_MAX_AGE="0",
    )
    return Web(env, tmp_path / "web.log", workers=1)


def _timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    answer = call(*args, **kwargs)
    took = time.monotonic() - started
    assert took < PATIENCE, f"{args[:2]} took {took:.1f} s with Redis away"
    return answer


def test_api_serves_without_redis_and_reminders_catch_up(world, workers, redis, tmp_path):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DRAFT)
    plan_ids = base.due_plans(world, 30)
    waiting = plan_ids[20:]  # activated through the API while Redis is away
    Plan.objects.filter(pk__in=waiting).update(status=Plan.Status.DRAFT)
    token = token_issue(user=world.coordinator).key
    api = {"Authorization": f"Token {token}", "X-Organisation": str(world.orgs["addiction"].pk)}
    worker = workers.start("w1", delay=0.01)
    web = _web(tmp_path, redis.url)
    try:
        base.wait_delivered(workers, 20)
        assert web.get("/readyz").status == 200

        redis.stop()
        ready = _timed(web.get, "/readyz")
        assert ready.status == 503, ready
        assert ready.json()["checks"] == {"database": True, "broker": False}
        listed = _timed(web.get, "/api/v1/plans/", api)
        assert listed.status == 200, listed
        assert {p["id"] for p in listed.json()["results"]} >= set(plan_ids[:20])
        for pk in waiting:
            seen = _timed(web.get, f"/api/v1/plans/{pk}/", api)
            assert seen.status == 200, seen
            headers = {**api, "If-Match": seen.headers["etag"]}
            changed = _timed(
                web.request,
                "PATCH",
                f"/api/v1/plans/{pk}/",
                headers,
                {"status": "active", "hopes": "Skrevet uden Redis"},
            )
            assert changed.status == 200, changed
        proposed = _timed(
            web.request,
            "POST",
            f"/api/v1/plans/{plan_ids[0]}/handovers/",
            api,
            {"to_user": world.colleague.pk, "note": "Overdragelse uden Redis"},
        )
        assert proposed.status == 201, proposed
        # The outbox holds the handover's notification, not yet delivered.
        told = Notification.objects.get(kind="handover_proposed", handover_id=proposed.json()["id"])
        assert told.delivered_at is None
        assert Plan.objects.filter(pk__in=waiting, status="active").count() == len(waiting)
        time.sleep(3)  # beat's sweeps fail to reach the broker meanwhile

        redis.start()  # same port, empty: whatever was queued is gone
        assert _timed(web.get, "/readyz").status == 200
        time.sleep(2)
        if worker.poll() is not None:
            # kombu may end the worker on a lost connection; the supervisor restarts it.
            workers.start("w1-restarted", delay=0.01)
        base.wait_delivered(workers, 30, timeout=120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            told.refresh_from_db()
            if told.delivered_at is not None:
                break
            time.sleep(0.5)
        time.sleep(3)  # more sweeps: nothing new, nothing sent again
    finally:
        web.stop()
    base.assert_exactly_once(workers, plan_ids)
    told.refresh_from_db()
    assert told.delivered_at is not None, workers.logs()
    assert workers.mails()[str(told.pk)] == 1
