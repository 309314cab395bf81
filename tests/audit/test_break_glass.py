"""Break-the-glass: read only, time-limited, with a reason, notified and reviewed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from apps.audit.models import BreakGlass
from apps.notifications.models import Notification
from apps.organisations.models import Membership
from tests.audit.helpers import events_since, last_id
from tests.conftest import make_user

OPEN = "/api/v1/break-glass/"
CPR = "0101801234"  # the world's citizen


@pytest.fixture
def toften_manager(world):
    return make_user("toften.manager", world.orgs["toften"], Membership.Role.MANAGER)


def _open(world, **data):
    return world.client(world.outsider).post(
        OPEN, {"cpr": CPR, "reason": "Acute admission", **data}, format="json"
    )


def test_outsider_reads_the_plan_for_a_limited_time_and_every_read_says_break_glass(
    world, toften_manager, django_capture_on_commit_callbacks
):
    plan_url = f"/api/v1/plans/{world.plan.pk}/"
    client = world.client(world.outsider)
    assert client.get(plan_url).status_code == 404
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = _open(world)
        assert response.status_code == 201
        assert response.json()["plan"] == world.plan.pk
        mark = last_id()
        assert client.get(plan_url).status_code == 200
        (event,) = events_since(mark)
        assert (event.action, event.purpose, event.object_id) == (
            "break_glass",
            "Acute admission",
            str(world.plan.pk),
        )
        # read only: no writes, and the refusal is recorded
        mark = last_id()
        patch = client.patch(plan_url, {"next_review": None}, format="json", HTTP_IF_MATCH='"1"')
        assert patch.status_code == 403
        assert events_since(mark)[0].outcome == "denied"
        # the list shows it too, as break_glass
        mark = last_id()
        listed = client.get("/api/v1/plans/").json()["results"]
        assert [p["id"] for p in listed] == [world.plan.pk]
        assert [e.action for e in events_since(mark)] == ["break_glass"]
    with time_machine.travel(start + datetime.timedelta(hours=24, seconds=1), tick=False):
        assert client.get(plan_url).status_code == 404
    told = set(
        Notification.objects.filter(kind="break_glass").values_list("recipient_id", flat=True)
    )
    assert told == {world.coordinator.pk, toften_manager.pk}


def test_the_manager_reviews_the_use(world, toften_manager):
    grant_id = _open(world).json()["id"]
    manager = world.client(toften_manager)
    queue = manager.get("/api/v1/audit/break-glass/", {"reviewed": "false"}).json()["results"]
    assert [g["id"] for g in queue] == [grant_id]
    response = manager.post(
        f"/api/v1/audit/break-glass/{grant_id}/review/", {"note": "ok"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["reviewed_by"] == toften_manager.pk
    assert manager.get("/api/v1/audit/break-glass/", {"reviewed": "false"}).json()["results"] == []
    # another organisation's manager does not see it, and cannot review it
    other = world.client(world.manager)
    assert other.get("/api/v1/audit/break-glass/").json()["results"] == []
    mark = last_id()
    assert other.post(f"/api/v1/audit/break-glass/{grant_id}/review/").status_code == 404
    assert events_since(mark)[0].outcome == "denied"


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"reason": ""}, 400, "reason"),
        ({"reason": "   "}, 400, "reason"),
        ({"cpr": "not a cpr"}, 400, "cpr"),
        ({"cpr": "3112995678"}, 404, None),  # valid, but no such citizen
    ],
)
def test_refusals_are_clear_and_recorded_without_the_cpr(world, data, status, field):
    mark = last_id()
    response = _open(world, **data)
    assert response.status_code == status
    if field:
        assert field in response.json()["fields"]
    (event,) = events_since(mark)
    assert (event.action, event.outcome) == ("break_glass", "denied")
    assert "3112995678" not in str(event.detail)
    assert not BreakGlass.objects.exists()


def test_participants_and_managers_cannot_break_the_glass(world):
    response = world.client(world.participant).post(
        OPEN, {"cpr": CPR, "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert (
        world.client(world.manager)
        .post(OPEN, {"cpr": CPR, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert not BreakGlass.objects.exists()
