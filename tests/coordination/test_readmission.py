"""Admissions tell the coordinator; an admission within KIP_READMISSION_DAYS of a discharge on
the same plan is a readmission: flagged on the event, in the API, and told once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.discharge import discharge_agreements
from apps.coordination.models import HospitalEvent
from apps.notifications.models import Notification
from tests.conftest import World
from tests.helpers import assert_error

from .conftest import inbox
from .discharge import API, admit, days_ago, record

K = Notification.Kind


def test_an_admission_tells_the_coordinator_to_make_a_discharge_agreement(world: World) -> None:
    admission = admit(world, days_ago(2))
    assert admission.readmission is False
    [notice] = inbox(world.coordinator)
    assert (notice.kind, notice.plan_id, notice.due) == (K.ADMISSION, world.plan.pk, days_ago(2))
    assert notice.context == {"event": admission.pk, "event_kind": "admission"}
    assert inbox(world.participant) == []  # who recorded it is not told


def test_a_discharge_still_prompts_a_review(world: World) -> None:
    record(world, "discharge", days_ago(1))
    assert [n.kind for n in inbox(world.coordinator)] == [K.REVIEW_PROMPTED]


@pytest.mark.parametrize(("after", "flagged"), [(0, True), (10, True), (30, True), (31, False)])
def test_an_admission_soon_after_a_discharge_is_a_readmission(
    world: World, after: int, flagged: bool
) -> None:
    admit(world, days_ago(60))
    record(world, "discharge", days_ago(50))
    again = admit(world, days_ago(50 - after))
    again.refresh_from_db()
    assert again.readmission is flagged
    kinds = [n.kind for n in inbox(world.coordinator)]
    assert kinds == [K.ADMISSION, K.REVIEW_PROMPTED, K.READMISSION if flagged else K.ADMISSION]


def test_readmission_ten_days_later_is_flagged_and_told_once_forty_days_later_not(
    world: World,
) -> None:
    admit(world, days_ago(80))
    record(world, "discharge", days_ago(70))
    readmitted = admit(world, days_ago(60))
    assert HospitalEvent.objects.get(pk=readmitted.pk).readmission is True
    notices = inbox(world.coordinator, K.READMISSION)
    assert len(notices) == 1
    assert notices[0].context["discharged_on"] == days_ago(70).isoformat()
    assert notices[0].context["days"] == 30
    # One notice for the readmission: not an admission notice beside it.
    assert [n.kind for n in inbox(world.coordinator)] == [
        K.ADMISSION,
        K.REVIEW_PROMPTED,
        K.READMISSION,
    ]
    record(world, "discharge", days_ago(50))
    later = admit(world, days_ago(10))  # 40 days after the last discharge
    assert HospitalEvent.objects.get(pk=later.pk).readmission is False
    assert len(inbox(world.coordinator, K.READMISSION)) == 1
    assert inbox(world.coordinator)[-1].kind == K.ADMISSION


def test_an_expected_discharge_does_not_make_a_readmission(world: World) -> None:
    admit(world, days_ago(20))
    record(world, "expected_discharge", days_ago(15))
    assert admit(world, days_ago(5)).readmission is False


def test_a_discharge_on_another_plan_does_not_count(world: World) -> None:
    from apps.plans.models import Plan

    other = Plan.objects.create(
        citizen=world.citizen,
        status="closed",
        closed_at="2024-01-01T00:00:00Z",
        created_by=world.coordinator,
    )
    HospitalEvent.objects.create(
        plan=other,
        kind="discharge",
        occurred_on=days_ago(5),
        recorded_by=world.coordinator,
        recorded_for=world.orgs["addiction"],
    )
    assert admit(world, days_ago(1)).readmission is False


def test_the_api_shows_the_readmission_and_takes_no_flag_from_the_client(world: World) -> None:
    client = world.client(world.participant)
    url = f"{API}/plans/{world.plan.pk}/hospital-events/"
    first = client.post(url, {"kind": "discharge", "occurred_on": days_ago(5).isoformat()})
    assert first.status_code == 201, first.json()
    assert first.json()["readmission"] is False
    again = client.post(
        url, {"kind": "admission", "occurred_on": days_ago(1).isoformat()}, format="json"
    )
    assert again.status_code == 201, again.json()
    assert again.json()["readmission"] is True
    events = {e["id"]: e for e in client.get(url).json()["results"]}
    assert events[again.json()["id"]]["readmission"] is True
    assert events[first.json()["id"]]["readmission"] is False
    sent = client.post(
        url,
        {"kind": "admission", "occurred_on": days_ago(40).isoformat(), "readmission": True},
        format="json",
    )
    assert sent.status_code == 201
    assert sent.json()["readmission"] is False  # read only: the service decides
    audit = AccessEvent.objects.get(object_type="hospital_event", object_id=again.json()["id"])
    assert audit.detail == {"kind": "admission", "readmission": True}


def test_on_a_closed_plan_nothing_is_recorded(world: World) -> None:
    from apps.plans.services import plan_close

    world.plan.refresh_from_db()
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=world.plan.version,
        reason="goals_reached",
    )
    response = world.client(world.participant).post(
        f"{API}/plans/{world.plan.pk}/hospital-events/",
        {"kind": "admission", "occurred_on": days_ago(1).isoformat()},
        format="json",
    )
    assert_error(response, 409, code="plan_closed")
    assert not HospitalEvent.objects.exists()
    assert not Notification.objects.filter(kind__in=[K.ADMISSION, K.READMISSION]).exists()


def test_the_plan_page_finds_the_latest_admission_behind_many_later_events(world: World) -> None:
    """The page passes its latest ten events; an admission older than those is still found,
    and whether the citizen was discharged since is asked of the database."""
    admit(world, days_ago(60))
    record(world, "discharge", days_ago(50))
    readmitted = admit(world, days_ago(45))
    for n in range(1, 12):
        record(world, "expected_discharge", timezone.localdate() + dt.timedelta(days=n))
    recent = list(HospitalEvent.objects.filter(plan=world.plan)[:10])
    assert all(e.kind == "expected_discharge" for e in recent)
    page = discharge_agreements(world.plan, recent)
    assert [a.admission for a in page.agreements] == [readmitted]
    assert page.readmitted == readmitted
    assert page.discharged_before == days_ago(50)
    record(world, "discharge", days_ago(0))
    recent = list(HospitalEvent.objects.filter(plan=world.plan)[:10])
    assert discharge_agreements(world.plan, recent).readmitted is None
    assert discharge_agreements(world.plan).readmitted is None


def test_a_plan_without_hospital_events_costs_the_page_no_query(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        page = discharge_agreements(world.plan, [])
    assert (page.agreements, page.readmitted, len(queries)) == ([], None, 0)
