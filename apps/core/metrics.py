"""Prometheus metrics at ``/metrics``: django-prometheus's request metrics, and ours, read from
the database and the broker when Prometheus scrapes.

Ours are counted at scrape time by a collector (no counter kept in any process), so every web
process answers the same, however many gunicorn runs:

- ``kip_notifications_due``: notifications not delivered yet (the outbox: reminders due);
- ``kip_notifications_failed``: of those, the ones whose delivery was tried and did not finish
  (a worker died or the mail server refused; the sweep enqueues them again);
- ``kip_notifications_sent``: notifications delivered (a gauge: rows leave with their plan);
- ``kip_broker_queue_length``: tasks waiting in the Celery queue (Redis ``LLEN``; absent when
  the broker is not Redis);
- ``kip_metrics_source_up{source="database"|"broker"}``: 0 when a source could not be read.

django-prometheus's counters and histograms live in each process. Under gunicorn, the
``on_starting`` hook in ``kip_service/gunicorn.conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR``
(prometheus_client's multiprocess mode), so the numbers here add up all web processes.

Who may read it: only clients whose address (``apps.core.clients``, the same one the audit
trail records, so a proxy's address does not count) is in ``KIP_METRICS_ALLOWED_NETWORKS``
(default: loopback and the private ranges, where Prometheus runs beside the service), and,
when ``KIP_METRICS_TOKEN`` is set, that send it as ``Authorization: Bearer <token>``. Anyone
else gets 404. No metric holds personal data, but paths, volumes and error rates are no
business of the public.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import os
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from apps.core.clients import client_address

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# kombu's Redis transport keeps one list per priority step: the queue's own name, then
# "<queue>\x06\x16<step>" for the others.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


class KipCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "kip_metrics_source_up",
            "1 if the source of the kip_* metrics could be read at this scrape, else 0",
            labels=["source"],
        )
        database = self._database()
        up.add_metric(["database"], 1 if database is not None else 0)
        if database is not None:
            yield from database
        broker = self._broker()
        if broker is not None:
            up.add_metric(["broker"], 1 if broker >= 0 else 0)
            if broker >= 0:
                yield GaugeMetricFamily(
                    "kip_broker_queue_length",
                    "Tasks waiting in the Celery queue (Redis LLEN over its priority lists)",
                    value=broker,
                )
        yield up

    def _database(self) -> list[Metric] | None:
        from apps.notifications.models import Notification

        lease = timezone.now() - datetime.timedelta(
            seconds=settings.KIP_NOTIFICATION_CLAIM_LEASE_SECONDS
        )
        try:
            # The outbox through its partial index; the total by the primary key.
            outbox = Notification.objects.filter(delivered_at__isnull=True).aggregate(
                due=Count("id"),
                failed=Count("id", filter=Q(attempts__gt=0) & Q(claimed_at__lt=lease)),
            )
            total = Notification.objects.count()
        except Exception:
            return None
        return [
            GaugeMetricFamily(
                "kip_notifications_due",
                "Notifications not delivered yet (the outbox: reminders due)",
                value=outbox["due"],
            ),
            GaugeMetricFamily(
                "kip_notifications_failed",
                "Undelivered notifications whose delivery was tried and did not finish "
                "(enqueued again by the sweep)",
                value=outbox["failed"],
            ),
            GaugeMetricFamily(
                "kip_notifications_sent",
                "Notifications delivered",
                value=total - outbox["due"],
            ),
        ]

    def _broker(self) -> int | None:
        """The queue's length; -1 if Redis did not answer; None if the broker is not Redis."""
        from kip_service.celery import app

        url = str(app.conf.broker_url or "")
        if not url.startswith(("redis://", "rediss://")):
            return None
        import redis

        queue = app.conf.task_default_queue or "celery"
        names = [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]
        try:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            try:
                pipe = client.pipeline(transaction=False)
                for name in names:
                    pipe.llen(name)
                return int(sum(pipe.execute()))
            finally:
                client.close()
        except Exception:
            return -1


_KIP_REGISTRY = CollectorRegistry(auto_describe=False)
_KIP_REGISTRY.register(KipCollector())


@lru_cache(maxsize=8)
def _networks(raw: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in raw)


def metrics_allowed(request: HttpRequest) -> bool:
    address = client_address(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not any(ip in net for net in _networks(tuple(settings.KIP_METRICS_ALLOWED_NETWORKS))):
        return False
    token = settings.KIP_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return True


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format; 404 for anyone not allowed (see the module's docstring)."""
    if not metrics_allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_KIP_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE)
