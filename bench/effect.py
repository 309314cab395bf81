"""The effect report for one organisation over a year, at 10,000 and 100,000 plans with four
reviews each, in PostgreSQL.

``.venv/bin/python -m bench.effect`` (``make bench NAME=effect``). It drops and recreates the
database ``kip_bench_effect`` (``DATABASE_URL``; ``--keep`` reuses it), fills it with
``bench.generate`` (plans, goals, efforts, consent, grants), gives every plan that is not a
draft four reviews 90 days apart over the last year, each with a citizen's and a
professional's rating of both goals and a meeting rating, and ends a tenth of the goals. Then,
as ``addiction.manager`` (about 5 % of the plans) through the real view
(``GET /api/v1/reports/effect/``): the number of queries, the latency (median and p95 of
``--requests`` requests) and ``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT, looking for
sequential scans of the tables that grow with the data.

Goals (issue 10): one request; the query count the same at both sizes; no sequential scan of
the big tables. It writes its section of ``bench/RESULTS.md`` (``<!-- bench:effect -->``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from typing import Any

from bench import generate
from bench.plans import (
    OUT,
    RESULTS,
    _capture,
    _commit,
    _explain,
    _machine,
    _percentile,
    _shorten,
    _versions,
)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kip_bench_effect")
BEGIN, END = "<!-- bench:effect -->", "<!-- /bench:effect -->"
PERSONA = "addiction.manager"
BIG_TABLES = (
    "plans_plan",
    "plans_participation",
    "plans_plangroupobjectpermission",
    "plans_goal",
    "plans_effort",
    "coordination_review",
    "coordination_goalrating",
    "citizens_consent",
    "citizens_consent_organisations",
)

# Four reviews a plan, 90 days apart within the last year, each agreeing the next one 100
# days on (so some are late); ratings that climb with each review; a meeting rating.
REVIEWS_SQL = """
INSERT INTO coordination_review (
    plan_id, held_on, outcome, notes, participants, citizen_took_part, citizen_view,
    citizen_agreed, heard, what_matters, approach, overall, next_review,
    recorded_by_id, recorded_for_id, created)
SELECT p.id, d.held_on, 'continue', '', '[]', true, '', true,
       ((p.id + n) % 11)::int, ((p.id + 2 * n) % 11)::int, 7, 8, d.held_on + 100,
       p.coordinator_user_id, p.coordinator_organisation_id, now()
FROM plans_plan p
CROSS JOIN generate_series(0, 3) AS n
CROSS JOIN LATERAL (SELECT current_date - 350 + (n * 90 + p.id % 20)::int AS held_on) d
WHERE p.status <> 'draft' AND p.coordinator_user_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM coordination_review r WHERE r.plan_id = p.id)
"""
RATINGS_SQL = """
INSERT INTO coordination_goalrating (review_id, goal_id, citizen, professional, citizen_note, note)
SELECT r.id, g.id,
       least(10, 2 + (r.held_on - (current_date - 350)) / 90 + (g.id % 3)::int),
       least(10, 3 + (r.held_on - (current_date - 350)) / 90),
       '', ''
FROM coordination_review r
JOIN plans_goal g ON g.plan_id = r.plan_id
WHERE NOT EXISTS (SELECT 1 FROM coordination_goalrating x WHERE x.review_id = r.id)
"""
OUTCOMES_SQL = """
UPDATE plans_goal
SET outcome = (ARRAY['reached', 'partly_reached', 'changed', 'dropped'])[1 + id % 4],
    status = CASE WHEN id % 4 < 2 THEN 'reached' ELSE 'dropped' END,
    outcome_on = current_date - (id % 300)::int
