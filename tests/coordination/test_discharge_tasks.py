"""The discharge agreement through the API and its services: the contract, who may keep it,
the plan's version, a closed plan and the audit trail (bad input: test_discharge_bad_input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.coordination.discharge import discharge_task_done
from apps.coordination.models import DischargeTask
from apps.organisations.models import Membership
from apps.plans.models import Plan
from apps.plans.services import plan_close
from tests.conftest import World, make_user
from tests.helpers import assert_error

from .discharge import (
    API,
    admit,
    etag,
    events_since,
    last_event,
    state,
    task,
    version,
)

TODAY = timezone.localdate


def _url(world: World, item: Any = None) -> str:
    base = f"{API}/plans/{world.plan.pk}/discharge-tasks/"
    return base if item is None else f"{base}{getattr(item, 'pk', item)}/"


def _body(world: World, admission: Any, **extra: Any) -> dict[str, Any]:
    return {
        "admission": admission.pk,
        "description": "Hente medicin på apoteket",
        "responsible": world.participant.pk,
        "due": TODAY().isoformat(),
        **extra,
    }


# --- the contract -----------------------------------------------------------------------------


def test_a_caseworker_makes_reads_changes_marks_done_and_removes_a_task(world: World) -> None:
    admission = admit(world)
    client = world.client(world.participant)  # any caseworker of a participating organisation
    before = version(world)
    start = last_event()
    created = client.post(
        _url(world), _body(world, admission), format="json", HTTP_IF_MATCH=etag(world)
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert set(body) >= {"id", "description", "responsible", "due", "done", "admission"}
    assert {k: body[k] for k in ("responsible", "due", "done", "admission")} == {
        "responsible": world.participant.pk,
        "due": TODAY().isoformat(),
        "done": False,
        "admission": admission.pk,
    }
    # The person's only organisation on the plan.
    assert body["responsible_organisation"] == world.orgs["chp"].pk
    assert created["ETag"] == f'"{before + 1}"'
    item = DischargeTask.objects.get(pk=body["id"])
    assert (item.plan_id, item.created_by) == (world.plan.pk, world.participant)

    listed = client.get(_url(world))
    assert listed.status_code == 200
    assert listed.json() == {"results": [body], "next": None}
    assert listed["ETag"] == f'"{before + 1}"'
    assert client.get(_url(world, item)).json() == body

    changed = client.patch(
        _url(world, item),
        {"responsible": world.colleague.pk, "due": (TODAY() + dt.timedelta(days=2)).isoformat()},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["responsible_organisation"] == world.orgs["addiction"].pk
    assert changed.json()["description"] == "Hente medicin på apoteket"  # not named: kept
    done = client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=etag(world))
    assert done.json()["done"] is True
    item.refresh_from_db()
    assert item.done_at is not None
    undone = client.patch(
        _url(world, item), {"done": False}, format="json", HTTP_IF_MATCH=etag(world)
    )
    assert (undone.json()["done"], undone.json()["done_at"]) == (False, None)

    gone = client.delete(_url(world, item), HTTP_IF_MATCH=etag(world))
    assert gone.status_code == 204
    assert not DischargeTask.objects.exists()
    assert version(world) == before + 5
    plan, pk = str(world.plan.pk), str(item.pk)
    assert events_since(start) == [
        ("update", "plan", plan, "allowed"),
        ("create", "discharge_task", pk, "allowed"),
        ("view", "plan", plan, "allowed"),
        ("view", "plan", plan, "allowed"),
        *[("update", "plan", plan, "allowed"), ("update", "discharge_task", pk, "allowed")] * 3,
        ("update", "plan", plan, "allowed"),
        ("delete", "discharge_task", pk, "allowed"),
    ]


def test_tasks_are_listed_soonest_first(world: World) -> None:
    admission = admit(world)
    late = task(world, admission, due=TODAY() + dt.timedelta(days=5))
    soon = task(world, admission, due=TODAY())
    listed = world.client(world.coordinator).get(_url(world)).json()["results"]
    assert [t["id"] for t in listed] == [soon.pk, late.pk]


def test_someone_working_for_two_organisations_on_the_plan_names_the_one(world: World) -> None:
    both = make_user("both", world.orgs["addiction"], Membership.Role.CASEWORKER)
    Membership.objects.create(user=both, organisation=world.orgs["chp"], role="caseworker")
    admission = admit(world)
    client = world.client(world.coordinator)
    before = state()
    unnamed = client.post(
        _url(world),
        _body(world, admission, responsible=both.pk),
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(unnamed, 400, field="responsible_organisation")
    toften = client.post(
        _url(world),
        _body(
            world, admission, responsible=both.pk, responsible_organisation=world.orgs["toften"].pk
        ),
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert_error(toften, 400, field="responsible_organisation")
    assert state() == before
    named = client.post(
        _url(world),
        _body(world, admission, responsible=both.pk, responsible_organisation=world.orgs["chp"].pk),
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert named.status_code == 201, named.json()
    assert named.json()["responsible_organisation"] == world.orgs["chp"].pk
    # Changing the organisation alone keeps the person.
    moved = client.patch(
        _url(world, named.json()["id"]),
        {"responsible_organisation": world.orgs["addiction"].pk},
        format="json",
        HTTP_IF_MATCH=etag(world),
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["responsible"], moved.json()["responsible_organisation"]) == (
        both.pk,
        world.orgs["addiction"].pk,
    )


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_someone_not_on_the_plan_gets_404_for_everything(world: World, persona: str) -> None:
    item = task(world, admit(world))
    client = world.client(getattr(world, persona))
    before = state()
    start = last_event()
    answers = [
        client.get(_url(world)),
        client.get(_url(world, item)),
        client.post(
            _url(world), _body(world, item.admission), format="json", HTTP_IF_MATCH=etag(world)
        ),
        client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=etag(world)),
        client.delete(_url(world, item), HTTP_IF_MATCH=etag(world)),
    ]
    for answer in answers:
        assert_error(answer, 404)
    assert state() == before
    assert {e[3] for e in events_since(start)} == {"denied"}


def test_a_manager_reads_the_agreement_but_cannot_change_it(world: World) -> None:
    item = task(world, admit(world))
    client = world.client(world.manager)
    assert client.get(_url(world)).status_code == 200
    assert client.get(_url(world, item)).status_code == 200
    before = state()
    start = last_event()
    for answer in (
        client.post(
            _url(world), _body(world, item.admission), format="json", HTTP_IF_MATCH=etag(world)
        ),
        client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=etag(world)),
        client.delete(_url(world, item), HTTP_IF_MATCH=etag(world)),
    ):
        assert_error(answer, 403)
    assert state() == before
    assert events_since(start) == [("update", "plan", str(world.plan.pk), "denied")] * 3


def test_a_task_of_another_plan_is_not_found_here(world: World) -> None:
    item = task(world, admit(world))
    other = Plan.objects.create(
        citizen=world.citizen,
        status="closed",
        closed_at=timezone.now(),
        created_by=world.coordinator,
    )
    DischargeTask.objects.filter(pk=item.pk).update(plan=other)
    client = world.client(world.coordinator)
    before = state()
    assert_error(client.get(_url(world, item)), 404)
    assert_error(
        client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=etag(world)),
        404,
    )
    assert_error(client.delete(_url(world, item), HTTP_IF_MATCH=etag(world)), 404)
    assert state() == before


# --- the plan's version and state ------------------------------------------------------------


def test_writes_need_the_current_version(world: World) -> None:
    item = task(world, admit(world))
    client = world.client(world.coordinator)
    before = state()
    body = _body(world, item.admission)
    assert_error(client.post(_url(world), body, format="json"), 428, field="If-Match")
    stale = f'"{version(world) - 1}"'
    assert_error(client.post(_url(world), body, format="json", HTTP_IF_MATCH=stale), 412)
    patch = client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=stale)
    assert_error(patch, 412)
    assert_error(client.delete(_url(world, item), HTTP_IF_MATCH=stale), 412)
    assert state() == before


def test_a_closed_plan_keeps_its_agreement_as_it_was(world: World) -> None:
    item = task(world, admit(world))
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=world.plan.pk,
        expected_version=version(world),
        reason="goals_reached",
    )
    client = world.client(world.coordinator)
    before = state()
    for answer in (
        client.post(
            _url(world), _body(world, item.admission), format="json", HTTP_IF_MATCH=etag(world)
        ),
        client.patch(_url(world, item), {"done": True}, format="json", HTTP_IF_MATCH=etag(world)),
        client.delete(_url(world, item), HTTP_IF_MATCH=etag(world)),
    ):
        assert_error(answer, 409, code="plan_closed")
    assert state() == before
    assert client.get(_url(world)).status_code == 200  # still read


def test_marking_done_and_undone_records_the_time(world: World) -> None:
    item = task(world, admit(world))
    actor = world.actor(world.participant)
    done = discharge_task_done(
        actor=actor,
        plan_id=world.plan.pk,
        expected_version=version(world),
        task_id=item.pk,
        done=True,
    )
    assert done.done
    assert done.done_at is not None
    again = discharge_task_done(
        actor=actor,
        plan_id=world.plan.pk,
        expected_version=version(world),
        task_id=item.pk,
        done=True,
    )
    assert again.done_at == done.done_at  # already done: the first time stays
    undone = discharge_task_done(
        actor=actor,
        plan_id=world.plan.pk,
        expected_version=version(world),
        task_id=item.pk,
        done=False,
    )
    assert (undone.done, undone.done_at) == (False, None)
