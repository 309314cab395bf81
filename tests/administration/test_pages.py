"""The administration pages, through Django's test client: who may open them, what they
record in the trail, and bad input answered with 400, the field's message, and nothing changed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.audit.models import AccessEvent
from apps.organisations.models import Membership, Organisation
from tests.administration.snapshots import people_snapshot
from tests.conftest import make_user

User = get_user_model()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(message: str, **values: Any) -> str:
    """The message as the page says it (the tests' language), escaped as in HTML."""
    text = _(message)
    return escape(text % values if values else text)


def _field_error(response: Any, field: str, message: str, **values: Any) -> None:
    """The page names the field (the DKFDS error above it) with the service's message."""
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html, html[:3000]
    assert _said(message, **values) in html


def _last_admin_event() -> AccessEvent:
    return AccessEvent.objects.filter(action="admin").latest("id")


# --- who may open which page ------------------------------------------------------------------

STAFF_PAGES = [
    "/administration/",
    "/administration/people/new/",
    "/administration/import/",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_the_local_administrator_opens_the_staff_pages(aw, path):
    assert _client(aw.admin).get(path).status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("persona", ["coordinator", "manager"])
def test_caseworkers_and_managers_are_refused_the_staff_pages_and_it_is_recorded(aw, path, persona):
    user = getattr(aw.world, persona)
    response = _client(user).get(path)
    assert response.status_code == 403
    event = AccessEvent.objects.latest("id")
    assert (event.actor_id, event.action, event.outcome) == (user.pk, "admin", "denied")


def test_the_staff_page_lists_the_organisations_people_only(aw):
    html = _client(aw.admin).get("/administration/").content.decode()
    assert "coordinator" in html
    assert "manager" in html
    assert "outsider" not in html  # toften's
    assert "participant" not in html  # chp's


def test_a_person_of_another_organisation_does_not_exist_for_the_administrator(aw):
    outsider = aw.world.outsider  # toften's caseworker
    for path in (
        f"/administration/people/{outsider.pk}/",
        f"/administration/people/{outsider.pk}/deactivate/",
    ):
        response = _client(aw.admin).get(path)
        assert response.status_code == 404
        assert "outsider" not in response.content.decode()
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.outcome, event.object_id) == ("admin", "denied", str(outsider.pk))


def test_a_leaving_page_of_an_unknown_kind_is_404(aw):
    response = _client(aw.admin).get(f"/administration/people/{aw.world.colleague.pk}/delete/")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["manager", "admin"])
def test_who_had_which_role_is_for_managers_and_administrators(aw, persona):
    user = aw.admin if persona == "admin" else aw.world.manager
    response = _client(user).get("/administration/roles/?on=2026-01-01")
    assert response.status_code == 200
    assert _client(aw.world.coordinator).get("/administration/roles/").status_code == 403


def test_who_had_which_role_refuses_a_bad_date_naming_the_field(aw):
    response = _client(aw.world.manager).get("/administration/roles/?on=31.02.2026")
    assert response.status_code == 400
    assert 'id="id_on_error"' in response.content.decode()


@pytest.mark.parametrize("path", ["/administration/organisations/", "organisation"])
def test_only_the_system_administrator_opens_the_organisation_pages(aw, path):
    if path == "organisation":
        path = f"/administration/organisations/{aw.world.orgs['toften'].pk}/"
    assert _client(aw.system_admin).get(path).status_code == 200
    for user in (aw.admin, aw.world.manager, aw.world.coordinator):
        before = AccessEvent.objects.count()
        assert _client(user).get(path).status_code == 403
        event = AccessEvent.objects.latest("id")
        assert AccessEvent.objects.count() == before + 1
        assert (event.actor_id, event.action, event.outcome) == (user.pk, "admin", "denied")


def test_a_system_administrator_without_membership_lands_on_the_organisations(aw):
    client = _client(aw.system_admin)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/administration/organisations/"
    html = client.get(response["Location"]).content.decode()
    assert 'href="/administration/organisations/"' in html  # the menu
    assert 'href="/plans/"' not in html


