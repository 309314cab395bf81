"""One consent rule for everything that hangs off a plan (``apps.access.derived``).

When the citizen's consent for an organisation is withdrawn, or runs out, the plan answers
404 to it at once, and so does every object derived from the plan: handovers (with their
note), notifications, reviews, snapshots, diffs, hospital events, goals, efforts, agreements,
participants. Each refused attempt is in the trail with the citizen it concerns. Each test
runs twice: consent withdrawn, and consent expired (the clock moved past its expiry).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from apps.access.context import actor_for
from apps.audit.models import AccessEvent
from apps.coordination import reviews
from apps.coordination.models import Handover
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.organisations.services import membership_ensure
from tests.audit.helpers import events_since, last_id
from tests.conftest import World, make_user
from tests.helpers import API

K = Notification.Kind
NOTE = "Flytter til bosted i Korsør"


def _missing_body(world: World, user: Any, slug: str) -> dict:
    """The 404 of an object that does not exist: a refusal must look exactly like it."""
    return world.client(user, slug).get(f"{API}/handovers/987654/").json()


def _propose(world: World, proposer: Any, to_user: Any, to_slug: str) -> int:
    response = world.client(proposer, "addiction").post(
        f"{API}/plans/{world.plan.pk}/handovers/",
        {"to_user": to_user.pk, "to_organisation": world.orgs[to_slug].pk, "note": NOTE},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _assert_refused(world: World, response: Any, missing: dict) -> None:
    """404 exactly like a missing object, nothing of the handover or the citizen in it."""
    assert response.status_code == 404, response.json()
    assert response.json() == missing
    body = response.content.decode()
    assert NOTE not in body
    assert world.citizen.name not in body


def _assert_denied_events(world: World, mark: int, user: Any, object_types: list[str]) -> None:
    events = events_since(mark, actor=user)
    assert [(e.object_type, e.outcome, e.citizen_id) for e in events] == [
        (t, AccessEvent.Outcome.DENIED, world.citizen.pk) for t in object_types
    ]


# --- handovers: the receiver, on the plan or joining it ---------------------------------------


@pytest.mark.parametrize(
    ("slug", "persona"),
    [("toften", "outsider"), ("chp", "participant")],
    ids=["receiver joining the plan", "receiver on the plan"],
)
def test_the_receiver_loses_the_handover_and_its_notifications(
    world: World, lapsing: Any, slug: str, persona: str
) -> None:
    lapse = lapsing(slug)
    receiver = getattr(world, persona)
    handover = _propose(world, world.coordinator, receiver, slug)
    client = world.client(receiver, slug)
    url = f"{API}/handovers/{handover}/"
    # Within consent the receiver sees it, note and all, and is told.
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown.json()["note"] == NOTE
    assert _ids(client.get(f"{API}/handovers/")) == [handover]
    inbox = client.get(f"{API}/notifications/").json()["results"]
    assert [(n["kind"], n["handover"]) for n in inbox] == [(K.HANDOVER_PROPOSED, handover)]
    notification = inbox[0]["id"]

    lapse()

    missing = _missing_body(world, receiver, slug)
    mark = last_id()
    _assert_refused(world, client.get(url), missing)
    _assert_refused(world, client.post(f"{url}accept/"), missing)
    declined = client.post(f"{url}decline/", {"reason": "Nej"}, format="json")
    _assert_refused(world, declined, missing)
    read = client.post(f"{API}/notifications/{notification}/read/")
    _assert_refused(world, read, missing)
    _assert_denied_events(world, mark, receiver, ["handover"] * 3 + ["notification"])
    assert [e.action for e in events_since(mark, actor=receiver)] == [
        "view",
        "handover",
        "handover",
        "update",
    ]
    assert _ids(client.get(f"{API}/handovers/")) == []
    assert _ids(client.get(f"{API}/notifications/")) == []
    # Nothing changed, and the side that still has consent still sees it.
    stored = Handover.objects.get(pk=handover)
    assert (stored.state, stored.decided_by) == ("proposed", None)
    assert Notification.objects.get(pk=notification).read_at is None
    assert world.client(world.coordinator, "addiction").get(url).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_the_proposer_loses_the_handover(world: World, lapsing: Any, persona: str) -> None:
    lapse = lapsing("addiction")
    proposer = getattr(world, persona)
    handover = _propose(world, proposer, world.participant, "chp")
    client = world.client(proposer, "addiction")
    url = f"{API}/handovers/{handover}/"
    assert client.get(url).status_code == 200
    assert _ids(client.get(f"{API}/handovers/")) == [handover]

    lapse()

    missing = _missing_body(world, proposer, "addiction")
    mark = last_id()
    _assert_refused(world, client.get(url), missing)
    _assert_refused(world, client.post(f"{url}cancel/"), missing)
    _assert_denied_events(world, mark, proposer, ["handover", "handover"])
    assert _ids(client.get(f"{API}/handovers/")) == []
    assert Handover.objects.get(pk=handover).state == "proposed"
    # The plan answers 404 too: one rule.
    assert client.get(f"{API}/plans/{world.plan.pk}/").status_code == 404
    # The receiver, still covered, still sees it.
    assert world.client(world.participant, "chp").get(url).status_code == 200


def test_break_the_glass_reads_a_handover_but_does_not_act_on_it(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("addiction")
    handover = _propose(world, world.coordinator, world.participant, "chp")
    lapse()
    client = world.client(world.coordinator, "addiction")
    url = f"{API}/handovers/{handover}/"
    assert client.get(url).status_code == 404
    opened = client.post(
        f"{API}/break-glass/",
        {"cpr": world.citizen.cpr_digits, "reason": "Akut indlæggelse"},
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    mark = last_id()
    assert client.get(url).status_code == 200
    (event,) = events_since(mark)
    assert (event.action, event.purpose, event.citizen_id) == (
        "break_glass",
        "Akut indlæggelse",
        world.citizen.pk,
    )
    mark = last_id()
    assert client.post(f"{url}cancel/").status_code == 403
    _assert_denied_events(world, mark, world.coordinator, ["handover"])
    assert Handover.objects.get(pk=handover).state == "proposed"
    # The list shows it, recorded as break-the-glass.
    mark = last_id()
    assert _ids(client.get(f"{API}/handovers/")) == [handover]
    assert [e.action for e in events_since(mark)] == ["break_glass"]


# --- notifications ----------------------------------------------------------------------------


def test_notifications_about_the_plan_go_those_about_nothing_stay(
    world: World, lapsing: Any
) -> None:
    lapse = lapsing("addiction")
    about_plan = notification_create(
        kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan, due=timezone.localdate()
    )
    about_nothing = notification_create(
        kind="break_glass", recipient=world.coordinator, context={"break_glass": 1}
    )
    assert about_plan is not None
    assert about_nothing is not None
    client = world.client(world.coordinator, "addiction")
    assert _ids(client.get(f"{API}/notifications/")) == [about_nothing.pk, about_plan.pk]

    lapse()

    assert _ids(client.get(f"{API}/notifications/")) == [about_nothing.pk]
    assert _ids(client.get(f"{API}/notifications/?unread=true")) == [about_nothing.pk]
    missing = _missing_body(world, world.coordinator, "addiction")
    mark = last_id()
    refused = client.post(f"{API}/notifications/{about_plan.pk}/read/")
    _assert_refused(world, refused, missing)
    _assert_denied_events(world, mark, world.coordinator, ["notification"])
    about_plan.refresh_from_db()
    assert about_plan.read_at is None
    assert client.post(f"{API}/notifications/{about_nothing.pk}/read/").status_code == 200


def test_notifications_follow_the_acting_organisation(world: World) -> None:
    """One person, two organisations: the plan's notices show only acting for the one on it."""
    two_hats = make_user("two_hats", world.orgs["toften"], "caseworker")
    membership_ensure(user=two_hats, organisation=world.orgs["chp"], role="caseworker")
    notice = notification_create(kind=K.REVIEW_DUE, recipient=two_hats, plan=world.plan)
    assert notice is not None
    assert _ids(world.client(two_hats, "chp").get(f"{API}/notifications/")) == [notice.pk]
    assert _ids(world.client(two_hats, "toften").get(f"{API}/notifications/")) == []
    refused = world.client(two_hats, "toften").post(f"{API}/notifications/{notice.pk}/read/")
    assert refused.status_code == 404
    read = world.client(two_hats, "chp").post(f"{API}/notifications/{notice.pk}/read/")
    assert read.status_code == 200


