"""The manager's trail: scope, filters, CSV export, unusual access, and refusals recorded."""

from __future__ import annotations

import csv
import io

import pytest

from tests.audit.helpers import events_since, last_id

EVENTS = "/api/v1/audit/events/"


def test_manager_sees_own_people_and_own_plans_and_the_query_is_recorded(world):
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")  # chp reads our plan
    world.client(world.outsider).get("/api/v1/plans/")  # toften: nothing of ours
    mark = last_id()
    response = world.client(world.manager).get(EVENTS, {"page_size": 200})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert any(r["actor"] == world.participant.pk for r in rows)  # a read of our plan
    assert all(r["actor"] != world.outsider.pk for r in rows)
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.object_type) == ("list", "allowed", "accessevent")
    assert event.purpose == "audit_review"


def test_filters_narrow_the_trail(world):
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")
    client = world.client(world.manager)
    rows = client.get(EVENTS, {"actor": world.participant.pk, "action": "view"}).json()["results"]
    assert rows
    assert {(r["actor"], r["action"]) for r in rows} == {(world.participant.pk, "view")}
    rows = client.get(
        EVENTS, {"citizen": world.citizen.pk, "from": "2000-01-01", "to": "2999-01-01T00:00:00Z"}
    ).json()["results"]
    assert rows
    assert {r["citizen"] for r in rows} == {world.citizen.pk}
    assert client.get(EVENTS, {"outcome": "denied"}).json()["results"] == []


def test_csv_export_streams_and_is_audited_as_export(world):
    mark = last_id()
    response = world.client(world.manager).get(EVENTS, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["id", "at", "actor_id"]
    assert len(rows) > 1
    (event,) = events_since(mark)
    assert event.action == "export"
    assert event.detail["format"] == "csv"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-45"}, "to"),
        ({"actor": 999999}, "actor"),
        ({"citizen": 999999}, "citizen"),
        ({"organisation": 999999}, "organisation"),
        ({"action": "peek"}, "action"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_bad_filters_are_400_naming_the_field_and_recorded(world, params, field):
    mark = last_id()
    response = world.client(world.manager).get(EVENTS, params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    (event,) = events_since(mark)
    assert (event.outcome, event.action) == ("denied", "list")
    assert event.detail["query"]


def test_another_organisations_trail_is_403_and_recorded(world):
    mark = last_id()
    response = world.client(world.manager).get(EVENTS, {"organisation": world.orgs["toften"].pk})
    assert response.status_code == 403
    (event,) = events_since(mark)
    assert event.outcome == "denied"


@pytest.mark.parametrize("url", [EVENTS, "/api/v1/audit/unusual/", "/api/v1/audit/break-glass/"])
def test_caseworkers_get_403_and_the_attempt_is_recorded(world, url):
    mark = last_id()
    assert world.client(world.coordinator).get(url).status_code == 403
    (event,) = events_since(mark)
    assert event.outcome == "denied"
    assert event.actor_id == world.coordinator.pk


def test_unusual_shows_denied_attempts_and_reads_off_the_plan(world):
    # psychiatry, whose consent was withdrawn, tries the plan: refused
    world.client(world.withdrawn).get(f"/api/v1/plans/{world.plan.pk}/")
    # an addiction caseworker reads a citizen addiction registered but has no plan for
    response = world.client(world.coordinator).post(
        "/api/v1/citizens/", {"cpr": "0202902345", "name": "Anna"}, format="json"
    )
    loner = response.json()["id"]
    world.client(world.coordinator).get(f"/api/v1/citizens/{loner}/")
    rows = world.client(world.manager).get("/api/v1/audit/unusual/").json()["results"]
    reasons = {(r["reason"], r["actor"]) for r in rows}
    assert ("outside_plan", world.coordinator.pk) in reasons
    # another organisation's refused attempt on our plan shows up too
    assert ("denied", world.withdrawn.pk) in reasons
