"""Reminder sweep benchmark: 1,000,000 plans, 10,000 reviews due today, and the safety net.

    .venv/bin/python -m bench.reminders
    BENCH_PLANS=100000 .venv/bin/python -m bench.reminders   # same due counts, a tenth the plans

Needs PostgreSQL (database kip_bench_reminders, or kip_bench_reminders_<plans> for another
size, created if missing) and Redis (db 14 by default). Every plan also has a consent that runs
out (over the next two years), an agreement (due over the coming year), every 20th an admission
with three discharge tasks (due over the year), every 10th a fast start whose first effort began;
of each kind a fixed number is due today (BENCH_DUE_OTHER, default 1,000), as many at every size,
so the figures show whether a sweep grows with what is due or with the number of plans.
Prints one sweep's time and query count, each rule's time, queries and EXPLAIN, and
notifications delivered per second by a real worker beside a no-op task's throughput; writes
the figures into bench/RESULTS.md between the reminders markers of that size.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOTAL = int(os.environ.get("BENCH_PLANS", "1000000"))
DB_NAME = "kip_bench_reminders" if TOTAL == 1_000_000 else f"kip_bench_reminders_{TOTAL}"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.local")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("KIP_VAR_DIR", tempfile.mkdtemp(prefix="kip-bench-reminders-"))
# Reviews due today: 10,000 at every size (1 in 100 of 1M); of each safety-net kind 1,000.
DUE_EVERY = TOTAL // int(os.environ.get("BENCH_DUE", "10000"))
OTHER_EVERY = TOTAL // int(os.environ.get("BENCH_DUE_OTHER", "1000"))
MARKER = "reminders" if TOTAL == 1_000_000 else f"reminders-{TOTAL}"
RESULTS = Path(os.environ.get("KIP_BENCH_RESULTS", ROOT / "bench" / "RESULTS.md"))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("select 1 from pg_database where datname=%s", [DB_NAME]).fetchone():
            c.execute(f'create database "{DB_NAME}"')


def generate(today: dt.date) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from apps.citizens.models import Consent
    from apps.coordination.models import DischargeTask, HospitalEvent
    from apps.notifications.workdays import working_days_add
    from apps.organisations.models import Membership
    from apps.organisations.services import membership_ensure, organisation_ensure
    from apps.plans.models import Agreement, Participation, Plan, PlanGroupObjectPermission

    # Reminders and their e-mail go only where the citizen's consent lets the plan be seen:
    # each plan is shared with the bench organisation within a consent, as people make them.
    if Plan.objects.count() >= TOTAL and DischargeTask.objects.exists():
        Plan.objects.update()  # nothing: data in place
    else:
        org = organisation_ensure(
            slug="bench", name="Bench", kind="addiction_centre", sector="municipality"
        )
        users = get_user_model().objects
        user = users.filter(username="bench.cw").first() or users.create_user(
            "bench.cw", email="bench.cw@example.org"
        )
        manager = users.filter(username="bench.mgr").first() or users.create_user(
            "bench.mgr", email="bench.mgr@example.org"
        )
        membership_ensure(user=user, organisation=org, role=Membership.Role.CASEWORKER)
        membership_ensure(user=manager, organisation=org, role=Membership.Role.MANAGER)
        perms = list(
            Permission.objects.filter(
                content_type__app_label="plans", codename__in=["view_plan", "change_plan"]
            ).values_list("pk", flat=True)
        )
        common = {
            "user": user.pk,
            "org": org.pk,
            "due": DUE_EVERY,
            "other": OTHER_EVERY,
            "today": today,
            "fast_due": working_days_add(today, settings.KIP_FAST_START_REMINDER_WORKING_DAYS),
        }
        with connection.cursor() as cur:
            cur.execute("truncate plans_plan, citizens_citizen cascade")
            step = 100_000
            for start in range(1, TOTAL + 1, step):
                end = min(start + step - 1, TOTAL)
                cur.execute(
                    "insert into citizens_citizen (id, name, cpr_hash, cpr_encrypted, birth_date,"
                    " registered_by_id, registered_for_id, created)"
                    " select g, 'Borger ' || g, 'bench' || g, '', date '1980-01-01', %s, %s, now()"
                    " from generate_series(%s, %s) g",
                    [user.pk, org.pk, start, end],
                )
                # Every 10th plan had a fast start; of those due, the first effort is due
                # tomorrow-ish and has not started. Plans not due changed within 80 days.
                cur.execute(
                    "insert into plans_plan (citizen_id, status, closed_reason,"
                    " coordinator_user_id, coordinator_organisation_id, assessment,"
                    " strengths, what_matters, hopes, resources,"
                    " next_review, motivated_on, first_effort_due, first_effort_on,"
                    " version, created_by_id, created, updated)"
                    " select g, 'active', '', %(user)s, %(org)s, '{}'::jsonb, '{}'::jsonb,"
                    " '', '', '',"
                    " case when g %% %(due)s = 0 then %(today)s::date"
                    "  else %(today)s::date + (20 + g %% 150)::int end,"
                    " case when g %% %(other)s = 0 then %(today)s::date - 4"
                    "  when g %% 10 = 0 then %(today)s::date - 30 end,"
                    " case when g %% %(other)s = 0 then %(fast_due)s::date"
                    "  when g %% 10 = 0 then %(today)s::date - 23 end,"
                    " case when g %% %(other)s = 0 then null"
                    "  when g %% 10 = 0 then %(today)s::date - 25 end,"
                    " 1, %(user)s, now() - interval '400 days',"
                    " case when g %% %(other)s = 0 then now() - interval '91 days'"
                    "  else now() - (g %% 80) * interval '1 day' end"
                    " from generate_series(%(start)s, %(end)s) g",
                    {**common, "start": start, "end": end},
                )
                # One consent per citizen, running out over the next two years (due: in 5 days).
                cur.execute(
                    f"insert into {Consent._meta.db_table} (citizen_id, form, given_at,"
                    " expires_at, recorded_by_id, recorded_for_id)"
                    " select g, 'written', now() - interval '400 days',"
                    " case when g %% %(other)s = 0 then now() + interval '5 days'"
                    "  else now() + (60 + g %% 700) * interval '1 day' end, %(user)s, %(org)s"
                    " from generate_series(%(start)s, %(end)s) g",
                    {**common, "start": start, "end": end},
                )
                # One agreement per plan, due over the coming year (due: today).
                cur.execute(
                    f"insert into {Agreement._meta.db_table} (plan_id, text, responsible_id,"
                    " due, done, created, updated)"
                    " select p.id, 'Aftale', %(user)s,"
                    " case when p.citizen_id %% %(other)s = 0 then %(today)s::date"
                    "  else %(today)s::date + (1 + p.citizen_id %% 365)::int end,"
                    " false, now(), now()"
                    " from plans_plan p where p.citizen_id between %(start)s and %(end)s",
                    {**common, "start": start, "end": end},
                )
                # Every 20th plan: an admission three days ago with a discharge agreement of
                # three tasks due over the year (due: the first task, today).
                cur.execute(
                    f"insert into {HospitalEvent._meta.db_table} (plan_id, kind, occurred_on,"
                    " notes, readmission, recorded_by_id, recorded_for_id, created)"
                    " select p.id, 'admission', %(today)s::date - 3, '', false, %(user)s,"
                    " %(org)s, now() from plans_plan p"
                    " where p.citizen_id between %(start)s and %(end)s and p.citizen_id %% 20 = 0",
                    {**common, "start": start, "end": end},
                )
                cur.execute(
                    f"insert into {DischargeTask._meta.db_table} (plan_id, admission_id,"
                    " description, responsible_id, responsible_organisation_id, due, done,"
                    " created_by_id, created, updated)"
                    " select h.plan_id, h.id, 'Opgave ' || s, %(user)s, %(org)s,"
                    " case when p.citizen_id %% %(other)s = 0 and s = 1 then %(today)s::date"
                    "  else %(today)s::date + (s * 7 + p.citizen_id %% 300)::int end,"
                    " false, %(user)s, now(), now()"
                    f" from {HospitalEvent._meta.db_table} h join plans_plan p on p.id = h.plan_id"
                    " cross join generate_series(1, 3) s"
                    " where p.citizen_id between %(start)s and %(end)s",
                    {**common, "start": start, "end": end},
                )
                cur.execute(
                    f"insert into {Consent.organisations.through._meta.db_table}"
                    " (consent_id, organisation_id)"
                    f" select c.id, %s from {Consent._meta.db_table} c"
                    " where c.citizen_id between %s and %s",
                    [org.pk, start, end],
                )
                cur.execute(
                    f"insert into {Participation._meta.db_table}"
                    " (plan_id, organisation_id, added_by_id, added_at)"
                    " select p.id, %s, %s, now() from plans_plan p"
                    " where p.citizen_id between %s and %s",
                    [org.pk, user.pk, start, end],
                )
                for perm in perms:
                    cur.execute(
                        f"insert into {PlanGroupObjectPermission._meta.db_table}"
                        " (content_object_id, group_id, permission_id)"
                        " select p.id, %s, %s from plans_plan p"
                        " where p.citizen_id between %s and %s",
                        [org.group_id, perm, start, end],
                    )
                print(f"  generated {end:,}/{TOTAL:,} plans", flush=True)
            cur.execute("select setval('citizens_citizen_id_seq', %s)", [TOTAL])
            cur.execute(
                "analyze citizens_citizen; analyze plans_plan; analyze citizens_consent;"
                " analyze citizens_consent_organisations; analyze plans_agreement;"
                " analyze coordination_hospitalevent; analyze coordination_dischargetask"
            )


def _short(plan: str) -> str:
    """An EXPLAIN with its long lists of ids written as their count, so it can be read."""
    return re.sub(r"'\{[0-9,]{80,}\}'", lambda m: f"'{{{m.group().count(',') + 1} ids}}'", plan)


def queue_empty(client) -> bool:  # type: ignore[no-untyped-def]
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def main() -> None:
    ensure_database()
    import django

    django.setup()
    import redis as redis_lib
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.notifications.models import Notification
    from apps.notifications.reminders import reminders_sweep, sweep_rules
    from apps.plans.models import Plan

    call_command("migrate", verbosity=0)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    today = timezone.localdate()
    t0 = time.perf_counter()
    generate(today)
    with connection.cursor() as cur:
        cur.execute("analyze")  # the planner's statistics of every table, as autovacuum keeps them
    print(f"data ready in {time.perf_counter() - t0:.1f}s")
    due = Plan.objects.filter(status="active", next_review=today).count()
    Notification.objects.all().delete()
    broker = redis_lib.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    broker.delete("celery", "unacked", "unacked_index")

    # Each rule on its own: rows, time, statements, and the plan of every SELECT it sends.
    now = timezone.now()
    rules = []
    for rule in sweep_rules():
        rule(today, now)  # warm
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            rows = rule(today, now)
            took = time.perf_counter() - t
        plans = []
        for query in captured.captured_queries:
            if (query["sql"] or "").lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN ANALYZE " + query["sql"])
                    plans.append("\n".join(line for (line,) in cur.fetchall()))
        rules.append((rule.__name__.strip("_"), len(rows), took, len(captured), plans))

    mail_dir = Path(os.environ["KIP_VAR_DIR"]) / "mail"
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "kip_service",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "4",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        from kip_service.celery import app

        deadline = time.time() + 60
        while not app.control.ping(timeout=1) and time.time() < deadline:
            pass
        # no-op throughput
        n_noop = 10_000
        t = time.perf_counter()
        for _ in range(n_noop):
            app.send_task("workers.tasks.noop")
        while not queue_empty(broker):
            time.sleep(0.05)
        noop_rate = n_noop / (time.perf_counter() - t)

        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            result = reminders_sweep()
            sweep_s = time.perf_counter() - t
        t_deliver = time.perf_counter()
        while Notification.objects.filter(delivered_at__isnull=True).exists():
            time.sleep(0.2)
        deliver_s = time.perf_counter() - t_deliver + sweep_s
        delivered = Notification.objects.filter(delivered_at__isnull=False).count()
        # a second sweep: nothing new
        t = time.perf_counter()
        again = reminders_sweep()
        sweep2_s = time.perf_counter() - t
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(30)

    mails = (
        sum(
            len(re.findall(r"^X-KIP-Notification:", p.read_text(), re.M))
            for p in mail_dir.glob("*")
        )
        if mail_dir.exists()
        else 0
    )
    sweep_row = f"{sweep_s:.2f} s, {len(queries)} queries"
    deliver_row = (
        f"{delivered:,} in {deliver_s:.1f} s = {delivered / deliver_s:,.0f} notifications/s"
        f" ({mails:,} mails)"
    )
    with connection.cursor() as cur:
        cur.execute(
            "select relname from pg_class where relkind = 'r' and reltuples >= 10000"
            " and relnamespace = 'public'::regnamespace"
        )
        big_tables = tuple(f"{name} " for (name,) in cur.fetchall())
    rule_rows = "\n".join(
        f"| {name} | {count:,} | {took:.2f} s | {n_queries} |"
        f" {'yes' if any(f'Seq Scan on {t}' in p for p in plans for t in big_tables) else 'no'} |"
        for name, count, took, n_queries, plans in rules
    )
    explains = "\n\n".join(
        f"{name}:\n\n```\n" + "\n--\n".join(_short(p) for p in plans) + "\n```"
        for name, _, _, _, plans in rules
        if plans
    )
    figures = f"""<!-- bench:{MARKER} -->
