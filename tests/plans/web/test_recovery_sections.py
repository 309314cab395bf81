"""The citizen at the centre of the plan page: what matters to them, what works per life
domain, goals tied to the efforts that serve them, ended goals, and progress across reviews."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from apps.coordination.reviews import review_record
from apps.plans.models import Goal
from apps.plans.parts import effort_save, goal_save
from tests.helpers import snapshot
from tests.plans.web.conftest import Trail, login, version


def _page(rich, user=None, path: str = "") -> str:
    response = login(user or rich.coordinator).get(f"/plans/{rich.plan.pk}/{path}")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section: str) -> str:
    found = re.search(rf'<section id="section-{section}".*?</section>', html, re.S)
    assert found, section
    return found.group(0)


def _link(rich, effort, goals: list[Goal]) -> None:
    effort_save(
        actor=rich.actor(rich.coordinator if effort == rich.effort_own else rich.participant),
        plan_id=rich.plan.pk,
        expected_version=version(rich),
        effort_id=effort.pk,
        data={"goals": [g.pk for g in goals]},
    )


def _review(rich, held_on: datetime.date, ratings: list[dict]) -> None:
    review_record(
        actor=rich.actor(rich.coordinator),
        plan_id=rich.plan.pk,
        expected_version=version(rich),
        held_on=held_on,
        outcome="continue",
        next_review=timezone.localdate() + datetime.timedelta(days=30),
        ratings=ratings,
    )


def _effort_form(rich, **changes) -> dict:
    return {
        "description": rich.effort_own.description,
        "responsible": rich.coordinator.pk,
        "status": "planned",
        "starts_on": "",
        "ends_on": "",
        "version": version(rich),
        **changes,
    }


# --- what matters to the citizen -------------------------------------------------------------


def test_what_matters_is_saved_and_shown_first_and_in_my_plan(rich):
    trail = Trail()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/what-matters/",
        {
            "what_matters": "At være en god far for Emma.",
            "hopes": "At få min egen lejlighed.",
            "resources": "Min bror Peter hjælper mig.",
            "version": version(rich),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{rich.plan.pk}/#section-matters"
    assert trail.events() == [("update", "plan", str(rich.plan.pk), "allowed")]
    rich.plan.refresh_from_db()
    assert rich.plan.what_matters == "At være en god far for Emma."
    assert rich.plan.hopes == "At få min egen lejlighed."
    assert rich.plan.resources == "Min bror Peter hjælper mig."
    html = _page(rich)
    # The first section of the page.
    assert re.findall(r'<section id="section-([a-z]+)"', html)[0] == "matters"
    words = _section(html, "matters")
    for text in ("At være en god far for Emma.", "At få min egen lejlighed.", "Min bror Peter"):
        assert text in words
    assert f'hx-get="/plans/{rich.plan.pk}/what-matters/"' in words
    mine = _page(rich, path="print/")
    assert "What matters to you" in mine
    assert "At være en god far for Emma." in mine


def test_a_manager_sees_what_matters_without_an_edit_link(rich):
    words = _section(_page(rich, rich.manager), "matters")
    assert "what-matters/" not in words


def test_too_long_words_come_back_with_the_message_and_change_nothing(rich):
    before = snapshot()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/what-matters/",
        {"what_matters": "x" * 4001, "hopes": "Et job", "resources": "", "version": version(rich)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_matters_what_matters_error"' in html
    assert "Et job" in html  # what was typed is kept
    assert snapshot() == before


# --- what is hard and what works, per life domain ----------------------------------------------


def test_strengths_are_saved_beside_the_assessment_and_shown(rich):
    form = login(rich.coordinator).get(f"/plans/{rich.plan.pk}/assessment/").content.decode()
    assert form.count("<fieldset") >= 9  # a fieldset per life domain
    assert "<legend" in form
    assert 'name="housing"' in form
    assert 'name="works_housing"' in form
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/assessment/",
        {
            "housing": "Bor hos sin søster.",
            "works_housing": "Søsteren er en god støtte.",
            "version": version(rich),
        },
    )
    assert response.status_code == 302
    rich.plan.refresh_from_db()
    assert rich.plan.assessment == {"housing": "Bor hos sin søster."}
    assert rich.plan.strengths == {"housing": "Søsteren er en god støtte."}
    section = _section(_page(rich), "assessment")
    assert "Bor hos sin søster." in section
    assert "Søsteren er en god støtte." in section
    assert "What works" in section


# --- goals and the efforts that serve them -----------------------------------------------------


def test_an_effort_linked_to_goals_is_shown_under_each_goal(rich):
    other = goal_save(
        actor=rich.actor(rich.coordinator),
        plan_id=rich.plan.pk,
        expected_version=version(rich),
        data={"text": "Se min datter"},
    )
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/efforts/{rich.effort_own.pk}/",
        _effort_form(rich, goals=[rich.goal.pk, other.pk]),
    )
    assert response.status_code == 302
    assert set(rich.effort_own.goals.all()) == {rich.goal, other}
    goals = _section(_page(rich), "goals")
    items = re.findall(
        r'<li class="kip-item">.*?</li>\s*(?=<li class="kip-item">|</ol>)', goals, re.S
    )
    assert len(items) == 2
    for item in items:
        assert "Samtaler" in item
        assert escape(rich.effort_own.organisation.name) in item
        assert "No effort yet" not in item
    efforts = _section(_page(rich), "efforts")
    assert "Goals it serves:" in efforts


def test_the_effort_form_offers_the_plans_goals_as_checkboxes(rich):
    html = login(rich.coordinator).get(f"/plans/{rich.plan.pk}/efforts/{rich.effort_own.pk}/")
    form = html.content.decode()
    assert f'type="checkbox" name="goals" value="{rich.goal.pk}"' in form


def test_a_goal_with_no_effort_is_flagged(rich):
    goals = _section(_page(rich), "goals")
    assert "No effort yet" in goals
    assert "badge-warning" in goals
    _link(rich, rich.effort_chp, [rich.goal])
    assert "No effort yet" not in _section(_page(rich), "goals")


def test_another_plans_goal_on_an_effort_is_refused_naming_goals(rich):
    foreign = _foreign_goal(rich)
    before = snapshot()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/efforts/{rich.effort_own.pk}/",
        _effort_form(rich, description="Ændret", goals=[rich.goal.pk, foreign.pk]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_efforts_goals_error"' in html
    assert "Ændret" in html  # what was typed is kept
    assert snapshot() == before
    assert not rich.effort_own.goals.exists()


def _foreign_goal(rich) -> Goal:
    from apps.plans.models import Plan

    other = Plan.objects.exclude(pk=rich.plan.pk).first()
    if other is None:
        other = Plan.objects.create(
            citizen=rich.free_citizen,
            coordinator_user=rich.coordinator,
            coordinator_organisation=rich.orgs["addiction"],
            created_by=rich.coordinator,
        )
    return Goal.objects.create(plan=other, text="Fremmed")


def test_a_goal_ended_with_an_outcome_is_listed_under_ended_goals(rich):
    day = timezone.localdate() - datetime.timedelta(days=3)
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        {
            "text": "Bo",
            "outcome": "partly_reached",
            "outcome_on": day.isoformat(),
            "version": version(rich),
        },
    )
    assert response.status_code == 302
    rich.goal.refresh_from_db()
    assert (rich.goal.outcome, rich.goal.outcome_on, rich.goal.status) == (
        "partly_reached",
        day,
        "reached",
    )
    goals = _section(_page(rich), "goals")
    ended = goals[goals.index("Ended goals") :]
    assert "“Bo”" in ended
    assert "Partly reached" in ended
    assert f"{day.day}" in ended
    # Editing the words of an ended goal leaves its outcome as it is.
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        {
            "text": "Bo selv",
            "outcome": "partly_reached",
            "outcome_on": day.isoformat(),
            "version": version(rich),
        },
    )
    assert response.status_code == 302
    rich.goal.refresh_from_db()
    assert (rich.goal.text, rich.goal.outcome, rich.goal.outcome_on) == (
        "Bo selv",
        "partly_reached",
        day,
    )
    assert "Goals that have ended" in _page(rich, path="print/")


def test_a_goal_cannot_end_in_the_future(rich):
    before = snapshot()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = login(rich.coordinator).post(
        f"/plans/{rich.plan.pk}/goals/{rich.goal.pk}/",
        {"text": "Bo", "outcome": "reached", "outcome_on": tomorrow, "version": version(rich)},
    )
    assert response.status_code == 400
    assert 'id="id_goals_outcome_on_error"' in response.content.decode()
    assert snapshot() == before


# --- progress across reviews -------------------------------------------------------------------


def test_a_goal_with_ratings_has_a_chart_and_a_table(rich):
    today = timezone.localdate()
    _review(
        rich,
        today - datetime.timedelta(days=60),
        [{"goal": rich.goal.pk, "citizen": 3, "professional": 2}],
    )
    _review(
        rich,
        today - datetime.timedelta(days=30),
        [{"goal": rich.goal.pk, "citizen": 6, "professional": 5, "citizen_note": "Bedre nu"}],
    )
    for path in ("", "print/"):
        html = _page(rich, path=path)
        assert '<svg class="kip-progress-chart"' in html
        assert 'role="img"' in html
        assert "Show the ratings as a table" in html
        table = html[html.index("kip-progress-table") :]
        assert re.search(r"<td>3</td>\s*<td>2</td>", table)
        assert re.search(r"<td>6</td>\s*<td>5</td>", table)
        assert "Bedre nu" in table
        assert "The citizen" in html
        assert "The professional" in html
        assert "style=" not in html[html.index("kip-progress") :]
        assert "<script" not in html[html.index("kip-progress") :]


def test_a_goal_without_ratings_has_no_chart(rich):
    assert "kip-progress-chart" not in _page(rich)


def _queries(rich) -> int:
    client = login(rich.coordinator)
    url = f"/plans/{rich.plan.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_goals_with_efforts_and_ratings_cost_the_same_number_of_queries(rich):
    counts = []
    day = timezone.localdate() - datetime.timedelta(days=90)
    for grow in (0, 9, 90):  # 1, 10, 100 goals, each linked and rated
        Goal.objects.bulk_create(Goal(plan=rich.plan, text=f"Mål {i}") for i in range(grow))
        goals = list(rich.plan.goals.all())
        _link(rich, rich.effort_own, goals)
        day += datetime.timedelta(days=10)
        _review(rich, day, [{"goal": g.pk, "citizen": 5, "professional": 4} for g in goals])
        counts.append(_queries(rich))
    assert counts[0] == counts[1] == counts[2], counts