def test_someone_elses_notification_is_404_and_recorded(world: World) -> None:
    notice = notification_create(kind=K.REVIEW_DUE, recipient=world.coordinator, plan=world.plan)
    assert notice is not None
    missing = _missing_body(world, world.colleague, "addiction")
    mark = last_id()
    response = world.client(world.colleague).post(f"{API}/notifications/{notice.pk}/read/")
    _assert_refused(world, response, missing)
    _assert_denied_events(world, mark, world.colleague, ["notification"])


# --- everything addressed through the plan ----------------------------------------------------


def _plan_children(world: World) -> dict[str, tuple[str, str, dict | None]]:
    """Every read (and the one write a participant may make) of what hangs off the plan."""
    plan = world.plan.pk
    first, second = reviews_of(world)
    today = timezone.localdate().isoformat()
    return {
        "reviews": ("get", f"{API}/plans/{plan}/reviews/", None),
        "snapshot": ("get", f"{API}/plans/{plan}/reviews/{first}/snapshot/", None),
        "diff": ("get", f"{API}/plans/{plan}/reviews/{first}/diff/{second}/", None),
        "hospital events": ("get", f"{API}/plans/{plan}/hospital-events/", None),
        "hospital event record": (
            "post",
            f"{API}/plans/{plan}/hospital-events/",
            {"kind": "admission", "occurred_on": today},
        ),
        "discharge tasks": ("get", f"{API}/plans/{plan}/discharge-tasks/", None),
        "handovers of the plan": ("get", f"{API}/plans/{plan}/handovers/", None),
        "goals": ("get", f"{API}/plans/{plan}/goals/", None),
        "efforts": ("get", f"{API}/plans/{plan}/efforts/", None),
        "agreements": ("get", f"{API}/plans/{plan}/agreements/", None),
        "participants": ("get", f"{API}/plans/{plan}/participants/", None),
        "plan": ("get", f"{API}/plans/{plan}/", None),
    }


