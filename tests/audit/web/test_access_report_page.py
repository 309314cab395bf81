"""The citizen's access report as a page: the site's look, print and back, no bookkeeping rows."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.access import audit
from apps.audit.models import AccessEvent
from apps.audit.retention import audit_prune
from tests.audit.helpers import events_since, last_id


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def _url(world) -> str:
    return f"/citizens/{world.citizen.pk}/access-report/"


def _page(world, user=None):
    response = _client(user or world.coordinator).get(_url(world))
    assert response.status_code == 200
    return response


def test_the_report_is_in_the_sites_look_with_back_and_print(world):
    page = _page(world).content.decode()
    assert 'aria-label="Hovedmenu"' in page  # the site's header and menu
    assert "audit/audit.css" in page  # its print stylesheet
    assert "data-kip-print" in page
    assert ">Udskriv<" in page
    assert ">Tilbage<" in page
    assert "Hvem har brugt dine oplysninger" in page
    assert "<style" not in page


def test_uses_by_other_organisations_are_listed(world):
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")
    rows = _page(world).context["rows"]
    chp = "Center for Handicap og Psykiatri"
    assert any(r["organisation"] == chp and r["what"] == "Så dine oplysninger" for r in rows)


def test_the_services_bookkeeping_is_left_out(world):
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")
    expected = len(_page(world).context["rows"])
    # Bookkeeping of every kind: managers' checks of the log naming the citizen, the report's
    # own printing (the page above printed it once), a system event about the citizen, and a
    # prune of the log.
    trail = world.client(world.manager)
    trail.get("/api/v1/audit/events/", {"citizen": world.citizen.pk})
    trail.get("/api/v1/audit/events/", {"citizen": world.citizen.pk, "format": "csv"})
    _client(world.manager).post("/audit/", {"citizen": "Jens Hansen"}, follow=True)
    for _ in range(3):
        _page(world)
    AccessEvent.objects.create(
        action="update", object_type="plan", citizen_id=world.citizen.pk, outcome="allowed"
    )
    audit_prune(days=3650)
    response = _page(world)
    assert len(response.context["rows"]) == expected
    page = response.content.decode()
    assert "Kontrol af adgangsloggen" not in page
    assert "Borgerens ret til indsigt" not in page
    # The API's report still lists everything, its own requests included.
    entries = (
        world.client(world.coordinator)
        .get(f"/api/v1/citizens/{world.citizen.pk}/access-report/")
        .json()["entries"]
    )
    assert sum(1 for e in entries if e["purpose"] == "citizen_right_of_access") >= 4


def test_the_same_use_on_the_same_day_is_one_line_with_its_count(world):
    actor = world.actor(world.participant)
    audit.write(
        [audit.event(actor, "list", "plan", world.plan.pk, citizen_id=world.citizen.pk)] * 5
    )
    rows = _page(world).context["rows"]
    (listed,) = [r for r in rows if r["what"] == "Så dit navn på en liste"]
    assert listed["count"] == 5
    assert listed["organisation"] == "Center for Handicap og Psykiatri"
    assert "Så dit navn på en liste" in _page(world).content.decode()


def test_staff_names_only_when_the_setting_says_so(world, settings):
    world.coordinator.first_name, world.coordinator.last_name = "Lise", "Holm"
    world.coordinator.save()
    assert "Lise Holm" not in _page(world).content.decode().split("<main")[1]
    settings.KIP_ACCESS_REPORT_STAFF_NAMES = True
    assert "Lise Holm" in _page(world).content.decode().split("<main")[1]


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("withdrawn", 404), ("manager", 403)]
)
def test_who_may_not_hand_it_out_is_refused_as_by_the_api_and_recorded(world, persona, status):
    mark = last_id()
    response = _client(getattr(world, persona)).get(_url(world))
    assert response.status_code == status
    assert b"Jens Hansen" not in response.content
    assert [e.outcome for e in events_since(mark)] == ["denied"]
    api = world.client(getattr(world, persona)).get(
        f"/api/v1/citizens/{world.citizen.pk}/access-report/"
    )
    assert api.status_code == status


def test_the_report_request_is_recorded_as_the_api_records_it(world):
    mark = last_id()
    _page(world)
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.purpose) == (
        "export",
        "access_report",
        "citizen_right_of_access",
    )
