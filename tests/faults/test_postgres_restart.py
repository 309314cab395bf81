"""PostgreSQL stopped and started again under a stream of requests (issue 13, faults).

A PostgreSQL of the test's own (the machine's is never stopped) serves the web service under
gunicorn (production settings, persistent connections). A few threads read and write through
the API and the pages while the database goes away for a few seconds and comes back. Every
answer must be a correct one (200, 201, 412) or a clean 503: JSON with ``Retry-After`` on the
API, our own page elsewhere, never a 500 or a traceback. Once the database is back, requests
succeed again with the same gunicorn workers (no restart), and nothing is half-written: every
write that answered 200 has its audit event, and each plan's version moved by exactly the
writes recorded in the trail.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.faults.services import ROOT, Answer, PrivatePostgres, Web, service_env

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

DOWN_SECONDS = 3


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    server.start()
    server.create_database()
    yield server
    server.destroy()


def _connect(server: PrivatePostgres) -> Any:
    import psycopg

    return psycopg.connect(server.url.replace("postgres://", "postgresql://"))


def _updates(server: PrivatePostgres, plan: int) -> int:
    """The plan's update events in the trail (each write of the plan records one)."""
    with _connect(server) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_accessevent WHERE action = 'update'"
            " AND object_type = 'plan' AND object_id = %s",
            [str(plan)],
        ).fetchone()
    return int(row[0])


def _prepare(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.prepare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


class Traffic:
    """Threads that keep asking; every answer written down with when it was asked."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.answers: list[tuple[float, str, int | None, Answer]] = []
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()

    def note(self, asked: float, kind: str, plan: int | None, answer: Answer) -> None:
        answer.answered = time.monotonic()
        with self.lock:
            self.answers.append((asked, kind, plan, answer))

    def run(self, target: Any, *args: Any) -> None:
        def loop() -> None:
            while not self.stop.is_set():
                target(*args)
                time.sleep(0.02)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def test_postgres_restarted_under_load(private_postgres: PrivatePostgres, tmp_path: Path):
    env = service_env(
        private_postgres.url,
        tmp_path / "var",
        DB_CONN_MAX_AGE="60",  # persistent connections: the ones the restart breaks
        KIP_WEB_MAX_REQUESTS="0",  # no planned worker restarts in the middle
        KIP_WEB_THREADS="4",
    )
    cast = _prepare(env)
    web = Web(env, tmp_path / "web.log", workers=2)
    try:
        api = {"Authorization": f"Token {cast['token']}", "X-Organisation": str(cast["org"])}
        page = {"Cookie": cast["cookie"]}
        listed = web.get("/api/v1/plans/", api)
        assert listed.status == 200, listed
        plans = [p["id"] for p in listed.json()["results"] if p["status"] != "closed"][:2]
        assert plans, "the demo gives the addiction caseworker open plans"
        versions_before = {p: web.get(f"/api/v1/plans/{p}/", api).json()["version"] for p in plans}
        updates_before = {p: _updates(private_postgres, p) for p in plans}
        assert web.get("/", page).status == 200
        pids = web.worker_pids()
        traffic = Traffic(web)

        def read() -> None:
            asked = time.monotonic()
            traffic.note(asked, "list", None, web.get("/api/v1/plans/", api))
            asked = time.monotonic()
            traffic.note(asked, "detail", plans[0], web.get(f"/api/v1/plans/{plans[0]}/", api))

        def pages() -> None:
            asked = time.monotonic()
            traffic.note(asked, "my work", None, web.get("/", page))
            asked = time.monotonic()
            traffic.note(asked, "plan page", plans[0], web.get(f"/plans/{plans[0]}/", page))

        def write(plan: int) -> None:
            asked = time.monotonic()
            seen = web.get(f"/api/v1/plans/{plan}/", api)
            traffic.note(asked, "detail", plan, seen)
            if seen.status != 200:
                return
            headers = {**api, "If-Match": seen.headers["etag"]}
            body = {"hopes": f"Skrevet {time.time():.6f}"}
            asked = time.monotonic()
            answer = web.request("PATCH", f"/api/v1/plans/{plan}/", headers, body)
            traffic.note(asked, "edit", plan, answer)

        traffic.run(read)
        traffic.run(pages)
        for plan in plans:
            traffic.run(write, plan)
        time.sleep(2)
        down_at = time.monotonic()
        private_postgres.stop()
        ready_down = web.get("/readyz")
        time.sleep(DOWN_SECONDS)
        private_postgres.start()
        up_at = time.monotonic()
        time.sleep(4)
        traffic.finish()
        ready_up = web.get("/readyz")
        after = [
            web.get("/api/v1/plans/", api),
            web.get(f"/api/v1/plans/{plans[0]}/", api),
            web.get("/", page),
            web.get(f"/plans/{plans[0]}/", page),
        ]
        same_workers = web.worker_pids() == pids
    finally:
        web.stop()

    answers = traffic.answers
    statuses = Counter((kind, a.status) for _t, kind, _p, a in answers)
    wrong = [(kind, a) for _t, kind, _p, a in answers if a.status not in (200, 201, 412, 503)]
    assert not wrong, f"answers other than 200/201/412/503: {wrong[:5]}\n{web.log()}"
    assert not any(b"Traceback" in a.body for *_x, a in answers)
    unavailable = [(kind, a) for _t, kind, _p, a in answers if a.status == 503]
    assert len(unavailable) >= 4, f"the outage should have been seen: {statuses}"
    for kind, a in unavailable:
        assert a.headers.get("retry-after", "").isdigit(), (kind, a)
        if kind in ("list", "detail", "edit"):
            assert a.headers["content-type"].startswith("application/json"), (kind, a)
            assert a.json()["code"] == "service_unavailable", (kind, a)
        else:
            assert a.headers["content-type"].startswith("text/html"), (kind, a)
            assert "<h1>" in a.text, (kind, a)
    # Only while the database was away: answered after its stop began, asked before it was
    # back (a request asked just before the stop may well land in it).
    assert min(a.answered for _k, a in unavailable) >= down_at
    assert max(t for t, _k, _p, a in answers if a.status == 503) <= up_at + 1
    assert ready_down.status == 503
    assert ready_down.json()["checks"]["database"] is False
    # Back again: the same gunicorn workers answer, and everything succeeds.
    assert ready_up.status == 200, ready_up
    assert [a.status for a in after] == [200, 200, 200, 200], after
    assert same_workers, "gunicorn's workers were replaced"
    assert statuses[("edit", 200)] > 0, statuses

    # Nothing half-written: each plan's version moved by the writes the trail records, and
    # every write answered 200 has its one update event (found by the answer's request id).
    for plan in plans:
        ok = sum(1 for _t, k, p, a in answers if k == "edit" and p == plan and a.status == 200)
        maybe = sum(1 for _t, k, p, a in answers if k == "edit" and p == plan and a.status == 503)
        with _connect(private_postgres) as conn:
            (version,) = conn.execute(
                "SELECT version FROM plans_plan WHERE id = %s", [plan]
            ).fetchone()
        moved = version - versions_before[plan]
        assert moved == _updates(private_postgres, plan) - updates_before[plan], plan
        assert ok <= moved <= ok + maybe, (plan, moved, ok, maybe)
    with _connect(private_postgres) as conn:
        for _t, kind, _p, a in answers:
            if kind == "edit" and a.status == 200:
                (events,) = conn.execute(
                    "SELECT count(*) FROM audit_accessevent WHERE request_id = %s"
                    " AND action = 'update'",
                    [a.headers["x-request-id"]],
                ).fetchone()
                assert events == 1, a.headers["x-request-id"]
