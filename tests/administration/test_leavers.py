"""A leaver loses access at once; nothing of theirs is left hanging."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.audit.models import AccessEvent
from apps.coordination.models import DischargeTask, Handover, HospitalEvent
from apps.coordination.services import handover_propose
from apps.notifications.models import Notification
from apps.organisations.models import Membership, RoleHistory
from tests.helpers import assert_error

User = get_user_model()


def _logged_in(user) -> tuple[Client, APIClient]:
    """A live browser session (through the login form) and an API token of the person."""
    user.set_password("a-long-password-2026")
    user.save()
    browser = Client()
    assert (
        browser.post(
            "/login/", {"username": user.username, "password": "a-long-password-2026"}
        ).status_code
        == 302
    )
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/plans/").status_code == 200
    return browser, api


def test_deactivating_stops_the_open_browser_and_the_token_at_once(aw):
    leaver = aw.world.coordinator
    browser, api = _logged_in(leaver)
    assert aw.world.citizen.name in browser.get("/plans/").content.decode()
    response = aw.client(aw.admin).post(
        f"/api/v1/admin/users/{leaver.pk}/deactivate/", {"reason": "Fratrådt"}, format="json"
    )
    assert response.status_code == 200, response.json()
    # Their very next requests are refused.
    page = browser.get("/plans/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    assert api.get("/api/v1/plans/").status_code == 401
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not Token.objects.filter(user=leaver).exists()
    assert not Membership.objects.filter(user=leaver).exists()
    assert RoleHistory.objects.get(user=leaver).ended_at is not None
    event = AccessEvent.objects.filter(action="admin", object_id=str(leaver.pk)).latest("id")
    assert event.detail["what"] == "deactivate"
    assert event.detail["reason"] == "Fratrådt"


def test_the_leavers_plans_are_listed_and_their_handovers_cancelled(aw):
    world = aw.world
    leaver = world.coordinator
    handover = handover_propose(
        actor=world.actor(leaver, "addiction"), plan_id=world.plan.pk, to_user_id=world.colleague.pk
    )
    body = (
        aw.client(aw.admin)
        .post(f"/api/v1/admin/users/{leaver.pk}/deactivate/", {"reason": "Fratrådt"}, format="json")
        .json()
    )
    assert body["plans"] == [world.plan.pk]
    assert body["handovers_cancelled"] == [handover.pk]
    handover.refresh_from_db()
    assert handover.state == Handover.State.CANCELLED
    # The colleague who was asked hears that it was cancelled; the manager is told to reassign.
    assert Notification.objects.filter(
        kind="handover_cancelled", recipient=world.colleague, handover=handover
    ).exists()
    told = Notification.objects.get(kind="staff_left", recipient=world.manager)
    assert told.context["plans_coordinated"] == 1
    # The plan keeps its coordinator (never without one) until a manager hands it over.
    world.plan.refresh_from_db()
    assert world.plan.coordinator_user == leaver
    handover_propose(
        actor=world.actor(world.manager, "addiction"),
        plan_id=world.plan.pk,
        to_user_id=world.colleague.pk,
    )


def test_ending_the_last_membership_revokes_sessions_and_tokens(aw):
    leaver = aw.world.colleague
    browser, api = _logged_in(leaver)
    response = aw.client(aw.admin).post(
        f"/api/v1/admin/users/{leaver.pk}/end-membership/", {"reason": "Stoppet"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert api.get("/api/v1/plans/").status_code == 401
    assert browser.get("/plans/").status_code == 302
    leaver.refresh_from_db()
    assert leaver.is_active  # may be invited back by another organisation


def test_a_reason_is_required_and_nothing_changes_without_one(aw):
    leaver = aw.world.colleague
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert_error(
            aw.client(aw.admin).post(
                f"/api/v1/admin/users/{leaver.pk}/deactivate/", body, format="json"
            ),
            400,
            field="reason",
        )
    leaver.refresh_from_db()
    assert leaver.is_active
    assert leaver.memberships.exists()


def test_one_cannot_deactivate_oneself_or_someone_of_another_organisation(aw):
    assert_error(
        aw.client(aw.admin).post(
            f"/api/v1/admin/users/{aw.admin.pk}/deactivate/", {"reason": "x"}, format="json"
        ),
        409,
    )
    both = aw.world.colleague
    Membership.objects.create(user=both, organisation=aw.world.orgs["toften"], role="caseworker")
    assert_error(
        aw.client(aw.admin).post(
            f"/api/v1/admin/users/{both.pk}/deactivate/", {"reason": "x"}, format="json"
        ),
        403,
    )
    both.refresh_from_db()
    assert both.is_active


def test_the_leavers_discharge_tasks_are_listed_for_the_managers(aw):
    world = aw.world
    leaver = world.coordinator
    addiction = world.orgs["addiction"]
    today = timezone.localdate()
    admission = HospitalEvent.objects.create(
        plan=world.plan,
        kind=HospitalEvent.Kind.ADMISSION,
        occurred_on=today,
        recorded_by=leaver,
        recorded_for=addiction,
    )

    def task(done: bool) -> DischargeTask:
        return DischargeTask.objects.create(
            plan=world.plan,
            admission=admission,
            description="Medicin klar",
            responsible=leaver,
            responsible_organisation=addiction,
            due=today,
            done=done,
            done_at=timezone.now() if done else None,
            created_by=leaver,
        )

    open_task, _done_task = task(False), task(True)
    browser = Client()
    browser.force_login(aw.admin)
    page = browser.get(f"/administration/people/{leaver.pk}/deactivate/", HTTP_ACCEPT_LANGUAGE="da")
    assert "1 opgave i en udskrivningsaftale skal have en ny ansvarlig." in page.content.decode()
    body = (
        aw.client(aw.admin)
        .post(f"/api/v1/admin/users/{leaver.pk}/deactivate/", {"reason": "Fratrådt"}, format="json")
        .json()
    )
    assert body["discharge_tasks"] == [open_task.pk]
    told = Notification.objects.get(kind="staff_left", recipient=world.manager)
    assert told.context["discharge_tasks"] == 1
    assert DischargeTask.objects.get(pk=open_task.pk).responsible == leaver