def test_someone_without_any_membership_gets_a_403_page_not_an_error(aw):
    nobody = User.objects.create_user(username="nobody", password="pw-nobody-2026")
    for path in ("/", "/plans/", "/administration/"):
        assert _client(nobody).get(path).status_code == 403, path


def test_the_local_administrators_menu_has_staff_and_no_casework(aw):
    html = _client(aw.admin).get("/administration/").content.decode()
    assert 'href="/administration/"' in html
    assert 'href="/plans/"' not in html
    assert 'href="/citizens/"' not in html
    # My work is not theirs: they land on the staff page.
    response = _client(aw.admin).get("/")
    assert response["Location"] == "/administration/"


# --- add a person -----------------------------------------------------------------------------

PERSON = {
    "first_name": "Nanna",
    "last_name": "Lind",
    "username": "nanna.lind",
    "email": "nanna@example.org",
    "role": "caseworker",
}


def test_adding_a_person_invites_them_and_is_recorded(aw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(aw.admin).post("/administration/people/new/", PERSON)
    assert response.status_code == 302
    person = User.objects.get(username="nanna.lind")
    assert not person.has_usable_password()
    assert Membership.objects.get(user=person).role == "caseworker"
    assert [m.to for m in mail.outbox] == [["nanna@example.org"]]
    assert "/password/set/" in mail.outbox[0].body
    event = _last_admin_event()
    assert (event.actor_id, event.organisation_id, event.object_id) == (
        aw.admin.pk,
        aw.world.orgs["addiction"].pk,
        str(person.pk),
    )
    assert event.detail["what"] == "create"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "coordinator"}, "username", "This username is already taken."),
        ({"username": "COORDINATOR"}, "username", "This username is already taken."),
        ({"username": "two words"}, "username", None),
        (
            {"email": "coordinator@example.org"},
            "email",
            "Another person already uses this e-mail address.",
        ),
        ({"email": "not-an-address"}, "email", None),
        ({"role": "king"}, "role", None),
        ({"first_name": ""}, "first_name", None),
    ],
)
def test_adding_a_person_with_bad_input_says_which_field_and_changes_nothing(
    aw, change, field, message
):
    before = people_snapshot()
    response = _client(aw.admin).post("/administration/people/new/", {**PERSON, **change})
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    if message:
        _field_error(response, field, message)
    assert people_snapshot() == before
    # What was typed is kept.
    assert escape(PERSON["last_name"]) in response.content.decode()


def test_a_deactivated_organisation_takes_no_new_people(aw):
    addiction = aw.world.orgs["addiction"]
    Organisation.objects.filter(pk=addiction.pk).update(active=False)
    before = people_snapshot()
    response = _client(aw.admin).post("/administration/people/new/", PERSON)
    assert response.status_code == 400
    assert _said("%(name)s is deactivated and takes no new people.", name=addiction.name) in (
        response.content.decode()
    )
    assert people_snapshot() == before


# --- a person's page: role, invitation again --------------------------------------------------


