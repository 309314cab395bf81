"""Issue 2's benchmark: the plan list and detail at 10,000 and 100,000 plans in PostgreSQL.

``.venv/bin/python -m bench.plans`` (``make bench NAME=plans``). It drops and recreates the
database ``kip_bench`` (``DATABASE_URL``), fills it to each size with ``bench.generate``, and
for each size measures through the real DRF views (APIClient, ``force_authenticate``,
``X-Organisation``): the queries of ``GET /api/v1/plans/`` and ``GET /api/v1/plans/{id}/``,
their latency (median and p95 over ``--requests`` requests after a warm-up), and
``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT they send. It writes its section of
``bench/RESULTS.md`` (between ``<!-- bench:plans -->`` markers) and the raw figures to
``bench/out/plans.json``.

Goals (issue 2): the query count does not change with size; no sequential scan on the plan,
participation, guardian or consent tables; the list's median latency grows at most 1.5x from
10,000 to 100,000 plans.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import generate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
OUT = HERE / "out"
BEGIN, END = "<!-- bench:plans -->", "<!-- /bench:plans -->"
HISTORY = re.compile(r"<!-- plans:history -->.*?<!-- /plans:history -->", re.S)
MAX_RATIO = 1.5
# Tables that grow with the data: a sequential scan on any of them fails the goal.
BIG_TABLES = (
    "plans_plan",
    "plans_participation",
    "plans_plangroupobjectpermission",
    "plans_goal",
    "plans_effort",
    "plans_agreement",
    "citizens_consent",
    "citizens_consent_organisations",
    "citizens_citizen",
)
# The caseworkers measured: the demo addiction centre (about 5 % of the plans), and the
# demo shelter (about 1 %), the harder case for a list ordered by id.
PERSONAS = ("addiction.caseworker", "toften.caseworker")
ROUNDS = 10


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            ]
        cpu = f" ({names[0]})" if names else ""
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs{cpu}{memory}, {platform.system()} {platform.release()}"


def _versions() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return f"PostgreSQL {server}, Django {django.get_version()}, Python {platform.python_version()}"


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "-C", str(HERE.parent), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return found.stdout.strip() or os.environ.get("KIP_BENCH_COMMIT", "unknown")


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _seq_scans(plan_text: str) -> list[str]:
    tables = re.findall(r"Seq Scan on (\w+)", plan_text)
    return sorted({t for t in tables if t in BIG_TABLES})


def _capture(client: Any, url: str) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    # A statement run through apps.core.prepared's cursor is captured without its text.
    return len(captured), [q["sql"] or "(a prepared statement)" for q in captured.captured_queries]


def _time(client: Any, urls: dict[str, str], requests: int, warmup: int) -> dict[str, Any]:
    """Wall-clock ms per request, in rounds that alternate the views.

    Each round times ``requests / ROUNDS`` requests of every view in turn, so a burst of other
    work on the machine lands on all views alike; the least disturbed round is kept as well.
    """
    for url in urls.values():
        for _ in range(warmup):
            client.get(url)
    timings: dict[str, list[float]] = {name: [] for name in urls}
    rounds: dict[str, list[float]] = {name: [] for name in urls}
    per_round = max(1, requests // ROUNDS)
    load_before = os.getloadavg()[0]
    for _ in range(ROUNDS):
        for name, url in urls.items():
            this_round = []
            for _ in range(per_round):
                began = time.perf_counter()
                response = client.get(url)
                this_round.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
            timings[name] += this_round
            rounds[name].append(statistics.median(this_round))
    load = (load_before + os.getloadavg()[0]) / 2
    return {
        name: {
            "median_ms": statistics.median(values),
            "p95_ms": _percentile(values, 0.95),
            "mean_ms": statistics.fmean(values),
            "best_round_median_ms": min(rounds[name]),
            "requests": len(values),
            "load": load,
        }
        for name, values in timings.items()
    }


def _main_select(queries: list[str], marker: str) -> str:
    """The query that reads the plans (the one with the access check's EXISTS)."""
    for sql in queries:
        if sql.lstrip().upper().startswith("SELECT") and '"plans_plan"' in sql and marker in sql:
            return sql
    raise SystemExit("no plan query among the captured queries")


def measure_persona(username: str, requests: int, warmup: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from apps.access.checks import plans_visible_to
    from apps.access.context import actor_for
    from apps.plans.models import Plan

    user = get_user_model().objects.get(username=username)
    organisation_id = user.memberships.get().organisation_id
    actor = actor_for(user, organisation_id)
    visible = plans_visible_to(actor).count()
    total = Plan.objects.count()
    # A plan in the middle of what the caseworker sees: neither the newest nor the oldest.
    ids = list(plans_visible_to(actor).order_by("id").values_list("id", flat=True))
    detail_id = ids[len(ids) // 2]

    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(user)
    client.credentials(HTTP_X_ORGANISATION=str(organisation_id))
    urls = {"list": "/api/v1/plans/", "detail": f"/api/v1/plans/{detail_id}/"}
    client.get(urls["list"])  # connection, caches, plan cache
    result: dict[str, Any] = {
        "persona": username,
        "visible": visible,
        "total": total,
        "share": visible / total,
        "detail_id": detail_id,
    }
    for name, url in urls.items():
        count, queries = _capture(client, url)
        selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
        explains = [_explain(q) for q in selects]
        main = _main_select(queries, "EXISTS")
        # The least disturbed of five runs of the main query, server side.
        runs = [_explain(main) for _ in range(5)]
        main_plan = min(runs, key=lambda text: _execution_ms(text) or 0.0)
        result[name] = {
            "queries": count,
            "sql": queries,
            "main_sql": main,
            "main_explain": main_plan,
            "seq_scans": sorted({t for plan in explains for t in _seq_scans(plan)}),
            "main_execution_ms": _execution_ms(main_plan),
        }
    for name, figures in _time(client, urls, requests, warmup).items():
        result[name].update(figures)
        row = result[name]
        print(
            f"    {username:<22} {name:<6} {row['queries']} queries  median {row['median_ms']:6.2f}"
            f" ms  p95 {row['p95_ms']:6.2f} ms  best round {row['best_round_median_ms']:6.2f} ms"
            f"  query {row['main_execution_ms']:.2f} ms  load {row['load']:.1f}"
            f"  seq scans: {row['seq_scans'] or 'none'}",
            flush=True,
        )
    return result


def _execution_ms(plan_text: str) -> float | None:
    found = re.search(r"Execution Time: ([\d.]+) ms", plan_text)
    return float(found.group(1)) if found else None


# --- the report --------------------------------------------------------------------------------


def verdicts(runs: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    sizes = sorted(runs)
    small, large = sizes[0], sizes[-1]
    out: dict[str, Any] = {"ratios": {}, "query_counts_constant": True, "seq_scans": {}}
    for index, persona in enumerate(runs[small]):
        name = persona["persona"]
        for view in ("list", "detail"):
            counts = {runs[s][index][view]["queries"] for s in sizes}
            if len(counts) != 1:
                out["query_counts_constant"] = False
            for s in sizes:
                if runs[s][index][view]["seq_scans"]:
                    out["seq_scans"][f"{name} {view} @{s}"] = runs[s][index][view]["seq_scans"]
        big, little = runs[large][index]["list"], runs[small][index]["list"]
        out["ratios"][name] = {
            key: big[f"{key}_ms"] / little[f"{key}_ms"]
            for key in ("median", "p95", "best_round_median", "main_execution")
        }
    out["latency_ok"] = all(r["median"] <= MAX_RATIO for r in out["ratios"].values())
    out["no_seq_scan"] = not out["seq_scans"]
    return out


def _excerpt(plan_text: str, lines: int = 40) -> str:
    kept = plan_text.splitlines()
    if len(kept) > lines:
        kept = [*kept[: lines - 1], f"  ... ({len(kept) - lines + 1} more lines)"]
    return "\n".join(kept)


def render(runs: dict[int, list[dict[str, Any]]], meta: dict[str, str], history: str) -> str:
    verdict = verdicts(runs)
    sizes = sorted(runs)
    lines = [
        BEGIN,
        "## Plans (issue 2)",
        "",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}",
        f"- Software: {meta['versions']}; code at commit {meta['commit']}",
        f"- Command: `{meta['command']}`",
        f"- Data: {meta['data']}",
        f"- Method: {meta['method']}",
        "",
        "| plans | caseworker | sees | view | queries | median ms | p95 ms | best round ms "
        "| main query ms | load | seq scan on big tables |",
        "| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in sizes:
        for persona in runs[size]:
            for view in ("list", "detail"):
                row = persona[view]
                sees = f"{persona['visible']:,} ({persona['share']:.1%})"
                scans = ", ".join(row["seq_scans"]) or "none"
                lines.append(
                    f"| {size:,} | {persona['persona']} | {sees} | {view} | {row['queries']} "
                    f"| {row['median_ms']:.2f} | {row['p95_ms']:.2f} "
                    f"| {row['best_round_median_ms']:.2f} | {row['main_execution_ms']:.2f} "
                    f"| {row['load']:.1f} | {scans} |"
                )
    lines += [
        "",
        "Columns: median and p95 of all timed requests (wall clock, client to response, in "
        "one process); best round: the lowest of the ten round medians; main query: "
        "`EXPLAIN ANALYZE` execution time of the plan query (best of five); load: the "
        "machine's 1-minute load average while timing (2 cores; other work ran alongside).",
        "",
        "Latency of the list, largest over smallest size:",
        "",
    ]
    for name, ratio in verdict["ratios"].items():
        lines.append(
            f"- {name}: median x{ratio['median']:.2f}, p95 x{ratio['p95']:.2f}, "
            f"best round x{ratio['best_round_median']:.2f}, "
            f"main query (server) x{ratio['main_execution']:.2f}"
        )
    ok = {True: "**met**", False: "**NOT met**"}
    lines += [
        "",
        "Verdicts against the goals:",
        "",
        f"- List latency grows at most {MAX_RATIO}x ({sizes[0]:,} to {sizes[-1]:,} plans, median): "
        f"{ok[verdict['latency_ok']]}",
        "- Query count constant (list and detail, every size): "
        f"{ok[verdict['query_counts_constant']]}",
        f"- No sequential scan on {', '.join(BIG_TABLES)}: {ok[verdict['no_seq_scan']]}"
        + (f" (found: {verdict['seq_scans']})" if verdict["seq_scans"] else ""),
        "",
    ]
    first = runs[sizes[-1]][0]
    for view in ("list", "detail"):
        lines += [
            f"Queries of the {view} ({first['persona']}, {sizes[-1]:,} plans):",
            "",
            "```sql",
            *(_shorten(q) for q in first[view]["sql"]),
            "```",
            "",
        ]
    for size in sizes:
        for persona in runs[size]:
            lines += [
                f"EXPLAIN (ANALYZE, BUFFERS) of the list query, {persona['persona']}, "
                f"{size:,} plans:",
                "",
                "```",
                _excerpt(persona["list"]["main_explain"]),
                "```",
                "",
            ]
    if history:
        lines += [history, ""]
    lines.append(END)
    return "\n".join(lines)


def _shorten(sql: str, limit: int = 600) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else sql[: limit - 5] + " ..."


def write_section(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def _history() -> str:
    """A hand-kept block inside the section (earlier figures) survives a rewrite."""
    if not RESULTS.exists():
        return ""
    found = HISTORY.search(RESULTS.read_text())
    return found.group(0) if found else ""


# --- the run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Plan list and detail at growing sizes.")
    parser.add_argument("--sizes", default="10000,100000", help="plan counts, ascending")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per view")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--keep", action="store_true", help="reuse the database (no fresh start)")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.test")
    generate.database_prepare(fresh=not args.keep)
    runs: dict[int, list[dict[str, Any]]] = {}
    began = time.monotonic()
    for size in sizes:
        print(f"generating up to {size:,} plans", flush=True)
        generate.generate(size)
        print(f"measuring at {size:,} plans", flush=True)
        runs[size] = [measure_persona(p, args.requests, args.warmup) for p in PERSONAS]

    verdict = verdicts(runs)
    print(json.dumps({k: v for k, v in verdict.items()}, indent=2))
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "versions": _versions(),
        "commit": _commit(),
        "command": "make bench NAME=plans  (= .venv/bin/python -m bench.plans "
        + " ".join(sys.argv[1:] if argv is None else argv)
        + ")",
        "data": (
            "bench/generate.py: one citizen per plan, 50 organisations in 16 municipalities "
            "and 2 regions; 3 % of consents withdrawn; guardian view_plan and change_plan rows "
            "per participating organisation; 2 goals and 1 effort per plan, an agreement in "
            "half; `addiction` takes part in about 5 % of the plans, `toften` in about 1.6 %"
        ),
        "method": (
            f"APIClient with force_authenticate and X-Organisation through the real views and "
            f"middleware (the token lookup of real clients is not counted); {args.warmup} "
            f"warm-up requests per view, then {args.requests} timed requests per view in "
            f"{ROUNDS} rounds that alternate list and detail, in one process; every list "
            f"request also writes its 50 audit events. "
            f"Total run {time.monotonic() - began:.0f} s"
        ),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "plans.json").write_text(
        json.dumps({"meta": meta, "runs": runs, "verdicts": verdict}, indent=2, default=str)
    )
    if not args.no_write:
        write_section(render(runs, meta, _history()))
        print(f"wrote {RESULTS.relative_to(HERE.parent)}", flush=True)


if __name__ == "__main__":
    main()
