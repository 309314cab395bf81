"""gunicorn's settings come from kip_service/gunicorn.conf.py, read from the environment: the
values given, the defaults, and a clear stop (naming the variable) on a bad value, both when
the file is loaded on its own and when the real gunicorn reads it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "kip_service" / "gunicorn.conf.py"
APP = "kip_service.wsgi:application"
VARIABLES = (
    "KIP_WEB_WORKERS",
    "WEB_CONCURRENCY",
    "KIP_WEB_WORKER_CLASS",
    "KIP_WEB_THREADS",
    "KIP_WEB_TIMEOUT",
    "KIP_WEB_GRACEFUL_TIMEOUT",
    "KIP_WEB_MAX_REQUESTS",
    "KIP_WEB_MAX_REQUESTS_JITTER",
    "KIP_WEB_KEEPALIVE",
)
SETTINGS = (
    "workers",
    "worker_class",
    "threads",
    "timeout",
    "graceful_timeout",
    "max_requests",
    "max_requests_jitter",
    "keepalive",
)


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """The config file as gunicorn runs it, with only these variables set."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("kip_gunicorn_conf", CONFIG)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def values(module: ModuleType) -> dict[str, Any]:
    return {name: getattr(module, name) for name in SETTINGS}


def test_the_values_given(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load(
        monkeypatch,
        KIP_WEB_WORKERS="5",
        KIP_WEB_WORKER_CLASS="gthread",
        KIP_WEB_THREADS="8",
        KIP_WEB_TIMEOUT="45",
        KIP_WEB_GRACEFUL_TIMEOUT="20",
        KIP_WEB_MAX_REQUESTS="500",
        KIP_WEB_MAX_REQUESTS_JITTER="50",
        KIP_WEB_KEEPALIVE="10",
    )
    assert values(config) == {
        "workers": 5,
        "worker_class": "gthread",
        "threads": 8,
        "timeout": 45,
        "graceful_timeout": 20,
        "max_requests": 500,
        "max_requests_jitter": 50,
        "keepalive": 10,
    }
    assert config.accesslog == "-"
    assert config.control_socket_disable is True


def test_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert values(load(monkeypatch)) == {
        "workers": 5,  # 2 x CPUs + 1
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 30,
        "graceful_timeout": 30,
        "max_requests": 1000,
        "max_requests_jitter": 100,
        "keepalive": 5,
    }
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert load(monkeypatch).workers == 8  # at most 8 without being told
    # Empty is unset (compose passes the variables through, empty when not given).
    assert load(monkeypatch, KIP_WEB_WORKERS="", KIP_WEB_TIMEOUT=" ").timeout == 30


def test_workers_from_web_concurrency_unless_kip_web_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load(monkeypatch, WEB_CONCURRENCY="3").workers == 3
    assert load(monkeypatch, WEB_CONCURRENCY="3", KIP_WEB_WORKERS="6").workers == 6


def test_sync_workers_have_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load(monkeypatch, KIP_WEB_WORKER_CLASS="sync")
    assert (config.worker_class, config.threads) == ("sync", 1)
    assert load(monkeypatch, KIP_WEB_MAX_REQUESTS="0").max_requests == 0  # 0: never restart


@pytest.mark.parametrize(
    ("name", "value", "wanted"),
    [
        ("KIP_WEB_WORKERS", "abc", "a whole number of at least 1"),
        ("KIP_WEB_WORKERS", "0", "a whole number of at least 1"),
        ("KIP_WEB_WORKERS", "2.5", "a whole number of at least 1"),
        ("WEB_CONCURRENCY", "-3", "a whole number of at least 1"),
        ("KIP_WEB_THREADS", "0", "a whole number of at least 1"),
        ("KIP_WEB_TIMEOUT", "30s", "a whole number of at least 1"),
        ("KIP_WEB_GRACEFUL_TIMEOUT", "0", "a whole number of at least 1"),
        ("KIP_WEB_MAX_REQUESTS", "-1", "a whole number of at least 0"),
        ("KIP_WEB_MAX_REQUESTS_JITTER", "ten", "a whole number of at least 0"),
        ("KIP_WEB_KEEPALIVE", "1e3", "a whole number of at least 0"),
        ("KIP_WEB_WORKER_CLASS", "gevent", "one of gthread, sync"),
    ],
)
def test_a_bad_value_stops_with_its_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, wanted: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        load(monkeypatch, **{name: value})
    assert str(stopped.value) == (
        f"gunicorn.conf.py: {name}={value!r} is not valid: give {wanted}."
        if "whole" in wanted
        else f"gunicorn.conf.py: {name}={value!r} is not valid: choose {wanted}."
    )


def test_threads_with_the_sync_worker_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="KIP_WEB_THREADS='4' is not valid: the sync worker"):
        load(monkeypatch, KIP_WEB_WORKER_CLASS="sync", KIP_WEB_THREADS="4")


def _gunicorn(tmp_path: Path, *options: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="kip_service.settings.local", KIP_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", f"--config={CONFIG}", *options, APP],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_gunicorn_itself_reads_them(tmp_path: Path) -> None:
    done = _gunicorn(
        tmp_path, "--print-config", KIP_WEB_WORKERS="3", KIP_WEB_THREADS="2", KIP_WEB_TIMEOUT="40"
    )
    assert done.returncode == 0, done.stderr
    printed = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition("=") for line in done.stdout.splitlines())
    )
    assert printed["workers"] == "3"
    assert printed["threads"] == "2"
    assert printed["worker_class"] == "gthread"
    assert printed["timeout"] == "40"
    assert printed["max_requests"] == "1000"
    # Given on the command line, an option still wins over the file.
    done = _gunicorn(tmp_path, "--print-config", "--workers=7", KIP_WEB_WORKERS="3")
    assert "workers                            = 7" in done.stdout


def test_gunicorn_stops_at_start_on_a_bad_value(tmp_path: Path) -> None:
    done = _gunicorn(tmp_path, "--check-config", KIP_WEB_WORKERS="many")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "gunicorn.conf.py: KIP_WEB_WORKERS='many' is not valid: give a whole number of at least 1."
    )
