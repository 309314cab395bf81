"""gunicorn's settings for the KIP web service, read from the environment.

Used by ``bin/kip-run`` (embedded mode) and by the image's web command (compose.yaml,
Dockerfile): ``gunicorn --config=kip_service/gunicorn.conf.py kip_service.wsgi:application``.
Options given on the command line win over these. Every value is checked when gunicorn starts;
a bad one stops it with a message naming the variable, before any worker runs.

- ``KIP_WEB_WORKERS``: processes (``workers``); default ``WEB_CONCURRENCY`` if set, else
  2 x CPUs + 1, at most 8;
- ``KIP_WEB_WORKER_CLASS``: ``gthread`` (default) or ``sync``;
- ``KIP_WEB_THREADS``: threads per process; default 4 (``gthread``), 1 (``sync``, its only value);
- ``KIP_WEB_TIMEOUT``: seconds before a silent worker is killed and replaced; default 30;
- ``KIP_WEB_GRACEFUL_TIMEOUT``: seconds a stopping worker has to finish its requests; default 30;
- ``KIP_WEB_MAX_REQUESTS``: requests before a worker is replaced (0: never); default 1000;
- ``KIP_WEB_MAX_REQUESTS_JITTER``: up to this many more, at random; default 100;
- ``KIP_WEB_KEEPALIVE``: seconds an idle kept-alive connection stays open; default 5.
- ``KIP_LOG_FORMAT``: ``json`` or ``text`` for gunicorn's own lines too; default json under
  production settings, else text;
- ``PROMETHEUS_MULTIPROC_DIR``: where the worker processes keep their metrics (emptied at
  start); default a new temporary directory, removed at exit.

Threads: a request mostly waits for PostgreSQL, so a few threads per process serve more people
with the same memory, and a slow client or a kept-alive connection holds a thread, not a whole
process. Each thread keeps its own database connection: workers x threads per web container.
Restarting a worker after about ``max_requests`` requests (spread by the jitter, so they do not
all restart at once) bounds any slow growth in memory.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

WORKER_CLASSES = ("gthread", "sync")


def _fail(name: str, raw: str, wanted: str) -> SystemExit:
    # SystemExit, not an exception: gunicorn prints the message alone and exits with status 1.
    return SystemExit(f"gunicorn.conf.py: {name}={raw!r} is not valid: {wanted}.")


def _whole(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw.strip()) or int(raw) < minimum:
        raise _fail(name, raw, f"give a whole number of at least {minimum}")
    return int(raw)


def _default_workers() -> int:
    if os.environ.get("KIP_WEB_WORKERS", "").strip() == "" and os.environ.get("WEB_CONCURRENCY"):
        # gunicorn's own name for it, which compose.yaml once set.
        return _whole("WEB_CONCURRENCY", 1, minimum=1)
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def _worker_class() -> str:
    raw = os.environ.get("KIP_WEB_WORKER_CLASS", "").strip()
    if raw == "":
        return "gthread"
    if raw not in WORKER_CLASSES:
        raise _fail("KIP_WEB_WORKER_CLASS", raw, f"choose one of {', '.join(WORKER_CLASSES)}")
    return raw


workers = _whole("KIP_WEB_WORKERS", _default_workers(), minimum=1)
worker_class = _worker_class()
threads = _whole("KIP_WEB_THREADS", 4 if worker_class == "gthread" else 1, minimum=1)
if worker_class == "sync" and threads > 1:
    # gunicorn would quietly switch to gthread; say so instead.
    raise _fail("KIP_WEB_THREADS", str(threads), "the sync worker has one thread; use gthread")
timeout = _whole("KIP_WEB_TIMEOUT", 30, minimum=1)
graceful_timeout = _whole("KIP_WEB_GRACEFUL_TIMEOUT", 30, minimum=1)
max_requests = _whole("KIP_WEB_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = _whole("KIP_WEB_MAX_REQUESTS_JITTER", 100, minimum=0)
keepalive = _whole("KIP_WEB_KEEPALIVE", 5, minimum=0)
accesslog = "-"
# gunicorn's usual line without the query string and the Referer: either may hold a search, a
# filter or a CPR number (kip_service/redaction.py masks those in any case).
# At the end, the request id the response carries (X-Request-ID), as the request's other log
# lines carry it.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" request_id=%({x-request-id}o)s'
)
# Newer gunicorn opens a control socket at one fixed path per user: two instances on one
# machine (tests, a second checkout) would fight over it, and nothing here uses it. Older
# versions ignore the name.
control_socket_disable = True


# --- logs: JSON like the service's own lines (apps/core/logs.py) ---
# KIP_LOG_FORMAT as the Django settings read it; its default, json, under production settings.


class _AccessRequestId(logging.Filter):
    """The access line's request id as a field of its own (the line itself is already text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = re.search(r"request_id=([0-9a-f]{32})$", record.getMessage())
        record.request_id = found.group(1) if found else None
        return True


def _log_format() -> str:
    raw = os.environ.get("KIP_LOG_FORMAT", "").strip()
    if raw == "":
        production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
        return "json" if production else "text"
    if raw not in ("json", "text"):
        raise _fail("KIP_LOG_FORMAT", raw, "choose json or text")
    return raw


if _log_format() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"access": {"()": _AccessRequestId}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}",
                "style": "{",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["access"],
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }


# --- metrics: prometheus_client's multiprocess mode (apps/core/metrics.py) ---
# Each worker process counts its own requests; with PROMETHEUS_MULTIPROC_DIR set before the
# workers start, each writes its counts to files there and /metrics adds up all of them,
# whichever worker answers the scrape. A worker replaced after max_requests leaves its files
# behind: its counts stay in the sums (as counters must), and the files stay until the next start.


def on_starting(server: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if directory:
        # Given: emptied, as prometheus_client asks (old counts would be added to the new).
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kip-metrics-")
        os.environ["KIP_METRICS_DIR_OWNED"] = "1"


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    if os.environ.get("KIP_METRICS_DIR_OWNED") == "1":
        shutil.rmtree(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""), ignore_errors=True)
