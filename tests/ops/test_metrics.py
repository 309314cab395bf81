"""/metrics: Prometheus's text format for the allowed, 404 for everyone else; the kip_* values
are what the database and the broker hold at the scrape."""

from __future__ import annotations

import datetime
import os
import re
import socket
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from apps.notifications.models import Notification
from kip_service.celery import app
from tests.conftest import World


def _scrape(client: Client | None = None, **extra: Any) -> str:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def _value(body: str, name: str, labels: str = "") -> float | None:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_an_allowed_scrape_gets_the_metrics(world: World) -> None:
    Client().get("/healthz")
    body = _scrape()
    for name in (
        "django_http_requests_total_by_method_total",
        "django_http_responses_total_by_status_total",
        "django_http_requests_latency_seconds_by_view_method_bucket",
        "kip_notifications_due",
        "kip_notifications_sent",
        "kip_notifications_failed",
    ):
        assert f"\n{name}" in body, name
    assert _value(body, "kip_metrics_source_up", '{source="database"}') == 1


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies"),
    [
        ("203.0.113.9", None, 0),  # a public address
        ("2001:db8::1", None, 0),
        # Behind the proxy (a private address), the client is what the proxy appended.
        ("10.0.0.2", "203.0.113.9", 1),
        ("10.0.0.2", "10.1.1.1, 203.0.113.9", 1),  # what the client claimed further left
    ],
)
def test_anyone_else_gets_404(db: None, remote: str, forwarded: str | None, proxies: int) -> None:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(KIP_PROXY_COUNT=proxies):
        response = Client().get("/metrics", **extra)
    assert response.status_code == 404
    assert b"kip_" not in response.content


def test_from_the_private_network_behind_the_proxy(db: None) -> None:
    with override_settings(KIP_PROXY_COUNT=1):
        _scrape(REMOTE_ADDR="172.18.0.5")  # Prometheus beside the service, no proxy between
        _scrape(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.168.1.20")


def test_the_networks_are_a_setting(db: None) -> None:
    with override_settings(KIP_METRICS_ALLOWED_NETWORKS=["203.0.113.0/24"]):
        _scrape(REMOTE_ADDR="203.0.113.9")
        assert Client().get("/metrics").status_code == 404  # 127.0.0.1 no longer


def test_with_a_token_the_token_is_needed_too(db: None) -> None:
    with override_settings(KIP_METRICS_TOKEN="s3cret-token"):
        assert Client().get("/metrics").status_code == 404
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        _scrape(HTTP_AUTHORIZATION="Bearer s3cret-token")


def test_notification_figures_are_the_databases(world: World) -> None:
    now = timezone.now()
    long_ago = now - datetime.timedelta(seconds=settings.KIP_NOTIFICATION_CLAIM_LEASE_SECONDS + 5)
    states = [
        {},  # due, never tried
        {},
        {"attempts": 1, "claimed_at": now},  # being delivered (claim within its lease)
        {"attempts": 2, "claimed_at": long_ago},  # tried, not finished: failed
        {"delivered_at": now, "attempts": 1, "claimed_at": now},  # sent
    ]
    Notification.objects.bulk_create(
        Notification(recipient=world.coordinator, kind="review_due", dedupe_key=f"m{i}", **state)
        for i, state in enumerate(states)
    )
    body = _scrape()
    assert _value(body, "kip_notifications_due") == 4
    assert _value(body, "kip_notifications_failed") == 1
    assert _value(body, "kip_notifications_sent") == 1


def test_no_queue_length_without_redis(db: None) -> None:
    if str(app.conf.broker_url).startswith("redis"):
        pytest.skip("the broker is Redis in this pass (see the redis test)")
    body = _scrape()
    assert "kip_broker_queue_length" not in body
    assert 'kip_metrics_source_up{source="broker"}' not in body


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def broker_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    def point(url: str) -> None:
        # The read and write URLs first: read before broker_url changes, they are what the
        # undo puts back (Celery derives them from broker_url when they are unset).
        monkeypatch.setattr(app.conf, "broker_write_url", None)
        monkeypatch.setattr(app.conf, "broker_read_url", None)
        monkeypatch.setattr(app.conf, "broker_url", url)

    return point


@pytest.mark.redis
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_the_queue_length_is_redis_llen(db: None, broker_at: Any) -> None:
    broker_at(settings.REDIS_URL)
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = "kip-metrics-test"
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        client.delete(queue)
        assert _value(_scrape(), "kip_broker_queue_length") == 0
        for _ in range(3):
            # send_task goes to the broker even under eager Celery (nothing consumes this queue).
            app.send_task("workers.tasks.noop", queue=queue)
        body = _scrape()
        assert client.llen(queue) == 3
        assert _value(body, "kip_broker_queue_length") == 3
        assert _value(body, "kip_metrics_source_up", '{source="broker"}') == 1
    finally:
        app.conf.task_default_queue = default_queue
        client.delete(queue)
        client.close()


def test_a_broker_that_does_not_answer_is_reported(
    db: None, broker_at: Any, closed_port: int
) -> None:
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    body = _scrape()
    assert _value(body, "kip_metrics_source_up", '{source="broker"}') == 0
    assert "kip_broker_queue_length" not in body
    assert _value(body, "kip_notifications_due") == 0


def test_readyz_names_a_broker_that_does_not_answer(
    db: None, broker_at: Any, closed_port: int
) -> None:
    assert Client().get("/readyz").status_code == 200
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "",
            "['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', "
            "'fc00::/7']",
        ),
        ("203.0.113.0/24, 10.1.0.0/16", "['203.0.113.0/24', '10.1.0.0/16']"),
        ("not-a-network", "KIP_METRICS_ALLOWED_NETWORKS: 'not-a-network' does not appear"),
    ],
)
def test_the_networks_setting_is_parsed_strictly(value: str, expected: str) -> None:
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.KIP_METRICS_ALLOWED_NETWORKS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kip_service.settings.test",
        "KIP_METRICS_ALLOWED_NETWORKS": value,
    }
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert expected in done.stdout + done.stderr