def test_changing_a_role_is_recorded_with_before_after_and_why(aw):
    colleague = aw.world.colleague
    response = _client(aw.admin).post(
        f"/administration/people/{colleague.pk}/", {"role": "manager", "reason": "Ny stilling"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=colleague).role == "manager"
    event = _last_admin_event()
    assert event.detail["what"] == "set_role"
    assert (event.detail["before"], event.detail["role"], event.detail["reason"]) == (
        "caseworker",
        "manager",
        "Ny stilling",
    )


def test_a_bad_role_is_refused_naming_the_field(aw):
    colleague = aw.world.colleague
    before = people_snapshot()
    response = _client(aw.admin).post(f"/administration/people/{colleague.pk}/", {"role": "king"})
    assert response.status_code == 400
    assert 'id="id_role_error"' in response.content.decode()
    assert people_snapshot() == before


def test_one_cannot_take_ones_own_administrator_role(aw):
    before = people_snapshot()
    response = _client(aw.admin).post(
        f"/administration/people/{aw.admin.pk}/", {"role": "caseworker"}
    )
    assert response.status_code == 400
    assert _said("You cannot take your own administrator role away.") in response.content.decode()
    assert people_snapshot() == before


def test_an_invited_person_can_be_sent_the_invitation_again(aw, django_capture_on_commit_callbacks):
    invited = make_user("invited", aw.world.orgs["addiction"], "caseworker")
    invited.set_unusable_password()
    invited.save()
    client = _client(aw.admin)
    page = client.get(f"/administration/people/{invited.pk}/").content.decode()
    assert _said("Send the invitation again") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/administration/people/{invited.pk}/", {"invite": "1"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["invited@example.org"]]
    assert _last_admin_event().detail["what"] == "invite"


# --- leaving: end membership, deactivate ------------------------------------------------------


@pytest.mark.parametrize("what", ["end", "deactivate"])
def test_leaving_needs_a_reason_and_changes_nothing_without_one(aw, what):
    colleague = aw.world.colleague
    client = _client(aw.admin)
    page = client.get(f"/administration/people/{colleague.pk}/{what}/")
    assert page.status_code == 200
    before = people_snapshot()
    response = client.post(f"/administration/people/{colleague.pk}/{what}/", {"reason": "  "})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert people_snapshot() == before


def test_the_leaving_page_says_what_they_leave_behind(aw):
    coordinator = aw.world.coordinator  # coordinates the plan
    html = _client(aw.admin).get(f"/administration/people/{coordinator.pk}/deactivate/")
    html = html.content.decode()
    told = ngettext(
        "%(n)s plan they coordinate must be handed over by a manager; it keeps its "
        "coordinator until then.",
        "%(n)s plans they coordinate must be handed over by a manager; they keep their "
        "coordinator until then.",
        1,
    ) % {"n": 1}
    assert escape(told) in html
    assert aw.world.citizen.name not in html  # counts, never whose


@pytest.mark.parametrize("what", ["end", "deactivate"])
def test_leaving_is_recorded_and_the_person_disappears_from_the_staff(aw, what):
    colleague = aw.world.colleague
    client = _client(aw.admin)
    response = client.post(f"/administration/people/{colleague.pk}/{what}/", {"reason": "Fratrådt"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=colleague).exists()
    colleague.refresh_from_db()
    assert colleague.is_active == (what == "end")
    assert not colleague.has_usable_password()  # no other membership: access revoked
    event = _last_admin_event()
    expected = "deactivate" if what == "deactivate" else "end_membership"
    assert (event.detail["what"], event.detail["reason"]) == (expected, "Fratrådt")
    staff_page = client.get("/administration/").content.decode()
    assert f'href="/administration/people/{colleague.pk}/"' not in staff_page


def test_a_deactivated_caseworkers_open_browser_is_refused_on_the_next_request(aw):
    """Logged in through the login page, plan open; deactivated on the page; next click:
    the login page, on every page they had."""
    caseworker = aw.world.coordinator
    caseworker.set_password("a-long-password-2026")
    caseworker.save()
    browser = Client()
    login = browser.post("/login/", {"username": "coordinator", "password": "a-long-password-2026"})
    assert login.status_code == 302
    plan_page = f"/plans/{aw.world.plan.pk}/"
    assert browser.get(plan_page).status_code == 200
    response = _client(aw.admin).post(
        f"/administration/people/{caseworker.pk}/deactivate/", {"reason": "Fratrådt"}
    )
    assert response.status_code == 302
    for path in (plan_page, "/plans/", "/administration/"):
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
    # The front page greets them as someone not logged in.
    assert 'href="/login/"' in browser.get("/").content.decode()
    assert aw.world.citizen.name not in browser.get("/").content.decode()
    # Nor can they log in again.
    again = browser.post("/login/", {"username": "coordinator", "password": "a-long-password-2026"})
    assert again.status_code == 200


# --- import -----------------------------------------------------------------------------------


def _csv(rows: list[str], header: str = "username,email,first_name,last_name,role") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _upload(client: Client, content: bytes, button: str, name: str = "staff.csv") -> Any:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/administration/import/", {"file": upload, button: "1"})


TWENTY = [f"person{i},person{i}@example.org,Per,Son {i},caseworker" for i in range(20)]


def test_trying_a_file_reports_every_row_and_saves_nothing(aw):
    before = people_snapshot()
    response = _upload(_client(aw.admin), _csv(TWENTY), "dry_run")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("person") >= 20
    assert _said("Every row is fine") in html
    assert people_snapshot() == before


def test_importing_twenty_people_creates_and_invites_them_all(
    aw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(_client(aw.admin), _csv(TWENTY), "import")
    assert response.status_code == 302
    created = User.objects.filter(username__startswith="person")
    assert created.count() == 20
    assert len(mail.outbox) == 20
    assert (
        Membership.objects.filter(user__in=created, organisation=aw.world.orgs["addiction"]).count()
        == 20
    )
    event = AccessEvent.objects.filter(action="admin", object_type="import").get()
    assert event.detail["rows"] == 20
    assert sorted(event.detail["users"]) == sorted(created.values_list("pk", flat=True))


def test_what_was_tried_is_imported_without_choosing_the_file_again(
    aw, django_capture_on_commit_callbacks
):
    client = _client(aw.admin)
    tried = _upload(client, _csv(TWENTY[:5]), "dry_run")
    assert 'name="import_tried"' in tried.content.decode()
    assert not User.objects.filter(username__startswith="person").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/administration/import/", {"import_tried": "1"})
    assert response.status_code == 302
    assert User.objects.filter(username__startswith="person").count() == 5
    assert len(mail.outbox) == 5
    # Kept once only: the same button again imports nothing and says to choose the file.
    before = people_snapshot()
    again = client.post("/administration/import/", {"import_tried": "1"})
    assert again.status_code == 400
    _field_error(again, "file", "Choose the file again: the file tried is no longer kept.")
    assert people_snapshot() == before


def test_a_file_with_bad_rows_is_not_kept_for_import(aw):
    client = _client(aw.admin)
    tried = _upload(client, _csv(["a b,x@example.org,,,caseworker"]), "dry_run")
    assert 'name="import_tried"' not in tried.content.decode()
    before = people_snapshot()
    assert client.post("/administration/import/", {"import_tried": "1"}).status_code == 400
    assert people_snapshot() == before


def test_what_one_organisation_tried_is_not_imported_into_another(aw):
    """The kept rows name their organisation: acting for another, nothing is imported."""
    from apps.organisations.services import membership_ensure

    membership_ensure(user=aw.admin, organisation=aw.world.orgs["toften"], role="admin")
    client = _client(aw.admin)
    session = client.session
    session["organisation_id"] = aw.world.orgs["addiction"].pk
    session.save()
    _upload(client, _csv(TWENTY[:2]), "dry_run")
    session = client.session
    session["organisation_id"] = aw.world.orgs["toften"].pk
    session.save()
    before = people_snapshot()
    assert client.post("/administration/import/", {"import_tried": "1"}).status_code == 400
    assert people_snapshot() == before


def test_semicolons_and_capitalised_columns_as_danish_excel_saves_them(aw):
    content = _csv(
        ["anna;anna@example.org;Anna;Berg;manager"],
        header="Username;Email;First_name;Last_name;Role",
    )
    response = _upload(_client(aw.admin), b"\xef\xbb\xbf" + content, "import")
    assert response.status_code == 302
    assert Membership.objects.get(user__username="anna").role == "manager"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_csv([*TWENTY[:3], "coordinator,x@example.org,,,caseworker"]), None),
        (_csv([*TWENTY[:3], TWENTY[1]]), None),  # the same person twice in the file
        (_csv(["a b,not-mail,,,boss"]), None),
        (b"name,mail\nx,y\n", "Missing columns: %(columns)s."),
        (
            "username,email,role\nø,ø@example.org,caseworker\n".encode("latin-1"),
            "The file must be a CSV file in UTF-8.",
        ),
        (b"username,email,role\n", "The file holds no people."),
        (b"username,email,role\n" + b"x" * (256 * 1024), "The file is too large (at most 256 KB)."),
    ],
)
@pytest.mark.parametrize("button", ["dry_run", "import"])
def test_a_bad_file_imports_nothing_and_says_why(aw, content, message, button):
    before = people_snapshot()
    response = _upload(_client(aw.admin), content, button)
    html = response.content.decode()
    assert people_snapshot() == before
    if message is None:  # bad rows: each is reported with its line
        assert response.status_code == (200 if button == "dry_run" else 400)
        assert _said("Some rows need correcting") in html
        assert "badge-error" in html
    else:
        assert response.status_code == 400
        assert 'id="id_file_error"' in html
        if "%(columns)s" in message:
            _field_error(response, "file", message, columns="username, email, role")
        else:
            _field_error(response, "file", message)


