"""Issue 4's benchmark: what auditing costs, and how fast the chain verifies.

``.venv/bin/python -m bench.audit``. Drops and recreates the PostgreSQL database
``kip_bench_audit`` (``DATABASE_URL``; the name must start with ``kip_bench_audit``), migrates,
builds the test personas' world, then, under gunicorn on loopback:

two servers, auditing on and auditing off (``KIP_AUDIT_OFF=1``, honoured only under
``bench.audit_settings``), each serving ``GET /api/v1/plans/{id}/`` (the full endpoint: token
auth, access check, one audit event, serializer) and ``GET /bench/bare/`` (a bare DRF view,
token auth). Each is measured as bounded loops of ``--requests`` requests from
``--concurrency`` client threads, in rounds interleaved across the two servers so that load
from elsewhere on the machine hits both alike. Goals: auditing costs at most 20 %
of the plan detail's throughput; the full endpoint reaches at least half the bare one.
Then ``--events`` (1,000,000) events are inserted with one SQL statement, sealed
(``audit_seal``) and verified (``audit_verify``), timed. Writes its section of
``bench/RESULTS.md`` and ``bench/out/audit.json``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
OUT = HERE / "out"
BEGIN, END = "<!-- bench:audit -->", "<!-- /bench:audit -->"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kip_bench_audit"
ROUNDS = 5


def _database_recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    if not name.startswith("kip_bench_audit"):
        sys.exit(f"refusing to drop {name!r}: the name must start with kip_bench_audit")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    from tests.conftest import build_world

    world = build_world()
    token = Token.objects.create(user=world.coordinator)
    found = {"token": token.key, "plan": world.plan.pk, "org": world.orgs["addiction"].pk}
    found["queries"] = _queries(found)
    return found


def _queries(world: dict[str, Any]) -> dict[str, int]:
    """Statements each endpoint sends (auditing on), to explain the throughput gap."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {world['token']}", HTTP_HOST="localhost")
    counts = {}
    for name, path in (("detail", f"/api/v1/plans/{world['plan']}/"), ("bare", "/bench/bare/")):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts[name] = len(captured.captured_queries)
    return counts


class Server:
    def __init__(
        self, port: int, workers: int, audit_off: bool, options: tuple[str, ...] = ()
    ) -> None:
        """``options``: more gunicorn options (bench.fastpath: the service's own config)."""
        env = {**os.environ, "KIP_AUDIT_OFF": "1" if audit_off else "0"}
        self.port = port
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "kip_service.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                *options,
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not come up")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _load(port: int, path: str, headers: dict[str, str], requests: int, concurrency: int) -> float:
    """Requests per second over a bounded loop of ``requests`` requests."""
    per_thread = requests // concurrency
    failures: list[int] = []

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_thread):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        conn.close()

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"{path}: {len(failures)} failed requests, e.g. {failures[0]}")
    return per_thread * concurrency / elapsed


