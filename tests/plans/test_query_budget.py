"""Statement budgets of the plan endpoints as a caseworker with one membership sends them.

Token authentication (a real key, not a forced user), so the token and the memberships are
counted. On PostgreSQL the detail is three statements: the token with its user and their
memberships (one row per membership), the plan with its access decision, any
break-the-glass grant and all the plan's parts (participants, goals, efforts and which goals
each serves, agreements, network) as JSON, and the audit insert. On SQLite
the parts are read by one prefetch each (seven: the links of goals and efforts are read from
both sides). The list reads the break-the-glass grants first, then the page with its
participants in one statement on PostgreSQL (a prefetch on SQLite), and writes the audit
events.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.plans.models import Agreement, Effort, Goal, NetworkMember
from tests.conftest import World
from tests.helpers import API
from tests.plans.test_queries import _bulk_plans

DETAIL_BUDGET = {"postgresql": 3, "sqlite": 10}
# The list: the token, any break-the-glass grant, the page (with its participants on
# PostgreSQL; SQLite reads them by a prefetch), the audit insert.
LIST_BUDGET = {"postgresql": 4, "sqlite": 5}


def _token_client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _statements(client: APIClient, path: str) -> int:
    """Statements of the second request: the first fills per-process caches."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("n", [1, 10, 100])
def test_plan_detail_budget(world: World, n: int) -> None:
    plan, user = world.plan, world.coordinator
    NetworkMember.objects.bulk_create(
        NetworkMember(plan=plan, name=f"Person {i}", relation="ven") for i in range(n)
    )
    Goal.objects.bulk_create(Goal(plan=plan, text=f"Mål {i}") for i in range(n))
    Agreement.objects.bulk_create(
        Agreement(plan=plan, text=f"Aftale {i}", responsible=user) for i in range(n)
    )
    efforts = Effort.objects.bulk_create(
        Effort(plan=plan, organisation=world.orgs["addiction"], responsible=user, description="x")
        for _ in range(n)
    )
    goals = list(Goal.objects.filter(plan=plan))
    Effort.goals.through.objects.bulk_create(
        Effort.goals.through(effort_id=effort.pk, goal_id=goal.pk)
        for effort, goal in zip(efforts, goals, strict=True)
    )
    client = _token_client(world.participant)
    assert _statements(client, f"{API}/plans/{plan.pk}/") == DETAIL_BUDGET[connection.vendor]


@pytest.mark.parametrize("n", [1, 10, 100])
def test_plan_list_budget(world: World, n: int) -> None:
    _bulk_plans(world, n - 1)
    client = _token_client(world.participant)
    # SQLite splits the audit insert of a large page into batches of its variable limit.
    extra = 1 if connection.vendor == "sqlite" and n > 10 else 0
    budget = LIST_BUDGET[connection.vendor] + extra
    assert _statements(client, f"{API}/plans/?page_size=200") == budget
