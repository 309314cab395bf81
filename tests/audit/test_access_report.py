"""The citizen's access report: dates, organisations, purposes; names only when allowed."""

from __future__ import annotations

from apps.audit.models import AccessEvent
from tests.audit.helpers import events_since, last_id


def _url(world):
    return f"/api/v1/citizens/{world.citizen.pk}/access-report/"


def test_report_lists_every_access_with_organisation_and_purpose(world):
    world.client(world.participant).get(f"/api/v1/plans/{world.plan.pk}/")
    mark = last_id()
    response = world.client(world.coordinator).get(_url(world))
    assert response.status_code == 200
    entries = response.json()["entries"]
    organisations = {e["organisation"] for e in entries}
    assert {"Rusmiddelcentret", "Center for Handicap og Psykiatri"} <= organisations
    assert all(e["purpose"] for e in entries)
    assert all("staff" not in e for e in entries)
    expected = AccessEvent.objects.filter(
        citizen_id=world.citizen.pk, outcome="allowed", id__lte=mark
    ).count()
    assert len(entries) == expected + 1  # and the request for the report itself
    (event,) = events_since(mark)
    assert (event.action, event.purpose) == ("export", "citizen_right_of_access")


def test_staff_names_only_when_the_setting_says_so(world, settings):
    settings.KIP_ACCESS_REPORT_STAFF_NAMES = True
    entries = world.client(world.coordinator).get(_url(world)).json()["entries"]
    assert "coordinator" in {e["staff"] for e in entries}


def test_printable_html_in_danish(world, client):
    response = world.client(world.coordinator).get(
        _url(world), {"format": "html"}, HTTP_ACCEPT_LANGUAGE="da"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Jens Hansen" in response.content
    client.force_login(world.coordinator)
    page = client.get(f"/citizens/{world.citizen.pk}/access-report/")
    assert page.status_code == 200
    assert b"<table>" in page.content


def test_outsiders_get_404_and_managers_403_both_recorded(world, client):
    mark = last_id()
    assert world.client(world.outsider).get(_url(world)).status_code == 404
    assert world.client(world.manager).get(_url(world)).status_code == 403
    assert [e.outcome for e in events_since(mark)] == ["denied", "denied"]
    client.force_login(world.outsider)
    assert client.get(f"/citizens/{world.citizen.pk}/access-report/").status_code == 404
    assert events_since(mark)[-1].outcome == "denied"
