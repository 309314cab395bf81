"""Transitions that ride on something else: a handover marked as one (a step once accepted,
none when declined, cancelled or expired) and an organisation joining or leaving the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.coordination.models import Handover, Transition
from apps.coordination.services import handover_accept, handover_propose, handovers_expire
from apps.core.exceptions import ApplicationError
from apps.plans.models import Participation, Plan
from tests.conftest import World
from tests.helpers import API, RichWorld, assert_error, build_rich_world


def propose(world: World, **body: Any) -> Any:
    body.setdefault("to_user", world.participant.pk)
    return world.client(world.coordinator, "addiction").post(
        f"{API}/plans/{world.plan.pk}/handovers/", body, format="json"
    )


def path(world: World, user: Any = None) -> list[dict[str, Any]]:
    response = world.client(user or world.coordinator).get(
        f"{API}/plans/{world.plan.pk}/transitions/"
    )
    assert response.status_code == 200
    return response.json()["results"]


def state(world: World) -> tuple[Any, ...]:
    plan = Plan.objects.get(pk=world.plan.pk)
    return (
        plan.version,
        plan.coordinator_user_id,
        sorted(plan.participations.values_list("organisation_id", flat=True)),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
        list(Transition.objects.order_by("pk").values_list("pk", "kind", "receiving_note")),
    )


# --- on a handover ----------------------------------------------------------------------------


def test_a_marked_handover_becomes_a_step_when_accepted(world: World) -> None:
    response = propose(
        world,
        note="Jens flytter i egen bolig; CHP's bostøtte tager over.",
        transition="shelter_to_housing",
    )
    assert response.status_code == 201, response.json()
    handover = response.json()
    assert handover["transition"] == "shelter_to_housing"
    assert {"id", "plan", "to_user", "state"} <= set(handover)
    # Proposed is not a step yet: nobody sees it on the path.
    assert path(world) == []
    item = Transition.objects.get()
    assert (item.handover_id, item.note) == (handover["id"], handover["note"])

    accepted = world.client(world.participant, "chp").post(
        f"{API}/handovers/{handover['id']}/accept/",
        {"receiving_note": "Bostøtte to gange om ugen fra første dag."},
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["transition"] == "shelter_to_housing"
    assert Plan.objects.get(pk=world.plan.pk).coordinator_user == world.participant
    (step,) = path(world, world.participant)
    assert step == {
        **{k: step[k] for k in step if k not in {"kind", "occurred_on", "handover", "note"}},
        "kind": "shelter_to_housing",
        "occurred_on": timezone.localdate().isoformat(),
        "handover": handover["id"],
        "note": "Jens flytter i egen bolig; CHP's bostøtte tager over.",
    }
    assert step["receiving_note"] == "Bostøtte to gange om ugen fra første dag."
    events = AccessEvent.objects.filter(object_type="transition", object_id=str(item.pk))
    assert [e.action for e in events.order_by("id")][:2] == ["create", "update"]


def test_it_is_dated_the_day_it_is_accepted(world: World) -> None:
    handover = propose(world, transition="hospital_to_home").json()
    Transition.objects.update(occurred_on=timezone.localdate() - dt.timedelta(days=3))
    Handover.objects.filter(pk=handover["id"]).update(created=timezone.now() - dt.timedelta(days=3))
    handover_accept(actor=world.actor(world.participant, "chp"), handover_id=handover["id"])
    assert Transition.objects.get().occurred_on == timezone.localdate()


@pytest.mark.parametrize("how", ["decline", "cancel", "expire"])
def test_a_handover_not_accepted_leaves_no_transition(world: World, how: str) -> None:
    handover = propose(world, transition="treatment_to_work").json()
    assert Transition.objects.count() == 1
    if how == "decline":
        response = world.client(world.participant, "chp").post(
            f"{API}/handovers/{handover['id']}/decline/", {"reason": "Ikke nu"}, format="json"
        )
        assert response.status_code == 200
    elif how == "cancel":
        response = world.client(world.coordinator, "addiction").post(
            f"{API}/handovers/{handover['id']}/cancel/"
        )
        assert response.status_code == 200
    else:
        assert handovers_expire(now=timezone.now() + dt.timedelta(days=60)) == 1
    assert Handover.objects.get().state != "proposed"
    assert not Transition.objects.exists()
    assert path(world) == []
    # The next handover may be marked again.
    assert propose(world, transition="other").status_code == 201


def test_the_contract_holds_without_a_transition(world: World) -> None:
    response = propose(world, note="Uden overgang")
    assert response.status_code == 201
    assert response.json()["transition"] is None
    accepted = world.client(world.participant, "chp").post(
        f"{API}/handovers/{response.json()['id']}/accept/"
    )
    assert accepted.status_code == 200
    assert not Transition.objects.exists()
    listed = world.client(world.participant, "chp").get(f"{API}/handovers/")
    assert listed.json()["results"][0]["transition"] is None


def test_an_unknown_kind_on_a_proposal_changes_nothing(world: World) -> None:
    before = state(world)
    assert_error(propose(world, transition="to_the_moon"), 400, field="transition")
    assert state(world) == before


def test_a_receiving_note_needs_a_marked_handover(world: World) -> None:
    handover = propose(world).json()
    before = state(world)
    response = world.client(world.participant, "chp").post(
        f"{API}/handovers/{handover['id']}/accept/",
        {"receiving_note": "Vi tager over."},
        format="json",
    )
    body = assert_error(response, 400, field="receiving_note")
    assert body["code"] == "not_a_transition"
    assert state(world) == before  # still proposed, the coordinator unchanged


def test_a_too_long_receiving_note_changes_nothing(world: World) -> None:
    handover = propose(world, transition="other").json()
    before = state(world)
    with pytest.raises(ApplicationError) as caught:
        handover_accept(
            actor=world.actor(world.participant, "chp"),
            handover_id=handover["id"],
            receiving_note="x" * 2001,
        )
    assert "receiving_note" in caught.value.fields
    response = world.client(world.participant, "chp").post(
        f"{API}/handovers/{handover['id']}/accept/", {"receiving_note": "x" * 2001}, format="json"
    )
    assert_error(response, 400, field="receiving_note")
    assert state(world) == before


def test_the_service_marks_a_proposal(world: World) -> None:
    handover = handover_propose(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        to_user_id=world.participant.pk,
        transition="youth_to_adult",
    )
    assert Transition.objects.get().handover == handover


# --- on a change of participants ---------------------------------------------------------------


def participants(world: World | RichWorld) -> str:
    return f"{API}/plans/{world.plan.pk}/participants/"


def etag(world: World | RichWorld) -> str:
    world.plan.refresh_from_db()
    return world.plan.etag


def test_an_organisation_joining_is_marked_as_a_transition(db: None) -> None:
    rich = build_rich_world()  # Efterværn: covered by the consent, not on the plan
    client = rich.client(rich.coordinator)
    response = client.post(
        participants(rich),
        {
            "organisation": rich.aftercare.pk,
            "transition": "treatment_to_work",
            "note": "Efterværnet tager over efter behandlingen.",
        },
        format="json",
        HTTP_IF_MATCH=etag(rich),
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"organisation": rich.aftercare.pk}
    item = Transition.objects.get()
    assert (item.kind, item.organisation, item.handover, item.occurred_on) == (
        "treatment_to_work",
        rich.aftercare,
        None,
        timezone.localdate(),
    )
    assert item.note == "Efterværnet tager over efter behandlingen."
    assert Participation.objects.filter(plan=rich.plan, organisation=rich.aftercare).exists()
    event = AccessEvent.objects.filter(object_type="transition").get()
    assert event.detail["participant"] == "joined"


def test_an_organisation_leaving_is_marked_as_a_transition(world: World) -> None:
    response = world.client(world.coordinator).delete(
        f"{participants(world)}{world.orgs['chp'].pk}/",
        {"transition": "shelter_to_housing", "note": "Bostøtten slutter; Jens klarer sig selv."},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert response.status_code == 204
    item = Transition.objects.get()
    assert (item.kind, item.organisation) == ("shelter_to_housing", world.orgs["chp"])
    assert not Participation.objects.filter(
        plan=world.plan, organisation=world.orgs["chp"]
    ).exists()
    assert [t["organisation"] for t in path(world)] == [world.orgs["chp"].pk]


def test_a_change_without_a_transition_is_as_before(world: World) -> None:
    response = world.client(world.coordinator).delete(
        f"{participants(world)}{world.orgs['chp'].pk}/", HTTP_IF_MATCH=etag(world)
    )
    assert response.status_code == 204
    assert not Transition.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transition": "elsewhere"}, "transition"),
        ({"note": "Et notat uden overgang"}, "transition"),
        ({"transition": "other", "note": "x" * 2001}, "note"),
    ],
)
def test_bad_transition_input_on_a_change_changes_nothing(world, body, field) -> None:
    before = state(world)
    leaving = world.client(world.coordinator).delete(
        f"{participants(world)}{world.orgs['chp'].pk}/",
        body,
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(leaving, 400, field=field)
    joining = world.client(world.coordinator).post(
        participants(world),
        {"organisation": world.orgs["toften"].pk, **body},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(joining, 400, field=field)
    assert state(world) == before


def test_only_the_coordinator_changes_participants_with_a_transition(world: World) -> None:
    before = state(world)
    response = world.client(world.participant).delete(
        f"{participants(world)}{world.orgs['chp'].pk}/",
        {"transition": "other"},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(response, 403)
    response = world.client(world.outsider).delete(
        f"{participants(world)}{world.orgs['chp'].pk}/",
        {"transition": "other"},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(response, 404)
    assert state(world) == before
