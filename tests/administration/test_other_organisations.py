"""The other actors around the citizen (jobcentre, general practice, municipal health and care,
housing, volunteer organisations): registered wherever organisations are, and on a plan within
the citizen's consent exactly like the four partners."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from apps.organisations.models import Organisation
from apps.plans.models import Effort
from tests.administration.conftest import AdminWorld
from tests.conftest import make_user
from tests.helpers import API, assert_error

OTHER_KINDS = ["jobcentre", "general_practice", "health_care", "housing", "volunteer"]


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_a_system_administrator_registers_each_other_kind(aw: AdminWorld, kind: str) -> None:
    created = aw.client(aw.system_admin).post(
        f"{API}/admin/organisations/",
        {"name": f"Ny {kind}", "kind": kind, "sector": "municipality"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == kind
    listed = aw.client(aw.world.coordinator).get(f"{API}/organisations/").json()["results"]
    (shown,) = [o for o in listed if o["id"] == created.json()["id"]]
    assert (shown["kind"], shown["sector"]) == (kind, "municipality")


def test_a_jobcentre_takes_part_in_a_plan_like_the_partners(aw: AdminWorld) -> None:
    world = aw.world
    created = aw.client(aw.system_admin).post(
        f"{API}/admin/organisations/",
        {"name": "Jobcenter Slagelse", "kind": "jobcentre", "sector": "municipality"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    jobcentre = Organisation.objects.get(pk=created.json()["id"])
    coordinator = world.client(world.coordinator)

    # Not yet covered by the citizen's consent: it cannot join.
    plan_url = f"{API}/plans/{world.plan.pk}/"
    version = coordinator.get(plan_url)["ETag"]
    refused = coordinator.post(
        f"{plan_url}participants/",
        {"organisation": jobcentre.pk},
        format="json",
        HTTP_IF_MATCH=version,
    )
    assert_error(refused, 400, field="organisation")
    assert not world.plan.participations.filter(organisation=jobcentre).exists()

    consent = coordinator.post(
        f"{API}/citizens/{world.citizen.pk}/consents/",
        {"organisations": [jobcentre.pk], "form": "written"},
        format="json",
    )
    assert consent.status_code == 201, consent.json()
    added = coordinator.post(
        f"{plan_url}participants/",
        {"organisation": jobcentre.pk},
        format="json",
        HTTP_IF_MATCH=coordinator.get(plan_url)["ETag"],
    )
    assert added.status_code == 201, added.json()

    caseworker = make_user("camilla", jobcentre, "caseworker")
    client = world.client(caseworker)
    plan = client.get(plan_url)
    assert plan.status_code == 200
    assert jobcentre.pk in plan.json()["participants"]
    effort = client.post(
        f"{plan_url}efforts/",
        {"description": "Afklaring af job og uddannelse.", "responsible": caseworker.pk},
        format="json",
        HTTP_IF_MATCH=plan["ETag"],
    )
    assert effort.status_code == 201, effort.json()
    assert effort.json()["organisation"] == jobcentre.pk
    assert Effort.objects.get(pk=effort.json()["id"]).organisation == jobcentre


def test_the_organisations_page_registers_a_jobcentre(aw: AdminWorld) -> None:
    client = Client()
    client.force_login(aw.system_admin)
    page = client.get("/administration/organisations/")
    assert 'value="jobcentre"' in page.content.decode()
    response = client.post(
        "/administration/organisations/",
        {"name": "Jobcenter Nord", "kind": "jobcentre", "sector": "municipality"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(slug="jobcenter-nord").kind == "jobcentre"


@pytest.mark.parametrize("kind", ["castle", "", "Jobcentre", "job centre"])
def test_an_unknown_kind_is_refused_naming_kind_and_nothing_is_created(
    aw: AdminWorld, kind: str
) -> None:
    before = list(Organisation.objects.values_list("pk", "slug", "kind"))
    body = {"name": "Jobcenter Syd", "kind": kind, "sector": "municipality"}
    assert_error(
        aw.client(aw.system_admin).post(f"{API}/admin/organisations/", body, format="json"),
        400,
        field="kind",
    )
    client = Client()
    client.force_login(aw.system_admin)
    page = client.post("/administration/organisations/", body)
    assert page.status_code == 400
    assert 'id="id_kind_error"' in page.content.decode()
    assert list(Organisation.objects.values_list("pk", "slug", "kind")) == before


def test_first_start_takes_every_kind(db: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "organisations.csv"
    rows = "".join(f"o-{i},Org {i},{kind},municipality\n" for i, kind in enumerate(OTHER_KINDS))
    path.write_text("slug,name,kind,sector\n" + rows)
    call_command(
        "kip_first_start",
        "--organisations",
        str(path),
        "--admin-username",
        "eva",
        "--admin-email",
        "e@x.dk",
        stdout=None,
    )
    assert sorted(Organisation.objects.values_list("kind", flat=True)) == sorted(OTHER_KINDS)
