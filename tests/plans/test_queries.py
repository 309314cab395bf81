"""Lists and details cost a fixed number of queries, whatever their size (1, 10, 100)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.citizens import cpr
from apps.citizens.models import Citizen, Consent
from apps.plans.models import (
    Agreement,
    Effort,
    Goal,
    NetworkMember,
    Participation,
    Plan,
    PlanGroupObjectPermission,
)
from tests.conftest import World
from tests.helpers import API

SIZES = [1, 10, 100]
# The same bound for every size: growth with the data would show as a failure at 10 and 100.
# Measured on SQLite: plan list 4 (5 at 100: the audit insert is split into batches of the
# SQLite variable limit), citizen list 3, detail 11 (one query per part of the plan). Headroom
# for the audit chain's own reads.
MAX_LIST_QUERIES = 8
MAX_DETAIL_QUERIES = 12
# Between 1 and 100 rows the count may grow only by the batches of the audit insert.
MAX_GROWTH = 2


def _bulk_plans(world: World, n: int) -> list[Plan]:
    """``n`` more citizens, each with consent for addiction and chp and an open plan."""
    coordinator, addiction, chp = world.coordinator, world.orgs["addiction"], world.orgs["chp"]
    digits = [f"0101{70 + i % 30:02d}{1000 + i:04d}" for i in range(n)]
    citizens = Citizen.objects.bulk_create(
        Citizen(
            name=f"Borger {i}",
            cpr_hash=cpr.lookup_hash(d),
            cpr_encrypted=cpr.encrypt(d),
            birth_date=cpr.birth_date(d),
            registered_by=coordinator,
            registered_for=addiction,
        )
        for i, d in enumerate(digits)
    )
    given = timezone.now() - datetime.timedelta(days=1)
    consents = Consent.objects.bulk_create(
        Consent(
            citizen=c,
            form="written",
            given_at=given,
            recorded_by=coordinator,
            recorded_for=addiction,
        )
        for c in citizens
    )
    Through = Consent.organisations.through
    Through.objects.bulk_create(
        Through(consent_id=consent.pk, organisation_id=org.pk)
        for consent in consents
        for org in (addiction, chp)
    )
    plans = Plan.objects.bulk_create(
        Plan(
            citizen=c,
            status="active",
            coordinator_user=coordinator,
            coordinator_organisation=addiction,
            created_by=coordinator,
        )
        for c in citizens
    )
    Participation.objects.bulk_create(
        Participation(plan=p, organisation=org, added_by=coordinator)
        for p in plans
        for org in (addiction, chp)
    )
    perms = Permission.objects.filter(
        content_type__app_label="plans", codename__in=["view_plan", "change_plan"]
    )
    PlanGroupObjectPermission.objects.bulk_create(
        PlanGroupObjectPermission(content_object=p, group=org.group, permission=perm)
        for p in plans
        for org in (addiction, chp)
        for perm in perms
    )
    return plans


@pytest.mark.parametrize("n", SIZES)
def test_plan_list_queries(world: World, n: int, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _bulk_plans(world, n - 1)  # the world's plan makes n
    client = world.client(world.participant)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(f"{API}/plans/?page_size=200")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == n
    assert all(
        sorted(p["participants"]) == sorted([world.orgs["addiction"].pk, world.orgs["chp"].pk])
        for p in results
    )


@pytest.mark.parametrize("n", SIZES)
def test_citizen_list_queries(world: World, n: int, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _bulk_plans(world, n - 1)
    client = world.client(world.participant)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(f"{API}/citizens/?page_size=200")
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_plan_detail_queries(world: World, n: int, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    """A plan with ``n`` goals, efforts, agreements and people in the network."""
    plan, user = world.plan, world.coordinator
    NetworkMember.objects.bulk_create(
        NetworkMember(plan=plan, name=f"Person {i}", relation="ven") for i in range(n)
    )
    Goal.objects.bulk_create(Goal(plan=plan, text=f"Mål {i}") for i in range(n))
    Agreement.objects.bulk_create(
        Agreement(plan=plan, text=f"Aftale {i}", responsible=user) for i in range(n)
    )
    Effort.objects.bulk_create(
        Effort(
            plan=plan, organisation=world.orgs["addiction"], responsible=user, description=f"{i}"
        )
        for i in range(n)
    )
    client = world.client(world.participant)
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        response = client.get(f"{API}/plans/{plan.pk}/")
    assert response.status_code == 200
    body = response.json()
    parts = ("goals", "efforts", "agreements", "network")
    assert [len(body[part]) for part in parts] == [n] * len(parts)


@pytest.mark.parametrize("part", ["goals", "efforts", "agreements", "network", "participants"])
def test_part_lists_queries(world: World, part: str, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    plan, user = world.plan, world.coordinator
    NetworkMember.objects.bulk_create(
        NetworkMember(plan=plan, name=f"Person {i}", relation="ven") for i in range(100)
    )
    Goal.objects.bulk_create(Goal(plan=plan, text=f"Mål {i}") for i in range(100))
    Agreement.objects.bulk_create(
        Agreement(plan=plan, text=f"{i}", responsible=user) for i in range(100)
    )
    Effort.objects.bulk_create(
        Effort(
            plan=plan, organisation=world.orgs["addiction"], responsible=user, description=f"{i}"
        )
        for i in range(100)
    )
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = world.client(world.participant).get(f"{API}/plans/{plan.pk}/{part}/")
    assert response.status_code == 200


def _count(callable_) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = callable_()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_cost_does_not_grow_with_the_data(world: World) -> None:
    client = world.client(world.participant)
    one = {
        "plans": _count(lambda: client.get(f"{API}/plans/?page_size=200")),
        "citizens": _count(lambda: client.get(f"{API}/citizens/?page_size=200")),
    }
    _bulk_plans(world, 99)
    hundred = {
        "plans": _count(lambda: client.get(f"{API}/plans/?page_size=200")),
        "citizens": _count(lambda: client.get(f"{API}/citizens/?page_size=200")),
    }
    for name in one:
        assert hundred[name] - one[name] <= MAX_GROWTH, (name, one, hundred)
