"""Conditional GET of a plan: ``If-None-Match`` with the ETag one holds answers 304.

The plan's ETag is its version, which every change to what the plan shows bumps (a write to
the plan or a part of it, and the sweep that stops the fast-start clock); so a client polling
a plan it holds gets a 304 without a body until the plan changes. The
access check runs first and the read is recorded like any other (who saw what does not
depend on the client's cache); a plan one may not see is 404 whatever the header says.
"""

from __future__ import annotations

import pytest

from apps.audit.models import AccessEvent
from apps.plans.models import Plan
from tests.audit.helpers import events_since, last_id
from tests.conftest import World
from tests.helpers import API


def _url(world: World) -> str:
    return f"{API}/plans/{world.plan.pk}/"


def test_the_version_held_answers_304_and_is_recorded(world: World) -> None:
    client = world.client(world.participant)
    etag = client.get(_url(world))["ETag"]
    mark = last_id()
    response = client.get(_url(world), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    [event] = events_since(mark)
    assert (event.action, event.object_type, event.object_id, event.outcome) == (
        AccessEvent.Action.VIEW,
        "plan",
        str(world.plan.pk),
        AccessEvent.Outcome.ALLOWED,
    )


@pytest.mark.parametrize("held", ['W/"{v}"', '"999", "{v}"', "*"])
def test_weak_lists_and_any(world: World, held: str) -> None:
    client = world.client(world.participant)
    header = held.format(v=Plan.objects.get(pk=world.plan.pk).version)
    assert client.get(_url(world), HTTP_IF_NONE_MATCH=header).status_code == 304


def test_after_a_change_the_old_etag_gets_the_new_plan(world: World) -> None:
    coordinator = world.client(world.coordinator)
    old = coordinator.get(_url(world))["ETag"]
    changed = coordinator.patch(
        _url(world), {"hopes": "Et nyt håb"}, format="json", HTTP_IF_MATCH=old
    )
    assert changed.status_code == 200
    reader = world.client(world.participant)
    response = reader.get(_url(world), HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response.json()["hopes"] == "Et nyt håb"
    assert response["ETag"] == changed["ETag"] != old


def test_a_plan_one_may_not_see_is_404_whatever_the_header(world: World) -> None:
    etag = world.client(world.participant).get(_url(world))["ETag"]
    mark = last_id()
    response = world.client(world.outsider).get(_url(world), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 404
    assert [e.outcome for e in events_since(mark)] == [AccessEvent.Outcome.DENIED]


def test_a_malformed_header_is_400_naming_it_and_records_no_read(world: World) -> None:
    mark = last_id()
    response = world.client(world.participant).get(_url(world), HTTP_IF_NONE_MATCH="3")
    assert response.status_code == 400
    assert "If-None-Match" in response.json()["fields"]
    assert events_since(mark, action=AccessEvent.Action.VIEW) == []