### Reminders: sweep and delivery at {TOTAL:,} plans (`bench/reminders.py`)

Command: `BENCH_PLANS={TOTAL} .venv/bin/python -m bench.reminders` (PostgreSQL `{DB_NAME}`,
Redis db 14). Run {timezone.now():%Y-%m-%d %H:%M}, commit {commit}, load average {load}.
Every plan has a consent running out over two years and an agreement due over the coming year;
every 20th an admission with three discharge tasks, every 10th a fast start. Due today:
{TOTAL // DUE_EVERY:,} reviews and {TOTAL // OTHER_EVERY:,} of each safety-net kind (consent
running out within 7 days, agreement, fast-start deadline, discharge task, 91 days unchanged).

| figure | value |
| --- | --- |
| plans / active plans with the review due today | {TOTAL:,} / {due:,} |
| one sweep (insert {result.created:,} notifications, enqueue delivery) | {sweep_row} |
| second sweep (nothing due that is new) | {sweep2_s:.2f} s, {again.created} new |
| delivered through a real worker (4 processes, file e-mail) | {deliver_row} |
| no-op Celery task, same worker, same run | {noop_rate:,.0f} tasks/s |
| delivery rate / no-op rate | {delivered / deliver_s / noop_rate:.0%} |

Each rule on its own (a warm second call):

| rule | notifications | time | statements | sequential scan of a table of 10,000 rows or more |
| --- | --- | --- | --- | --- |
{rule_rows}

EXPLAIN ANALYZE of each rule's reads:

{explains}
<!-- /bench:{MARKER} -->"""
    print(figures)
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- bench:{MARKER} -->.*?<!-- /bench:{MARKER} -->", re.S)
    text = (
        pattern.sub(lambda _: figures, text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + figures + "\n")
    )
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
