"""The manager's overview: weekly counts derived from reviews and handovers, checked against a
known history, in a fixed number of queries; the page's charts carry no inline code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.overview import overview
from apps.citizens.services import citizen_register, consent_give
from apps.coordination.models import Handover, Review
from apps.plans.models import Plan
from apps.plans.services import plan_create
from tests.audit.helpers import events_since, last_id

TODAY = dt.date(2026, 3, 18)  # a Wednesday; the 12 weeks start on Monday 29 December 2025


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + "T10:00:00"))


def _plan(world, actor_user, slug, cpr_number, name, participants, status=Plan.Status.ACTIVE):
    actor = world.actor(actor_user)
    citizen = citizen_register(actor=actor, cpr_number=cpr_number, name=name)
    consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[world.orgs[s].pk for s in participants],
        form="written",
        given_at=timezone.now() - dt.timedelta(days=1),
    )
    return plan_create(
        actor=actor,
        citizen_id=citizen.pk,
        coordinator_user_id=actor_user.pk,
        coordinator_organisation_id=world.orgs[slug].pk,
        participant_ids=[world.orgs[s].pk for s in participants],
        status=status,
    )


def _review(plan, user, org, created, next_review):
    review = Review.objects.create(
        plan=plan,
        held_on=dt.date.fromisoformat(created),
        outcome=Review.Outcome.CONTINUE,
        next_review=dt.date.fromisoformat(next_review),
        recorded_by=user,
        recorded_for=org,
    )
    Review.objects.filter(pk=review.pk).update(created=at(created))


def _handover(plan, source, target, state, created, decided=None):
    (from_user, from_org), (to_user, to_org) = source, target
    handover = Handover.objects.create(
        plan=plan,
        from_user=from_user,
        from_organisation=from_org,
        to_user=to_user,
        to_organisation=to_org,
        proposed_by=from_user,
        state=state,
        decided_at=at(decided) if decided else None,
        expires_at=at(created) + dt.timedelta(days=14),
    )
    Handover.objects.filter(pk=handover.pk).update(created=at(created))


@pytest.fixture
def history(world):
    """Plan A (world's): addiction coordinates, handed to chp on 24 February; overdue 15-28
    January and from 5 March on. Plan B: chp coordinates, overdue from 3 February until it
    closed on 20 February. Plan C: a draft. Plan D: toften's alone (not addiction's)."""
    orgs = world.orgs
    addiction = (world.coordinator, orgs["addiction"])
    chp = (world.participant, orgs["chp"])
    a = world.plan
    Plan.objects.filter(pk=a.pk).update(created=at("2025-11-01"), next_review="2026-03-04")
    _review(a, *addiction, "2025-12-01", "2026-01-14")
    _review(a, *addiction, "2026-01-28", "2026-03-04")
    _handover(a, addiction, chp, Handover.State.DECLINED, "2025-12-01", "2025-12-10")
    _handover(a, addiction, chp, Handover.State.ACCEPTED, "2026-02-10", "2026-02-24")
    Plan.objects.filter(pk=a.pk).update(
        coordinator_user=world.participant, coordinator_organisation=orgs["chp"]
    )
    b = _plan(world, world.participant, "chp", "1505924321", "Mette Jensen", ["chp", "addiction"])
    Plan.objects.filter(pk=b.pk).update(
        created=at("2026-01-01"),
        next_review="2026-02-02",
        status=Plan.Status.CLOSED,
        closed_at=at("2026-02-20"),
    )
    _handover(b, chp, addiction, Handover.State.EXPIRED, "2025-12-20", "2026-01-06")
    c = _plan(
        world,
        world.outsider,
        "toften",
        "2302754567",
        "Ahmed Nielsen",
        ["toften", "addiction"],
        status=Plan.Status.DRAFT,
    )
    Plan.objects.filter(pk=c.pk).update(created=at("2025-10-01"), next_review="2026-01-05")
    d = _plan(world, world.outsider, "toften", "0303803456", "Ole Berg", ["toften"])
    Plan.objects.filter(pk=d.pk).update(created=at("2025-10-01"), next_review="2026-01-05")
    outsider = (world.outsider, orgs["toften"])
    _handover(d, outsider, outsider, Handover.State.PROPOSED, "2026-03-01")
    return world


def _counts(series):
    return {s.organisation.name: s.counts for s in series}


def test_weekly_counts_match_the_known_history(history):
    world = history
    data = overview(actor=world.actor(world.manager), today=TODAY)
    assert data.weeks[0].start == dt.date(2025, 12, 29)
    assert data.weeks[-1].start == dt.date(2026, 3, 16)
    assert data.weeks[-1].end == TODAY
    assert [w.number for w in data.weeks] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert _counts(data.overdue) == {
        "Rusmiddelcentret": [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
        "Center for Handicap og Psykiatri": [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1],
    }
    assert _counts(data.pending) == {
        "Rusmiddelcentret": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "Center for Handicap og Psykiatri": [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
    }
    assert [(value, count) for value, _label, count in data.plans_by_status] == [
        ("draft", 1),
        ("active", 1),
        ("closed", 1),
    ]


def test_the_scope_is_the_plans_the_organisation_takes_part_in(history):
    world = history
    # toften's manager: plans C (draft) and D (toften's own, overdue, a handover pending).
    from apps.organisations.models import Membership
    from tests.conftest import make_user

    manager = make_user("toften.boss", world.orgs["toften"], Membership.Role.MANAGER)
    data = overview(actor=world.actor(manager), today=TODAY)
    assert [(v, n) for v, _label, n in data.plans_by_status] == [
        ("draft", 1),
        ("active", 1),
        ("closed", 0),
    ]
    # D overdue from Tuesday 6 January on; C is a draft and never counts.
    assert _counts(data.overdue) == {"Toften": [0] + [1] * 11}
    # Proposed on Sunday 1 March and still waiting.
    assert _counts(data.pending) == {"Toften": [0] * 8 + [1] * 4}


def test_a_review_recorded_on_its_overdue_day_counts_that_week_and_no_later(world):
    plan = world.plan
    Plan.objects.filter(pk=plan.pk).update(created=at("2025-11-01"), next_review="2026-06-01")
    _review(plan, world.coordinator, world.orgs["addiction"], "2025-12-01", "2026-02-10")
    # Overdue from Wednesday 11 February; recorded that very day.
    _review(plan, world.coordinator, world.orgs["addiction"], "2026-02-11", "2026-06-01")
    data = overview(actor=world.actor(world.manager), today=TODAY)
    assert _counts(data.overdue) == {"Rusmiddelcentret": [0] * 6 + [1] + [0] * 5}


def test_the_overview_costs_the_same_queries_for_few_or_many_plans(history):
    world = history
    actor = world.actor(world.manager)
    with CaptureQueriesContext(connection) as few:
        overview(actor=actor, today=TODAY)
    for i in range(10):
        plan = _plan(
            world,
            world.coordinator,
            "addiction",
            f"{i + 1:02d}0390{1000 + i}",
            f"Borger {i}",
            ["addiction"],
        )
        Plan.objects.filter(pk=plan.pk).update(next_review="2026-02-02")
        _review(plan, world.coordinator, world.orgs["addiction"], "2026-01-05", "2026-02-02")
    with CaptureQueriesContext(connection) as many:
        data = overview(actor=actor, today=TODAY)
    assert len(few) == len(many) <= 6, [
        (q["sql"] or "(prepared)")[:100] for q in many.captured_queries
    ]
    assert sum(_counts(data.overdue)["Rusmiddelcentret"]) > 3


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def test_the_page_draws_each_chart_with_a_name_a_description_and_a_table(history):
    world = history
    mark = last_id()
    response = _client(world.manager).get("/overview/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 3
    for key in ("overdue", "pending", "status"):
        assert f'aria-labelledby="{key}-title {key}-desc"' in page
        assert f'<desc id="{key}-desc">' in page
    assert page.count("<details") == 3
    assert "Overskredne opfølgninger pr. uge" in page
    assert "Ventende overdragelser pr. uge" in page
    assert "Planer pr. status" in page
    assert "ikke offentliggjort statistik" in page
    # No inline script or style anywhere (the Content-Security-Policy would refuse them).
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)
    # Coordinates stay numbers a browser reads, whatever the language's decimal comma.
    assert not re.search(r'(cx|cy|x|y|width)="\d+,\d', page)
    (event,) = events_since(mark)
    assert (event.action, event.object_type, event.outcome) == ("list", "overview", "allowed")
    assert event.citizen_id is None
