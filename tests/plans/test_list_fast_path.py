"""The plan list's newest-first walk by prepared statements (``selectors.plan_pages``) answers
what the queryset path answers: the same plans, participants and links, page by page, forwards
and back; consent and break-the-glass as the rules say, whenever the statement was compiled."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.audit.breakglass import break_glass_open
from apps.citizens.models import Consent
from apps.core.api.pagination import NewestFirst
from apps.plans.models import Plan
from tests.conftest import World
from tests.helpers import API
from tests.plans.test_queries import _bulk_plans


def _walk(client: Any, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
    pages, body = [], client.get(url, params).json()
    while True:
        pages.append(body)
        if not body["next"]:
            return pages
        body = client.get(body["next"]).json()


def _ids(page: dict[str, Any]) -> list[int]:
    return [plan["id"] for plan in page["results"]]


def test_pages_forwards_and_back_as_the_queryset_path(world: World) -> None:
    _bulk_plans(world, 11)
    client = world.client(world.participant)
    fast = _walk(client, f"{API}/plans/", {"page_size": "5"})
    # A filter every plan meets takes the queryset path: the reference.
    slow = _walk(client, f"{API}/plans/", {"page_size": "5", "status": "active"})
    assert [len(page["results"]) for page in fast] == [5, 5, 2]
    assert [page["results"] for page in fast] == [page["results"] for page in slow]
    assert all(plan["participants"] for page in fast for plan in page["results"])
    every = [plan_id for page in fast for plan_id in _ids(page)]
    assert every == sorted(every, reverse=True)
    assert set(every) == set(Plan.objects.values_list("pk", flat=True))
    # Back from the last page by the previous links (the queryset path in reverse).
    body, back = fast[-1], []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back.append(_ids(body))
    assert back == [_ids(page) for page in reversed(fast[:-1])]


def test_an_offset_in_the_cursor_is_answered_by_the_queryset_path(world: World) -> None:
    _bulk_plans(world, 4)
    client = world.client(world.participant)
    ids = _ids(client.get(f"{API}/plans/").json())

    cursor = base64.b64encode(f"o=1&p={ids[0]}".encode()).decode()
    body = client.get(f"{API}/plans/", {"cursor": cursor, "page_size": "2"}).json()
    assert _ids(body) == ids[2:4]


def test_a_consent_that_runs_out_after_compilation_ends_the_listing(world: World) -> None:
    client = world.client(world.participant)  # chp: consent in force
    assert _ids(client.get(f"{API}/plans/").json()) == [world.plan.pk]
    ends = timezone.now() + datetime.timedelta(days=3)
    Consent.objects.filter(citizen=world.citizen, organisations=world.orgs["chp"]).update(
        expires_at=ends
    )
    with time_machine.travel(ends + datetime.timedelta(minutes=1)):
        assert _ids(client.get(f"{API}/plans/").json()) == []


def test_a_break_the_glass_holder_lists_the_plan_read_only(world: World) -> None:
    client = world.client(world.outsider)  # toften: not on the plan
    assert _ids(client.get(f"{API}/plans/").json()) == []
    break_glass_open(
        actor=world.actor(world.outsider), cpr_number="0101801234", reason="Akut indlæggelse"
    )
    assert _ids(client.get(f"{API}/plans/").json()) == [world.plan.pk]


@pytest.mark.parametrize(
    ("steps", "fetched"),
    [
        ((("order_by", ("-id",)),), True),
        ((("order_by", ("-id",)), ("filter", {"id__lt": "7"})), True),
        ((("order_by", ("id",)),), False),  # a previous link
        ((("order_by", ("-id",)), ("filter", {"id__gt": "7"})), False),
    ],
)
def test_newest_first_fetches_only_the_walk_it_knows(steps: Any, fetched: bool) -> None:
    asked: list[dict[str, int]] = []

    def fetch(**window: int) -> list[str]:
        asked.append(window)
        return ["fetched"]

    class Queryset(list[str]):
        def order_by(self, *fields: str) -> Queryset:
            return self

        def filter(self, **lookups: Any) -> Queryset:
            return self

    pages = NewestFirst(fetch, lambda: Queryset(["fallback", "more"]))
    for name, args in steps:
        pages = pages.order_by(*args) if name == "order_by" else pages.filter(**args)
    assert pages[0:2] == (["fetched"] if fetched else ["fallback", "more"])
    if fetched:
        before = 2**63 - 1 if len(steps) == 1 else 7
        assert asked == [{"before": before, "limit": 2}]
    assert NewestFirst(fetch, lambda: Queryset(["x", "y", "z"])).order_by("-id")[1:3] == [
        "y",
        "z",
    ]
