"""The fast path's benchmark: the plan endpoints and pages against a bare DRF view.

``.venv/bin/python -m bench.fastpath``. Drops and recreates the PostgreSQL database
``kip_bench_audit_fastpath`` (``DATABASE_URL``; the name must start with ``kip_bench_audit``),
migrates, builds the test personas' world, then, under one gunicorn (auditing on) on loopback,
measures in interleaved rounds: ``/bench/bare/`` (token auth and JSON, nothing else), the plan
detail and the plan list (API, token auth, a caseworker with one membership), My work (``/``)
and the plan page (``/plans/{id}/``) as the coordinator, and the audit trail (``/audit/``) as a
manager, the pages by session. Goals: the plan detail at least 50 % of the bare view's
requests/s, the plan list at least 40 %. Writes its section of ``bench/RESULTS.md`` and
``bench/out/fastpath.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.audit import Server, _database_recreate, _load

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
OUT = HERE / "out"
BEGIN, END = "<!-- bench:fastpath -->", "<!-- /bench:fastpath -->"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kip_bench_audit_fastpath"
ROUNDS = 5
GOALS = {"detail": 0.50, "list": 0.40}


def _session_cookie(user: Any, organisation_id: int) -> str:
    """A logged-in session for ``user`` acting for the organisation, as the login view makes."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["organisation_id"] = organisation_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _setup() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    from tests.conftest import build_world

    world = build_world()
    org = world.orgs["addiction"]
    token = Token.objects.create(user=world.participant)  # chp caseworker, one membership
    api = {"Authorization": f"Token {token.key}"}
    coordinator = {"Cookie": _session_cookie(world.coordinator, org.pk)}
    manager = {"Cookie": _session_cookie(world.manager, org.pk)}
    plan = world.plan.pk
    endpoints = {
        "bare": ("/bench/bare/", api),
        "detail": (f"/api/v1/plans/{plan}/", api),
        "list": ("/api/v1/plans/", api),
        "my_work": ("/", coordinator),
        "plan_page": (f"/plans/{plan}/", coordinator),
        "trail": ("/audit/", manager),
    }
    return {"endpoints": endpoints, "queries": _queries(endpoints)}


def _queries(endpoints: dict[str, tuple[str, dict[str, str]]]) -> dict[str, int]:
    """Statements each endpoint sends (the second request: caches warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (path, headers) in endpoints.items():
        client = Client(HTTP_HOST="localhost")
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path, headers=headers).status_code
        if status != 200:
            sys.exit(f"{path}: {status}")
        counts[name] = len(captured.captured_queries)
    return counts


def _measure(world: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    """Rounds interleaved over the endpoints, so that load from elsewhere on the machine hits
    them alike; the best round of each counts."""
    # The service as deployed: its gunicorn config (kip_service/gunicorn.conf.py), here with
    # the worker class and threads asked for; the bare view is served by the same processes.
    # Workers are not recycled during the run (--max-requests 0): a worker's restart (a new
    # process, its first statements compiled and prepared again) costs a second or so and
    # would land in whichever endpoint's round it fell in.
    options = (
        "--config=kip_service/gunicorn.conf.py",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads if args.worker_class == 'gthread' else 1}",
        f"--max-requests={args.max_requests}",
    )
    server = Server(args.port, args.workers, audit_off=False, options=options)
    endpoints = world["endpoints"]
    rates: dict[str, list[float]] = {name: [] for name in endpoints}
    try:
        for path, headers in endpoints.values():  # warm-up
            _load(server.port, path, headers, args.concurrency * 20, args.concurrency)
        for _ in range(ROUNDS):
            for name, (path, headers) in endpoints.items():
                rates[name].append(
                    _load(server.port, path, headers, args.requests // ROUNDS, args.concurrency)
                )
    finally:
        server.stop()
    return {name: max(values) for name, values in rates.items()}


def _commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" (with uncommitted changes in the checkout)" if dirty else "")


def _recycling(max_requests: int) -> str:
    return f"recycled after {max_requests} requests" if max_requests else "not recycled"


def _write(figures: dict[str, Any], command: str) -> None:
    rates, queries = figures["rates"], figures["queries"]
    bare = rates["bare"]
    rows = []
    for name, rate in rates.items():
        ratio = rate / bare
        goal = GOALS.get(name)
        verdict = "" if goal is None else (" met" if ratio >= goal else " NOT met")
        goal_text = f"≥ {goal:.0%}{verdict}" if goal is not None else ""
        rows.append(f"| {name} | {rate:.0f} | {ratio:.0%} | {queries[name]} | {goal_text} |")
    section = "\n".join(
        [
            BEGIN,
            "## Fast path: plan endpoints and pages against a bare DRF view",
            "",
            f"Command: `{command}`  ",
            f"Commit: {figures['commit']}  ",
            f"When: {figures['when']}; machine: {figures['machine']}; load average before "
            f"the run: {figures['load_before']}, after: {figures['load_after']}  ",
            f"PostgreSQL on loopback; gunicorn with the service's config, "
            f"{figures['workers']} {figures['worker_class']} workers of {figures['threads']} "
            f"threads ({_recycling(figures['max_requests'])}), auditing on; "
            f"{figures['requests']} requests per endpoint in {ROUNDS} "
            "interleaved rounds "
            f"from {figures['concurrency']} client threads; the best round counts.",
            "",
            "| endpoint | requests/s | of bare | statements | goal |",
            "|---|---|---|---|---|",
            *rows,
            END,
        ]
    )
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if BEGIN in text:
        text = re.sub(
            re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=0, help="gunicorn's; 0: never")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.audit_settings"
    _database_recreate(url)
    world = _setup()
    print(f"statements: {world['queries']}", flush=True)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rates = _measure(world, args)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for name, rate in rates.items():
        print(f"  {name:10} {rate:7.0f} req/s  {rate / rates['bare']:4.0%} of bare", flush=True)
    figures = {
        "rates": rates,
        "queries": world["queries"],
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "max_requests": args.max_requests,
        "commit": _commit(),
        "load_before": load_before,
        "load_after": load_after,
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "fastpath.json").write_text(json.dumps(figures, indent=2))
    given = argv if argv is not None else sys.argv[1:]
    command = ".venv/bin/python -m bench.fastpath" + (" " + " ".join(given) if given else "")
    if not args.no_write:
        _write(figures, command)
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
