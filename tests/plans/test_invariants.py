"""DESIGN §4 invariants, held by the database itself (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.access import grants
from apps.citizens.models import Consent
from apps.organisations.models import Membership
from apps.plans.models import Participation, Plan, PlanGroupObjectPermission
from tests.conftest import World
from tests.helpers import API, snapshot


def _violates(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


# --- one open plan per citizen ----------------------------------------------------------------


def test_one_open_plan_per_citizen_in_the_database(world: World) -> None:
    def second() -> None:
        Plan.objects.create(citizen=world.citizen, status="draft", created_by=world.coordinator)

    _violates(second)
    assert Plan.objects.filter(citizen=world.citizen).count() == 1


def test_a_closed_plan_makes_room_for_a_new_one(world: World) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status="closed", closed_at=timezone.now())
    again = Plan.objects.create(citizen=world.citizen, status="draft", created_by=world.coordinator)
    Plan.objects.filter(pk=again.pk).update(status="closed", closed_at=timezone.now())
    Plan.objects.create(citizen=world.citizen, status="draft", created_by=world.coordinator)
    assert Plan.objects.filter(citizen=world.citizen).count() == 3
    assert Plan.objects.filter(citizen=world.citizen).exclude(status="closed").count() == 1


def test_reopening_a_closed_plan_beside_an_open_one_is_refused(world: World) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status="closed", closed_at=timezone.now())
    Plan.objects.create(citizen=world.citizen, status="draft", created_by=world.coordinator)
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(status="draft", closed_at=None))


# --- the coordinator ---------------------------------------------------------------------------


def test_the_coordinator_is_a_pair(world: World) -> None:
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(coordinator_organisation=None))
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(coordinator_user=None))
    world.plan.refresh_from_db()
    assert world.plan.coordinator_user == world.coordinator
    assert world.plan.coordinator_organisation == world.orgs["addiction"]


def test_an_active_plan_has_a_coordinator(world: World) -> None:
    _violates(
        lambda: Plan.objects.filter(pk=world.plan.pk).update(
            coordinator_user=None, coordinator_organisation=None
        )
    )
    # A draft may wait for its coordinator; making it active then needs one.
    Plan.objects.filter(pk=world.plan.pk).update(
        status="draft", coordinator_user=None, coordinator_organisation=None
    )
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(status="active"))


def test_closed_has_a_time_and_version_is_positive(world: World) -> None:
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(status="closed"))
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(closed_at=timezone.now()))
    _violates(lambda: Plan.objects.filter(pk=world.plan.pk).update(version=0))


# --- memberships, participation, grants ------------------------------------------------------


def test_membership_is_unique(world: World) -> None:
    _violates(
        lambda: Membership.objects.create(
            user=world.coordinator, organisation=world.orgs["addiction"], role="manager"
        )
    )
    assert Membership.objects.filter(user=world.coordinator).count() == 1


def test_participation_is_unique(world: World) -> None:
    _violates(
        lambda: Participation.objects.create(
            plan=world.plan, organisation=world.orgs["chp"], added_by=world.coordinator
        )
    )
    assert world.plan.participations.filter(organisation=world.orgs["chp"]).count() == 1


def test_grants_are_one_row_per_organisation_and_permission(world: World) -> None:
    before = PlanGroupObjectPermission.objects.count()
    grants.participation_grant(plan=world.plan, organisation=world.orgs["chp"])
    assert PlanGroupObjectPermission.objects.count() == before
    rows = PlanGroupObjectPermission.objects.filter(content_object=world.plan)
    assert sorted((r.group_id, r.permission.codename) for r in rows) == sorted(
        (world.orgs[slug].group_id, perm)
        for slug in ("addiction", "chp")
        for perm in ("change_plan", "view_plan")
    )


def test_participations_and_grants_agree(world: World) -> None:
    orgs = set(world.plan.participations.values_list("organisation__group_id", flat=True))
    granted = set(
        PlanGroupObjectPermission.objects.filter(
            content_object=world.plan, permission__codename="view_plan"
        ).values_list("group_id", flat=True)
    )
    assert orgs == granted
    assert world.orgs["psychiatry"].group_id not in granted  # pruned when consent went


# --- consent ---------------------------------------------------------------------------------


def test_withdrawing_consent_removes_access_at_once(world: World) -> None:
    participant = world.client(world.participant)
    assert participant.get(f"{API}/plans/{world.plan.pk}/").status_code == 200
    shared = Consent.objects.filter(
        citizen=world.citizen, organisations=world.orgs["chp"], withdrawn_at__isnull=True
    ).get()
    response = world.client(world.coordinator).post(
        f"{API}/citizens/{world.citizen.pk}/consents/{shared.pk}/withdraw/"
    )
    assert response.status_code == 200
    assert response.json()["withdrawn_at"]
    # The very next read: gone, and not a trace in lists.
    assert participant.get(f"{API}/plans/{world.plan.pk}/").status_code == 404
    assert participant.get(f"{API}/citizens/{world.citizen.pk}/").status_code == 404
    assert participant.get(f"{API}/plans/").json()["results"] == []
    assert participant.get(f"{API}/citizens/").json()["results"] == []
    # The database: chp left the plan and lost its grants; the consent is kept.
    assert not world.plan.participations.filter(organisation=world.orgs["chp"]).exists()
    assert not PlanGroupObjectPermission.objects.filter(
        content_object=world.plan, group=world.orgs["chp"].group
    ).exists()
    shared.refresh_from_db()
    assert shared.withdrawn_by == world.coordinator
    # The coordinator's organisation stays on the plan (a plan never loses its coordinator),
    # but without consent even the coordinator reads nothing.
    world.plan.refresh_from_db()
    assert world.plan.coordinator_organisation == world.orgs["addiction"]
    assert world.client(world.coordinator).get(f"{API}/plans/{world.plan.pk}/").status_code == 404


def test_an_expired_consent_ends_access_without_any_job(world: World) -> None:
    participant = world.client(world.participant)
    assert participant.get(f"{API}/plans/{world.plan.pk}/").status_code == 200
    Consent.objects.filter(citizen=world.citizen, withdrawn_at__isnull=True).update(
        given_at=timezone.now() - datetime.timedelta(days=10),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert participant.get(f"{API}/plans/{world.plan.pk}/").status_code == 404
    assert world.client(world.coordinator).get(f"{API}/plans/{world.plan.pk}/").status_code == 404


def test_renewed_consent_restores_reading_for_the_coordinator(world: World) -> None:
    """Access follows consent in force, checked at each request."""
    from apps.citizens.services import consent_give, consent_withdraw

    actor = world.actor(world.coordinator)
    shared = Consent.objects.filter(
        citizen=world.citizen, organisations=world.orgs["addiction"]
    ).get()
    consent_withdraw(actor=actor, citizen_id=world.citizen.pk, consent_id=shared.pk)
    client = world.client(world.coordinator)
    assert client.get(f"{API}/plans/{world.plan.pk}/").status_code == 404
    # Registered for addiction, the citizen is still visible to record new consent.
    consent_give(
        actor=actor,
        citizen_id=world.citizen.pk,
        organisation_ids=[world.orgs["addiction"].pk],
        form="written",
    )
    assert client.get(f"{API}/plans/{world.plan.pk}/").status_code == 200


def test_consent_check_constraints(world: World) -> None:
    consent = Consent.objects.filter(citizen=world.citizen).first()
    assert consent is not None
    _violates(lambda: Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now()))
    _violates(
        lambda: Consent.objects.filter(pk=consent.pk).update(
            expires_at=consent.given_at - datetime.timedelta(days=1)
        )
    )


# --- CPR at rest -----------------------------------------------------------------------------


def test_cpr_is_never_stored_in_clear_text(world: World) -> None:
    """Scan every table, every column, raw: neither form of the number appears anywhere."""
    client = world.client(world.coordinator)
    # Leave traces everywhere we can: a search, a lookup of a missing number, a registration.
    assert client.get(f"{API}/citizens/?cpr=010180-1234").status_code == 200
    assert client.get(f"{API}/citizens/?cpr=0303853456").status_code == 200
    assert (
        client.post(
            f"{API}/citizens/", {"cpr": "030385-3456", "name": "Ny"}, format="json"
        ).status_code
        == 201
    )
    needles = ("0101801234", "010180-1234", "0303853456", "030385-3456")
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "citizens_citizen" in tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    found += [(table, n) for n in needles if n in text]
    assert found == []
    # ... and yet the service can find and show it.
    assert snapshot()["citizens"]
    body = client.get(f"{API}/citizens/{world.citizen.pk}/").json()
    assert body["cpr"] == "010180-1234"
