"""The citizen at the centre: their words and resources on the plan, goals tied to efforts,
goal outcomes, ratings at reviews (frozen, diffed, over time). Bad input names the field and
changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.citizens.services import citizen_register
from apps.coordination.models import GoalRating, PlanSnapshot, Review
from apps.plans.models import Goal, Plan
from apps.plans.parts import effort_save, goal_save
from tests.helpers import assert_error, snapshot

API = "/api/v1"


def _etag(plan: Plan) -> dict[str, str]:
    plan.refresh_from_db()
    return {"HTTP_IF_MATCH": f'"{plan.version}"'}


def _goal(world, text: str = "Jeg vil have min egen bolig") -> Goal:
    plan = Plan.objects.get(pk=world.plan.pk)
    return goal_save(
        actor=world.actor(world.coordinator, "addiction"),
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": text},
    )


def _review(world, body: dict, user=None, slug: str = "addiction"):
    today = timezone.localdate()
    body = {
        "held_on": today.isoformat(),
        "outcome": "continue",
        "next_review": (today + dt.timedelta(days=60)).isoformat(),
        **body,
    }
    return world.client(user or world.coordinator, slug).post(
        f"{API}/plans/{world.plan.pk}/reviews/", body, format="json", **_etag(world.plan)
    )


def test_the_citizens_words_and_what_works_are_part_of_the_plan(world):
    client = world.client(world.participant, "chp")
    body = {
        "what_matters": "At se mine børn.",
        "hopes": "Et sted at bo.",
        "resources": "Min søster; jeg er god til at lave mad.",
        "strengths": {"family": "Søsteren ringer hver uge.", "daily_living": "Laver mad selv."},
    }
    response = client.patch(
        f"{API}/plans/{world.plan.pk}/", body, format="json", **_etag(world.plan)
    )
    assert response.status_code == 200, response.data
    for key, value in body.items():
        assert response.data[key] == value
    plan = Plan.objects.get(pk=world.plan.pk)
    assert plan.hopes == "Et sted at bo."
    assert plan.strengths["family"].startswith("Søsteren")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"strengths": {"astrology": "x"}}, "strengths"),
        ({"strengths": {"family": 7}}, "strengths"),
        ({"hopes": "x" * 4001}, "hopes"),
        ({"what_matters": 5}, "what_matters"),
    ],
)
def test_bad_words_name_the_field_and_change_nothing(world, body, field):
    before = Plan.objects.filter(pk=world.plan.pk).values().get()
    response = world.client(world.coordinator, "addiction").patch(
        f"{API}/plans/{world.plan.pk}/", body, format="json", **_etag(world.plan)
    )
    assert_error(response, 400, field=field)
    assert Plan.objects.filter(pk=world.plan.pk).values().get() == before


def test_an_effort_serves_goals_and_each_goal_shows_its_efforts(world):
    home, work = _goal(world), _goal(world, "Arbejde igen")
    client = world.client(world.participant, "chp")
    response = client.post(
        f"{API}/plans/{world.plan.pk}/efforts/",
        {"description": "Bostøtte", "responsible": world.participant.pk, "goals": [home.pk]},
        format="json",
        **_etag(world.plan),
    )
    assert response.status_code == 201, response.data
    assert response.data["goals"] == [home.pk]
    detail = client.get(f"{API}/plans/{world.plan.pk}/").data
    goals = {g["id"]: g for g in detail["goals"]}
    assert goals[home.pk]["efforts"] == [response.data["id"]]
    assert goals[work.pk]["efforts"] == []  # a goal no effort serves: the page flags it


def test_an_effort_tied_to_another_plans_goal_is_refused(world):
    home = _goal(world)
    other_plan_goal = Goal.objects.create(plan=_other_plan(world), text="Andet")
    before = snapshot()
    response = world.client(world.participant, "chp").post(
        f"{API}/plans/{world.plan.pk}/efforts/",
        {
            "description": "Bostøtte",
            "responsible": world.participant.pk,
            "goals": [home.pk, other_plan_goal.pk],
        },
        format="json",
        **_etag(world.plan),
    )
    assert_error(response, 400, field="goals")
    assert snapshot() == before


def _other_plan(world) -> Plan:
    """A bare draft plan of another citizen."""
    citizen = citizen_register(
        actor=world.actor(world.coordinator, "addiction"), cpr_number="0202902345", name="Else"
    )
    return Plan.objects.create(
        citizen=citizen, status=Plan.Status.DRAFT, created_by=world.coordinator
    )


def test_a_goal_ends_with_an_outcome_and_stays_in_the_history(world):
    goal = _goal(world)
    client = world.client(world.coordinator, "addiction")
    url = f"{API}/plans/{world.plan.pk}/goals/{goal.pk}/"
    response = client.patch(url, {"outcome": "partly_reached"}, format="json", **_etag(world.plan))
    assert response.status_code == 200, response.data
    assert response.data["outcome"] == "partly_reached"
    assert response.data["outcome_on"] == timezone.localdate().isoformat()
    assert response.data["status"] == "reached"
    # Ended once, it does not end again without being reopened.
    again = client.patch(url, {"outcome": "dropped"}, format="json", **_etag(world.plan))
    assert_error(again, 400, code="goal_ended", field="outcome")
    goal.refresh_from_db()
    assert goal.outcome == "partly_reached"
    reopened = client.patch(url, {"outcome": None}, format="json", **_etag(world.plan))
    assert reopened.data["status"] == "open"
    assert reopened.data["outcome"] is None
    listed = client.get(f"{API}/plans/{world.plan.pk}/goals/").data["results"]
    assert [g["id"] for g in listed] == [goal.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "won"}, "outcome"),
        ({"outcome": "reached", "outcome_on": "2999-01-01"}, "outcome_on"),
        ({"outcome_on": "2026-01-01"}, "outcome_on"),
    ],
)
def test_bad_goal_outcomes_name_the_field(world, body, field):
    goal = _goal(world)
    before = snapshot()
    response = world.client(world.coordinator, "addiction").patch(
        f"{API}/plans/{world.plan.pk}/goals/{goal.pk}/", body, format="json", **_etag(world.plan)
    )
    assert_error(response, 400, field=field)
    assert snapshot() == before


def test_a_review_records_ratings_frozen_and_diffed_and_progress_shows_them(world):
    goal = _goal(world)
    first = _review(
        world,
        {
            "citizen_took_part": True,
            "citizen_agreed": True,
            "ratings": [{"goal": goal.pk, "citizen": 3, "professional": 4, "note": "Start"}],
            "meeting_rating": {"heard": 8, "what_matters": 7, "approach": 9, "overall": 8},
        },
    )
    assert first.status_code == 201, first.data
    assert first.data["ratings"][0]["citizen"] == 3
    assert first.data["meeting_rating"] == {
        "heard": 8,
        "what_matters": 7,
        "approach": 9,
        "overall": 8,
    }
    assert first.data["citizen_agreed"] is True
    frozen = PlanSnapshot.objects.get(review_id=first.data["id"]).data["review"]
    assert frozen["ratings"][0]["citizen"] == 3
    assert frozen["meeting_rating"]["heard"] == 8
    second = _review(world, {"ratings": [{"goal": goal.pk, "citizen": 6, "professional": 5}]})
    assert second.status_code == 201, second.data

    reader = world.client(world.participant, "chp")
    diff = reader.get(
        f"{API}/plans/{world.plan.pk}/reviews/{first.data['id']}/diff/{second.data['id']}/"
    ).data["changes"]
    assert diff["ratings"]["changed"][0]["fields"]["citizen"] == {"before": 3, "after": 6}
    progress = reader.get(f"{API}/plans/{world.plan.pk}/goals/{goal.pk}/progress/")
    assert progress.status_code == 200, progress.data
    points = progress.data["results"]
    assert [(p["review"], p["citizen"], p["professional"]) for p in points] == [
        (first.data["id"], 3, 4),
        (second.data["id"], 6, 5),
    ]
    # Progress follows the plan: someone outside it learns nothing.
    outsider = world.client(world.outsider, "toften")
    assert outsider.get(f"{API}/plans/{world.plan.pk}/goals/{goal.pk}/progress/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ratings": [{"goal": "GOAL", "citizen": 11}]}, "ratings"),
        ({"ratings": [{"goal": "GOAL", "professional": -1}]}, "ratings"),
        ({"ratings": [{"goal": "GOAL", "citizen": 2}, {"goal": "GOAL", "citizen": 3}]}, "ratings"),
        ({"ratings": [{"goal": 999999, "citizen": 2}]}, "ratings"),
        ({"meeting_rating": {"heard": 12}}, "meeting_rating"),
    ],
)
def test_bad_ratings_name_the_field_and_record_nothing(world, body, field):
    goal = _goal(world)
    for rating in body.get("ratings", []):
        if rating["goal"] == "GOAL":
            rating["goal"] = goal.pk
    before = snapshot()
    response = _review(world, body)
    assert_error(response, 400, field=field)
    assert snapshot() == before
    assert not Review.objects.exists()
    assert not GoalRating.objects.exists()


def test_only_the_coordinator_rates_at_a_review(world):
    goal = _goal(world)
    body = {"ratings": [{"goal": goal.pk, "citizen": 5}]}
    assert _review(world, body, world.participant, "chp").status_code == 403
    assert _review(world, body, world.manager, "addiction").status_code == 403
    assert _review(world, body, world.outsider, "toften").status_code == 404
    assert not GoalRating.objects.exists()


def test_a_closed_goal_cannot_be_rated(world):
    goal = _goal(world)
    plan = Plan.objects.get(pk=world.plan.pk)
    goal_save(
        actor=world.actor(world.coordinator, "addiction"),
        plan_id=plan.pk,
        expected_version=plan.version,
        goal_id=goal.pk,
        data={"outcome": "reached"},
    )
    response = _review(world, {"ratings": [{"goal": goal.pk, "citizen": 9}]})
    assert_error(response, 400, field="ratings")


def test_an_effort_keeps_its_goals_when_edited_without_them(world):
    goal = _goal(world)
    plan = Plan.objects.get(pk=world.plan.pk)
    actor = world.actor(world.participant, "chp")
    effort = effort_save(
        actor=actor,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"description": "Bostøtte", "responsible": world.participant.pk, "goals": [goal.pk]},
    )
    plan.refresh_from_db()
    effort_save(
        actor=actor,
        plan_id=plan.pk,
        expected_version=plan.version,
        effort_id=effort.pk,
        data={"status": "active"},
    )
    assert list(effort.goals.values_list("pk", flat=True)) == [goal.pk]