def _measure(world: dict[str, Any], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Both servers up at once, rounds interleaved (on, off, on, off ...), so that load from
    elsewhere on the machine hits both alike; the best round of each counts."""
    servers = {
        "on": Server(args.port, args.workers, audit_off=False),
        "off": Server(args.port + 1, args.workers, audit_off=True),
    }
    headers = {"Authorization": f"Token {world['token']}", "X-Organisation": str(world["org"])}
    paths = {"detail": f"/api/v1/plans/{world['plan']}/", "bare": "/bench/bare/"}
    rates = {mode: {name: [] for name in paths} for mode in servers}
    try:
        for server in servers.values():  # warm-up
            for path in paths.values():
                _load(server.port, path, headers, args.concurrency * 20, args.concurrency)
        for _ in range(ROUNDS):
            for name, path in paths.items():
                for mode, server in servers.items():
                    rates[mode][name].append(
                        _load(server.port, path, headers, args.requests // ROUNDS, args.concurrency)
                    )
    finally:
        for server in servers.values():
            server.stop()
    return {
        mode: {name: max(values) for name, values in by_name.items()}
        for mode, by_name in rates.items()
    }


def _chain(events: int) -> dict[str, float]:
    from django.db import connection

    from apps.audit.chain import audit_seal, audit_verify

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (at, actor_id, organisation_id, action, object_type,"
            " object_id, citizen_id, purpose, outcome, detail, request_id, client_address)"
            " SELECT now() - interval '2 hours' + g * interval '1 millisecond', a.actor_id,"
            " a.organisation_id, 'view', 'plan', a.object_id, a.citizen_id,"
            " 'treatment_and_coordination', 'allowed', '{}'::jsonb, md5(g::text), '127.0.0.1'"
            " FROM generate_series(1, %s) g,"
            " (SELECT * FROM audit_accessevent WHERE actor_id IS NOT NULL LIMIT 1) a",
            [events],
        )
        cursor.execute("ANALYZE audit_accessevent")
    started = time.perf_counter()
    sealed = audit_seal(limit=10**12)
    seal_seconds = time.perf_counter() - started

    def progress(done: int) -> None:
        print(f"\r  verified {done:,}", end="", flush=True)

    started = time.perf_counter()
    result = audit_verify(progress=progress)
    verify_seconds = time.perf_counter() - started
    print()
    if result.broken is not None:
        sys.exit(f"chain broken: {result.broken}")
    return {
        "sealed": sealed,
        "seal_seconds": seal_seconds,
        "seal_rate": sealed / seal_seconds,
        "verified": result.checked,
        "verify_seconds": verify_seconds,
        "verify_rate": result.checked / verify_seconds,
    }


def _write(figures: dict[str, Any], command: str) -> None:
    on, off, chain = figures["on"], figures["off"], figures["chain"]
    cost = 1 - on["detail"] / off["detail"]
    share = on["detail"] / on["bare"]
    lines = [
        BEGIN,
        "## audit (issue 4): the cost of auditing, and chain verification",
        "",
        f"Run {figures['when']} on {figures['machine']}; PostgreSQL `kip_bench_audit` on "
        f"loopback; gunicorn, {figures['workers']} sync workers; {figures['requests']} "
        f"requests per endpoint and server in {ROUNDS} interleaved rounds (best round), "
        f"{figures['concurrency']} keep-alive client threads on the same machine.",
        "",
        "```sh",
        command,
        "```",
        "",
        "| endpoint | auditing on (req/s) | auditing off (req/s) |",
        "| --- | ---: | ---: |",
        f"| `GET /api/v1/plans/{{id}}/` | {on['detail']:.0f} | {off['detail']:.0f} |",
        f"| bare DRF view (token auth) | {on['bare']:.0f} | {off['bare']:.0f} |",
        "",
        f"- Auditing costs **{cost:.0%}** of the plan detail's throughput "
        f"(goal: at most 20 %): {'met' if cost <= 0.20 else 'NOT met'}.",
        f"- The full endpoint with auditing reaches **{share:.0%}** of the bare one "
        f"(goal: at least 50 %): {'met' if share >= 0.5 else 'NOT met'}. The plan detail "
        f"sends {figures['queries']['detail']} SQL statements (token, memberships, "
        "break-the-glass check, plan, the audit INSERT, four prefetches) against the bare "
        f"view's {figures['queries']['bare']}; auditing is one of them (the cost above), the "
        "rest is the plan endpoint's own reads.",
        f"- Sealing {chain['sealed']:,} events: {chain['seal_seconds']:.1f} s "
        f"({chain['seal_rate']:,.0f} events/s); `verify_audit` over "
        f"{chain['verified']:,} events: {chain['verify_seconds']:.1f} s "
        f"(**{chain['verify_rate']:,.0f} events/s**).",
        END,
    ]
    section = "\n".join(lines)
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section + "\n")
    )
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8741)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.audit_settings"
    _database_recreate(url)
    world = _setup()
    print("auditing on and off, interleaved ...", flush=True)
    measured = _measure(world, args)
    on, off = measured["on"], measured["off"]
    print(f"  on {on}\n  off {off}\nchain: {args.events:,} events ...", flush=True)
    chain = _chain(args.events)
    print(f"  {chain}")
    import platform

    figures = {
        "on": on,
        "off": off,
        "queries": world["queries"],
        "chain": chain,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "audit.json").write_text(json.dumps(figures, indent=2))
    command = ".venv/bin/python -m bench.audit" + (
        " " + " ".join(argv if argv is not None else sys.argv[1:])
        if (argv if argv is not None else sys.argv[1:])
        else ""
    )
    _write(figures, command)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
