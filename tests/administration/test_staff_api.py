"""Staff administration through the API: scoped to one's own organisation, audited, and
refusing bad input with the field named and nothing changed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from apps.audit.models import AccessEvent
from apps.organisations.models import Membership, RoleHistory
from tests.helpers import assert_error

User = get_user_model()
NEW = {
    "username": "ny.medarbejder",
    "email": "ny@example.org",
    "first_name": "Ny",
    "last_name": "Medarbejder",
    "role": "caseworker",
}


def test_a_local_administrator_creates_a_person_who_is_invited_by_email(
    aw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = aw.client(aw.admin).post("/api/v1/admin/users/", NEW, format="json")
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="ny.medarbejder")
    assert not user.has_usable_password()  # nobody typed a password for them
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (aw.world.orgs["addiction"], "caseworker")
    assert RoleHistory.objects.filter(user=user, ended_at__isnull=True, role="caseworker").exists()
    [invitation] = mail.outbox
    assert invitation.to == ["ny@example.org"]
    assert "/password/set/" in invitation.body
    event = AccessEvent.objects.filter(action="admin", object_type="user").latest("id")
    assert (event.actor, event.object_id, event.detail["what"]) == (
        aw.admin,
        str(user.pk),
        "create",
    )
    assert event.organisation == aw.world.orgs["addiction"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "coordinator"}, "username"),  # taken
        ({"username": "COORDINATOR"}, "username"),  # taken, whatever the case
        ({"username": "has space"}, "username"),
        ({"email": "coordinator@example.org"}, "email"),  # another person's address
        ({"email": "not-an-address"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"username": ""}, "username"),
    ],
)
def test_bad_input_names_the_field_and_creates_nobody(aw, change, field):
    before = User.objects.count()
    response = aw.client(aw.admin).post("/api/v1/admin/users/", NEW | change, format="json")
    assert_error(response, 400, field=field)
    assert User.objects.count() == before
    assert not mail.outbox


def test_a_local_administrator_cannot_see_or_change_another_organisations_staff(aw):
    toften_caseworker = aw.world.outsider
    client = aw.client(aw.admin)
    assert_error(client.get(f"/api/v1/admin/users/{toften_caseworker.pk}/"), 404)
    assert_error(
        client.post(
            f"/api/v1/admin/users/{toften_caseworker.pk}/deactivate/",
            {"reason": "x"},
            format="json",
        ),
        404,
    )
    toften_caseworker.refresh_from_db()
    assert toften_caseworker.is_active
    listed = {row["username"] for row in client.get("/api/v1/admin/users/").json()["results"]}
    assert "outsider" not in listed
    assert {"coordinator", "colleague", "manager", "addiction-admin"} <= listed
    denied = AccessEvent.objects.filter(action="admin", outcome="denied").latest("id")
    assert denied.object_id == str(toften_caseworker.pk)


@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_caseworkers_and_managers_administer_nobody(aw, persona):
    user = getattr(aw.world, persona)
    client = aw.client(user)
    assert_error(client.get("/api/v1/admin/users/"), 403)
    assert_error(client.post("/api/v1/admin/users/", NEW, format="json"), 403)
    assert not User.objects.filter(username=NEW["username"]).exists()


def test_an_administrator_reads_no_citizen_data_by_that_role(aw):
    client = aw.client(aw.admin)
    assert client.get("/api/v1/plans/").json()["results"] == []
    assert_error(client.get(f"/api/v1/plans/{aw.world.plan.pk}/"), 404)
    assert client.get("/api/v1/citizens/").json()["results"] == []
    assert_error(client.get(f"/api/v1/citizens/{aw.world.citizen.pk}/"), 404)
    assert_error(client.get("/api/v1/audit/events/"), 403)
    system = aw.client(aw.system_admin)
    assert_error(system.get("/api/v1/plans/"), 403)
    assert_error(system.get(f"/api/v1/citizens/{aw.world.citizen.pk}/"), 403)


def test_set_role_keeps_the_history(aw):
    colleague = aw.world.colleague
    response = aw.client(aw.admin).patch(
        f"/api/v1/admin/users/{colleague.pk}/",
        {"role": "manager", "reason": "ny leder"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "manager"
    periods = list(
        RoleHistory.objects.filter(user=colleague)
        .order_by("started_at")
        .values_list("role", "ended_at")
    )
    assert [role for role, _ in periods] == ["caseworker", "manager"]
    assert periods[0][1] is not None
    assert periods[1][1] is None
    assert_error(
        aw.client(aw.admin).patch(
            f"/api/v1/admin/users/{aw.admin.pk}/", {"role": "caseworker"}, format="json"
        ),
        409,
        field="role",
    )


def test_roles_on_a_date(aw):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    rows = aw.client(aw.world.manager).get(f"/api/v1/admin/roles/?on={today}").json()["results"]
    assert {(r["username"], r["role"]) for r in rows} >= {
        ("coordinator", "caseworker"),
        ("manager", "manager"),
        ("addiction-admin", "admin"),
    }
    assert "outsider" not in {r["username"] for r in rows}
    assert_error(
        aw.client(aw.world.manager).get("/api/v1/admin/roles/?on=1.1.2026"), 400, field="on"
    )
    assert_error(aw.client(aw.world.coordinator).get(f"/api/v1/admin/roles/?on={today}"), 403)