def reviews_of(world: World) -> tuple[int, int]:
    """Two reviews by the coordinator, each freezing the plan."""
    actor = actor_for(world.coordinator, world.orgs["addiction"].pk)
    ids = []
    for days in (30, 60):
        world.plan.refresh_from_db()
        review = reviews.review_record(
            actor=actor,
            plan_id=world.plan.pk,
            expected_version=world.plan.version,
            held_on=timezone.localdate(),
            outcome="continue",
            notes="Godt forløb",
            next_review=timezone.localdate() + datetime.timedelta(days=days),
        )
        ids.append(review.pk)
    return ids[0], ids[1]


def test_everything_on_the_plan_answers_404_when_consent_lapses(world: World, lapsing: Any) -> None:
    lapse = lapsing("chp")
    calls = _plan_children(world)
    client = world.client(world.participant, "chp")

    def call(method: str, url: str, body: dict | None) -> Any:
        return getattr(client, method)(url, body, format="json") if body else client.get(url)

    for name, (method, url, body) in calls.items():
        response = call(method, url, body)
        assert response.status_code in (200, 201), (name, response.json())

    lapse()

    for name, (method, url, body) in calls.items():
        mark = last_id()
        response = call(method, url, body)
        assert response.status_code == 404, (name, response.json())
        assert world.citizen.name not in response.content.decode()
        assert "Godt forløb" not in response.content.decode()
        events = events_since(mark)
        assert [(e.object_type, e.outcome, e.citizen_id) for e in events] == [
            ("plan", "denied", world.citizen.pk)
        ], name
    # The coordinator, still covered, reads them all.
    coordinator = world.client(world.coordinator, "addiction")
    for name, (_method, url, _body) in calls.items():
        assert coordinator.get(url).status_code == 200, name
