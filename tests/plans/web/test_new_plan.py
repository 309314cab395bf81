"""A new plan in one sitting: the steps, their errors, and one active shared plan at the end."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from apps.citizens.models import Consent
from apps.citizens.services import consent_withdraw
from apps.plans.models import Plan
from tests.helpers import FREE_CPR, snapshot
from tests.plans.web.conftest import Trail, login


def _through_goals(client, rich, goals=("Jeg vil have et job",)):  # type: ignore[no-untyped-def]
    assert client.post("/plans/new/", {"citizen": rich.free_citizen.pk}).status_code == 302
    me = f"{rich.coordinator.pk}:{rich.orgs['addiction'].pk}"
    people = {"coordinator": me, "participants": [rich.orgs["addiction"].pk, rich.orgs["chp"].pk]}
    assert client.post("/plans/new/people/", people)["Location"] == "/plans/new/goals/"
    data = {"count": len(goals), **{f"goal_{n}": g for n, g in enumerate(goals, 1)}}
    assert client.post("/plans/new/goals/", data)["Location"] == "/plans/new/activate/"


def test_the_steps_make_one_active_shared_plan_with_its_goals(rich):
    client = login(rich.coordinator)
    _through_goals(client, rich, ("Jeg vil have et job", "Jeg vil se min søn"))
    review = timezone.localdate() + relativedelta(months=3)
    trail = Trail()
    response = client.post("/plans/new/activate/", {"next_review": review.isoformat()})
    plan = Plan.objects.get(citizen=rich.free_citizen)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.status == Plan.Status.ACTIVE
    assert plan.next_review == review
    assert (plan.coordinator_user, plan.coordinator_organisation) == (
        rich.coordinator,
        rich.orgs["addiction"],
    )
    assert {p.organisation.slug for p in plan.participations.all()} == {"addiction", "chp"}
    assert [g.text for g in plan.goals.all()] == ["Jeg vil have et job", "Jeg vil se min søn"]
    assert plan.version == 3  # created, then one write per goal
    # As the API records the same: the citizen read, the plan created, each goal written.
    assert [e for e in trail.events() if e[1] == "plan"] == [
        ("create", "plan", str(plan.pk), "allowed"),
        ("update", "plan", str(plan.pk), "allowed"),
        ("update", "plan", str(plan.pk), "allowed"),
    ]
    # The other organisation sees it at once.
    assert login(rich.participant).get(f"/plans/{plan.pk}/").status_code == 200
    # The answers are gone from the session: a new attempt starts afresh.
    assert client.get("/plans/new/people/")["Location"] == "/plans/new/"


def test_a_citizen_chosen_elsewhere_is_preselected(rich):
    client = login(rich.coordinator)
    response = client.get(f"/plans/new/?citizen={rich.free_citizen.pk}")
    assert response["Location"] == "/plans/new/people/"
    html = client.get("/plans/new/people/").content.decode()
    assert "Else Jensen" in html
    # The citizen's consent covers addiction and chp: both offered, both ticked; the others
    # are named with the reason they cannot take part.
    assert "Not covered by the citizen's consent" in html
    assert "Toften" in html


def test_step_one_lists_only_citizens_without_an_open_plan(rich):
    html = login(rich.coordinator).get("/plans/new/").content.decode()
    assert "Else Jensen" in html
    assert "Jens Hansen" not in html  # has a plan
    html = login(rich.outsider).get("/plans/new/").content.decode()
    assert "Else Jensen" not in html  # toften may not see her


def test_step_one_searches_by_name_and_by_cpr_as_an_audited_search(rich):
    client = login(rich.coordinator)
    trail = Trail()
    html = client.get("/plans/new/?q=else").content.decode()
    assert "Else Jensen" in html
    assert trail.events() == [("search", "citizen", str(rich.free_citizen.pk), "allowed")]
    trail = Trail()
    html = client.get(f"/plans/new/?q={FREE_CPR[:6]}-{FREE_CPR[6:]}").content.decode()
    assert "Else Jensen" in html
    assert FREE_CPR not in html  # masked
    assert trail.events() == [("search", "citizen", str(rich.free_citizen.pk), "allowed")]
    response = client.get("/plans/new/?q=3213")
    assert response.status_code == 400
    assert "citizen-q-error" in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "withdrawn"])
def test_a_citizen_one_may_not_see_is_404(rich, persona):
    trail = Trail()
    client = login(getattr(rich, persona))
    assert client.get(f"/plans/new/?citizen={rich.free_citizen.pk}").status_code == 404
    assert client.post("/plans/new/", {"citizen": rich.free_citizen.pk}).status_code == 404
    assert trail.events() == [("view", "citizen", str(rich.free_citizen.pk), "denied")] * 2


def test_a_citizen_with_an_open_plan_cannot_start_another(rich):
    before = snapshot()
    response = login(rich.coordinator).get(f"/plans/new/?citizen={rich.citizen.pk}")
    assert response.status_code == 409
    assert "already has an open plan" in response.content.decode()
    assert snapshot() == before


def test_managers_do_not_start_plans(rich):
    for url in ("/plans/new/", "/plans/new/people/", "/plans/new/goals/", "/plans/new/activate/"):
        assert login(rich.manager).get(url).status_code == 403


@pytest.mark.parametrize(
    ("people", "field"),
    [
        ({"participants": ["chp"]}, "participants"),  # without one's own organisation
        ({"participants": []}, "participants"),
        ({"coordinator": "participant:addiction"}, "coordinator"),  # not a pair that exists
        ({"coordinator": "participant:chp", "participants": ["addiction"]}, "coordinator"),
    ],
)
def test_step_two_says_what_is_wrong_by_the_services_rules(rich, people, field):
    client = login(rich.coordinator)
    client.post("/plans/new/", {"citizen": rich.free_citizen.pk})
    orgs = rich.orgs
    data = {
        "coordinator": f"{rich.coordinator.pk}:{orgs['addiction'].pk}",
        "participants": [orgs["addiction"].pk, orgs["chp"].pk],
    }
    if "participants" in people:
        data["participants"] = [orgs[s].pk for s in people["participants"]]
    if "coordinator" in people:
        who, org = people["coordinator"].split(":")
        data["coordinator"] = f"{getattr(rich, who).pk}:{orgs[org].pk}"
    response = client.post("/plans/new/people/", data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Plan.objects.filter(citizen=rich.free_citizen).exists()


def test_step_three_needs_a_goal_and_can_take_more(rich):
    client = login(rich.coordinator)
    client.post("/plans/new/", {"citizen": rich.free_citizen.pk})
    client.post(
        "/plans/new/people/",
        {
            "coordinator": f"{rich.coordinator.pk}:{rich.orgs['addiction'].pk}",
            "participants": [rich.orgs["addiction"].pk],
        },
    )
    response = client.post("/plans/new/goals/", {"count": 1, "goal_1": "  "})
    assert response.status_code == 400
    assert 'id="id_goal_1_error"' in response.content.decode()
    response = client.post("/plans/new/goals/", {"count": 1, "goal_1": "Et job", "more": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="goal_2"' in html
    assert "Et job" in html


@pytest.mark.parametrize("months", [7, -1])
def test_the_review_date_follows_the_services_rule(rich, months):
    client = login(rich.coordinator)
    _through_goals(client, rich)
    day = timezone.localdate() + relativedelta(months=months)
    response = client.post("/plans/new/activate/", {"next_review": day.isoformat()})
    assert response.status_code == 400
    assert 'id="id_next_review_error"' in response.content.decode()
    assert not Plan.objects.filter(citizen=rich.free_citizen).exists()


def test_consent_withdrawn_before_activation_leaves_nothing_behind(rich):
    client = login(rich.coordinator)
    _through_goals(client, rich)
    consent = Consent.objects.filter(citizen=rich.free_citizen).get()
    consent_withdraw(
        actor=rich.actor(rich.coordinator), citizen_id=rich.free_citizen.pk, consent_id=consent.pk
    )
    before = snapshot()
    review = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post("/plans/new/activate/", {"next_review": review.isoformat()})
    # The citizen is still the coordinator organisation's own; the consent no longer covers it.
    assert response.status_code in (400, 409)
    assert "consent does not cover" in response.content.decode()
    assert snapshot() == before


def test_the_steps_are_taken_in_order(rich):
    client = login(rich.coordinator)
    assert client.get("/plans/new/goals/")["Location"] == "/plans/new/"
    client.post("/plans/new/", {"citizen": rich.free_citizen.pk})
    assert client.get("/plans/new/activate/")["Location"] == "/plans/new/goals/"
    assert client.get("/plans/new/goals/")["Location"] == "/plans/new/people/"
