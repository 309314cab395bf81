"""The handover state machine: every move, through the API, and what the database holds."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.audit.models import AccessEvent
from apps.coordination.models import Handover
from apps.coordination.services import ALLOWED, handovers_expire
from apps.notifications.models import Notification
from apps.plans.models import Plan

from .conftest import at, inbox

K = Notification.Kind


def propose(world, user=None, slug="addiction", **body):
    body.setdefault("to_user", world.participant.pk)
    return world.client(user or world.coordinator, slug).post(
        f"/api/v1/plans/{world.plan.pk}/handovers/", body, format="json"
    )


def test_allowed_moves_are_explicit():
    assert ALLOWED[Handover.State.PROPOSED] == {"accepted", "declined", "cancelled", "expired"}
    assert all(not ALLOWED[s] for s in ("accepted", "declined", "cancelled", "expired"))


def test_propose_then_accept_switches_coordinator(world):
    version = world.plan.version
    response = propose(world, note="Flytter til bosted")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["state"] == "proposed"
    assert body["to_user"] == world.participant.pk
    assert body["plan"] == world.plan.pk
    assert body["to_organisation"] == world.orgs["chp"].pk
    # Until acceptance the old coordinator stays responsible.
    world.plan.refresh_from_db()
    assert world.plan.coordinator_user == world.coordinator
    assert [n.kind for n in inbox(world.participant)] == [K.HANDOVER_PROPOSED]

    accepted = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{body['id']}/accept/"
    )
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["state"] == "accepted"
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.coordinator_user == world.participant
    assert plan.coordinator_organisation == world.orgs["chp"]
    assert plan.version == version + 1
    assert [n.kind for n in inbox(world.coordinator)] == [K.HANDOVER_ACCEPTED]
    assert AccessEvent.objects.filter(action="handover", object_id=str(body["id"])).count() == 2


def test_decline_keeps_coordinator_and_tells_them(world):
    handover = propose(world).data
    bad = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/decline/", {}, format="json"
    )
    assert bad.status_code == 400
    assert "reason" in bad.data["fields"]
    response = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/decline/", {"reason": "Ingen kapacitet"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["state"] == "declined"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator
    assert Handover.objects.get(pk=handover["id"]).decline_reason == "Ingen kapacitet"
    assert [n.kind for n in inbox(world.coordinator)] == [K.HANDOVER_DECLINED]


def test_cancel_by_proposer_only(world):
    handover = propose(world).data
    other = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/cancel/"
    )
    assert other.status_code == 403
    response = world.client(world.coordinator, "addiction").post(
        f"/api/v1/handovers/{handover['id']}/cancel/"
    )
    assert response.status_code == 200
    assert response.data["state"] == "cancelled"
    again = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/accept/"
    )
    assert again.status_code == 409
    assert again.data["code"] == "handover_not_pending"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator


def test_manager_of_coordinators_organisation_may_propose(world):
    response = propose(world, user=world.manager, to_user=world.colleague.pk)
    assert response.status_code == 201, response.data
    assert response.data["proposed_by"] == world.manager.pk
    assert response.data["from_user"] == world.coordinator.pk


@pytest.mark.parametrize("who", ["colleague", "participant"])
def test_only_the_coordinator_proposes(world, who):
    user = getattr(world, who)
    slug = "addiction" if who == "colleague" else "chp"
    response = propose(world, user=user, slug=slug, to_user=world.colleague.pk)
    assert response.status_code == 403
    assert not Handover.objects.exists()


def test_outsider_gets_404(world):
    response = propose(world, user=world.outsider, slug="toften")
    assert response.status_code == 404
    assert not Handover.objects.exists()


def test_receiver_outside_consent(world):
    response = propose(world, to_user=world.outsider.pk)  # toften: no consent
    assert response.status_code == 400
    assert response.data["code"] == "consent_missing"
    assert "to_organisation" in response.data["fields"]
    response = propose(world, to_user=world.withdrawn.pk)  # psychiatry: consent withdrawn
    assert response.data["code"] == "consent_missing"
    assert not Handover.objects.exists()


def test_receiver_must_be_a_caseworker(world):
    response = propose(world, to_user=world.manager.pk, to_organisation=world.orgs["addiction"].pk)
    assert response.status_code == 400
    assert response.data["code"] == "invalid_receiver"
    assert "to_user" in response.data["fields"]
    response = propose(world, to_user=world.coordinator.pk)
    assert response.data["code"] == "already_coordinator"
    assert not Handover.objects.exists()


def test_second_pending_handover_is_409(world):
    assert propose(world).status_code == 201
    response = propose(world, to_user=world.colleague.pk)
    assert response.status_code == 409
    assert response.data["code"] == "handover_pending_exists"
    assert Handover.objects.count() == 1


def test_accepting_someone_elses_handover(world):
    handover = propose(world).data
    response = world.client(world.colleague, "addiction").post(
        f"/api/v1/handovers/{handover['id']}/accept/"
    )
    assert response.status_code == 404  # not named on it: it does not exist for them
    response = world.client(world.coordinator, "addiction").post(
        f"/api/v1/handovers/{handover['id']}/accept/"
    )
    assert response.status_code == 403
    assert Handover.objects.get(pk=handover["id"]).state == "proposed"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator


def test_accepting_an_expired_handover(world, clock):
    clock(at(2026, 12, 22))
    handover = propose(world).data
    expires = Handover.objects.get(pk=handover["id"]).expires_at
    clock(expires + dt.timedelta(minutes=1))
    response = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/accept/"
    )
    assert response.status_code == 409
    assert response.data["code"] == "handover_expired"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.coordinator
    assert handovers_expire() == 1
    assert Handover.objects.get(pk=handover["id"]).state == "expired"
    assert {n.kind for n in inbox(world.coordinator)} == {K.HANDOVER_EXPIRED}
    response = world.client(world.participant, "chp").post(
        f"/api/v1/handovers/{handover['id']}/accept/"
    )
    assert response.data["code"] == "handover_not_pending"


def test_expiry_counts_working_days_over_christmas(world, clock):
    clock(at(2026, 12, 22))  # Tuesday
    handover = propose(world).data
    # 10 working days: 23, 24, 28, 29, 30, 31 Dec, 4, 5, 6, 7 Jan (25, 26 and 1 Jan are off).
    expires = Handover.objects.get(pk=handover["id"]).expires_at
    assert expires.astimezone(dt.UTC) == at(2027, 1, 7, 0).astimezone(dt.UTC)


def test_accepting_adds_an_organisation_within_consent(world):
    from apps.citizens.services import consent_give
    from apps.organisations.models import Membership
    from tests.conftest import make_user

    actor = world.actor(world.coordinator, "addiction")
    consent_give(
        actor=actor,
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["toften"].pk],
        form="written",
        given_at=at(2020, 1, 1),
    )
    shelter = make_user("shelter2", world.orgs["toften"], Membership.Role.CASEWORKER)
    handover = propose(world, to_user=shelter.pk).data
    response = world.client(shelter, "toften").post(f"/api/v1/handovers/{handover['id']}/accept/")
    assert response.status_code == 200, response.data
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.coordinator_user == shelter
    assert plan.participations.filter(organisation=world.orgs["toften"]).exists()
    # The new coordinator now sees the plan.
    assert world.client(shelter, "toften").get(f"/api/v1/plans/{plan.pk}/").status_code == 200


def test_list_and_detail_are_mine_only(world):
    handover = propose(world).data
    mine = world.client(world.participant, "chp").get("/api/v1/handovers/")
    assert [h["id"] for h in mine.data["results"]] == [handover["id"]]
    assert world.client(world.coordinator, "addiction").get("/api/v1/handovers/").data["results"]
    assert world.client(world.outsider, "toften").get("/api/v1/handovers/").data["results"] == []
    assert (
        world.client(world.outsider, "toften")
        .get(f"/api/v1/handovers/{handover['id']}/")
        .status_code
        == 404
    )
    detail = world.client(world.participant, "chp").get(f"/api/v1/handovers/{handover['id']}/")
    assert detail.status_code == 200
    assert detail.data["state"] == "proposed"


def test_reminders_go_to_the_new_coordinator_after_handover(world, clock):
    from apps.notifications.reminders import reminders_sweep

    clock(at(2026, 12, 1))
    world.plan.__class__.objects.filter(pk=world.plan.pk).update(next_review=dt.date(2026, 12, 1))
    reminders_sweep()
    assert [n.kind for n in inbox(world.coordinator, K.REVIEW_DUE)] == [K.REVIEW_DUE]
    handover = propose(world).data
    world.client(world.participant, "chp").post(f"/api/v1/handovers/{handover['id']}/accept/")
    reminders_sweep()
    assert [n.kind for n in inbox(world.participant, K.REVIEW_DUE)] == [K.REVIEW_DUE]
    assert len(inbox(world.coordinator, K.REVIEW_DUE)) == 1