def test_bad_rows_name_their_line(aw):
    response = _upload(
        _client(aw.admin), _csv([TWENTY[0], "a b,x@example.org,,,caseworker"]), "import"
    )
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", html)
    assert rows == ["2", "3"]
    assert _said("Use letters, digits and . _ - only (no spaces) in the username.") in html


# --- organisations (system administrator) -----------------------------------------------------


def test_the_system_administrator_creates_an_organisation_and_is_sent_to_it(aw):
    response = _client(aw.system_admin).post(
        "/administration/organisations/",
        {"name": "Jobcenter Nord", "kind": "shelter", "sector": "municipality"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="jobcenter-nord")
    assert response["Location"] == f"/administration/organisations/{organisation.pk}/"
    event = _last_admin_event()
    assert (event.actor_id, event.organisation_id, event.detail["organisation"]) == (
        aw.system_admin.pk,
        None,
        organisation.pk,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "kind": "shelter", "sector": "region"}, "name"),
        ({"name": "X", "kind": "castle", "sector": "region"}, "kind"),
        ({"name": "X", "kind": "shelter", "sector": "state"}, "sector"),
        ({"name": "Toften", "kind": "shelter", "sector": "region", "slug": "toften"}, "slug"),
        ({"name": "Ny", "kind": "shelter", "sector": "region", "slug": "!!!"}, "slug"),
    ],
)
def test_a_bad_organisation_is_refused_naming_the_field(aw, data, field):
    before = people_snapshot()
    response = _client(aw.system_admin).post("/administration/organisations/", data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert people_snapshot() == before


def test_the_system_administrator_renames_and_deactivates_an_organisation(aw):
    toften = aw.world.orgs["toften"]
    client = _client(aw.system_admin)
    url = f"/administration/organisations/{toften.pk}/"
    response = client.post(
        url,
        {"name": "Toften Forsorgshjem", "kind": "shelter", "sector": "municipality", "save": "1"},
    )
    assert response.status_code == 302
    toften.refresh_from_db()
    assert toften.name == "Toften Forsorgshjem"
    before = people_snapshot()
    refused = client.post(url, {"reason": "", "deactivate": "1"})
    assert refused.status_code == 400
    assert 'id="id_reason_error"' in refused.content.decode()
    assert people_snapshot() == before
    assert client.post(url, {"reason": "Lukket", "deactivate": "1"}).status_code == 302
    toften.refresh_from_db()
    assert not toften.active
    whats = list(
        AccessEvent.objects.filter(action="admin", object_type="organisation").values_list(
            "detail__what", flat=True
        )
    )
    assert whats[-2:] == ["update", "deactivate"]


def test_the_system_administrator_invites_an_organisations_first_local_administrator(
    aw, django_capture_on_commit_callbacks
):
    chp = aw.world.orgs["chp"]
    client = _client(aw.system_admin)
    url = f"/administration/organisations/{chp.pk}/"
    assert "has no local administrator yet" in client.get(url).content.decode()
    data = {
        "first_name": "Hanne",
        "last_name": "Bech",
        "username": "hanne.bech",
        "email": "hanne@example.org",
        "invite": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    hanne = User.objects.get(username="hanne.bech")
    assert Membership.objects.get(user=hanne).organisation == chp
    assert Membership.objects.get(user=hanne).role == "admin"
    assert [m.to for m in mail.outbox] == [["hanne@example.org"]]
    assert "hanne.bech" in client.get(url).content.decode()
    event = _last_admin_event()
    assert (event.detail["what"], event.detail["organisation"], event.object_id) == (
        "create",
        chp.pk,
        str(hanne.pk),
    )
    # The same username again: refused, naming it; nothing changes.
    before = people_snapshot()
    again = client.post(url, {**data, "email": "other@example.org"})
    assert again.status_code == 400
    _field_error(again, "username", "This username is already taken.")
    assert people_snapshot() == before


def test_a_deactivated_organisation_gets_no_new_administrator(aw):
    toften = aw.world.orgs["toften"]
    Organisation.objects.filter(pk=toften.pk).update(active=False)
    before = people_snapshot()
    response = _client(aw.system_admin).post(
        f"/administration/organisations/{toften.pk}/",
        {
            "first_name": "A",
            "last_name": "B",
            "username": "ab",
            "email": "ab@example.org",
            "invite": "1",
        },
    )
    assert response.status_code == 400
    assert people_snapshot() == before


def test_an_unknown_organisation_is_404(aw):
    assert _client(aw.system_admin).get("/administration/organisations/987654/").status_code == 404


# --- passwords --------------------------------------------------------------------------------


def test_the_password_link_uses_the_services_address_and_the_rules_are_said(
    aw, settings, django_capture_on_commit_callbacks
):
    settings.KIP_BASE_URL = "https://kip.example.dk"
    with django_capture_on_commit_callbacks(execute=True):
        _client(aw.admin).post("/administration/people/new/", PERSON)
    link = re.search(r"https://kip\.example\.dk(/password/set/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    browser = Client(HTTP_ACCEPT_LANGUAGE="da")
    form = browser.get(link.group(1), follow=True)
    assert form.status_code == 200
    short = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "kort", "new_password2": "kort"}
    )
    assert short.status_code == 200
    html = short.content.decode()
    with translation.override("da"):
        from django.contrib.auth.password_validation import MinimumLengthValidator

        rule = MinimumLengthValidator().get_error_message() % {"min_length": 8}
    assert escape(rule) in html
    person = User.objects.get(username="nanna.lind")
    assert not person.has_usable_password()
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Solsikke-Marts-2026", "new_password2": "Solsikke-Marts-2026"},
    )
    assert done.status_code == 302
    assert (
        browser.post(
            "/login/", {"username": "nanna.lind", "password": "Solsikke-Marts-2026"}
        ).status_code
        == 302
    )
    # The link works once.
    used = browser.get(link.group(1), follow=True).content.decode()
    assert (
        _said("The link does not work any more: it was used, or it is too old. Ask for a new one.")
        in used
    )


def test_the_managers_are_emailed_to_hand_over_a_leavers_plan(
    aw, django_capture_on_commit_callbacks
):
    """The notice names no citizen: it says a colleague left and what needs a new person."""
    coordinator = aw.world.coordinator
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(aw.admin).post(
            f"/administration/people/{coordinator.pk}/deactivate/", {"reason": "Fratrådt"}
        )
    assert response.status_code == 302
    told = [m for m in mail.outbox if m.to == [aw.world.manager.email]]
    assert len(told) == 1
    with translation.override("da"):  # e-mails are written in Danish
        assert told[0].subject.endswith(_("A colleague has left: reassign their work"))
    assert aw.world.citizen.name not in told[0].body
    inbox = aw.world.client(aw.world.manager).get("/api/v1/notifications/").json()["results"]
    assert [n["kind"] for n in inbox] == ["staff_left"]
