"""Editing the plan page section by section: the same services, rules and audit as the API.

Each case in ``CASES`` is one kind of edit; every test runs over all of them.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from django.db import transaction
from django.utils.html import escape

from apps.plans.parts import goal_save
from tests.helpers import snapshot
from tests.plans.web.conftest import CASES, Case, Trail, login, version

IDS = [c.name for c in CASES]


def _plan_page(rich) -> str:
    return f"/plans/{rich.plan.pk}/"


def _back(rich, case: Case) -> str:
    if case.section == "close":
        return _plan_page(rich)
    return f"{_plan_page(rich)}#section-{case.section}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_form_comes_with_the_plans_version_and_is_recorded_as_a_view(rich, case):
    trail = Trail()
    response = login(rich.coordinator).get(case.url(rich))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="version" value="{version(rich)}"' in html
    assert "<html" in html  # without htmx: a page of its own
    assert trail.events() == [("view", "plan", str(rich.plan.pk), "allowed")]


@pytest.mark.parametrize("case", [c for c in CASES if c.section != "close"], ids=lambda c: c.name)
def test_with_htmx_the_form_comes_alone_and_takes_the_focus(rich, case):
    response = login(rich.coordinator).get(case.url(rich), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="section-{case.section}-heading"' in html
    assert "autofocus" in html


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_good_edit_saves_once_and_goes_back_to_the_plan(rich, case):
    before = version(rich)
    trail = Trail()
    response = login(rich.coordinator).post(case.url(rich), {**case.good(rich), "version": before})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == _back(rich, case)
    assert case.changed(rich)
    assert version(rich) == before + 1
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "allowed")]


@pytest.mark.parametrize("case", [c for c in CASES if c.section != "close"], ids=lambda c: c.name)
def test_with_htmx_the_saved_section_comes_back_with_the_new_version(rich, case):
    before = version(rich)
    trail = Trail()
    response = login(rich.coordinator).post(
        case.url(rich), {**case.good(rich), "version": before}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="section-{case.section}-heading"' in html
    assert "Saved." in html
    assert json.loads(response["HX-Trigger"]) == {
        "kip:plan-version": {"from": before, "to": before + 1}
    }
    assert case.changed(rich)
    # The write is in the trail; reading the section back is part of answering it.
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "allowed")]


class _RolledBack(Exception):
    pass


@pytest.mark.parametrize("case", [c for c in CASES if c.api], ids=lambda c: c.name)
def test_a_page_write_leaves_the_same_trail_as_the_api(rich, case):
    method, url, body = case.api(rich)
    api_events: list = []
    with contextlib.suppress(_RolledBack), transaction.atomic():
        trail = Trail()
        response = getattr(rich.client(rich.coordinator), method)(
            url, body, format="json", HTTP_IF_MATCH=f'"{version(rich)}"'
        )
        assert response.status_code in (200, 201), response.content
        api_events = trail.events()
        raise _RolledBack
    trail = Trail()
    login(rich.coordinator).post(case.url(rich), {**case.good(rich), "version": version(rich)})
    assert trail.events() == api_events


@pytest.mark.parametrize(
    ("case", "htmx"),
    [(c, False) for c in CASES] + [(c, True) for c in CASES if c.section != "close"],
    ids=[f"{c.name}-page" for c in CASES]
    + [f"{c.name}-htmx" for c in CASES if c.section != "close"],
)
def test_bad_input_re_renders_the_form_with_the_field_named_and_changes_nothing(rich, case, htmx):
    bad = case.bad(rich)
    before = snapshot()
    trail = Trail()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(rich.coordinator).post(
        case.url(rich), {**bad, "version": version(rich)}, **headers
    )
    assert response.status_code == 400, response.content.decode()[:3000]
    html = response.content.decode()
    field_id = f"id_{case.section}_{case.bad_field}"
    assert f'id="{field_id}_error"' in html
    assert f"{field_id}_error" in html.split(f'id="{field_id}_error"')[1]  # tied to the field
    assert snapshot() == before
    # Nothing was written; the form shows the plan's data again, which is a view.
    assert trail.events() == [("view", "plan", str(rich.plan.pk), "allowed")]
    typed = bad.get(case.bad_field)
    if isinstance(typed, str) and case.bad_field not in ("status", "reason", "organisation"):
        assert escape(typed) in html  # what the user typed is kept


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_stale_version_shows_the_conflict_view_and_changes_nothing(rich, case):
    stale = version(rich)
    goal_save(
        actor=rich.actor(rich.participant),
        plan_id=rich.plan.pk,
        expected_version=stale,
        goal_id=rich.goal.pk,
        data={"text": "Sofie skrev dette"},
    )
    before = snapshot()
    trail = Trail()
    response = login(rich.coordinator).post(case.url(rich), {**case.good(rich), "version": stale})
    assert response.status_code == 409, response.content.decode()[:3000]
    assert "Someone else changed the plan" in response.content.decode()
    assert snapshot() == before
    assert trail.events() == [("view", "plan", str(rich.plan.pk), "allowed")]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_someone_not_on_the_plan_gets_404_and_the_attempt_is_recorded(rich, case, persona, method):
    before = snapshot()
    trail = Trail()
    client = login(getattr(rich, persona))
    response = getattr(client, method)(
        case.url(rich), {**case.good(rich), "version": version(rich)}
    )
    assert response.status_code == 404
    assert rich.citizen.name not in response.content.decode()
    assert snapshot() == before
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "denied")]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_manager_gets_403_and_the_attempt_is_recorded(rich, case, method):
    before = snapshot()
    trail = Trail()
    response = getattr(login(rich.manager), method)(
        case.url(rich), {**case.good(rich), "version": version(rich)}
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "denied")]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", [c for c in CASES if c.coordinator_only], ids=lambda c: c.name)
def test_what_only_the_coordinator_may_do_is_403_for_a_participant(rich, case, method):
    before = snapshot()
    trail = Trail()
    response = getattr(login(rich.participant), method)(
        case.url(rich), {**case.good(rich), "version": version(rich)}
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "denied")]


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_effort_is_403(rich, method):
    before = snapshot()
    trail = Trail()
    data = {
        "description": "Overtaget",
        "responsible": rich.coordinator.pk,
        "status": "active",
        "version": version(rich),
    }
    response = getattr(login(rich.coordinator), method)(
        f"/plans/{rich.plan.pk}/efforts/{rich.effort_chp.pk}/", data
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert trail.events() == [("update", "effort", str(rich.effort_chp.pk), "denied")]


def test_a_part_of_another_plan_is_404(rich):
    from apps.plans.models import Goal

    other = Goal.objects.exclude(plan=rich.plan).first()
    assert other is None  # only one plan: an id that is on no plan at all
    response = login(rich.coordinator).get(f"/plans/{rich.plan.pk}/goals/999999/")
    assert response.status_code == 404
