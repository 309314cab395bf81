"""The discharge agreement refuses bad input: a 400 naming the field, through the API and
from the service itself (the pages' way in), and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.coordination.discharge import discharge_task_save
from apps.coordination.models import HospitalEvent
from apps.core.exceptions import ApplicationError
from apps.plans.models import Plan
from tests.conftest import World
from tests.helpers import assert_error

from .discharge import API, admit, days_ago, etag, record, state, task, version

TODAY = timezone.localdate


def _url(world: World, item: Any = None) -> str:
    base = f"{API}/plans/{world.plan.pk}/discharge-tasks/"
    return base if item is None else f"{base}{getattr(item, 'pk', item)}/"


def _body(world: World, admission: Any) -> dict[str, Any]:
    return {
        "admission": admission.pk,
        "description": "Hente medicin på apoteket",
        "responsible": world.participant.pk,
        "due": TODAY().isoformat(),
    }


def _without(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != name}


# (what is wrong, the body from a good one, the field named); "discharge" is a discharge's id.
BAD_CREATES: list[tuple[str, Callable[[World, dict, int], dict], str]] = [
    ("due before the admission", lambda w, b, d: {**b, "due": days_ago(4).isoformat()}, "due"),
    ("no due date", lambda w, b, d: _without(b, "due"), "due"),
    ("not a date", lambda w, b, d: {**b, "due": "31.02.2026"}, "due"),
    ("a manager", lambda w, b, d: {**b, "responsible": w.manager.pk}, "responsible"),
    ("not on the plan", lambda w, b, d: {**b, "responsible": w.outsider.pk}, "responsible"),
    ("consent withdrawn", lambda w, b, d: {**b, "responsible": w.withdrawn.pk}, "responsible"),
    ("no such person", lambda w, b, d: {**b, "responsible": 999999}, "responsible"),
    ("no person", lambda w, b, d: _without(b, "responsible"), "responsible"),
    ("a discharge", lambda w, b, d: {**b, "admission": d}, "admission"),
    ("no such admission", lambda w, b, d: {**b, "admission": 999999}, "admission"),
    ("no admission", lambda w, b, d: _without(b, "admission"), "admission"),
    ("empty description", lambda w, b, d: {**b, "description": ""}, "description"),
    ("blank description", lambda w, b, d: {**b, "description": "   "}, "description"),
    ("long description", lambda w, b, d: {**b, "description": "x" * 2001}, "description"),
    ("done not a boolean", lambda w, b, d: {**b, "done": "maybe"}, "done"),
]


@pytest.mark.parametrize(("case", "bad", "field"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES])
def test_a_bad_task_is_refused_naming_the_field(
    world: World, case: str, bad: Callable[[World, dict, int], dict], field: str
) -> None:
    admission = admit(world, days_ago(3))
    discharge = record(world, "discharge", days_ago(1))
    body = bad(world, _body(world, admission), discharge.pk)
    before = state()
    response = world.client(world.coordinator).post(
        _url(world), body, format="json", HTTP_IF_MATCH=etag(world)
    )
    assert_error(response, 400, field=field)
    assert state() == before


def test_an_admission_of_another_plan_is_refused(world: World) -> None:
    other = Plan.objects.create(
        citizen=world.citizen,
        status="closed",
        closed_at=timezone.now(),
        created_by=world.coordinator,
    )
    foreign = admit(world)
    HospitalEvent.objects.filter(pk=foreign.pk).update(plan=other)
    before = state()
    response = world.client(world.coordinator).post(
        _url(world), _body(world, foreign), format="json", HTTP_IF_MATCH=etag(world)
    )
    assert_error(response, 400, field="admission")
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due": days_ago(10).isoformat()}, "due"),
        ({"responsible": "outsider"}, "responsible"),
        ({"description": ""}, "description"),
        ({"admission": "discharge"}, "admission"),
    ],
)
def test_a_bad_change_is_refused_naming_the_field(world: World, change: dict, field: str) -> None:
    item = task(world, admit(world))
    discharge = record(world, "discharge", days_ago(1))
    names = {"outsider": world.outsider.pk, "discharge": discharge.pk}
    body = {k: names.get(v, v) for k, v in change.items()}
    before = state()
    response = world.client(world.coordinator).patch(
        _url(world, item), body, format="json", HTTP_IF_MATCH=etag(world)
    )
    assert_error(response, 400, field=field)
    assert state() == before


def test_moving_a_task_to_a_later_admission_checks_its_date(world: World) -> None:
    first = admit(world, days_ago(20))
    item = task(world, first, due=days_ago(15))
    record(world, "discharge", days_ago(12))
    later = admit(world, days_ago(5))
    before = state()
    response = world.client(world.coordinator).patch(
        _url(world, item), {"admission": later.pk}, format="json", HTTP_IF_MATCH=etag(world)
    )
    assert_error(response, 400, field="due")
    assert state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": "Ring"}, "admission"),
        ({"admission": "latest", "responsible": "participant"}, "description"),
        ({"admission": "latest", "description": "Ring", "due": "today"}, "responsible"),
        ({"admission": "latest", "description": "Ring", "responsible": "participant"}, "due"),
        (
            {
                "admission": "latest",
                "description": "Ring",
                "responsible": "participant",
                "due": "early",
            },
            "due",
        ),
        (
            {
                "admission": "latest",
                "description": "Ring",
                "responsible": "participant",
                "due": "today",
                "done": "yes",
            },
            "done",
        ),
    ],
)
def test_the_service_names_the_field_too(world: World, data: dict, field: str) -> None:
    """The pages call the service with what a form parsed: its rules hold without the API's."""
    admission = admit(world, days_ago(2))
    values = {
        "latest": admission.pk,
        "participant": world.participant.pk,
        "today": TODAY(),
        "early": days_ago(3),
    }
    before = state()
    with pytest.raises(ApplicationError) as refused:
        discharge_task_save(
            actor=world.actor(world.coordinator),
            plan_id=world.plan.pk,
            expected_version=version(world),
            data={k: values.get(v, v) if isinstance(v, str) else v for k, v in data.items()},
        )
    assert field in (refused.value.fields or {})
    assert state() == before
