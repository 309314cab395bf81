"""Two writers, one version: exactly one wins, the other gets 412 (DESIGN §4.7).

On PostgreSQL the writers are real threads with their own connections, released together
by a barrier; on SQLite the same story runs one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from apps.citizens.services import citizen_register, consent_give
from apps.core.exceptions import PreconditionFailed
from apps.plans.models import Goal, Plan
from apps.plans.services import plan_update
from tests.conftest import World, build_world
from tests.helpers import API, FREE_CPR


def _patch(world: World, user: Any, etag: str, housing: str) -> Any:
    return world.client(user).patch(
        f"{API}/plans/{world.plan.pk}/",
        {"assessment": {"housing": housing}},
        format="json",
        HTTP_IF_MATCH=etag,
    )


def test_same_etag_sequentially_one_wins(world: World) -> None:
    etag = world.client(world.coordinator).get(f"{API}/plans/{world.plan.pk}/")["ETag"]
    version = int(etag.strip('"'))
    first = _patch(world, world.coordinator, etag, "from coordinator")
    second = _patch(world, world.participant, etag, "from participant")
    assert first.status_code == 200
    assert first["ETag"] == f'"{version + 1}"'
    assert second.status_code == 412
    assert second.json()["code"] == "stale_version"
    world.plan.refresh_from_db()
    assert world.plan.version == version + 1
    assert world.plan.assessment == {"housing": "from coordinator"}


def test_service_level_stale_write_changes_nothing(world: World) -> None:
    version = world.plan.version
    actor = world.actor(world.coordinator)
    plan_update(actor=actor, plan_id=world.plan.pk, expected_version=version, data={})
    with pytest.raises(PreconditionFailed):
        plan_update(
            actor=actor,
            plan_id=world.plan.pk,
            expected_version=version,
            data={"assessment": {"housing": "lost"}},
        )
    world.plan.refresh_from_db()
    assert world.plan.version == version + 1
    assert world.plan.assessment == {}


def test_a_stale_goal_write_saves_no_goal(world: World) -> None:
    etag = world.plan.etag
    client = world.client(world.coordinator)
    url = f"{API}/plans/{world.plan.pk}/goals/"
    assert client.post(url, {"text": "a"}, format="json", HTTP_IF_MATCH=etag).status_code == 201
    assert client.post(url, {"text": "b"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert list(Goal.objects.values_list("text", flat=True)) == ["a"]


# --- PostgreSQL: real threads -----------------------------------------------------------------


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each thread uses its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_same_etag_in_parallel_one_wins(attempt: int) -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    plan = world.plan
    etag = plan.etag

    def writer(user: Any, text: str) -> Callable[[], Any]:
        def call() -> Any:
            return _client(user).patch(
                f"{API}/plans/{plan.pk}/",
                {"assessment": {"housing": text}},
                format="json",
                HTTP_IF_MATCH=etag,
            )

        return call

    results = _race([writer(world.coordinator, "one"), writer(world.participant, "two")])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 412], results
    winner = next(r for r in results if r.status_code == 200).json()["assessment"]
    plan.refresh_from_db()
    assert plan.version == int(etag.strip('"')) + 1
    assert plan.assessment == winner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_plan_creates_in_parallel_one_wins(attempt: int) -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    actor = world.actor(world.coordinator)
    citizen = citizen_register(actor=actor, cpr_number=FREE_CPR, name="Else Jensen")
    orgs = world.orgs
    consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[orgs["addiction"].pk, orgs["chp"].pk],
        form="written",
    )
    body = {
        "citizen": citizen.pk,
        "coordinator": {"user": world.coordinator.pk, "organisation": orgs["addiction"].pk},
        "participants": [orgs["addiction"].pk, orgs["chp"].pk],
    }

    def creator(user: Any) -> Callable[[], Any]:
        return lambda: _client(user).post(f"{API}/plans/", body, format="json")

    results = _race([creator(world.coordinator), creator(world.colleague)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409], results
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["code"] == "open_plan_exists"
    assert loser["fields"] == {"citizen": [loser["detail"]]}
    assert Plan.objects.filter(citizen=citizen).count() == 1
    plan = Plan.objects.get(citizen=citizen)
    assert plan.participations.count() == 2
