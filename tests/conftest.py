"""Shared fixtures: the personas of the permission matrix, and the service markers.

A test marked ``postgres`` or ``redis`` needs that service. Without it the test is skipped,
unless ``KIP_REQUIRE_SERVICES=1`` (CI), where it fails instead: nothing silently skips there.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.access.context import Actor, actor_for
from apps.citizens.models import Citizen
from apps.citizens.services import citizen_register, consent_give, consent_withdraw
from apps.organisations.models import Membership, Organisation
from apps.organisations.services import membership_ensure, organisation_ensure
from apps.plans.models import Plan
from apps.plans.services import plan_create

REQUIRE_SERVICES = os.environ.get("KIP_REQUIRE_SERVICES") == "1"

# Property tests judge answers, not speed: on a shared, busy machine a per-example deadline
# fails at random (speed is measured in bench/, never asserted in tests).
hypothesis.settings.register_profile("kip", deadline=None)
hypothesis.settings.load_profile("kip")


def _service_missing(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``make test`` runs the suite in several processes (pytest-xdist, ``--dist loadgroup``):
    the tests that start real processes, or stop and start Redis under the others' feet, run
    one after another in one of them."""
    for item in items:
        if item.get_closest_marker("integration") or item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("services"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = _service_missing(item)
    if missing:
        if REQUIRE_SERVICES:
            pytest.fail(f"KIP_REQUIRE_SERVICES=1 but this test {missing}", pytrace=False)
        pytest.skip(missing)


ORGS = {
    "addiction": ("Rusmiddelcentret", Organisation.Kind.ADDICTION_CENTRE, "municipality"),
    "chp": (
        "Center for Handicap og Psykiatri",
        Organisation.Kind.SOCIAL_PSYCHIATRY,
        "municipality",
    ),
    "toften": ("Toften", Organisation.Kind.SHELTER, "municipality"),
    "psychiatry": ("Psykiatrien", Organisation.Kind.REGIONAL_PSYCHIATRY, "region"),
}


def make_user(username: str, organisation: Organisation, role: str) -> Any:
    user = get_user_model().objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.org"
    )
    membership_ensure(user=user, organisation=organisation, role=role)
    return user


@dataclass
class World:
    """The personas (after healthchecks' alice, bob, charlie) around one plan.

    The plan's citizen consented to addiction, chp and psychiatry; psychiatry's consent was
    then withdrawn. The plan: coordinator at addiction; participants addiction and chp.
    toften never took part.
    """

    orgs: dict[str, Organisation]
    coordinator: Any  # addiction caseworker, the plan's coordinator
    colleague: Any  # another addiction caseworker
    participant: Any  # chp caseworker: a participating organisation
    outsider: Any  # toften caseworker: not on the plan
    manager: Any  # addiction manager
    withdrawn: Any  # psychiatry caseworker: consent withdrawn
    citizen: Citizen
    plan: Plan

    def actor(self, user: Any, slug: str | None = None) -> Actor:
        org = self.orgs[slug] if slug else user.memberships.first().organisation
        return actor_for(user, org.pk)

    def client(self, user: Any, slug: str | None = None) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        if slug:
            client.credentials(HTTP_X_ORGANISATION=str(self.orgs[slug].pk))
        return client


def build_world() -> World:
    orgs = {
        slug: organisation_ensure(slug=slug, name=name, kind=kind, sector=sector)
        for slug, (name, kind, sector) in ORGS.items()
    }
    cw, mgr = Membership.Role.CASEWORKER, Membership.Role.MANAGER
    coordinator = make_user("coordinator", orgs["addiction"], cw)
    world_users = {
        "coordinator": coordinator,
        "colleague": make_user("colleague", orgs["addiction"], cw),
        "participant": make_user("participant", orgs["chp"], cw),
        "outsider": make_user("outsider", orgs["toften"], cw),
        "manager": make_user("manager", orgs["addiction"], mgr),
        "withdrawn": make_user("withdrawn", orgs["psychiatry"], cw),
    }
    actor = actor_for(coordinator, orgs["addiction"].pk)
    citizen = citizen_register(actor=actor, cpr_number="0101801234", name="Jens Hansen")
    # Long before any day a test moves the clock to, whatever day the suite runs on.
    past = datetime.datetime(2020, 1, 1, 9, tzinfo=datetime.UTC)
    consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[orgs["addiction"].pk, orgs["chp"].pk],
        form="written",
        given_at=past,
    )
    psychiatry_consent = consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[orgs["psychiatry"].pk],
        form="oral",
        given_at=past,
    )
    plan = plan_create(
        actor=actor,
        citizen_id=citizen.pk,
        coordinator_user_id=coordinator.pk,
        coordinator_organisation_id=orgs["addiction"].pk,
        participant_ids=[orgs["addiction"].pk, orgs["chp"].pk, orgs["psychiatry"].pk],
        next_review=timezone.localdate() + datetime.timedelta(days=30),
        status=Plan.Status.ACTIVE,
    )
    consent_withdraw(actor=actor, citizen_id=citizen.pk, consent_id=psychiatry_consent.pk)
    plan.refresh_from_db()
    return World(orgs=orgs, citizen=citizen, plan=plan, **world_users)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Throttle counts (in the cache) start from nothing in every test."""
    from django.core.cache import cache

    cache.clear()
