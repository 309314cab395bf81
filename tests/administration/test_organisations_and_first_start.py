"""Organisations (system administrators) and the first start of an empty service."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.audit.models import AccessEvent
from apps.organisations.models import Organisation
from apps.plans.services import participant_add
from tests.helpers import assert_error


def test_a_system_administrator_creates_renames_and_deactivates(aw):
    client = aw.client(aw.system_admin)
    created = client.post(
        "/api/v1/admin/organisations/",
        {"name": "Jobcenter Slagelse", "kind": "shelter", "sector": "municipality"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    renamed = client.patch(
        f"/api/v1/admin/organisations/{pk}/", {"name": "Jobcentret"}, format="json"
    )
    assert renamed.json()["name"] == "Jobcentret"
    gone = client.post(
        f"/api/v1/admin/organisations/{pk}/deactivate/", {"reason": "lukket"}, format="json"
    )
    assert gone.json()["active"] is False
    whats = list(
        AccessEvent.objects.filter(action="admin", object_type="organisation", object_id=str(pk))
        .order_by("id")
        .values_list("detail__what", flat=True)
    )
    assert whats == ["create", "update", "deactivate"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "kind": "shelter", "sector": "region"}, "name"),
        ({"name": "X", "kind": "castle", "sector": "region"}, "kind"),
        ({"name": "X", "kind": "shelter", "sector": "state"}, "sector"),
        ({"name": "Toften", "kind": "shelter", "sector": "municipality"}, "slug"),
    ],
)
def test_bad_organisations_are_refused_naming_the_field(aw, body, field):
    before = Organisation.objects.count()
    assert_error(
        aw.client(aw.system_admin).post("/api/v1/admin/organisations/", body, format="json"),
        400,
        field=field,
    )
    assert Organisation.objects.count() == before


def test_only_system_administrators_manage_organisations(aw):
    for user in (aw.admin, aw.world.manager, aw.world.coordinator):
        assert aw.client(user).get("/api/v1/admin/organisations/").status_code == 403


def test_a_deactivated_organisation_joins_no_new_plan(aw):
    world = aw.world
    toften = world.orgs["toften"]
    from apps.citizens.services import consent_give

    consent_give(
        actor=world.actor(world.coordinator, "addiction"),
        citizen_id=world.citizen.pk,
        organisation_ids=[toften.pk],
        form="written",
    )
    aw.client(aw.system_admin).post(
        f"/api/v1/admin/organisations/{toften.pk}/deactivate/", {"reason": "lukket"}, format="json"
    )
    toften.refresh_from_db()
    from apps.core.exceptions import ApplicationError

    world.plan.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        participant_add(
            actor=world.actor(world.coordinator, "addiction"),
            plan_id=world.plan.pk,
            expected_version=world.plan.version,
            organisation_id=toften.pk,
        )
    assert refused.value.code == "organisation_inactive"


def test_first_start_creates_organisations_and_an_administrator_once(db, tmp_path, capsys):
    path = tmp_path / "organisations.csv"
    path.write_text(
        "slug,name,kind,sector\n"
        "rusmiddel,Rusmiddelcentret,addiction_centre,municipality\n"
        "psyk,Psykiatrien,regional_psychiatry,region\n"
    )
    args = ["--organisations", str(path), "--admin-username", "eva", "--admin-email", "e@x.dk"]
    call_command("kip_first_start", *args)
    out = capsys.readouterr().out
    assert "/password/set/" in out
    call_command("kip_first_start", *args)  # again: nothing new
    assert Organisation.objects.count() == 2
    admin = get_user_model().objects.get(username="eva")
    assert admin.is_staff
    assert not admin.memberships.exists()


def test_first_start_refuses_a_bad_file_and_creates_nothing(db, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("slug,name,kind,sector\nx,X,castle,municipality\n")
    with pytest.raises(CommandError, match="line 2: kind"):
        call_command(
            "kip_first_start",
            "--organisations",
            str(path),
            "--admin-username",
            "a",
            "--admin-email",
            "a@x.dk",
        )
    assert not Organisation.objects.exists()
    assert not get_user_model().objects.filter(username="a").exists()
