"""Refused attempts are in the trail with the citizen they concern (DESIGN §7).

The refused person learns nothing: the answer is the plain 404 of an object that does not
exist. The managers of the organisations on the citizen's plan find the attempt by filtering
the trail by citizen; the refused person's own managers see that their person was refused,
but not whom it concerned. Requests to act for an organisation one is not a member of are
refused and recorded too, on the API and on the web page where one chooses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from apps.citizens.models import Consent
from apps.organisations.models import Membership
from tests.audit.helpers import events_since, last_id
from tests.conftest import World, make_user
from tests.helpers import API

EVENTS = f"{API}/audit/events/"
MISSING = 987654


@dataclass(frozen=True)
class Attempt:
    name: str
    method: str
    url: Callable[[World, int], str]  # (world, citizen id or MISSING) -> url
    object_type: str
    action: str
    body: dict | None = None


def _handover(world: World) -> int:
    response = world.client(world.coordinator).post(
        f"{API}/plans/{world.plan.pk}/handovers/",
        {"to_user": world.participant.pk, "note": "Flytter"},
        format="json",
    )
    assert response.status_code == 201
    return response.json()["id"]


def _consent(world: World) -> int:
    return (
        Consent.objects.filter(citizen=world.citizen).order_by("id").values_list("pk", flat=True)[0]
    )


ATTEMPTS = [
    Attempt("citizen", "get", lambda w, c: f"{API}/citizens/{c}/", "citizen", "view"),
    Attempt("consents", "get", lambda w, c: f"{API}/citizens/{c}/consents/", "consent", "view"),
    Attempt(
        "consent give",
        "post",
        lambda w, c: f"{API}/citizens/{c}/consents/",
        "consent",
        "consent",
        {"organisations": [1], "form": "oral"},
    ),
    Attempt(
        "consent withdraw",
        "post",
        lambda w, c: (
            f"{API}/citizens/{c}/consents/{_consent(w) if c != MISSING else MISSING}/withdraw/"
        ),
        "consent",
        "consent",
    ),
    Attempt(
        "access report",
        "get",
        lambda w, c: f"{API}/citizens/{c}/access-report/",
        "access_report",
        "export",
    ),
    Attempt(
        "plan",
        "get",
        lambda w, c: f"{API}/plans/{w.plan.pk if c != MISSING else MISSING}/",
        "plan",
        "view",
    ),
    Attempt(
        "plan goals",
        "get",
        lambda w, c: f"{API}/plans/{w.plan.pk if c != MISSING else MISSING}/goals/",
        "plan",
        "view",
    ),
    Attempt(
        "handover",
        "get",
        lambda w, c: f"{API}/handovers/{_handover(w) if c != MISSING else MISSING}/",
        "handover",
        "view",
    ),
    Attempt(
        "handover accept",
        "post",
        lambda w, c: f"{API}/handovers/{_handover(w) if c != MISSING else MISSING}/accept/",
        "handover",
        "handover",
    ),
]


def _call(client: Any, attempt: Attempt, url: str) -> Any:
    if attempt.body is not None:
        return getattr(client, attempt.method)(url, attempt.body, format="json")
    return getattr(client, attempt.method)(url)


@pytest.fixture
def toften_manager(world: World) -> Any:
    return make_user("toften.manager", world.orgs["toften"], Membership.Role.MANAGER)


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.name for a in ATTEMPTS])
@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_a_refused_attempt_names_its_citizen_in_the_trail_only(
    world: World, toften_manager: Any, attempt: Attempt, persona: str
) -> None:
    user = getattr(world, persona)
    client = world.client(user)
    url = attempt.url(world, world.citizen.pk)
    missing = _call(client, attempt, attempt.url(world, MISSING))
    mark = last_id()
    response = _call(client, attempt, url)
    # The refused person learns nothing: the same 404 as for nothing at all.
    assert response.status_code == 404, response.json()
    assert response.json() == missing.json()
    body = response.content.decode()
    assert world.citizen.name not in body
    assert str(world.citizen.pk) not in body
    (event,) = events_since(mark, actor=user)
    assert (event.outcome, event.object_type, event.action, event.citizen_id) == (
        "denied",
        attempt.object_type,
        attempt.action,
        world.citizen.pk,
    )
    # A manager of an organisation on the plan finds it by citizen.
    on_plan = world.client(world.manager).get(
        EVENTS, {"citizen": str(world.citizen.pk), "outcome": "denied", "page_size": "200"}
    )
    assert on_plan.status_code == 200
    rows = {r["id"]: r for r in on_plan.json()["results"]}
    assert event.pk in rows
    assert rows[event.pk]["citizen"] == world.citizen.pk
    assert rows[event.pk]["actor"] == user.pk


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.name for a in ATTEMPTS])
def test_the_refused_sides_manager_sees_the_refusal_but_not_its_citizen(
    world: World, toften_manager: Any, attempt: Attempt
) -> None:
    mark = last_id()
    response = _call(world.client(world.outsider), attempt, attempt.url(world, world.citizen.pk))
    assert response.status_code == 404
    (event,) = events_since(mark, actor=world.outsider)
    manager = world.client(toften_manager)
    rows = {r["id"]: r for r in manager.get(EVENTS, {"page_size": 200}).json()["results"]}
    assert rows[event.pk]["outcome"] == "denied"
    assert rows[event.pk]["citizen"] is None
    by_citizen = manager.get(EVENTS, {"citizen": world.citizen.pk, "page_size": 200})
    assert event.pk not in {r["id"] for r in by_citizen.json()["results"]}
    exported: Any = manager.get(EVENTS, {"format": "csv"})
    export = b"".join(exported.streaming_content).decode()
    lines = list(csv.DictReader(io.StringIO(export)))
    (line,) = [row for row in lines if row["id"] == str(event.pk)]
    assert line["citizen_id"] == ""


def test_a_consent_of_another_citizen_is_recorded_with_that_citizen(world: World) -> None:
    from apps.citizens.services import citizen_register, consent_give

    actor = world.actor(world.coordinator)
    other = citizen_register(actor=actor, cpr_number="0202902345", name="Else Jensen")
    theirs = consent_give(
        actor=actor, citizen_id=other.pk, organisation_ids=[world.orgs["chp"].pk], form="oral"
    )
    mark = last_id()
    response = world.client(world.participant).post(
        f"{API}/citizens/{world.citizen.pk}/consents/{theirs.pk}/withdraw/"
    )
    assert response.status_code == 404
    (event,) = events_since(mark)
    assert (event.object_type, event.object_id, event.outcome, event.citizen_id) == (
        "consent",
        str(theirs.pk),
        "denied",
        other.pk,
    )
    assert Consent.objects.get(pk=theirs.pk).withdrawn_at is None


@pytest.mark.parametrize(
    ("persona", "data", "status"),
    [
        ("outsider", {"reason": ""}, 400),
        ("manager", {"reason": "Akut"}, 403),
        ("participant", {"reason": "Akut"}, 409),
    ],
)
def test_break_the_glass_refusals_name_the_citizen(
    world: World, persona: str, data: dict, status: int
) -> None:
    mark = last_id()
    response = world.client(getattr(world, persona)).post(
        f"{API}/break-glass/", {"cpr": world.citizen.cpr_digits, **data}, format="json"
    )
    assert response.status_code == status
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.citizen_id) == (
        "break_glass",
        "denied",
        world.citizen.pk,
    )
    assert world.citizen.cpr_digits not in str(event.detail)


def test_break_the_glass_for_an_unknown_number_names_nobody(world: World) -> None:
    mark = last_id()
    response = world.client(world.outsider).post(
        f"{API}/break-glass/", {"cpr": "3112995678", "reason": "Akut"}, format="json"
    )
    assert response.status_code == 404
    (event,) = events_since(mark)
    assert (event.outcome, event.citizen_id) == ("denied", None)


def test_missing_objects_name_no_citizen(world: World) -> None:
    mark = last_id()
    client = world.client(world.outsider)
    for url in (
        f"{API}/plans/{MISSING}/",
        f"{API}/citizens/{MISSING}/",
        f"{API}/handovers/{MISSING}/",
    ):
        assert client.get(url).status_code == 404
    events = events_since(mark)
    assert [(e.outcome, e.citizen_id) for e in events] == [("denied", None)] * 3
    # An id no row can have (0) matches no endpoint at all: a 404 that names nothing to audit.
    assert client.get(f"{API}/handovers/0/").status_code == 404
    assert events_since(mark) == events


# --- acting for an organisation one is not in -------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["psychiatry", str(MISSING), "abc", "1 OR 1=1", "\u0661", "x" * 100, "a\u200bb"],
)
def test_an_organisation_one_is_not_in_is_refused_and_recorded(world: World, header: str) -> None:
    value = str(world.orgs["psychiatry"].pk) if header == "psychiatry" else header
    client = world.client(world.coordinator)
    client.credentials(HTTP_X_ORGANISATION=value)
    mark = last_id()
    response = client.get(f"{API}/plans/")
    assert response.status_code == 400
    assert response.json()["code"] == "organisation_required"
    (event,) = events_since(mark)
    assert (event.actor_id, event.organisation_id, event.action, event.object_type) == (
        world.coordinator.pk,
        None,
        "choose",
        "organisation",
    )
    assert event.outcome == "denied"
    assert event.object_id == "".join(ch for ch in value if ch.isprintable())[:64]
    # The managers of the person's own organisation see it.
    rows = world.client(world.manager).get(EVENTS, {"action": "choose"}).json()["results"]
    assert [r["id"] for r in rows] == [event.pk]


def test_choosing_is_not_refusing(world: World) -> None:
    """A person with two organisations who has not chosen yet is asked to; nothing is
    recorded, and choosing one of their own is not a refusal either."""
    two_hats = make_user("two_hats", world.orgs["toften"], "caseworker")
    Membership.objects.create(
        user=two_hats, organisation=world.orgs["chp"], role=Membership.Role.CASEWORKER
    )
    mark = last_id()
    assert world.client(two_hats).get(f"{API}/plans/").status_code == 400
    assert world.client(two_hats, "chp").get(f"{API}/plans/").status_code == 200
    assert not events_since(mark, action="choose")


def test_the_web_choice_of_an_organisation_one_is_not_in_is_recorded(world: World) -> None:
    client = Client()
    client.force_login(world.outsider)
    mark = last_id()
    response = client.post("/organisation/", {"organisation": world.orgs["addiction"].pk})
    assert response.status_code == 200  # the choice again; nothing chosen
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.object_id, event.outcome) == (
        "choose",
        "organisation",
        str(world.orgs["addiction"].pk),
        "denied",
    )
    mark = last_id()
    response = client.post("/organisation/", {"organisation": world.orgs["toften"].pk})
    assert response.status_code == 302
    assert not events_since(mark, action="choose")


def test_a_remembered_organisation_one_has_left_is_recorded_on_the_pages(world: World) -> None:
    user = make_user("mover", world.orgs["chp"], "caseworker")
    Membership.objects.create(
        user=user, organisation=world.orgs["toften"], role=Membership.Role.CASEWORKER
    )
    client = Client()
    client.force_login(user)
    assert client.post("/organisation/", {"organisation": world.orgs["chp"].pk}).status_code == 302
    Membership.objects.filter(user=user, organisation=world.orgs["chp"]).delete()
    for url in (
        "/plans/",
        f"/plans/{world.plan.pk}/",
        f"/citizens/{world.citizen.pk}/access-report/",
    ):
        mark = last_id()
        response = client.get(url)
        assert response.status_code == 302
        (event,) = events_since(mark)
        assert (event.action, event.object_id, event.outcome) == (
            "choose",
            str(world.orgs["chp"].pk),
            "denied",
        )