WHERE id % 10 = 0 AND outcome = ''
"""


def reviews_add() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for name, sql in (("reviews", REVIEWS_SQL), ("ratings", RATINGS_SQL)):
            began = time.monotonic()
            cursor.execute(sql)
            counts[name] = cursor.rowcount
            print(f"  {name}: {cursor.rowcount:,} rows in {time.monotonic() - began:.1f} s")
        cursor.execute(OUTCOMES_SQL)
        cursor.execute("ANALYZE")
        # What the database holds now (a --keep run adds nothing).
        for name, table in (
            ("reviews", "coordination_review"),
            ("ratings", "coordination_goalrating"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


def measure(requests: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from apps.organisations.models import Membership

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # APIClient's host
    user = get_user_model().objects.get(username=PERSONA)
    membership = Membership.objects.get(user=user)
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_ORGANISATION=str(membership.organisation_id))
    today = datetime.date.today()  # noqa: DTZ011  (the server's day is the report's day)
    url = f"/api/v1/reports/effect/?from={today - datetime.timedelta(days=364)}&to={today}"
    count, queries = _capture(client, url)
    report = client.get(url).json()
    timings = []
    for _ in range(3):
        client.get(url)
    load_before = os.getloadavg()[0]
    for _ in range(requests):
        began = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    explains = [
        {"sql": _shorten(sql), "plan": _explain(sql)}
        for sql in queries
        if sql.lstrip().upper().startswith("SELECT")
    ]
    seq = sorted(
        {
            table
            for e in explains
            for table in BIG_TABLES
            if f"Seq Scan on {table} " in e["plan"] or e["plan"].endswith(f"Seq Scan on {table}")
        }
    )
    return {
        "queries": count,
        "median_ms": statistics.median(timings),
        "p95_ms": _percentile(timings, 0.95),
        "load": (load_before + os.getloadavg()[0]) / 2,
        "report": report,
        "seq_scans": seq,
        "explains": explains,
    }


def render(runs: dict[int, dict[str, Any]], meta: dict[str, str]) -> str:
    sizes = sorted(runs)
    constant = len({runs[s]["queries"] for s in sizes}) == 1
    no_seq = not any(runs[s]["seq_scans"] for s in sizes)
    lines = [
        BEGIN,
        "## effect (issue 10): the effect report at 10,000 and 100,000 plans",
        "",
        f"- Command: `{meta['command']}`",
        f"- Commit: `{meta['commit']}`; {meta['date']}",
        f"- Machine: {meta['machine']}; {meta['versions']}",
        f"- Data: {meta['data']}",
        "",
        "| plans | reviews | ratings | queries | median ms | p95 ms | load | seq scans |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in sizes:
        run = runs[size]
        lines.append(
            f"| {size:,} | {run['rows']['reviews']:,} | {run['rows']['ratings']:,} | "
            f"{run['queries']} | {run['median_ms']:.1f} | {run['p95_ms']:.1f} | "
            f"{run['load']:.1f} | {', '.join(run['seq_scans']) or 'none'} |"
        )
    big = runs[sizes[-1]]
    ratio = big["median_ms"] / runs[sizes[0]]["median_ms"]
    lines += [
        "",
        f"- Query count the same at every size: **{'yes' if constant else 'NO'}** "
        f"({', '.join(str(runs[s]['queries']) for s in sizes)}).",
        f"- Sequential scans of the big tables: **{'none' if no_seq else 'FOUND'}**.",
        f"- Median latency {sizes[-1]:,} / {sizes[0]:,} plans: x{ratio:.2f} (same run; the "
        "report reads the organisation's plans, which grow with the data).",
        "",
        f"The report at {sizes[-1]:,} plans, as `{PERSONA}`:",
        "",
        "```json",
        json.dumps({k: v for k, v in big["report"].items()}, indent=2, ensure_ascii=False),
        "```",
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) of its SELECTs at {sizes[-1]:,} plans:",
        "",
    ]
    for explain in big["explains"]:
        lines += ["```sql", explain["sql"], "```", "```", explain["plan"], "```", ""]
    lines.append(END)
    return "\n".join(lines)


def write_section(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The effect report at growing sizes.")
    parser.add_argument("--sizes", default="10000,100000", help="plan counts, ascending")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per size")
    parser.add_argument("--keep", action="store_true", help="reuse the database")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    began = time.monotonic()
    generate.database_prepare(fresh=not args.keep)
    runs: dict[int, dict[str, Any]] = {}
    for size in sorted(int(s) for s in args.sizes.split(",")):
        print(f"generating up to {size:,} plans", flush=True)
        generate.generate(size)
        print("adding reviews and ratings", flush=True)
        rows = reviews_add()
        print(f"measuring at {size:,} plans", flush=True)
        runs[size] = {**measure(args.requests), "rows": rows}
        print(
            f"  {runs[size]['queries']} queries, median {runs[size]['median_ms']:.1f} ms, "
            f"seq scans: {runs[size]['seq_scans'] or 'none'}",
            flush=True,
        )
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "versions": _versions(),
        "commit": _commit(),
        "command": "make bench NAME=effect  (= .venv/bin/python -m bench.effect "
        + " ".join(sys.argv[1:] if argv is None else argv)
        + ")",
        "data": (
            "bench/generate.py (one plan per citizen, 50 organisations, two goals and one "
            "effort a plan) and four reviews 90 days apart in the last year for every plan "
            "that is not a draft, both goals rated at each, a meeting rating, a tenth of the "
            f"goals ended; {args.requests} timed requests after 3 warm-ups; "
            f"total run {time.monotonic() - began:.0f} s"
        ),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "effect.json").write_text(json.dumps({"meta": meta, "runs": runs}, default=str))
    if not args.no_write:
        write_section(render(runs, meta))
        print(f"wrote {RESULTS.relative_to(RESULTS.parent.parent)}", flush=True)


if __name__ == "__main__":
    main()
