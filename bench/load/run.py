"""The load run: 50 caseworkers against gunicorn, PostgreSQL, Redis, a worker and beat.

    make bench NAME=load.run               # = .venv/bin/python -m bench.load.run
    KIP_LOAD_SECONDS=120 KIP_LOAD_USERS=50 make bench NAME=load.run

It drops and recreates the PostgreSQL database ``kip_load`` (``KIP_LOAD_DATABASE_URL``; the
name must start with ``kip_load``; it refuses while others are connected to it), migrates,
seeds the demo (``seed_demo``) and fills it to ``KIP_LOAD_PLANS`` plans (default 10,000) with
``bench/generate.py``. It adds the load run's caseworkers (``KIP_LOAD_USERS``, default 50,
spread over the four demo organisations; the plans those organisations coordinate are shared
out among them), a token and a session each, and empties its Redis database
(``KIP_LOAD_REDIS_URL``, default ``redis://127.0.0.1:6379/9``). Then it starts the service as
production runs it: ``kip_service.settings.production`` (secrets for this run only; HTTP on
loopback, so ``SECURE_SSL_REDIRECT`` and the secure-cookie settings are off), gunicorn with
``kip_service/gunicorn.conf.py``, a Celery worker and beat (separate processes), e-mail to
files. locust runs headless for ``KIP_LOAD_SECONDS`` (default 60) with the users of
``bench/load/locustfile.py``.

Afterwards, with the worker drained and the audit trail sealed, it checks and prints: no 5xx;
no lost update (each plan's version moved by exactly the successful writes made to it); the
audit events equal the accesses made (per request, through the request id each answer
carries); the audit chain verifies; every reminder delivered, none e-mailed twice. It writes
the figures (requests/s, p50/p95/p99 and errors per kind of request, the checks, the command,
commit and machine load) to its section of ``bench/RESULTS.md``; raw files in ``bench/out/``.
Exit status 1 if a check failed.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
# Its own section of RESULTS.md; KIP_LOAD_NAME=load-<x> keeps a second kind of run beside it.
NAME = os.environ.get("KIP_LOAD_NAME", "load")
BEGIN, END = f"<!-- bench:{NAME} -->", f"<!-- /bench:{NAME} -->"

DATABASE_URL = os.environ.get(
    "KIP_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kip_load"
)
REDIS_URL = os.environ.get("KIP_LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
SECONDS = int(os.environ.get("KIP_LOAD_SECONDS", "60"))
USERS = int(os.environ.get("KIP_LOAD_USERS", "50"))
PLANS = int(os.environ.get("KIP_LOAD_PLANS", "10000"))
PORT = int(os.environ.get("KIP_LOAD_PORT", "8771"))
SPAWN_RATE = os.environ.get("KIP_LOAD_SPAWN_RATE", "10")
DEMO_ORGS = ("addiction", "chp", "toften", "psychiatry")
VAR = Path(tempfile.mkdtemp(prefix="kip-load-"))

# The service's environment: production settings, secrets made up for this run, HTTP on
# loopback (no TLS proxy in front, so no redirect to HTTPS and cookies without Secure).
SERVICE_ENV = {
    "DJANGO_SETTINGS_MODULE": "kip_service.settings.production",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "SECRET_KEY": "load-run-only-" + os.urandom(16).hex(),
    "KIP_CPR_HASH_KEY": "load-run-cpr-hash-key",
    "KIP_CPR_ENCRYPTION_KEY": "load-run-cpr-encryption-key",
    "KIP_BASE_URL": f"http://127.0.0.1:{PORT}",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    "KIP_VAR_DIR": str(VAR),
    "KIP_DEMO_PASSWORD": "load-demo-" + os.urandom(6).hex(),
    "KIP_SWEEP_SECONDS": os.environ.get("KIP_SWEEP_SECONDS", "10"),
    "LOG_LEVEL": "WARNING",
    "PYTHONPATH": str(ROOT),
}

# --- setting up ---------------------------------------------------------------------------------


def _database_recreate() -> None:
    import psycopg
    from psycopg import sql

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    if not name.startswith("kip_load"):
        sys.exit(f"refusing to drop {name!r}: the load run's database name starts with kip_load")
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchone()
        if busy and busy[0]:
            sys.exit(f"{name} has {busy[0]} open connection(s); not dropping it under them")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup() -> dict[str, Any]:
    """Migrate, seed, fill; the load run's caseworkers with a token and a session each."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from apps.access.tokens import token_issue
    from apps.organisations.models import Membership, Organisation
    from apps.organisations.services import membership_ensure
    from apps.plans.models import Plan
    from bench.fastpath import _session_cookie
    from bench.generate import generate

    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.monotonic()
    generate(PLANS)
    print(f"data: {PLANS:,} plans in {time.monotonic() - started:.0f} s", flush=True)

    users: list[dict[str, Any]] = []
    by_org: dict[int, list[dict[str, Any]]] = defaultdict(list)
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=DEMO_ORGS)}
    for i in range(USERS):
        org = orgs[DEMO_ORGS[i % len(DEMO_ORGS)]]
        username = f"load.{org.slug}.{i // len(DEMO_ORGS) + 1:02d}"
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.org", first_name="Load", last_name=str(i)
        )
        membership_ensure(user=user, organisation=org, role=Membership.Role.CASEWORKER)
        entry = {
            "id": user.pk,
            "username": username,
            "org": org.pk,
            "token": token_issue(user=user).key,
            "cookie": _session_cookie(user, org.pk),
        }
        users.append(entry)
        by_org[org.pk].append(entry)
    for entry in users:
        entry["colleagues"] = [
            {"id": c["id"], "token": c["token"]} for c in by_org[entry["org"]] if c is not entry
        ]
    # The plans the four organisations coordinate, shared out among their load caseworkers.
    with connection.cursor() as cursor:
        for org_id, members in by_org.items():
            ids = [m["id"] for m in members]
            cursor.execute(
                f"UPDATE {Plan._meta.db_table} SET coordinator_user_id = (%s::bigint[])"
                "[1 + (id %% %s)] WHERE coordinator_organisation_id = %s",
                [ids, len(ids), org_id],
            )
        cursor.execute("ANALYZE")
    return {"users": users}


