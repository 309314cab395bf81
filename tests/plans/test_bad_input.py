"""Bad input to the plan endpoints: a 4xx with a stable code naming the field, nothing saved."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from apps.citizens.services import consent_give
from apps.plans.models import Plan
from apps.plans.services import plan_close
from tests.conftest import World, make_user
from tests.helpers import API, FREE_CPR, assert_error, snapshot


@pytest.fixture
def free(world: World) -> Any:
    """A citizen without a plan, consent covering addiction and chp."""
    from apps.citizens.services import citizen_register

    actor = world.actor(world.coordinator)
    citizen = citizen_register(actor=actor, cpr_number=FREE_CPR, name="Else Jensen")
    consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[world.orgs["addiction"].pk, world.orgs["chp"].pk],
        form="written",
        given_at=timezone.now() - datetime.timedelta(hours=1),
    )
    return citizen


def _create_body(world: World, target: Any, **overrides: Any) -> dict:
    body = {
        "citizen": target.pk,
        "coordinator": {"user": world.coordinator.pk, "organisation": world.orgs["addiction"].pk},
        "participants": [world.orgs["addiction"].pk, world.orgs["chp"].pk],
    }
    body.update(overrides)
    return body


def _post_plan(world: World, body: Any) -> Any:
    return world.client(world.coordinator).post(f"{API}/plans/", body, format="json")


def test_a_valid_create_works(world: World, free: Any) -> None:
    """The baseline the bad inputs below differ from."""
    response = _post_plan(world, _create_body(world, free))
    assert response.status_code == 201, response.json()
    plan = Plan.objects.get(citizen=free)
    assert response.json()["id"] == plan.pk
    assert response["ETag"] == '"1"'
    assert sorted(plan.participations.values_list("organisation_id", flat=True)) == sorted(
        [world.orgs["addiction"].pk, world.orgs["chp"].pk]
    )


def _bad_creates(world: World, free: Any) -> list[tuple[str, dict, int, str, str]]:
    today = timezone.localdate()
    orgs = world.orgs
    manager_coordinator = {"user": world.manager.pk, "organisation": orgs["addiction"].pk}
    return [
        (
            "unknown organisation",
            _create_body(world, free, participants=[orgs["addiction"].pk, 987654]),
            400,
            "unknown_organisation",
            "participants",
        ),
        (
            "second open plan",
            _create_body(world, world.citizen),
            409,
            "open_plan_exists",
            "citizen",
        ),
        (
            "coordinator's organisation not a participant",
            _create_body(
                world,
                free,
                coordinator={"user": world.participant.pk, "organisation": orgs["chp"].pk},
                participants=[orgs["addiction"].pk],
            ),
            400,
            "coordinator_not_participant",
            "coordinator",
        ),
        (
            "coordinator is a manager",
            _create_body(world, free, coordinator=manager_coordinator),
            400,
            "invalid",
            "coordinator",
        ),
        (
            "coordinator is not a member of the organisation",
            _create_body(
                world,
                free,
                coordinator={"user": world.participant.pk, "organisation": orgs["addiction"].pk},
            ),
            400,
            "invalid",
            "coordinator",
        ),
        (
            "participant not covered by consent",
            _create_body(world, free, participants=[orgs["addiction"].pk, orgs["toften"].pk]),
            400,
            "consent_missing",
            "participants",
        ),
        (
            "own organisation not among participants",
            _create_body(
                world,
                free,
                coordinator={"user": world.participant.pk, "organisation": orgs["chp"].pk},
                participants=[orgs["chp"].pk],
            ),
            400,
            "invalid",
            "participants",
        ),
        (
            "next review in the past",
            _create_body(world, free, next_review=str(today - datetime.timedelta(days=1))),
            400,
            "invalid",
            "next_review",
        ),
        (
            "next review beyond six months",
            _create_body(world, free, next_review=str(today + relativedelta(months=6, days=1))),
            400,
            "invalid",
            "next_review",
        ),
        (
            "next review not a date",
            _create_body(world, free, next_review="next tuesday"),
            400,
            "invalid",
            "next_review",
        ),
        (
            "unknown life domain",
            _create_body(world, free, assessment={"astrology": "Vædder"}),
            400,
            "invalid",
            "assessment",
        ),
        (
            "closed is not a starting status",
            _create_body(world, free, status="closed"),
            400,
            "invalid",
            "status",
        ),
        (
            "no participants",
            _create_body(world, free, participants=[]),
            400,
            "invalid",
            "participants",
        ),
        (
            "citizen missing",
            {"coordinator": {"user": 1, "organisation": 1}},
            400,
            "invalid",
            "citizen",
        ),
        (
            "citizen not an id",
            _create_body(world, free, citizen="abc"),
            400,
            "invalid",
            "citizen",
        ),
    ]


CREATE_CASES = [
    "unknown organisation",
    "second open plan",
    "coordinator's organisation not a participant",
    "coordinator is a manager",
    "coordinator is not a member of the organisation",
    "participant not covered by consent",
    "own organisation not among participants",
    "next review in the past",
    "next review beyond six months",
    "next review not a date",
    "unknown life domain",
    "closed is not a starting status",
    "no participants",
    "citizen missing",
    "citizen not an id",
]


@pytest.mark.parametrize("case", CREATE_CASES)
def test_bad_plan_create(world: World, free: Any, case: str) -> None:
    cases: dict[str, Any] = {name: rest for name, *rest in _bad_creates(world, free)}
    body, status, code, field = cases[case]
    before = snapshot()
    response = _post_plan(world, body)
    assert_error(response, status, code, field)
    assert snapshot() == before


def test_the_boundaries_of_next_review_are_allowed(world: World, free: Any) -> None:
    today = timezone.localdate()
    client = world.client(world.coordinator)
    plan = world.plan
    for value in (today, today + relativedelta(months=6)):
        plan.refresh_from_db()
        response = client.patch(
            f"{API}/plans/{plan.pk}/",
            {"next_review": value.isoformat()},
            format="json",
            HTTP_IF_MATCH=plan.etag,
        )
        assert response.status_code == 200, response.json()
        plan.refresh_from_db()
        assert plan.next_review == value


# --- PATCH ------------------------------------------------------------------------------------


def _patch(world: World, body: Any, **headers: Any) -> Any:
    plan = world.plan
    plan.refresh_from_db()
    headers.setdefault("HTTP_IF_MATCH", plan.etag)
    return world.client(world.coordinator).patch(
        f"{API}/plans/{plan.pk}/", body, format="json", **headers
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"next_review": "2000-01-01"}, "next_review", "invalid"),
        ({"next_review": "2999-01-01"}, "next_review", "invalid"),
        ({"assessment": {"housing": "ok", "astrology": "x"}}, "assessment", "invalid"),
        ({"assessment": ["housing"]}, "assessment", "invalid"),
        ({"assessment": {"housing": "x" * 4001}}, "assessment", "invalid"),
        ({"status": "draft"}, "status", "invalid"),
        ({"status": "closed"}, "status", "invalid"),
        ({"status": "paused"}, "status", "invalid"),
    ],
)
def test_bad_plan_patch(world: World, body: dict, field: str, code: str) -> None:
    before = snapshot()
    assert_error(_patch(world, body), 400, code, field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [
        ("", 428, "if_match_required"),
        ("abc", 400, "invalid_if_match"),
        ('"0"', 412, "stale_version"),
        ('"99"', 412, "stale_version"),
    ],
)
def test_bad_if_match(world: World, if_match: str, status: int, code: str) -> None:
    before = snapshot()
    response = _patch(world, {"assessment": {"housing": "x"}}, HTTP_IF_MATCH=if_match)
    assert_error(response, status, code, "If-Match")
    assert snapshot() == before


def test_weak_etag_is_accepted(world: World) -> None:
    world.plan.refresh_from_db()
    version = world.plan.version
    response = _patch(world, {"assessment": {"housing": "x"}}, HTTP_IF_MATCH=f'W/"{version}"')
    assert response.status_code == 200
    world.plan.refresh_from_db()
    assert world.plan.version == version + 1
    assert world.plan.assessment == {"housing": "x"}


def test_a_closed_plan_takes_no_writes(world: World) -> None:
    plan = world.plan
    plan_close(
        actor=world.actor(world.coordinator),
        plan_id=plan.pk,
        expected_version=plan.version,
        reason="goals_reached",
    )
    before = snapshot()
    response = _patch(world, {"assessment": {"housing": "x"}})
    assert_error(response, 409, "plan_closed")
    plan.refresh_from_db()
    response = world.client(world.coordinator).post(
        f"{API}/plans/{plan.pk}/goals/", {"text": "x"}, format="json", HTTP_IF_MATCH=plan.etag
    )
    assert_error(response, 409, "plan_closed")
    assert snapshot() == before


# --- the request itself -----------------------------------------------------------------------


def test_malformed_json(world: World) -> None:
    before = snapshot()
    world.plan.refresh_from_db()
    response = world.client(world.coordinator).generic(
        "PATCH",
        f"{API}/plans/{world.plan.pk}/",
        '{"assessment": {"housing": ',
        content_type="application/json",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 400, "parse_error")
    assert snapshot() == before


def test_oversized_body(world: World, free: Any) -> None:
    before = snapshot()
    body = _create_body(world, free, assessment={"housing": "x" * (300 * 1024)})
    response = world.client(world.coordinator).generic(
        "POST", f"{API}/plans/", json.dumps(body), content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code, "request_too_large")
    assert snapshot() == before


def test_wrong_content_type(world: World, free: Any) -> None:
    before = snapshot()
    response = world.client(world.coordinator).generic(
        "POST", f"{API}/plans/", "citizen=1", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")
    assert snapshot() == before


# --- goals, efforts, agreements, participants --------------------------------------------------


def _post_part(world: World, part: str, body: Any, user: Any = None) -> Any:
    world.plan.refresh_from_db()
    return world.client(user or world.coordinator).post(
        f"{API}/plans/{world.plan.pk}/{part}/", body, format="json", HTTP_IF_MATCH=world.plan.etag
    )


@pytest.mark.parametrize(
    ("part", "body", "field"),
    [
        ("goals", {"text": ""}, "text"),
        ("goals", {"text": "   "}, "text"),
        ("goals", {}, "text"),
        ("goals", {"text": "x", "status": "someday"}, "status"),
        ("agreements", {"text": ""}, "text"),
        ("agreements", {"text": "x", "due": "soon"}, "due"),
        ("efforts", {"description": "x"}, "responsible"),
        ("efforts", {"description": "", "responsible": 1}, "description"),
        ("efforts", {"description": "x", "responsible": 987654}, "responsible"),
        ("participants", {"organisation": "abc"}, "organisation"),
        ("participants", {"organisation": 987654}, "organisation"),
    ],
)
def test_bad_parts(world: World, part: str, body: dict, field: str) -> None:
    if part == "efforts" and body.get("responsible") == 1:
        body = {**body, "responsible": world.coordinator.pk}
    before = snapshot()
    assert_error(_post_part(world, part, body), 400, None, field)
    assert snapshot() == before


def test_effort_responsible_must_work_for_the_acting_organisation(world: World) -> None:
    before = snapshot()
    body = {"description": "Bostøtte", "responsible": world.participant.pk}  # chp, not addiction
    assert_error(_post_part(world, "efforts", body), 400, "invalid", "responsible")
    assert snapshot() == before


def test_effort_cannot_end_before_it_starts(world: World) -> None:
    before = snapshot()
    body = {
        "description": "x",
        "responsible": world.coordinator.pk,
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
    }
    assert_error(_post_part(world, "efforts", body), 400, "invalid", "ends_on")
    assert snapshot() == before


def test_agreement_responsible_must_work_on_the_plan(world: World) -> None:
    before = snapshot()
    body = {"text": "Ring", "responsible": world.outsider.pk}
    assert_error(_post_part(world, "agreements", body), 400, "invalid", "responsible")
    assert snapshot() == before


def test_participant_already_on_the_plan(world: World) -> None:
    before = snapshot()
    response = _post_part(world, "participants", {"organisation": world.orgs["chp"].pk})
    assert_error(response, 409, "already_participant")
    assert snapshot() == before


def test_the_coordinators_organisation_cannot_leave(world: World) -> None:
    before = snapshot()
    world.plan.refresh_from_db()
    response = world.client(world.coordinator).delete(
        f"{API}/plans/{world.plan.pk}/participants/{world.orgs['addiction'].pk}/",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 409, "coordinator_organisation")
    assert snapshot() == before


def test_removing_an_organisation_that_does_not_take_part(world: World) -> None:
    before = snapshot()
    world.plan.refresh_from_db()
    response = world.client(world.coordinator).delete(
        f"{API}/plans/{world.plan.pk}/participants/{world.orgs['toften'].pk}/",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 400, "invalid", "organisation")
    assert snapshot() == before


def test_close_needs_a_known_reason(world: World) -> None:
    before = snapshot()
    world.plan.refresh_from_db()
    response = world.client(world.coordinator).post(
        f"{API}/plans/{world.plan.pk}/close/",
        {"reason": "bored"},
        format="json",
        HTTP_IF_MATCH=world.plan.etag,
    )
    assert_error(response, 400, "invalid", "reason")
    assert snapshot() == before


def test_plan_list_filters_are_checked(world: World) -> None:
    client = world.client(world.coordinator)
    assert_error(client.get(f"{API}/plans/?status=paused"), 400, "invalid", "status")
    assert_error(client.get(f"{API}/plans/?citizen=abc"), 400, "invalid", "citizen")


def test_a_second_membership_coordinator_is_fine(world: World, free: Any) -> None:
    """A person with two memberships may coordinate for the one where they are a caseworker."""
    from apps.organisations.services import membership_ensure

    both = make_user("both", world.orgs["chp"], "manager")
    membership_ensure(user=both, organisation=world.orgs["addiction"], role="caseworker")
    body = _create_body(
        world, free, coordinator={"user": both.pk, "organisation": world.orgs["addiction"].pk}
    )
    assert _post_plan(world, body).status_code == 201
    body = _create_body(
        world, free, coordinator={"user": both.pk, "organisation": world.orgs["chp"].pk}
    )
    Plan.objects.filter(citizen=free).delete()
    before = snapshot()
    assert_error(_post_plan(world, body), 400, "invalid", "coordinator")
    assert snapshot() == before
