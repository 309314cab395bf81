"""Recording an admission or discharge on a page: who may (as the API), the audit (as the
API), bad input refused per field, and the coordinator's prompt on My work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import HospitalEvent
from apps.notifications.models import Notification

from .helpers import events_of, events_then_undo, field_error, page_client


def _url(world) -> str:
    return f"/plans/{world.plan.pk}/hospital-events/new/"


def _day(offset: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("coordinator", "addiction", 302),
        ("colleague", "addiction", 302),
        ("participant", "chp", 302),
        ("manager", "addiction", 403),
        ("outsider", "toften", 404),
        ("withdrawn", "psychiatry", 404),
    ],
)
def test_recording_is_allowed_refused_and_audited_as_through_the_api(world, persona, slug, status):
    user = getattr(world, persona)
    form = {"kind": "discharge", "occurred_on": _day(0), "notes": "Udskrevet til bostedet."}
    assert page_client(user).get(_url(world)).status_code == (200 if status == 302 else status)
    api_response, api_events = events_then_undo(
        lambda: world.client(user, slug).post(
            f"/api/v1/plans/{world.plan.pk}/hospital-events/", form, format="json"
        ),
        {"hospital_event"},
    )
    assert not HospitalEvent.objects.exists()
    page, page_events = events_of(
        lambda: page_client(user).post(_url(world), form), {"hospital_event"}
    )
    assert page_events == api_events
    assert page.status_code == status
    if status == 302:
        assert api_response.status_code == 201
        assert page["Location"] == f"/plans/{world.plan.pk}/"
        event = HospitalEvent.objects.get()
        assert (event.kind, event.notes, event.recorded_by) == (
            "discharge",
            "Udskrevet til bostedet.",
            user,
        )
    else:
        assert api_response.status_code == status
        assert not HospitalEvent.objects.exists()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"kind": "discharge", "occurred_on": _day(1)}, "occurred_on", "future"),
        ({"kind": "admission", "occurred_on": _day(3)}, "occurred_on", "future"),
        ({"kind": "", "occurred_on": _day(0)}, "kind", "required"),
        ({"kind": "escape", "occurred_on": _day(0)}, "kind", "valid choice"),
        ({"kind": "discharge", "occurred_on": "31.02.2026"}, "occurred_on", "valid date"),
        ({"kind": "discharge", "occurred_on": ""}, "occurred_on", "required"),
        ({"kind": "discharge", "occurred_on": _day(0), "notes": "x" * 4001}, "notes", "4000"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(world, form, field, message):
    writes = AccessEvent.objects.exclude(action="view").count()
    response = page_client(world.participant).post(_url(world), form)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field).lower()
    assert not HospitalEvent.objects.exists()
    assert not Notification.objects.exists()
    assert AccessEvent.objects.exclude(action="view").count() == writes


def test_an_expected_discharge_may_lie_ahead(world):
    response = page_client(world.participant).post(
        _url(world), {"kind": "expected_discharge", "occurred_on": _day(5)}
    )
    assert response.status_code == 302
    assert HospitalEvent.objects.get().occurred_on == timezone.localdate() + dt.timedelta(days=5)


def test_a_discharge_prompts_the_coordinator_on_my_work_and_in_the_inbox(world):
    page_client(world.participant).post(_url(world), {"kind": "discharge", "occurred_on": _day(0)})
    prompt = Notification.objects.get()
    assert (prompt.kind, prompt.recipient) == ("review_prompted", world.coordinator)
    client = page_client(world.coordinator, language="da")
    my_work = client.get("/").content.decode()
    heading = "Indlæggelser og udskrivninger, der kræver handling"
    section = my_work.split(heading)[1].split("<h2>")[0]
    assert f'href="/plans/{world.plan.pk}/">{world.citizen.name}</a>' in section
    inbox = client.get("/notifications/").content.decode()
    day = timezone.localdate()
    assert "En udskrivning den" in inbox
    assert f"{day.day}. " in inbox
    # The person who recorded it is not the one prompted.
    other = page_client(world.participant, language="da").get("/").content.decode()
    assert heading not in other
