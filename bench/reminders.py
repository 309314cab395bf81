"""Reminder sweep benchmark: 1,000,000 plans, 10,000 due today.

    .venv/bin/python -m bench.reminders

Needs PostgreSQL (database kip_bench_reminders, created if missing) and Redis (db 14 by
default). Prints one sweep's time and query count, the EXPLAIN of the due-date query, and
notifications delivered per second by a real worker beside a no-op task's throughput; writes
the figures into bench/RESULTS.md between the reminders markers.
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
DB_NAME = "kip_bench_reminders"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.local")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("KIP_VAR_DIR", tempfile.mkdtemp(prefix="kip-bench-reminders-"))
TOTAL = int(os.environ.get("BENCH_PLANS", "1000000"))
DUE_EVERY = int(os.environ.get("BENCH_DUE_EVERY", "100"))  # 1 in 100 due: 10,000 of 1M
RESULTS = Path(os.environ.get("KIP_BENCH_RESULTS", ROOT / "bench" / "RESULTS.md"))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("select 1 from pg_database where datname=%s", [DB_NAME]).fetchone():
            c.execute(f'create database "{DB_NAME}"')


def generate(today: dt.date) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from apps.citizens.models import Consent
    from apps.organisations.models import Membership
    from apps.organisations.services import membership_ensure, organisation_ensure
    from apps.plans.models import Participation, Plan, PlanGroupObjectPermission

    # Reminders and their e-mail go only where the citizen's consent lets the plan be seen:
    # each plan is shared with the bench organisation within a consent, as people make them.
    if Plan.objects.count() >= TOTAL and Consent.objects.exists():
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
                cur.execute(
                    "insert into plans_plan (citizen_id, status, closed_reason,"
                    " coordinator_user_id, coordinator_organisation_id, assessment,"
                    " next_review, version, created_by_id, created, updated)"
                    " select g, 'active', '', %s, %s, '{}'::jsonb,"
                    " case when g %% %s = 0 then %s::date else %s::date + 20 + (g %% 150) end,"
                    " 1, %s, now(), now() from generate_series(%s, %s) g",
                    [user.pk, org.pk, DUE_EVERY, today, today, user.pk, start, end],
                )
                cur.execute(
                    f"insert into {Consent._meta.db_table} (citizen_id, form, given_at,"
                    " recorded_by_id, recorded_for_id)"
                    " select g, 'written', now() - interval '1 day', %s, %s"
                    " from generate_series(%s, %s) g",
                    [user.pk, org.pk, start, end],
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
                " analyze citizens_consent_organisations"
            )


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
    from apps.notifications.reminders import _review_rows, reminders_sweep
    from apps.plans.models import Plan

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    t0 = time.perf_counter()
    generate(today)
    print(f"data ready in {time.perf_counter() - t0:.1f}s")
    due = Plan.objects.filter(status="active", next_review=today).count()
    Notification.objects.all().delete()
    broker = redis_lib.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    broker.delete("celery", "unacked", "unacked_index")

    lookback = today - dt.timedelta(days=60)
    plan = (
        Plan.objects.filter(status="active", next_review__gte=lookback, next_review__lte=today)
        .values_list("pk", "next_review", "coordinator_user_id", "coordinator_organisation_id")
        .explain(analyze=True)
    )
    _review_rows(today)  # warm

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
    figures = f"""<!-- bench:reminders -->
### Reminders: sweep and delivery (`bench/reminders.py`)

Command: `.venv/bin/python -m bench.reminders` (PostgreSQL `{DB_NAME}`, Redis db 14;
`BENCH_PLANS={TOTAL}`, 1 in {DUE_EVERY} due today). Run {timezone.now():%Y-%m-%d %H:%M}.

| figure | value |
| --- | --- |
| plans / active plans due today | {TOTAL:,} / {due:,} |
| one sweep (insert {result.created:,} notifications, enqueue delivery) | {sweep_row} |
| second sweep (nothing due that is new) | {sweep2_s:.2f} s, {again.created} new |
| delivered through a real worker (4 processes, file e-mail) | {deliver_row} |
| no-op Celery task, same worker, same run | {noop_rate:,.0f} tasks/s |

EXPLAIN ANALYZE of the due-date read:

```
{plan}
```
<!-- /bench:reminders -->"""
    print(figures)
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"<!-- bench:reminders -->.*?<!-- /bench:reminders -->", re.S)
    text = (
        pattern.sub(lambda _: figures, text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + figures + "\n")
    )
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
