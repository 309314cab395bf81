"""My work costs the same number of statements for 1, 10 and 100 of everything on it.

The coordinator's plans (each with a review coming up, due or overdue), handovers waiting for
them and ones they proposed, and unread hospital prompts: every list grows together, and the
page's statement count may not (the lists are capped at 50, so 100 also proves the cap). On
SQLite the one audit insert counts once, though SQLite's variable limit splits it.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.coordination.models import Handover
from apps.notifications.models import Notification
from apps.plans.models import Plan
from tests.conftest import World
from tests.plans.test_queries import _bulk_plans


def _grow(world: World, plans: list[Plan], start: int) -> None:
    """Opens these (closed) plans with reviews around today, and adds a handover each way
    and an unread prompt about each."""
    today = timezone.localdate()
    for i, plan in enumerate(plans):
        Plan.objects.filter(pk=plan.pk).update(
            status=Plan.Status.ACTIVE,
            closed_at=None,
            closed_reason="",
            next_review=today + datetime.timedelta(i % 9 - 4),
        )
    expires = timezone.now() + datetime.timedelta(days=10)
    Handover.objects.bulk_create(
        Handover(
            plan=plan,
            from_user=world.participant if i % 2 else world.coordinator,
            from_organisation=world.orgs["chp"] if i % 2 else world.orgs["addiction"],
            to_user=world.coordinator if i % 2 else world.participant,
            to_organisation=world.orgs["addiction"] if i % 2 else world.orgs["chp"],
            proposed_by=world.participant if i % 2 else world.coordinator,
            expires_at=expires,
        )
        for i, plan in enumerate(plans)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=world.coordinator,
            kind=Notification.Kind.ADMISSION,
            plan=plan,
            dedupe_key=f"my-work-{start + i}",
        )
        for i, plan in enumerate(plans)
    )


def test_my_work_takes_the_same_statements_for_1_10_and_100(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    waiting = _bulk_plans(world, 100)
    Plan.objects.filter(pk__in=[p.pk for p in waiting]).update(
        status=Plan.Status.CLOSED,
        closed_at=timezone.now(),
        closed_reason=Plan.ClosedReason.values[0],
    )
    counts = []
    grown = 0
    for size in (1, 10, 100):
        _grow(world, waiting[grown:size], grown)
        grown = size
        client.get("/")  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/")
        assert page.status_code == 200
        # SQLite splits a large audit insert into batches of its variable limit (999). A
        # statement psycopg runs as prepared (apps.core.prepared) is logged without its text.
        split = [
            q for q in queries if (q["sql"] or "").startswith('INSERT INTO "audit_accessevent"')
        ]
        counts.append(len(queries) - (len(split) - 1 if connection.vendor == "sqlite" else 0))
    body = page.content.decode()
    assert "Borger 0" in body  # the plans are on the page, not an empty list
    assert counts[0] == counts[1] == counts[2], counts
