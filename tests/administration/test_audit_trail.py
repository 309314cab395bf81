"""Administrative events in the managers' trail: filtered by ``action=admin``, with who, what,
for whom and why; a system administrator's work on an organisation shows to its managers;
another organisation's managers see none of it."""

from __future__ import annotations

from django.core.management import call_command

from apps.audit.models import AccessEvent
from apps.organisations.models import Organisation
from tests.conftest import make_user
from tests.helpers import assert_error

TRAIL = "/api/v1/audit/events/"


def _admin_events(client, **params):
    response = client.get(TRAIL, {"action": "admin", **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_a_manager_filters_the_administrative_events_of_the_organisation(aw):
    world = aw.world
    admin = aw.client(aw.admin)
    created = admin.post(
        "/api/v1/admin/users/",
        {"username": "ny", "email": "ny@example.org", "role": "caseworker"},
        format="json",
    ).json()
    admin.patch(
        f"/api/v1/admin/users/{world.colleague.pk}/",
        {"role": "manager", "reason": "Ny stilling"},
        format="json",
    )
    admin.post(
        f"/api/v1/admin/users/{world.colleague.pk}/deactivate/",
        {"reason": "Fratrådt"},
        format="json",
    )
    manager = world.client(world.manager)
    events = _admin_events(manager)
    whats = [(e["detail"]["what"], e["object_id"], e["actor"]) for e in events]
    assert ("create", str(created["id"]), aw.admin.pk) in whats
    assert ("set_role", str(world.colleague.pk), aw.admin.pk) in whats
    assert ("deactivate", str(world.colleague.pk), aw.admin.pk) in whats
    assert all(e["action"] == "admin" for e in events)
    why = {e["detail"]["what"]: e["detail"].get("reason") for e in events}
    assert why["deactivate"] == "Fratrådt"
    assert why["set_role"] == "Ny stilling"
    # No citizen on any of them: administration touches no citizen's data.
    assert {e["citizen"] for e in events} == {None}
    # Filtered by who did it, too.
    assert {e["actor"] for e in _admin_events(manager, actor=aw.admin.pk)} == {aw.admin.pk}


def test_another_organisations_manager_sees_none_of_it(aw):
    world = aw.world
    aw.client(aw.admin).post(
        f"/api/v1/admin/users/{world.colleague.pk}/deactivate/",
        {"reason": "Fratrådt"},
        format="json",
    )
    chp_manager = world.client(make_user("chp-manager", world.orgs["chp"], "manager"))
    assert _admin_events(chp_manager) == []


def test_a_system_administrators_work_on_an_organisation_shows_to_its_managers(aw):
    world = aw.world
    system = aw.client(aw.system_admin)
    addiction = world.orgs["addiction"]
    system.patch(
        f"/api/v1/admin/organisations/{addiction.pk}/",
        {"name": "Rusmiddelcenter Syd"},
        format="json",
    )
    system.post(
        f"/api/v1/admin/organisations/{addiction.pk}/administrators/",
        {"username": "second-admin", "email": "second@example.org"},
        format="json",
    )
    events = _admin_events(world.client(world.manager), actor=aw.system_admin.pk)
    assert [e["detail"]["what"] for e in events] == ["create", "update"]  # newest first
    assert {e["organisation"] for e in events} == {None}  # acted for no organisation
    assert {e["detail"]["organisation"] for e in events} == {addiction.pk}
    # toften's manager does not see addiction's administration.
    toften_manager = make_user("toften-manager", world.orgs["toften"], "manager")
    assert _admin_events(world.client(toften_manager), actor=aw.system_admin.pk) == []


def test_first_start_is_in_the_trail_of_each_organisation_it_created(db, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("slug,name,kind,sector\nnord,Rusmiddel Nord,addiction_centre,municipality\n")
    call_command(
        "kip_first_start",
        "--organisations",
        str(path),
        "--admin-username",
        "eva",
        "--admin-email",
        "eva@example.dk",
    )
    nord = Organisation.objects.get(slug="nord")
    events = AccessEvent.objects.filter(action="admin").order_by("id")
    assert [(e.actor_id, e.object_type, e.detail["what"]) for e in events] == [
        (None, "organisation", "create"),
        (None, "user", "create_system_admin"),
    ]
    assert events[0].detail["organisation"] == nord.pk
    # Run again: nothing new is created, nothing new recorded.
    call_command(
        "kip_first_start",
        "--organisations",
        str(path),
        "--admin-username",
        "eva",
        "--admin-email",
        "eva@example.dk",
    )
    assert AccessEvent.objects.filter(action="admin").count() == 2


def test_an_unknown_action_in_the_filter_is_refused_naming_it(aw):
    response = aw.world.client(aw.world.manager).get(TRAIL, {"action": "administer"})
    assert_error(response, 400, field="action")
