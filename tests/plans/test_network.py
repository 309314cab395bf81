"""The citizen's network on the plan through the API: who keeps it, the plan's version, the
audit trail, and bad input answered naming the field with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from apps.audit.models import AccessEvent
from apps.coordination.models import PlanSnapshot
from apps.coordination.reviews import review_record
from apps.plans.models import NetworkMember
from apps.plans.network import network_member_save
from apps.plans.services import plan_close
from tests.conftest import World
from tests.helpers import API, assert_error, snapshot

SISTER = {
    "name": "Susanne Hansen",
    "relation": "søster",
    "contact": "20 45 67 89",
    "may_be_told": "Hvornår møderne er.",
    "takes_part": True,
}


def _version(world: World) -> int:
    world.plan.refresh_from_db()
    return world.plan.version


def _etag(world: World) -> str:
    return f'"{_version(world)}"'


def _sister(world: World) -> NetworkMember:
    return network_member_save(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=_version(world),
        data=dict(SISTER),
    )


def _network() -> list[tuple]:
    return list(
        NetworkMember.objects.order_by("pk").values_list(
            "pk", "plan_id", "name", "relation", "contact", "may_be_told", "takes_part"
        )
    )


def _state() -> tuple[Any, Any]:
    return snapshot(), _network()


def _events_since(start: int) -> list[tuple[str, str, str, str]]:
    return [
        (e.action, e.object_type, e.object_id, e.outcome)
        for e in AccessEvent.objects.filter(id__gt=start).order_by("id")
    ]


def _last_event() -> int:
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _url(world: World, member: Any = None) -> str:
    base = f"{API}/plans/{world.plan.pk}/network/"
    return base if member is None else f"{base}{member.pk if hasattr(member, 'pk') else member}/"


# --- the contract -----------------------------------------------------------------------------


def test_a_caseworker_adds_reads_changes_and_removes_a_person(world: World) -> None:
    client = world.client(world.participant)  # any caseworker of a participating organisation
    before = _version(world)
    start = _last_event()
    created = client.post(_url(world), SISTER, format="json", HTTP_IF_MATCH=_etag(world))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in SISTER} == SISTER
    assert set(body) >= {"id", "name", "relation", "contact", "may_be_told", "takes_part"}
    assert created["ETag"] == f'"{before + 1}"'
    member = NetworkMember.objects.get(pk=body["id"])
    assert member.plan_id == world.plan.pk

    listed = client.get(_url(world))
    assert listed.status_code == 200
    assert listed.json() == {"results": [body], "next": None}
    assert listed["ETag"] == f'"{before + 1}"'
    one = client.get(_url(world, member))
    assert one.status_code == 200
    assert one.json() == body

    changed = client.patch(
        _url(world, member),
        {"may_be_told": "Alt om boligen.", "takes_part": False},
        format="json",
        HTTP_IF_MATCH=_etag(world),
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["may_be_told"] == "Alt om boligen."
    assert changed.json()["relation"] == "søster"  # what the PATCH did not name stays
    member.refresh_from_db()
    assert (member.may_be_told, member.takes_part) == ("Alt om boligen.", False)

    gone = client.delete(_url(world, member), HTTP_IF_MATCH=_etag(world))
    assert gone.status_code == 204
    assert not NetworkMember.objects.exists()
    assert _version(world) == before + 3
    pk = str(world.plan.pk)
    assert _events_since(start) == [
        ("update", "plan", pk, "allowed"),
        ("view", "plan", pk, "allowed"),
        ("view", "plan", pk, "allowed"),
        ("update", "plan", pk, "allowed"),
        ("update", "plan", pk, "allowed"),
    ]


def test_the_plan_detail_carries_the_network(world: World) -> None:
    member = _sister(world)
    body = world.client(world.coordinator).get(f"{API}/plans/{world.plan.pk}/").json()
    assert [m["id"] for m in body["network"]] == [member.pk]
    assert body["network"][0]["may_be_told"] == SISTER["may_be_told"]


def test_a_review_freezes_the_network_as_agreed(world: World) -> None:
    import datetime

    from django.utils import timezone

    member = _sister(world)
    review = review_record(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=_version(world),
        held_on=timezone.localdate(),
        outcome="continue",
        next_review=timezone.localdate() + datetime.timedelta(days=30),
    )
    frozen = PlanSnapshot.objects.get(review=review).data["network"]
    assert frozen == [{"id": member.pk, **SISTER}]


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_someone_not_on_the_plan_gets_404_for_everything(world: World, persona: str) -> None:
    member = _sister(world)
    client = world.client(getattr(world, persona))
    before = _state()
    start = _last_event()
    answers = [
        client.get(_url(world)),
        client.get(_url(world, member)),
        client.post(_url(world), SISTER, format="json", HTTP_IF_MATCH=_etag(world)),
        client.patch(_url(world, member), {"name": "X"}, format="json", HTTP_IF_MATCH=_etag(world)),
        client.delete(_url(world, member), HTTP_IF_MATCH=_etag(world)),
    ]
    for answer in answers:
        assert_error(answer, 404)
    assert _state() == before
    assert {e[3] for e in _events_since(start)} == {"denied"}


def test_a_manager_reads_the_network_but_cannot_change_it(world: World) -> None:
    member = _sister(world)
    client = world.client(world.manager)
    assert client.get(_url(world)).status_code == 200
    assert client.get(_url(world, member)).status_code == 200
    before = _state()
    start = _last_event()
    for answer in (
        client.post(_url(world), SISTER, format="json", HTTP_IF_MATCH=_etag(world)),
        client.patch(_url(world, member), {"name": "X"}, format="json", HTTP_IF_MATCH=_etag(world)),
        client.delete(_url(world, member), HTTP_IF_MATCH=_etag(world)),
    ):
        assert_error(answer, 403)
    assert _state() == before
    pk = str(world.plan.pk)
    assert _events_since(start) == [("update", "plan", pk, "denied")] * 3


def test_a_person_of_another_plan_is_not_found_here(world: World) -> None:
    from apps.plans.models import Plan

    other = Plan.objects.create(
        citizen=world.citizen,
        status="closed",
        closed_at="2024-01-01T00:00:00Z",
        created_by=world.coordinator,
    )
    stranger = NetworkMember.objects.create(plan=other, name="Ole", relation="ven")
    client = world.client(world.coordinator)
    before = _state()
    assert_error(client.get(_url(world, stranger)), 404)
    patch = client.patch(
        _url(world, stranger), {"name": "X"}, format="json", HTTP_IF_MATCH=_etag(world)
    )
    assert_error(patch, 404)
    assert_error(client.delete(_url(world, stranger), HTTP_IF_MATCH=_etag(world)), 404)
    assert _state() == before


# --- the plan's version ------------------------------------------------------------------------


def test_writes_need_the_current_version(world: World) -> None:
    member = _sister(world)
    client = world.client(world.coordinator)
    before = _state()
    assert_error(client.post(_url(world), SISTER, format="json"), 428, field="If-Match")
    stale = f'"{_version(world) - 1}"'
    assert_error(client.post(_url(world), SISTER, format="json", HTTP_IF_MATCH=stale), 412)
    patch = client.patch(_url(world, member), {"name": "X"}, format="json", HTTP_IF_MATCH=stale)
    assert_error(patch, 412)
    assert_error(client.delete(_url(world, member), HTTP_IF_MATCH=stale), 412)
    assert _state() == before


def test_a_closed_plan_keeps_its_network_as_it_was(world: World) -> None:
    member = _sister(world)
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=_version(world),
        reason="goals_reached",
    )
    client = world.client(world.coordinator)
    before = _state()
    assert_error(
        client.post(_url(world), SISTER, format="json", HTTP_IF_MATCH=_etag(world)),
        409,
        code="plan_closed",
    )
    assert_error(client.delete(_url(world, member), HTTP_IF_MATCH=_etag(world)), 409)
    assert _state() == before
    assert client.get(_url(world)).status_code == 200  # still read


# --- bad input ---------------------------------------------------------------------------------

BAD_CREATES = [
    ("no relation", {"name": "Susanne"}, "relation"),
    ("blank relation", {"name": "Susanne", "relation": "   "}, "relation"),
    ("no name", {"relation": "søster"}, "name"),
    ("blank name", {"name": "", "relation": "søster"}, "name"),
    ("name too long", {"name": "x" * 201, "relation": "søster"}, "name"),
    ("relation too long", {"name": "Susanne", "relation": "x" * 101}, "relation"),
    ("contact too long", {**SISTER, "contact": "x" * 201}, "contact"),
    ("may be told too long", {**SISTER, "may_be_told": "x" * 2001}, "may_be_told"),
    ("takes part not a boolean", {**SISTER, "takes_part": "maybe"}, "takes_part"),
    ("name not text", {**SISTER, "name": 7}, "name"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES])
def test_a_bad_person_is_refused_naming_the_field(
    world: World, case: str, body: dict, field: str
) -> None:
    before = _state()
    response = world.client(world.coordinator).post(
        _url(world), body, format="json", HTTP_IF_MATCH=_etag(world)
    )
    assert_error(response, 400, field=field)
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"relation": ""}, "relation"),
        ({"name": "  "}, "name"),
        ({"relation": "x" * 101}, "relation"),
        ({"may_be_told": "x" * 2001}, "may_be_told"),
    ],
)
def test_a_bad_change_is_refused_naming_the_field(world: World, body: dict, field: str) -> None:
    member = _sister(world)
    before = _state()
    response = world.client(world.coordinator).patch(
        _url(world, member), body, format="json", HTTP_IF_MATCH=_etag(world)
    )
    assert_error(response, 400, field=field)
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Susanne"}, "relation"),
        ({"name": "Susanne", "relation": " "}, "relation"),
        ({"relation": "søster"}, "name"),
        ({"name": "S", "relation": "søster", "contact": "x" * 201}, "contact"),
        ({"name": "S", "relation": "søster", "may_be_told": 3}, "may_be_told"),
        ({"name": "S", "relation": "søster", "takes_part": "yes"}, "takes_part"),
    ],
)
def test_the_service_names_the_field_too(world: World, data: dict, field: str) -> None:
    """The pages call the service with what a form parsed: its rules hold without the API's."""
    from apps.core.exceptions import ApplicationError

    before = _state()
    with pytest.raises(ApplicationError) as refused:
        network_member_save(
            actor=world.actor(world.coordinator),
            plan_id=world.plan.pk,
            expected_version=_version(world),
            data=data,
        )
    assert field in (refused.value.fields or {})
    assert _state() == before
