"""Administration in a real browser: a local administrator imports twenty people from a CSV file,
one of them chooses a password from the invitation and logs in; a caseworker deactivated while
their plan page is open is sent to the login page on their next click; the system administrator
creates an organisation, invites its local administrator and deactivates it. Axe on every page
and state; screenshots at desktop width and 390 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from apps.audit.models import AccessEvent
from apps.organisations.models import Membership, Organisation
from tests.browser.conftest import axe_check, screenshot

User = get_user_model()
ROLES = ("caseworker", "caseworker", "caseworker", "manager")


def _staff_csv(tmp_path: Path, count: int = 20) -> Path:
    lines = ["username;email;first_name;last_name;role"]  # as Danish Excel saves it
    for i in range(1, count + 1):
        lines.append(
            f"ny{i:02d}.rusmiddel;ny{i:02d}@rusmiddel.example.dk;Ny{i:02d};Medarbejder;"
            f"{ROLES[i % len(ROLES)]}"
        )
    path = tmp_path / "medarbejdere.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _no_sideways_scroll(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{what} scrolls sideways at {viewport} px ({width} px wide)"


def _check(page: Any, name: str) -> None:
    axe_check(page, context=name)
    screenshot(page, name)


def test_a_local_administrator_imports_twenty_people_and_one_of_them_starts(
    browsing, tmp_path, settings, live_server
):
    settings.KIP_BASE_URL = live_server.url
    admin = browsing()
    page = admin.login("addiction.admin")
    # A local administrator lands on the staff, not on casework.
    expect(
        page.get_by_role("heading", name="Medarbejdere i Rusmiddelcentret", level=1)
    ).to_be_visible()
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Medarbejdere")).to_be_visible()
    expect(menu.get_by_role("link", name="Planer")).to_have_count(0)
    _check(page, "admin-staff-desktop")

    page.get_by_role("link", name="Importér fra CSV").click()
    expect(page.get_by_role("heading", name="Importér medarbejdere fra en CSV-fil")).to_be_visible()
    _check(page, "admin-import-desktop")

    # Try first: every row reported, nothing saved.
    page.get_by_label("CSV-fil").set_input_files(str(_staff_csv(tmp_path)))
    page.get_by_role("button", name="Afprøv filen").click()
    expect(page.get_by_role("heading", name="Alle rækker er i orden")).to_be_visible()
    report = page.get_by_role("table")
    expect(report.get_by_role("row")).to_have_count(21)  # the header and twenty people
    expect(report.get_by_text("OK", exact=True)).to_have_count(20)
    assert not User.objects.filter(username__startswith="ny").exists()
    _check(page, "admin-import-report-desktop")

    expect(report.get_by_role("row", name=re.compile("ny03.rusmiddel"))).to_contain_text("Leder")
    # Import what was tried, without choosing the file again.
    page.get_by_role("button", name="Importér 20 medarbejdere").click()
    expect(page.get_by_text("20 medarbejdere er oprettet og inviteret.")).to_be_visible()
    staff = page.get_by_role("table")
    for i in (1, 7, 20):
        row = staff.get_by_role("row", name=re.compile(f"ny{i:02d}.rusmiddel"))
        expect(row).to_contain_text("Inviteret")
    expect(staff.get_by_text("Inviteret")).to_have_count(20)
    _check(page, "admin-staff-after-import-desktop")
    assert Membership.objects.filter(user__username__startswith="ny").count() == 20
    invited = [m for m in mail.outbox if m.to[0].startswith("ny")]
    assert len(invited) == 20
    event = AccessEvent.objects.filter(action="admin", object_type="import").get()
    assert event.actor.username == "addiction.admin"
    assert event.detail["rows"] == 20

    # One of them opens the link from the e-mail, chooses a password and logs in.
    letter = next(m for m in invited if m.to == ["ny07@rusmiddel.example.dk"])
    assert letter.subject == "[KIP] Du har fået adgang til KIP"
    link = re.search(r"http://\S+/password/set/\S+", letter.body)
    assert link, letter.body
    newcomer = browsing()
    page2 = newcomer.page
    page2.goto(link.group(0))
    expect(page2.get_by_role("heading", name="Vælg en adgangskode")).to_be_visible()
    _check(page2, "password-choose-desktop")
    page2.get_by_label("Ny adgangskode", exact=True).fill("kort")
    page2.get_by_label(re.compile("Bekræft")).fill("kort")
    page2.get_by_role("button", name="Gem adgangskoden").click()
    expect(page2.get_by_text(re.compile("for kort"))).to_be_visible()  # the rule, in Danish
    _check(page2, "password-too-short-desktop")
    page2.get_by_label("Ny adgangskode", exact=True).fill("Solsikke-Marts-2026")
    page2.get_by_label(re.compile("Bekræft")).fill("Solsikke-Marts-2026")
    page2.get_by_role("button", name="Gem adgangskoden").click()
    expect(page2.get_by_role("heading", name="Din adgangskode er gemt")).to_be_visible()
    _check(page2, "password-saved-desktop")
    page2.get_by_role("link", name="Log ind").click()
    newcomer.login("ny07.rusmiddel", "Solsikke-Marts-2026")
    expect(page2.get_by_role("heading", name="Mit arbejde", level=1)).to_be_visible()
    # The administrator sees them as active now.
    page.reload()
    expect(staff.get_by_role("row", name=re.compile("ny07.rusmiddel"))).to_contain_text("Aktiv")


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_imported(browsing, tmp_path):
    page = browsing().login("chp.admin")
    page.get_by_role("link", name="Importér fra CSV").click()
    path = tmp_path / "forkert.csv"
    path.write_text(
        "username,email,first_name,last_name,role\n"
        "god.person,god@example.dk,God,Person,caseworker\n"
        "chp.caseworker,ny@example.dk,Dublet,Navn,caseworker\n"
        "to ord,ikke-en-adresse,,,chef\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV-fil").set_input_files(str(path))
    page.get_by_role("button", name="Importér", exact=True).click()
    expect(page.get_by_role("heading", name="Nogle rækker skal rettes")).to_be_visible()
    expect(
        page.get_by_text("Intet blev importeret. Ret rækkerne herunder, og prøv igen.")
    ).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("chp.caseworker"))).to_contain_text(
        "Brugernavnet er allerede i brug."
    )
    expect(table.get_by_role("row", name=re.compile("to ord"))).to_contain_text(
        "gyldig e-mailadresse"
    )
    assert not User.objects.filter(username="god.person").exists()
    _check(page, "admin-import-errors-desktop")
    # A file that is no CSV at all names the field.
    path.write_bytes(b"\xff\xfe\x00garbage")
    page.get_by_label("CSV-fil").set_input_files(str(path))
    page.get_by_role("button", name="Afprøv filen").click()
    expect(page.get_by_text("Filen skal være en CSV-fil i UTF-8.")).to_be_visible()
    _check(page, "admin-import-not-utf8-desktop")


def test_a_caseworker_deactivated_with_the_plan_open_is_sent_to_log_in_on_the_next_click(
    browsing,
):
    caseworker = browsing()
    their_page = caseworker.login("addiction.caseworker")
    their_page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Planer"
    ).click()
    their_page.get_by_role("link", name="Jens Hansen").first.click()
    expect(their_page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")

    admin = browsing()
    page = admin.login("addiction.admin")
    page.get_by_role("link", name="Lise Holm").click()
    expect(page.get_by_role("heading", name="Lise Holm", level=1)).to_be_visible()
    _check(page, "admin-person-desktop")
    page.get_by_role("link", name="Deaktivér").click()
    expect(page.get_by_role("heading", name="Deaktivér Lise Holm")).to_be_visible()
    # The consequences come first: she coordinates a plan a manager must hand over.
    expect(page.get_by_text(re.compile("1 plan, som personen er tovholder for"))).to_be_visible()
    _check(page, "admin-deactivate-desktop")
    page.get_by_role("button", name="Deaktivér").click()
    expect(page.get_by_text("Feltet skal udfyldes.")).to_be_visible()
    _check(page, "admin-deactivate-no-reason-desktop")
    page.get_by_label("Hvorfor").fill("Fratrådt 30. november")
    page.get_by_role("button", name="Deaktivér").click()
    expect(page.get_by_text(re.compile("Lise Holm har ikke længere adgang"))).to_be_visible()
    expect(page.get_by_role("link", name="Lise Holm")).to_have_count(0)
    _check(page, "admin-staff-after-deactivation-desktop")

    # Her open plan page: the very next click lands on the login page.
    their_page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Planer"
    ).click()
    expect(their_page).to_have_url(re.compile(r"/login/\?next="))
    expect(their_page.get_by_label("Brugernavn")).to_be_visible()
    expect(their_page.get_by_text("Jens Hansen")).to_have_count(0)
    _check(their_page, "caseworker-refused-desktop")
    # And she cannot log in again.
    caseworker.login("addiction.caseworker")
    expect(their_page.get_by_label("Brugernavn")).to_be_visible()

    event = AccessEvent.objects.filter(action="admin", detail__what="deactivate").get()
    assert event.actor.username == "addiction.admin"
    assert event.detail["reason"] == "Fratrådt 30. november"
    assert event.detail["plans_coordinated"] == 1


def test_the_system_administrator_creates_an_organisation_invites_and_deactivates(
    browsing, settings, live_server
):
    settings.KIP_BASE_URL = live_server.url
    page = browsing().login("kip.admin")
    expect(page.get_by_role("heading", name="Organisationer", level=1)).to_be_visible()
    expect(page.get_by_text("(systemadministrator)")).to_be_visible()
    _check(page, "system-organisations-desktop")

    # A name is needed: the field says so and nothing is created.
    page.get_by_role("button", name="Opret organisation").click()
    expect(page.get_by_text("Feltet skal udfyldes.").first).to_be_visible()
    _check(page, "system-organisation-new-error-desktop")
    count = Organisation.objects.count()

    page.get_by_label("Navn", exact=True).fill("Botilbuddet Solsikken")
    page.get_by_label("Type").select_option(label="Forsorgshjem")
    page.get_by_label("Sektor").select_option(label="Kommune")
    page.get_by_role("button", name="Opret organisation").click()
    expect(page.get_by_role("heading", name="Botilbuddet Solsikken", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile("har endnu ingen lokal administrator"))).to_be_visible()
    assert Organisation.objects.count() == count + 1
    _check(page, "system-organisation-desktop")

    page.get_by_label("Fornavn").fill("Karen")
    page.get_by_label("Efternavn").fill("Solgaard")
    page.get_by_label("Brugernavn").fill("solsikken.admin")
    page.get_by_label("E-mail").fill("karen@solsikken.example.dk")
    page.get_by_role("button", name="Opret og invitér").click()
    expect(
        page.get_by_role("table").get_by_role("row", name=re.compile("Karen Solgaard"))
    ).to_contain_text("Inviteret")
    assert [m.to for m in mail.outbox if "solsikken" in m.to[0]] == [["karen@solsikken.example.dk"]]
    _check(page, "system-organisation-invited-desktop")

    page.get_by_label("Hvorfor").fill("Lukket ved årsskiftet")
    page.get_by_role("button", name="Deaktivér organisationen").click()
    expect(page.get_by_role("heading", name="Organisationer", level=1)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Botilbuddet Solsikken"))
    expect(row).to_contain_text("Deaktiveret")
    _check(page, "system-organisations-after-deactivation-desktop")
    solsikken = Organisation.objects.get(name="Botilbuddet Solsikken")
    assert not solsikken.active
    whats = list(
        AccessEvent.objects.filter(action="admin", detail__organisation=solsikken.pk)
        .order_by("id")
        .values_list("detail__what", flat=True)
    )
    assert whats == ["create", "create", "deactivate"]


def test_the_administration_pages_fit_390_px(browsing, tmp_path):
    page = browsing(width=390).login("toften.admin")
    _no_sideways_scroll(page, "the staff page")
    _check(page, "admin-staff-390")
    page.get_by_role("link", name="Importér fra CSV").click()
    page.get_by_label("CSV-fil").set_input_files(str(_staff_csv(tmp_path, 3)))
    page.get_by_role("button", name="Afprøv filen").click()
    expect(page.get_by_role("heading", name="Alle rækker er i orden")).to_be_visible()
    _no_sideways_scroll(page, "the import report")
    _check(page, "admin-import-report-390")
    page.get_by_role("link", name="Tilbage til medarbejderne").click()
    page.get_by_role("link", name="Karin Mortensen").click()
    expect(page.get_by_role("heading", name="Karin Mortensen", level=1)).to_be_visible()
    _no_sideways_scroll(page, "a person's page")
    _check(page, "admin-person-390")
    page.get_by_role("link", name="Tilbage til medarbejderne").click()
    page.get_by_role("link", name="Hvem havde hvilken rolle på en dato").click()
    expect(page.get_by_role("row", name=re.compile("Karin Mortensen"))).to_be_visible()
    _no_sideways_scroll(page, "who had which role")
    _check(page, "admin-roles-390")

    page = browsing(width=390).login("kip.admin")
    _no_sideways_scroll(page, "the organisations")
    _check(page, "system-organisations-390")
    page.get_by_role("link", name="Toften").click()
    expect(page.get_by_role("heading", name="Toften", level=1)).to_be_visible()
    _no_sideways_scroll(page, "an organisation")
    _check(page, "system-organisation-390")
