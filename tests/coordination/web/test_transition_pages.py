"""Transitions through the pages: a handover proposed as one and accepted with the receiving
side's note, a change of participants marked as one, one recorded on its own in the plan
page's section "Borgerens vej", and the path itself in date order."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from apps.coordination.models import Handover, HospitalEvent, Review, Transition
from apps.plans.models import Participation, Plan
from tests.conftest import World

from .helpers import page_client

TODAY = timezone.localdate


def version(world: World) -> int:
    world.plan.refresh_from_db()
    return world.plan.version


def state(world: World) -> tuple[Any, ...]:
    plan = Plan.objects.get(pk=world.plan.pk)
    return (
        plan.version,
        plan.coordinator_user_id,
        sorted(plan.participations.values_list("organisation_id", flat=True)),
        list(Handover.objects.order_by("pk").values_list("pk", "state")),
        list(Transition.objects.order_by("pk").values_list("pk", "kind", "note", "receiving_note")),
    )


def plan_html(world: World, user: Any = None) -> str:
    response = page_client(user or world.coordinator).get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def path_html(world: World, user: Any = None) -> str:
    html = plan_html(world, user)
    start = html.index('id="section-path"')
    return html[start : html.index("</section>", start)]


# --- a handover marked as a transition ---------------------------------------------------------


def test_a_handover_proposed_as_a_transition_and_accepted_with_a_note(world: World) -> None:
    coordinator = page_client(world.coordinator)
    form = coordinator.get(f"/plans/{world.plan.pk}/handover/").content.decode()
    assert 'name="transition"' in form
    assert "from shelter to own housing" in form
    response = coordinator.post(
        f"/plans/{world.plan.pk}/handover/",
        {
            "receiver": f"{world.participant.pk}:{world.orgs['chp'].pk}",
            "transition": "shelter_to_housing",
            "note": "Jens får egen lejlighed på mandag.",
        },
    )
    assert response.status_code == 302
    handover = Handover.objects.get()
    assert "From shelter to own housing" not in path_html(world)  # not a step yet

    receiver = page_client(world.participant)
    detail = receiver.get(f"/handovers/{handover.pk}/").content.decode()
    assert "From shelter to own housing" in detail
    assert 'name="receiving_note"' in detail
    response = receiver.post(
        f"/handovers/{handover.pk}/accept/",
        {"receiving_note": "Bostøtten kommer dagen efter indflytning."},
    )
    assert response.status_code == 302
    section = path_html(world, world.participant)
    assert "From shelter to own housing" in section
    assert "Jens får egen lejlighed på mandag." in section
    assert "Bostøtten kommer dagen efter indflytning." in section
    assert "Note from the side handing over" in section
    assert "Note from the receiving side" in section
    # After: the handover page shows the receiving side's note too.
    assert "Bostøtten kommer" in receiver.get(f"/handovers/{handover.pk}/").content.decode()


def test_an_unmarked_handover_has_no_receiving_note_field(world: World) -> None:
    page_client(world.coordinator).post(
        f"/plans/{world.plan.pk}/handover/",
        {"receiver": f"{world.participant.pk}:{world.orgs['chp'].pk}", "note": "Uden"},
    )
    handover = Handover.objects.get()
    receiver = page_client(world.participant)
    assert (
        'name="receiving_note"' not in receiver.get(f"/handovers/{handover.pk}/").content.decode()
    )
    # A note sent anyway is refused on the page and changes nothing.
    before = state(world)
    response = receiver.post(f"/handovers/{handover.pk}/accept/", {"receiving_note": "Hej"})
    assert response.status_code == 400
    assert "not marked as a transition" in response.content.decode()
    assert state(world) == before
    assert receiver.post(f"/handovers/{handover.pk}/accept/", {}).status_code == 302


def test_a_declined_handover_leaves_nothing_on_the_path(world: World) -> None:
    page_client(world.coordinator).post(
        f"/plans/{world.plan.pk}/handover/",
        {
            "receiver": f"{world.participant.pk}:{world.orgs['chp'].pk}",
            "transition": "hospital_to_home",
        },
    )
    handover = Handover.objects.get()
    response = page_client(world.participant).post(
        f"/handovers/{handover.pk}/decline/", {"reason": "Vi har ikke plads"}
    )
    assert response.status_code == 302
    assert not Transition.objects.exists()
    assert "From hospital to home" not in path_html(world)


def test_an_unknown_kind_on_the_propose_page_changes_nothing(world: World) -> None:
    before = state(world)
    response = page_client(world.coordinator).post(
        f"/plans/{world.plan.pk}/handover/",
        {"receiver": f"{world.participant.pk}:{world.orgs['chp'].pk}", "transition": "x"},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert state(world) == before


# --- a change of participants ---------------------------------------------------------------


def test_an_organisation_leaving_through_the_page_is_marked(world: World) -> None:
    client = page_client(world.coordinator)
    page = client.get(f"/plans/{world.plan.pk}/participants/").content.decode()
    chp = world.orgs["chp"]
    assert f'id="id_remove_{chp.pk}_transition"' in page
    assert "Transition as Center for Handicap og Psykiatri leaves" in page
    response = client.post(
        f"/plans/{world.plan.pk}/participants/",
        {
            "version": version(world),
            "op": "remove",
            "organisation": chp.pk,
            "transition": "treatment_to_work",
            "note": "Jens starter i job; CHP slutter.",
        },
    )
    assert response.status_code == 302
    assert not Participation.objects.filter(plan=world.plan, organisation=chp).exists()
    item = Transition.objects.get()
    assert (item.kind, item.organisation, item.note) == (
        "treatment_to_work",
        chp,
        "Jens starter i job; CHP slutter.",
    )
    section = path_html(world)
    assert "From treatment to work or education" in section
    assert "Center for Handicap og Psykiatri" in section


def test_bad_transition_input_on_the_participants_page_changes_nothing(world: World) -> None:
    before = state(world)
    chp = world.orgs["chp"]
    response = page_client(world.coordinator).post(
        f"/plans/{world.plan.pk}/participants/",
        {
            "version": version(world),
            "op": "remove",
            "organisation": chp.pk,
            "transition": "",
            "note": "Et notat uden overgang",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    # The message is on the organisation's own transition field, with what was written kept.
    assert f'id="id_remove_{chp.pk}_transition_error"' in html
    assert "Et notat uden overgang" in html
    assert state(world) == before


def test_an_organisation_joining_through_the_page_is_marked(db: None) -> None:
    from tests.helpers import build_rich_world

    rich = build_rich_world()
    client = page_client(rich.coordinator)
    form = client.get(f"/plans/{rich.plan.pk}/participants/").content.decode()
    assert 'id="id_participants_transition"' in form
    response = client.post(
        f"/plans/{rich.plan.pk}/participants/",
        {
            "version": rich.plan.version,
            "op": "add",
            "organisation": rich.aftercare.pk,
            "transition": "other",
            "note": "Efterværnet tager over.",
        },
    )
    assert response.status_code == 302
    item = Transition.objects.get()
    assert (item.kind, item.organisation, item.note) == (
        "other",
        rich.aftercare,
        "Efterværnet tager over.",
    )


# --- recorded on its own ------------------------------------------------------------------------


def new_url(world: World) -> str:
    return f"/plans/{world.plan.pk}/transitions/new/"


def test_the_coordinator_records_one_in_the_section(world: World) -> None:
    html = path_html(world)
    assert f'href="{new_url(world)}"' in html
    client = page_client(world.coordinator)
    form = client.get(new_url(world), HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert 'name="occurred_on"' in form.content.decode()
    response = client.post(
        new_url(world),
        {
            "version": version(world),
            "kind": "youth_to_adult",
            "occurred_on": TODAY().isoformat(),
            "organisation": world.orgs["toften"].pk,
            "note": "Overgang til voksenområdet.",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "From youth to adult services" in response.content.decode()
    assert "Overgang til voksenområdet." in response.content.decode()
    assert Transition.objects.get().organisation == world.orgs["toften"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"kind": "nowhere"}, "kind"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_on": "2000-01-01"}, "occurred_on"),
    ],
)
def test_bad_input_in_the_section_form_changes_nothing(world, values, field) -> None:
    before = state(world)
    body = {"version": version(world), "kind": "other", "occurred_on": TODAY().isoformat()}
    response = page_client(world.coordinator).post(new_url(world), {**body, **values})
    assert response.status_code == 400
    assert f'id="id_path_{field}_error"' in response.content.decode()
    assert state(world) == before


def test_a_stale_form_shows_the_conflict_and_saves_nothing(world: World) -> None:
    before = state(world)
    response = page_client(world.coordinator).post(
        new_url(world),
        {"version": version(world) - 1, "kind": "other", "occurred_on": TODAY().isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert state(world) == before


@pytest.mark.parametrize(("who", "status"), [("participant", 403), ("outsider", 404)])
def test_only_the_coordinator_gets_the_form(world, who, status) -> None:
    client = page_client(getattr(world, who))
    assert client.get(new_url(world)).status_code == status
    before = state(world)
    response = client.post(
        new_url(world),
        {"version": version(world), "kind": "other", "occurred_on": TODAY().isoformat()},
    )
    assert response.status_code == status
    assert state(world) == before
    if who == "participant":
        assert f'href="{new_url(world)}"' not in path_html(world, world.participant)


# --- the path -----------------------------------------------------------------------------------


def test_the_path_shows_every_kind_of_step_in_date_order(world: World) -> None:
    now = timezone.now()
    Plan.objects.filter(pk=world.plan.pk).update(created=now - dt.timedelta(days=40))

    def ago(days: int) -> dt.date:
        return TODAY() - dt.timedelta(days=days)

    Review.objects.create(
        plan=world.plan,
        held_on=ago(5),
        outcome="continue",
        recorded_by=world.coordinator,
        recorded_for=world.orgs["addiction"],
    )
    HospitalEvent.objects.create(
        plan=world.plan,
        kind="admission",
        occurred_on=ago(30),
        recorded_by=world.participant,
        recorded_for=world.orgs["chp"],
    )
    HospitalEvent.objects.create(
        plan=world.plan,
        kind="discharge",
        occurred_on=ago(25),
        recorded_by=world.participant,
        recorded_for=world.orgs["chp"],
    )
    Transition.objects.create(
        plan=world.plan,
        kind="hospital_to_home",
        occurred_on=ago(25),
        organisation=world.orgs["chp"],
        note="Hjem med bostøtte.",
        recorded_by=world.coordinator,
        recorded_for=world.orgs["addiction"],
    )
    Handover.objects.create(
        plan=world.plan,
        from_user=world.coordinator,
        from_organisation=world.orgs["addiction"],
        to_user=world.colleague,
        to_organisation=world.orgs["addiction"],
        proposed_by=world.coordinator,
        state="accepted",
        decided_at=now - dt.timedelta(days=10),
        expires_at=now,
    )
    # Expected discharges are plans, not steps.
    HospitalEvent.objects.create(
        plan=world.plan,
        kind="expected_discharge",
        occurred_on=ago(1),
        recorded_by=world.participant,
        recorded_for=world.orgs["chp"],
    )
    section = path_html(world)
    steps = re.findall(r'<time datetime="([\d-]+)">', section)
    assert steps == [d.isoformat() for d in (ago(40), ago(30), ago(25), ago(25), ago(10), ago(5))]
    order = [
        section.index(text)
        for text in (
            "The plan began",
            "Admission",
            "Discharge",
            "From hospital to home",
            "New coordinator",
            "Review meeting",
        )
    ]
    assert order == sorted(order)
    assert "Expected discharge" not in section
    # The path in "Min plan", briefly.
    mine = page_client(world.coordinator).get(f"/plans/{world.plan.pk}/print/").content.decode()
    assert "Your path" in mine
    assert "You were admitted to hospital." in mine
