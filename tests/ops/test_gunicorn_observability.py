"""The real web server: gunicorn with several worker processes. /metrics adds up the requests
of every process (prometheus_client's multiprocess mode, set up by gunicorn.conf.py), and its
log lines are JSON carrying the same request id as the response."""

from __future__ import annotations

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers["X-Request-ID"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"], error.read().decode()


def test_metrics_add_up_every_worker_and_logs_are_json(tmp_path: Path) -> None:
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "kip_service.settings.local",
        "KIP_VAR_DIR": str(tmp_path / "var"),
        "KIP_LOG_FORMAT": "json",
        "KIP_WEB_WORKERS": "3",
        # One request at a time per process: concurrent requests must spread over the three.
        "KIP_WEB_WORKER_CLASS": "sync",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = (tmp_path / "web.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kip_service.wsgi:application",
            "--config=kip_service/gunicorn.conf.py",
            f"--bind=127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
            time.sleep(0.2)

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda _: _get(f"{base}/healthz"), range(59)))
        assert {status for status, _, _ in answers} == {200}
        missing = _get(f"{base}/no-such-page?q=private-words")
        assert missing[0] == 404

        status, _, body = _get(f"{base}/metrics")
        assert status == 200
        # 60 /healthz in all (the first one above too), whichever process served them.
        counted = re.search(
            r'^django_http_requests_total_by_view_transport_method_total\{method="GET",'
            r'transport="http",view="healthz"\} (\S+)$',
            body,
            re.MULTILINE,
        )
        assert counted, body
        assert float(counted.group(1)) == 60
        writers = {re.sub(r"\D", "", path.stem) for path in metrics_dir.glob("counter_*.db")}
        assert len(writers) >= 2, writers
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    lines = [
        json.loads(line)
        for line in (tmp_path / "web.log").read_text().splitlines()
        if line.startswith("{")
    ]
    access = {line["request_id"]: line for line in lines if line["logger"] == "gunicorn.access"}
    for _, request_id, _ in answers:
        assert access[request_id]["message"].endswith(f"request_id={request_id}")
    (not_found,) = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["request_id"] == missing[1]
    assert access[missing[1]]["message"].count("/no-such-page ") == 1
    assert "private-words" not in (tmp_path / "web.log").read_text()
    # The master removes what it set up only when it made the directory itself.
    assert metrics_dir.exists()
