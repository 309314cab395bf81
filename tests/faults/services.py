"""What the fault tests start: a PostgreSQL of their own, and the web service under gunicorn.

The machine's PostgreSQL and Redis are never stopped (other tests use them): a test that
stops one starts its own first. ``PrivatePostgres`` runs ``initdb`` and ``pg_ctl`` from the
machine's PostgreSQL binaries in a directory of its own, on a free port; as root it runs them
as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing(what: str) -> NoReturn:
    """Skip without the tool, or fail under KIP_REQUIRE_SERVICES=1 (CI): nothing silently
    skips there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"KIP_REQUIRE_SERVICES=1 but {what}", pytrace=False)
    pytest.skip(what)


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


class PrivatePostgres:
    """A PostgreSQL server of the test's own: trust authentication, loopback, a free port."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None or not (bindir / "pg_ctl").exists():
            missing("PostgreSQL's initdb and pg_ctl are not installed")
        self.bindir: Path = bindir
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root, and there is no postgres user to run PostgreSQL as")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="kip-faults-pg-"))
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self.data = self.dir / "data"
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kip"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bindir / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}\n{done.stderr}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            action,
            *extra,
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def create_database(self) -> None:
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE kip")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # not running
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        path = self.dir / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def service_env(database_url: str, var: Path, **extra: str) -> dict[str, str]:
    """The service as production runs it, on loopback over HTTP, with secrets for the test."""
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kip_service.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "fault-tests-only",
        "KIP_CPR_HASH_KEY": "fault-tests-cpr-hash-key",
        "KIP_CPR_ENCRYPTION_KEY": "fault-tests-cpr-encryption-key",
        "KIP_BASE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "KIP_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"):
        env.pop(name, None)
    env.update(extra)
    return env


class Web:
    """gunicorn with the service's configuration file, in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2) -> None:
        self.port = free_port()
        self.log_path = log
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config=kip_service/gunicorn.conf.py",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                "--access-logfile=/dev/null",
                "kip_service.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start:\n{self.log()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not come up:\n{self.log()}")

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: Any = None,
        timeout: float = 30,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body)
            sent = dict(headers or {})
            if data is not None:
                sent["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers)

    def worker_pids(self) -> set[int]:
        done = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        )
        return {int(p) for p in done.stdout.split()}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.answered = 0.0  # time.monotonic() when it came, if the caller notes it

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers.get('content-type')} {self.text[:200]!r}>"