def _redis_empty() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


class Processes:
    """gunicorn, a worker and beat; each in its own process group, stopped by its id."""

    def __init__(self) -> None:
        self.env = {**os.environ, **SERVICE_ENV}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = (VAR / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_all(self) -> None:
        self.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "--config=kip_service/gunicorn.conf.py",
                f"--bind=127.0.0.1:{PORT}",
                "--access-logfile=/dev/null",
                "kip_service.wsgi:application",
            ],
        )
        celery = str(BIN / "celery")
        self.start(
            "worker",
            [
                celery,
                "-A",
                "kip_service",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "2",
                "-n",
                "load@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        self.start(
            "beat",
            [
                celery,
                "-A",
                "kip_service",
                "beat",
                "-l",
                "warning",
                "-s",
                str(VAR / "celerybeat-schedule"),
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    sys.exit(f"{name} ended at start:\n{self.log(name)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit("the service did not become ready:\n" + self.log("web"))

    def log(self, name: str) -> str:
        return (VAR / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def stop_all(self) -> None:
        for name in ("beat", "web", "worker"):
            self.stop(name)


# --- the run ------------------------------------------------------------------------------------


def _locust(cast: dict[str, Any]) -> tuple[Path, Path, str]:
    OUT.mkdir(exist_ok=True)
    cast_file = VAR / "cast.json"
    cast_file.write_text(json.dumps(cast))
    record = OUT / f"{NAME}-record.jsonl"
    prefix = OUT / NAME
    args = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        SPAWN_RATE,
        "--run-time",
        f"{SECONDS}s",
        "--host",
        f"http://127.0.0.1:{PORT}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "KIP_LOAD_CAST": str(cast_file), "KIP_LOAD_RECORD": str(record)}
    print(f"locust: {USERS} users for {SECONDS} s", flush=True)
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    (OUT / f"{NAME}-locust.log").write_text(done.stdout + done.stderr)
    return record, Path(f"{prefix}_stats.csv"), done.stdout + done.stderr


def _drain(procs: Processes, timeout: float = 180) -> dict[str, Any]:
    """Wait until the worker has delivered every notification there is, and a sweep after
    the run found nothing new to make."""
    from apps.notifications.models import Notification

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Notification.objects.filter(delivered_at__isnull=True).exists():
            break
        time.sleep(1)
    waited = timeout - (deadline - time.monotonic())
    return {
        "undelivered": Notification.objects.filter(delivered_at__isnull=True).count(),
        "waited": waited,
    }


# --- the checks ---------------------------------------------------------------------------------


def _stats(stats_csv: Path) -> list[dict[str, str]]:
    with stats_csv.open() as f:
        return list(csv.DictReader(f))


def _check_versions(records: list[dict[str, Any]], before: dict[int, int]) -> dict[str, Any]:
    """Each plan's version moved by the successful writes made to it: edits (200), reviews
    (201), accepted handovers (200), and a consent withdrawn (200, which moves every open plan
    of that citizen)."""
    from apps.plans.models import Plan

    expected: Counter[int] = Counter()
    withdrawn_citizens: Counter[int] = Counter()
    for r in records:
        if r.get("bumps"):
            expected[r["plan"]] += r["bumps"]
        if r["kind"] == "consent withdraw" and r["status"] == 200:
            withdrawn_citizens[r["citizen"]] += 1
    after = dict(Plan.objects.values_list("pk", "version"))
    for citizen, times in withdrawn_citizens.items():
        for pk in (
            Plan.objects.filter(citizen_id=citizen)
            .exclude(status="closed")
            .values_list("pk", flat=True)
        ):
            expected[pk] += times
    wrong = {
        pk: (after[pk] - before.get(pk, 0), expected.get(pk, 0))
        for pk in after
        if after[pk] - before.get(pk, 0) != expected.get(pk, 0)
    }
    return {
        "plans_written": len(expected),
        "writes": sum(expected.values()),
        "wrong": dict(list(wrong.items())[:10]),
        "ok": not wrong,
    }


def _expected_events(r: dict[str, Any]) -> Counter[tuple[str, str, str]] | None:
    """The events one answer must have written: (action, object type, object id); ``*`` for
    an id the request did not name. None: not predicted (reported, not checked)."""
    kind, status = r["kind"], r["status"]
    plan = str(r.get("plan", ""))
    if status >= 500:
        return None
    if kind == "plan list" and status == 200:
        return Counter(("list", "plan", str(pk)) for pk in r["shown"])
    if (kind.startswith("plan detail") or kind == "plan page") and status == 200:
        return Counter({("view", "plan", plan): 1})
    if kind == "plan edit":
        return Counter({("update", "plan", plan): 1}) if status == 200 else Counter()
    if kind == "review":
        if status != 201:
            return Counter()
        return Counter({("create", "review", "*"): 1, ("update", "plan", plan): 1})
    if kind == "handover propose" and status == 201:
        return Counter({("handover", "handover", "*"): 1})
    if kind == "handover accept" and status == 200:
        return Counter({("handover", "handover", str(r["handover"])): 1})
    if (kind, status) in (("consent give", 201), ("consent withdraw", 200)):
        return Counter({("consent", "citizen", str(r["citizen"])): 1})
    return None


def _check_audit(records: list[dict[str, Any]], first_event: int) -> dict[str, Any]:
    """Every answer's events, found by its request id, held against what it did; and no
    event in the trail from a request that was not made."""
    from apps.audit.models import AccessEvent

    by_request: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
    for rid, action, otype, oid in AccessEvent.objects.filter(pk__gt=first_event).values_list(
        "request_id", "action", "object_type", "object_id"
    ):
        by_request[rid][(action, otype, oid)] += 1
    made = {r["request_id"] for r in records}
    per_kind: dict[str, dict[str, Any]] = {}
    mismatches: list[str] = []
    for r in records:
        got = by_request.get(r["request_id"], Counter())
        row = per_kind.setdefault(
            r["kind"], {"requests": 0, "events": 0, "checked": 0, "shapes": Counter()}
        )
        row["requests"] += 1
        row["events"] += sum(got.values())
        row["shapes"][
            " + ".join(
                f"{n} {a}:{t}"
                for (a, t, _), n in sorted(
                    Counter((a, t, "") for (a, t, _o) in got.elements()).items()
                )
            )
            or "none"
        ] += 1
        expected = _expected_events(r)
        if expected is None:
            continue
        row["checked"] += 1
        found: Counter[tuple[str, str, str]] = Counter()
        for (action, otype, oid), n in got.items():
            found[(action, otype, "*" if (action, otype, "*") in expected else oid)] += n
        if found != expected:
            mismatches.append(
                f"{r['kind']} {r['status']} {r['request_id']}: expected {dict(expected)}, "
                f"found {dict(got)}"
            )
    stray = {rid: dict(c) for rid, c in by_request.items() if rid and rid not in made}
    unrequested = sum(sum(c.values()) for rid, c in by_request.items() if not rid)
    return {
        "per_kind": {k: {**v, "shapes": dict(v["shapes"])} for k, v in per_kind.items()},
        "mismatches": mismatches[:10],
        "mismatch_count": len(mismatches),
        "checked": sum(v["checked"] for v in per_kind.values()),
        "stray_requests": len(stray),
        "stray_examples": dict(list(stray.items())[:3]),
        "events_without_request": unrequested,
        "ok": not mismatches and not stray,
    }


def _check_chain() -> dict[str, Any]:
    from django.conf import settings

    from apps.audit.chain import audit_seal, audit_verify

    time.sleep(settings.KIP_AUDIT_SEAL_GRACE_SECONDS + 1)
    sealed = audit_seal(limit=10**9)
    verified = audit_verify()
    return {
        "sealed_now": sealed,
        "checked": verified.checked,
        "broken": str(verified.broken) if verified.broken else None,
        "ok": verified.broken is None,
    }


def _check_reminders(drained: dict[str, Any]) -> dict[str, Any]:
    from apps.notifications.models import Notification

    mails: Counter[str] = Counter()
    for path in (VAR / "mail").glob("*"):
        mails.update(re.findall(r"^X-KIP-Notification: (\d+)$", path.read_text(), re.M))
    rows = Notification.objects.all()
    sent = {str(pk) for pk in rows.filter(email_sent_at__isnull=False).values_list("pk", flat=True)}
    twice = {k: v for k, v in mails.items() if v > 1}
    by_kind = Counter(rows.values_list("kind", flat=True))
    return {
        "notifications": rows.count(),
        "by_kind": dict(by_kind),
        "delivered": rows.filter(delivered_at__isnull=False).count(),
        "undelivered": drained["undelivered"],
        "mails": sum(mails.values()),
        "mailed_twice": dict(list(twice.items())[:10]),
        "sent_without_mail": len(sent - set(mails)),
        "mail_without_mark": len(set(mails) - sent),
        "drain_seconds": round(drained["waited"], 1),
        "ok": not twice and drained["undelivered"] == 0 and sent == set(mails),
    }


# --- results ------------------------------------------------------------------------------------


def _commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "apps",
            "kip_service",
            "workers",
            "bench/load",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" (with uncommitted changes in the checkout)" if dirty else "")


def _ms(value: str) -> str:
    return "" if value in ("", "N/A") else f"{float(value):.0f}"


def _write(figures: dict[str, Any], stats: list[dict[str, str]], checks: dict[str, Any]) -> str:
    rows = []
    for s in stats:
        name = s["Name"]
        rows.append(
            f"| {name if name != 'Aggregated' else '**all**'} | {s['Request Count']} | "
            f"{float(s['Requests/s']):.1f} | {_ms(s['50%'])} | {_ms(s['95%'])} | "
            f"{_ms(s['99%'])} | {s['Failure Count']} |"
        )
    versions, audit, chain, reminders = (
        checks["versions"],
        checks["audit"],
        checks["chain"],
        checks["reminders"],
    )
    audit_rows = "\n".join(
        f"| {kind} | {v['requests']} | {v['events']} | "
        + "; ".join(
            f"{shape} ({n})" for shape, n in sorted(v["shapes"].items(), key=lambda x: -x[1])
        )
        + " |"
        for kind, v in sorted(audit["per_kind"].items())
    )

    def verdict(ok: bool) -> str:
        return "**yes**" if ok else "**NO**"

    wrong = "" if versions["ok"] else " except " + json.dumps(versions["wrong"])
    broken = "" if chain["ok"] else ", broken: " + str(chain["broken"])
    silent = f" {figures['no_answer_errors']}" if figures["no_answer"] else ""
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(reminders["by_kind"].items()))
    checks_rows = [
        f"| no 5xx | {verdict(figures['server_errors'] == 0)} | {figures['server_errors']} "
        f"answers of 500 or more of {figures['requests']}; {figures['no_answer']} requests "
        f"with no answer at all{silent} |",
        f"| no lost update | {verdict(versions['ok'])} | {versions['writes']} successful writes "
        f"to {versions['plans_written']} plans; every plan's version moved by exactly its "
        f"writes{wrong} |",
        f"| audit events = accesses | {verdict(audit['ok'])} | {audit['checked']} answers "
        f"checked one by one, {audit['mismatch_count']} whose events differ from what they did; "
        f"{audit['stray_requests']} request ids in the trail that no user made; "
        f"{audit['events_without_request']} events without a request id |",
        f"| audit chain verifies | {verdict(chain['ok'])} | {chain['checked']:,} links "
        f"checked{broken} |",
        f"| each reminder delivered once | {verdict(reminders['ok'])} | "
        f"{reminders['notifications']:,} notifications ({kinds}); {reminders['undelivered']} "
        f"undelivered after {reminders['drain_seconds']} s of draining; {reminders['mails']:,} "
        f"e-mails, {len(reminders['mailed_twice'])} notifications e-mailed twice, "
        f"{reminders['sent_without_mail']} marked sent without an e-mail, "
        f"{reminders['mail_without_mark']} e-mailed without the mark |",
    ]
    title = (
        f"{figures['users']} caseworkers for {figures['seconds']} s, "
        f"{figures['wait']} s between tasks"
    )
    section = f"""{BEGIN}
## Load: {title} (`bench/load/`)

Command: `{figures["command"]}`<br>
Commit: {figures["commit"]}<br>
When: {figures["when"]}; machine: {figures["machine"]}; load average (1, 5, 15 min) before
the run {figures["load_before"]}, at its end {figures["load_after"]}.<br>
The service as production runs it, on loopback: `kip_service.settings.production` (HTTP, so
no redirect to HTTPS), gunicorn with `kip_service/gunicorn.conf.py` defaults
({figures["gunicorn"]}), PostgreSQL `kip_load` (127.0.0.1:5432), Redis db 9, one Celery worker
(2 processes) and beat, e-mail to files; {figures["plans"]:,} plans (`bench/generate.py`)
plus the demo. {figures["locust"]} on the same 2 cores: {figures["users"]} users (a quarter per
demo organisation, spawned {SPAWN_RATE}/s), each waiting {figures["wait"]} s between tasks.
Mix by weight: 80 reads (plan list 25, plan detail 30, My work 10, plan page 15), 15 edits
(the plan read for its ETag, then `PATCH` with `If-Match`; a 412 from a lost race is read
again and tried once more), 5 others (handover proposed and accepted by the colleague 2,
review 2, consent given and withdrawn again 1). A 412 is a correct answer, not an error.

| request | count | requests/s | p50 ms | p95 ms | p99 ms | errors |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

412 answers (lost races, correct): {figures["conflicts"]}. The table is locust's; the checks
use the users' own record of every answer ({figures["requests"]}), which also holds what was
answered while locust stopped them.

Checks after the run (the worker drained, the trail sealed):

| check | held | what was seen |
|---|---|---|
{chr(10).join(checks_rows)}

How the audit check counts: every answer carries the service's request id (`X-Request-ID`),
which each of its audit events holds. For each answer the events with its id are held against
what it did: a plan list one `list` event per plan it showed (the ids compared), a plan detail
or the plan page one `view` of that plan, an edit one `update` of that plan (a 412 none), a
review one `create` of the review and one `update` of the plan, a handover proposed or
accepted one `handover` event (the accepted one's id compared), a consent given or withdrawn
one `consent` event on that citizen. My work is not predicted (it lists the plans and
handovers it shows, which the client does not parse); it is counted below. No event in the
trail may carry a request id that no user made. Events by kind of request:

| request | answers | events | events per answer (how many answers) |
|---|---|---|---|
{audit_rows}
{END}"""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if BEGIN in text:
        text = re.sub(
            re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    return section


def main() -> None:
    os.environ.update(SERVICE_ENV)
    print(f"database {DATABASE_URL}, redis {REDIS_URL}, files in {VAR}", flush=True)
    _database_recreate()
    cast = _setup()
    _redis_empty()
    from apps.audit.models import AccessEvent
    from apps.plans.models import Plan

    procs = Processes()
    try:
        procs.start_all()
        before = dict(Plan.objects.values_list("pk", "version"))
        first_event = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        started = datetime.datetime.now(datetime.UTC)
        record_file, stats_csv, locust_out = _locust(cast)
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        if not stats_csv.exists() or not record_file.exists():
            sys.exit("locust wrote no figures:\n" + locust_out[-4000:])
        drained = _drain(procs)
    finally:
        procs.stop_all()
    web_log = (VAR / "web.log").read_text(errors="replace")
    records = [json.loads(line) for line in record_file.read_text().splitlines() if line]
    stats = _stats(stats_csv)
    checks = {
        "versions": _check_versions(records, before),
        "audit": _check_audit(records, first_event),
        "chain": _check_chain(),
        "reminders": _check_reminders(drained),
    }
    server_errors = sum(1 for r in records if r["status"] >= 500)
    # No answer at all (the connection closed or failed): an error, though not a 5xx.
    no_answer = [r for r in records if r["status"] == 0]
    conflicts = Counter(r["kind"] for r in records if r["status"] == 412)
    import gunicorn
    import locust

    workers = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy; c = runpy.run_path('kip_service/gunicorn.conf.py');"
            " print(c['workers'], c['worker_class'], c['threads'])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    settings_given = [
        f"{k}={os.environ[k]}"
        for k in (
            "KIP_LOAD_USERS",
            "KIP_LOAD_SECONDS",
            "KIP_LOAD_PLANS",
            "KIP_LOAD_WAIT_MIN",
            "KIP_LOAD_WAIT_MAX",
            "KIP_LOAD_NAME",
        )
        if k in os.environ
    ]
    command = " ".join([*settings_given, "make bench NAME=load.run"])
    figures = {
        "users": USERS,
        "seconds": SECONDS,
        "plans": PLANS,
        "command": command,
        "commit": _commit(),
        "when": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "load_before": load_before,
        "load_after": load_after,
        "gunicorn": f"gunicorn {gunicorn.__version__}, {workers[0]} {workers[1]} workers x "
        f"{workers[2]} threads"
        if len(workers) == 3
        else f"gunicorn {gunicorn.__version__}",
        "locust": f"locust {locust.__version__}",
        "wait": "{}-{}".format(
            os.environ.get("KIP_LOAD_WAIT_MIN", "1.0"), os.environ.get("KIP_LOAD_WAIT_MAX", "4.0")
        ),
        "server_errors": server_errors,
        "no_answer": len(no_answer),
        "no_answer_errors": sorted({r.get("error", "") for r in no_answer}),
        "requests": len(records),
        "conflicts": ", ".join(f"{k} {v}" for k, v in conflicts.items()) or "none",
    }
    (OUT / f"{NAME}.json").write_text(
        json.dumps({"figures": figures, "checks": checks}, indent=2, default=str)
    )
    for s in stats:
        print(
            f"  {s['Name']:28} {s['Request Count']:>6} req {float(s['Requests/s']):7.1f}/s "
            f"p50 {_ms(s['50%']):>5} p95 {_ms(s['95%']):>5} p99 {_ms(s['99%']):>5} ms "
            f"errors {s['Failure Count']}",
            flush=True,
        )
    print(json.dumps(checks, indent=2, default=str))
    if "Traceback" in web_log:
        print("tracebacks in the web log:\n" + web_log[-3000:])
    failed = [name for name, c in checks.items() if not c["ok"]]
    if server_errors:
        failed.append("5xx")
    if no_answer:
        failed.append(f"{len(no_answer)} requests without an answer")
    if os.environ.get("KIP_LOAD_NO_WRITE") != "1":
        _write(figures, stats, checks)
        print(f"wrote {RESULTS}")
    logs = OUT / f"{NAME}-logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    for name in ("web", "worker", "beat"):
        shutil.copy(VAR / f"{name}.log", logs / f"{name}.log")
    shutil.rmtree(VAR, ignore_errors=True)
    if failed:
        sys.exit(f"checks failed: {', '.join(failed)}")
    print("all checks held")


if __name__ == "__main__":
    main()
