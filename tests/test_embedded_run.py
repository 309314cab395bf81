"""The embedded mode end to end: the real launcher, a real web server and worker, the real API.

What ``make run`` does, in a temporary KIP_VAR_DIR on SQLite and the filesystem broker:
migrate, seed_demo --force, collectstatic, then ``bin/kip-run`` on a free port, with DEBUG
off as ``make run`` has it. A demo caseworker logs in through the
API and sees only the plans their organisation takes part in; SIGTERM stops everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.logs import exercise, leaks, secret_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60
STOP_TIMEOUT = 30
PASSWORD = "embedded-test-password"
# Keys of this run, so the log test knows what to look for (tests/hardening/logs.py).
SECRETS = secret_env()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # Embedded mode by definition: no server, whatever the surrounding test run uses.
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "KIP_DEMO_PASSWORD_FILE",
            "DEBUG",
            "KIP_DEBUG",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kip_service.settings.local",
        KIP_VAR_DIR=str(var_dir),
        KIP_DEMO_PASSWORD=PASSWORD,
        HOST="127.0.0.1",
        PORT=str(port),
        KIP_START_TIMEOUT=str(START_TIMEOUT),
        PYTHONUNBUFFERED="1",
        **SECRETS,
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def request(url: str, *, token: str = "", data: dict | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def fetch(url: str) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Accept-Language": "da"})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    port = free_port()
    env = embedded_env(tmp_path / "var", port)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--force")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    log_path = tmp_path / "kip-run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bin" / "kip-run")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, f"http://127.0.0.1:{port}", log_path
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_started(process: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "launcher died:\n" + log_path.read_text()
        log = log_path.read_text(errors="replace")
        if "Stop with Ctrl-C" in log:  # printed once web and worker are both ready
            with contextlib.suppress(urllib.error.URLError, OSError):
                status, body = request(f"{base}/readyz")
                if status == 200:
                    assert body["checks"] == {"database": True, "broker": True}
                    return
        time.sleep(0.3)
    pytest.fail(f"not ready within {START_TIMEOUT} s:\n{log_path.read_text()}")


def login(base: str, username: str) -> str:
    status, body = request(
        f"{base}/api/v1/auth/token/", data={"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return body["token"]


def test_make_run_serves_the_api_and_stops_cleanly(launcher: Any) -> None:
    process, base, log_path = launcher
    wait_until_started(process, base, log_path)

    log = log_path.read_text()
    pids = re.search(r"started web \(pid (\d+)\) and worker \(pid (\d+)\)", log)
    assert pids, log
    web_pid, worker_pid = int(pids.group(1)), int(pids.group(2))
    assert f"{base}/api/docs/" in log
    assert "toften.caseworker" in log
    assert PASSWORD in log

    # The coordinator finds Jens Hansen's plan; toften takes no part in it.
    coordinator = login(base, "addiction.caseworker")
    status, found = request(f"{base}/api/v1/citizens/?cpr=010180-1234", token=coordinator)
    assert status == 200, found
    (jens,) = found["results"]
    assert jens["name"] == "Jens Hansen"
    status, plans = request(f"{base}/api/v1/plans/?citizen={jens['id']}", token=coordinator)
    assert status == 200, plans
    (jens_plan,) = plans["results"]

    token = login(base, "toften.caseworker")
    status, me = request(f"{base}/api/v1/me/", token=token)
    assert status == 200, me
    toften = me["memberships"][0]["organisation"]
    assert toften not in jens_plan["participants"]

    status, plans = request(f"{base}/api/v1/plans/", token=token)
    assert status == 200, plans
    seen = plans["results"]
    assert len(seen) == 2, seen  # Mette Jensen's and Ahmed Nielsen's plans
    assert all(toften in plan["participants"] for plan in seen)
    assert jens_plan["id"] not in {plan["id"] for plan in seen}
    status, _ = request(f"{base}/api/v1/plans/{jens_plan['id']}/", token=token)
    assert status == 404

    # DEBUG is off: a missing page is the Danish 404 page, not the list of URL patterns, and
    # the stylesheet is still served (collected, through WhiteNoise).
    status, page = fetch(f"{base}/no/such/page/")
    assert status == 404
    assert "Siden findes ikke" in page
    assert "URLconf" not in page
    assert "api/v1/" not in page
    stylesheet = re.search(r'href="([^"]*dkfds[^"]*\.css)"', page)
    assert stylesheet, page
    status, css = fetch(base + stylesheet.group(1))
    assert status == 200
    assert len(css) > 10_000

    # CPR numbers and passwords every way they reach the service (then, below: in no log line).
    exercise(base, PASSWORD)

    # SIGTERM to the launcher stops web and worker, with everything they started.
    family = descendants(process.pid)
    assert {web_pid, worker_pid} <= family
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=STOP_TIMEOUT) == 0, log_path.read_text()
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in family if running(pid)], log_path.read_text()
    assert "kip-run: stopped" in log_path.read_text()

    # No CPR number and no secret in what web, worker and beat logged during all of the above.
    log = log_path.read_text()
    assert "[web]" in log
    assert "[worker]" in log
    assert not leaks(log, SECRETS, PASSWORD), "\n".join(leaks(log, SECRETS, PASSWORD))
