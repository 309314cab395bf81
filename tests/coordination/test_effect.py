"""The effect report on a hand-made set of plans with known answers, "<5" included; who may
read it, and how the reading is recorded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.audit.models import AccessEvent
from apps.citizens.services import citizen_register, consent_give
from apps.coordination.models import GoalRating, Review
from apps.organisations.models import Membership
from apps.plans.models import Effort, Goal, Plan
from apps.plans.services import plan_create
from tests.conftest import make_user
from tests.helpers import assert_error

API = "/api/v1/reports/effect/"
CPRS = ["0203801234", "0304801234", "0405801234", "0506801234", "0607801234"]
# Per plan: (second review late?, first and latest citizen rating, heard, days to first effort)
PLANS = [
    (False, (3, 6), 8, 1),
    (False, (3, 6), 9, 2),
    (False, (3, 6), 7, 3),
    (True, (4, 5), 3, 4),
    (True, (4, 5), 2, 10),
]


def _hand_made(world) -> list[Plan]:
    today = timezone.localdate()
    actor = world.actor(world.coordinator, "addiction")
    plans = []
    for cpr, (late, (first, latest), heard, days) in zip(CPRS, PLANS, strict=True):
        citizen = citizen_register(actor=actor, cpr_number=cpr, name=f"Borger {cpr[:4]}")
        consent_give(
            actor=actor,
            citizen_id=citizen.pk,
            organisation_ids=[world.orgs["addiction"].pk, world.orgs["chp"].pk],
            form="written",
            given_at=timezone.now() - dt.timedelta(days=1),
        )
        plan = plan_create(
            actor=actor,
            citizen_id=citizen.pk,
            coordinator_user_id=world.coordinator.pk,
            coordinator_organisation_id=world.orgs["addiction"].pk,
            participant_ids=[world.orgs["addiction"].pk, world.orgs["chp"].pk],
            status=Plan.Status.ACTIVE,
        )
        goal = Goal.objects.create(plan=plan, text="Egen bolig")
        Effort.objects.create(
            plan=plan,
            organisation=world.orgs["addiction"],
            responsible=world.coordinator,
            description="Samtaler",
            status=Effort.Status.ACTIVE,
            starts_on=timezone.localdate(plan.created) + dt.timedelta(days=days),
        )
        Effort.objects.create(  # planned, never started: not the first effort started
            plan=plan,
            organisation=world.orgs["addiction"],
            responsible=world.coordinator,
            description="Senere",
            starts_on=timezone.localdate(plan.created),
        )
        review = {"plan": plan, "recorded_by": world.coordinator, "outcome": "continue"}
        review["recorded_for"] = world.orgs["addiction"]
        one = Review.objects.create(
            held_on=today - dt.timedelta(days=40),
            next_review=today - dt.timedelta(days=20),
            **review,
        )
        two = Review.objects.create(
            held_on=today - dt.timedelta(days=10 if late else 25),
            next_review=today + dt.timedelta(days=60),
            heard=heard,
            **review,
        )
        GoalRating.objects.create(review=one, goal=goal, citizen=first, professional=5)
        GoalRating.objects.create(review=two, goal=goal, citizen=latest, professional=5)
        plans.append(plan)
    for plan in plans[:2]:
        Goal.objects.create(
            plan=plan, text="Arbejde", status="reached", outcome="reached", outcome_on=today
        )
    return plans


def test_the_report_gives_the_known_answers(world):
    _hand_made(world)
    response = world.client(world.manager, "addiction").get(API)
    assert response.status_code == 200, response.data
    report = response.data
    # Six active plans (the world's and five); none draft or closed: 0 is under five too.
    assert report["plans_by_status"] == {"draft": "<5", "active": 6, "closed": "<5"}
    assert report["reviews_on_time_share"] == 0.6  # three of five second reviews on time
    assert report["median_days_to_first_effort"] == 3
    assert report["mean_citizen_rating_change"] == 2.2  # (3 + 3 + 3 + 1 + 1) / 5
    assert report["heard_share"] == 0.6  # 8, 9, 7 of 8, 9, 7, 3, 2
    assert report["goals"] == {
        "reached": "<5",
        "partly_reached": "<5",
        "changed": "<5",
        "dropped": "<5",
    }
    assert report["basis"]["meetings_rated"] == 5


def test_fewer_than_five_are_hidden(world):
    plans = _hand_made(world)
    Review.objects.filter(plan=plans[0]).delete()
    report = world.client(world.manager, "addiction").get(API).data
    for key in ("reviews_on_time_share", "mean_citizen_rating_change", "heard_share"):
        assert report[key] == "<5", key
    assert report["median_days_to_first_effort"] == 3  # five plans still have an effort


def test_the_period_limits_what_is_counted(world):
    _hand_made(world)
    day = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    report = world.client(world.manager, "addiction").get(API, {"to": day}).data
    assert report["to"] == day
    assert report["heard_share"] is None  # no meeting rated by then
    assert report["plans_by_status"]["active"] == "<5"  # the plans started after the period


def test_another_organisation_sees_only_its_own_plans(world):
    _hand_made(world)
    manager = make_user("toften.manager", world.orgs["toften"], Membership.Role.MANAGER)
    report = world.client(manager, "toften").get(API).data
    assert report["plans_by_status"] == {"draft": "<5", "active": "<5", "closed": "<5"}
    assert report["heard_share"] is None


def test_only_managers_read_it_and_each_reading_is_one_aggregate_event(world):
    _hand_made(world)
    refused = world.client(world.coordinator, "addiction").get(API)
    assert_error(refused, 403)
    denied = AccessEvent.objects.get(object_type="effect_report", outcome="denied")
    assert denied.actor == world.coordinator
    world.client(world.manager, "addiction").get(API, {"from": "2026-01-01", "to": "2026-12-01"})
    read = AccessEvent.objects.get(object_type="effect_report", outcome="allowed")
    assert read.actor == world.manager
    assert read.citizen_id is None  # an aggregate: no citizen is recorded as seen
    assert read.detail == {"from": "2026-01-01", "to": "2026-12-01"}


def test_a_bad_period_names_the_field(world):
    client = world.client(world.manager, "addiction")
    assert_error(client.get(API, {"from": "2026-13-01"}), 400, field="from")
    assert_error(client.get(API, {"from": "2026-06-01", "to": "2026-01-01"}), 400, field="to")
    assert not AccessEvent.objects.filter(object_type="effect_report", outcome="allowed").exists()


# Days from motivated and ready (fast start) to the first effort, per hand-made plan.
MOTIVATED_DAYS = [2, 4, 5, 9, 14]


def _fast_start(plans: list[Plan], *, motivated_ago: int = 20) -> None:
    """Each plan's fast start: motivated ``motivated_ago`` days ago, the first effort begun
    the known number of days later."""
    motivated = timezone.localdate() - dt.timedelta(days=motivated_ago)
    for plan, days in zip(plans, MOTIVATED_DAYS, strict=True):
        Plan.objects.filter(pk=plan.pk).update(
            motivated_on=motivated, first_effort_on=motivated + dt.timedelta(days=days)
        )


def test_days_from_motivated_to_the_first_effort(world):
    plans = _hand_made(world)
    report = world.client(world.manager, "addiction").get(API).data
    assert report["median_days_motivated_to_first_effort"] is None  # no fast start yet
    assert report["basis"]["plans_motivated_with_first_effort"] == "<5"
    _fast_start(plans)
    report = world.client(world.manager, "addiction").get(API).data
    assert report["median_days_motivated_to_first_effort"] == 5
    assert report["basis"]["plans_motivated_with_first_effort"] == 5
    # The other median still counts from the plan's start.
    assert report["median_days_to_first_effort"] == 3


def test_days_from_motivated_count_the_plans_motivated_in_the_period_and_started(world):
    plans = _hand_made(world)
    _fast_start(plans)
    # Still waiting for the first effort: not counted, and four are fewer than five.
    Plan.objects.filter(pk=plans[0].pk).update(first_effort_on=None)
    report = world.client(world.manager, "addiction").get(API).data
    assert report["median_days_motivated_to_first_effort"] == "<5"
    assert report["basis"]["plans_motivated_with_first_effort"] == "<5"
    # Motivated before the period: not counted.
    _fast_start(plans, motivated_ago=20)
    since = (timezone.localdate() - dt.timedelta(days=19)).isoformat()
    report = world.client(world.manager, "addiction").get(API, {"from": since}).data
    assert report["median_days_motivated_to_first_effort"] is None
    day = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    report = world.client(world.manager, "addiction").get(API, {"from": day, "to": day}).data
    assert report["median_days_motivated_to_first_effort"] == 5  # both days included


def test_an_even_number_of_plans_gives_the_middle_of_the_two(world):
    plans = _hand_made(world)
    _fast_start(plans)
    Plan.objects.filter(pk=world.plan.pk).update(
        motivated_on=timezone.localdate() - dt.timedelta(days=10),
        first_effort_on=timezone.localdate() - dt.timedelta(days=10),
    )
    report = world.client(world.manager, "addiction").get(API).data
    assert report["median_days_motivated_to_first_effort"] == 4.5  # 0, 2, 4, 5, 9, 14


def test_the_schema_documents_the_days_from_motivated_to_the_first_effort():
    from drf_spectacular.generators import SchemaGenerator

    openapi = SchemaGenerator().get_schema(request=None, public=True)
    answer = openapi["paths"]["/api/v1/reports/effect/"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = openapi["components"]["schemas"][ref]["properties"]
    assert {"median_days_to_first_effort", "median_days_motivated_to_first_effort"} <= set(fields)
