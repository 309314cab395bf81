"""Citizens and consent in a real browser: register, record consent, search, withdraw, break
the glass; every page and state checked with axe, the main ones photographed."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, screenshot


def _fits(page, width: int = 390) -> None:  # type: ignore[no-untyped-def]
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways at {width} px ({scrolled} px wide)"


def _open_citizen(page, name: str):  # type: ignore[no-untyped-def]
    # Through My work's search box: on a phone the main menu is not shown.
    page.goto("/")
    page.get_by_label("Find en borger").fill(name)
    page.get_by_role("button", name="Søg").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    return page


def test_a_caseworker_registers_a_citizen_and_records_consent(browsing):
    page = browsing().login("chp.caseworker")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Borgere").click()
    axe_check(page, context="citizen search, empty")
    page.get_by_role("link", name="Registrér en ny borger").click()
    expect(page.get_by_role("heading", name="Registrér en borger", level=1)).to_be_visible()
    axe_check(page, context="register, empty")

    # A CPR number whose date does not exist: the message stands by the field, in Danish.
    page.get_by_label("Navn").fill("Sara Nørgaard")
    page.get_by_label("CPR-nummer").fill("310288-1234")
    page.get_by_role("button", name="Registrér").click()
    cpr = page.get_by_label("CPR-nummer")
    expect(cpr).to_have_attribute("aria-invalid", "true")
    expect(cpr).to_have_accessible_description(re.compile("31. februar"))
    expect(page.get_by_label("Navn")).to_have_value("Sara Nørgaard")  # what was typed stays
    axe_check(page, context="register, CPR error")
    screenshot(page, "register-cpr-error-1280")

    # A century that gives a birth in the future is explained too.
    cpr.fill("010150-5000")
    page.get_by_role("button", name="Registrér").click()
    expect(page.get_by_label("CPR-nummer")).to_have_accessible_description(re.compile("7. ciffer"))

    page.get_by_label("CPR-nummer").fill("120388-1234")
    page.get_by_role("button", name="Registrér").click()
    expect(page.get_by_role("heading", name="Sara Nørgaard", level=1)).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Sara Nørgaard er registreret")
    ).to_be_visible()
    expect(page.get_by_text("120388-1234")).to_be_visible()
    axe_check(page, context="citizen page, just registered")

    page.get_by_role("link", name="Registrér samtykke").click()
    axe_check(page, context="record consent, empty")
    # No form chosen: the service's rule comes back on the field.
    page.get_by_role("button", name="Registrér samtykke").click()
    expect(page.get_by_text("Vælg skriftligt eller mundtligt.")).to_be_visible()
    axe_check(page, context="record consent, error")

    page.get_by_label("Rusmiddelcentret").check()
    page.get_by_label("Center for Handicap og Psykiatri").check()
    page.get_by_label("Skriftligt").check()
    until = timezone.localdate() + datetime.timedelta(days=365)
    page.get_by_label("Gælder til og med").fill(until.isoformat())
    page.get_by_role("button", name="Registrér samtykke").click()
    expect(page.get_by_text("Samtykket er registreret.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rusmiddelcentret")
    expect(row).to_contain_text("Center for Handicap og Psykiatri")
    expect(row).to_contain_text("Skriftligt")
    expect(row).to_contain_text(until.strftime("%d.%m.%Y"))
    expect(row).to_contain_text("I kraft")
    axe_check(page, context="citizen page, consent recorded")


def test_search_by_name_and_by_cpr_shows_the_number_masked(browsing):
    for width in (1280, 390):
        page = browsing(width=width).login("addiction.caseworker")
        # My work's search box leads to the search page.
        page.get_by_label("Find en borger").fill("hansen")
        page.get_by_role("button", name="Søg").click()
        results = page.get_by_role("table")
        expect(results.get_by_role("link", name="Jens Hansen")).to_be_visible()
        expect(results).to_contain_text("010180-xxxx")
        expect(results).not_to_contain_text("1234")
        expect(page.get_by_text("Du finder kun borgere, som din organisation")).to_be_visible()
        axe_check(page, context=f"search by name, {width} px")
        screenshot(page, f"citizen-search-{width}")
        if width == 390:
            _fits(page)

        page.get_by_label("Navn eller CPR-nummer").fill("010180-1234")
        page.get_by_role("button", name="Søg").click()
        results = page.get_by_role("table")
        expect(results.get_by_role("link", name="Jens Hansen")).to_be_visible()
        expect(results).to_contain_text("010180-xxxx")
        expect(results).not_to_contain_text("1234")
        expect(results.get_by_role("link", name=re.compile("^Plan"))).to_be_visible()
        axe_check(page, context=f"search by CPR, {width} px")

    # A number that cannot be a CPR number is explained by the field.
    page.get_by_label("Navn eller CPR-nummer").fill("12345")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_label("Navn eller CPR-nummer")).to_have_accessible_description(
        re.compile("10 cifre")
    )
    axe_check(page, context="search, bad CPR")


def test_the_citizen_page_on_a_desktop_and_a_phone(browsing):
    for width in (1280, 390):
        page = _open_citizen(browsing(width=width).login("chp.caseworker"), "Mette Jensen")
        expect(page.get_by_text("150592-4321")).to_be_visible()
        consent = page.get_by_role("row").filter(has_text="Toften")
        expect(consent).to_contain_text("Skriftligt")
        expect(consent).to_contain_text("I kraft")
        expect(page.get_by_role("link", name="Koordineret indsatsplan")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("adgangsrapport"))).to_be_visible()
        axe_check(page, context=f"citizen page, {width} px")
        screenshot(page, f"citizen-page-{width}")
        if width == 390:
            _fits(page)


def test_a_manager_reads_the_citizen_page_without_write_controls(browsing):
    page = browsing().login("chp.manager")
    page.goto("/citizens/?q=Mette")
    page.get_by_role("link", name="Mette Jensen").click()
    expect(page.get_by_role("heading", name="Mette Jensen", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Registrér samtykke")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Træk tilbage"))).to_have_count(0)
    expect(page.get_by_role("link", name="Start en plan")).to_have_count(0)
    axe_check(page, context="citizen page, manager")


def test_withdrawing_consent_takes_the_plan_from_the_other_organisation_at_once(browsing):
    # Toften's caseworker has Mette Jensen's plan open.
    toften = browsing().login("toften.caseworker")
    toften.get_by_role("link", name="Mette Jensen").first.click()
    expect(toften.get_by_role("heading", level=1)).to_contain_text("Mette Jensen")
    plan_url = toften.url

    # Mette no longer wants Toften to take part. Her coordinator at CHP records a new consent
    # for the others, then withdraws the one that covered all four.
    chp = _open_citizen(browsing().login("chp.caseworker"), "Mette Jensen")
    chp.get_by_role("link", name="Registrér samtykke").click()
    for name in ("Rusmiddelcentret", "Psykiatrien, Region Sjælland"):
        chp.get_by_label(name).check()
    chp.get_by_label("Center for Handicap og Psykiatri").check()
    chp.get_by_label("Mundtligt").check()
    chp.get_by_role("button", name="Registrér samtykke").click()
    expect(chp.get_by_text("Samtykket er registreret.")).to_be_visible()

    old = chp.get_by_role("row").filter(has_text="Toften")
    old.get_by_role("link", name=re.compile("^Træk tilbage")).click()
    expect(chp.get_by_role("heading", level=1)).to_contain_text("Træk samtykke tilbage")
    warning = chp.get_by_role("heading", name="Det sker, når du trækker samtykket tilbage")
    expect(warning).to_be_visible()
    expect(
        chp.get_by_text("Toften (forsorgshjem) mister adgangen til planen med det samme.")
    ).to_be_visible()
    expect(
        chp.get_by_text("Center for Handicap og Psykiatri beholder adgangen", exact=False)
    ).to_be_visible()
    axe_check(chp, context="withdraw consent, confirm")
    screenshot(chp, "withdraw-consent-confirm-1280")
    narrow = browsing(width=390).login("chp.caseworker")
    narrow.goto(chp.url)
    expect(narrow.get_by_text("mister adgangen til planen med det samme")).to_be_visible()
    axe_check(narrow, context="withdraw consent, confirm, 390 px")
    screenshot(narrow, "withdraw-consent-confirm-390")
    _fits(narrow)

    chp.get_by_role("button", name="Træk samtykket tilbage").click()
    expect(chp.get_by_text("Samtykket er trukket tilbage.")).to_be_visible()
    expect(chp.get_by_text("Toften (forsorgshjem) har mistet adgangen til planen.")).to_be_visible()
    expect(chp.get_by_role("row").filter(has_text="Toften")).to_contain_text("Trukket tilbage")
    axe_check(chp, context="citizen page, consent withdrawn")
    screenshot(chp, "citizen-page-consent-withdrawn-1280")

    # At once: Toften's next request for the plan finds nothing, and My work no longer lists it.
    response = toften.goto(plan_url)
    assert response is not None
    assert response.status == 404
    expect(toften.get_by_text("Mette Jensen")).to_have_count(0)
    toften.goto("/")
    expect(toften.get_by_role("link", name="Mette Jensen")).to_have_count(0)


def test_a_caseworker_breaks_the_glass_and_lands_on_the_plan(browsing):
    page = browsing().login("toften.caseworker")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Borgere").click()
    page.get_by_label("Navn eller CPR-nummer").fill("0101801234")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_text("Ingen borger fundet.")).to_be_visible()
    page.get_by_role("link", name="Bryd glasset").click()
    expect(page.get_by_role("heading", name="Bryd glasset", level=1)).to_be_visible()
    expect(page.get_by_text("Planens tovholder og dine ledere får besked")).to_be_visible()
    axe_check(page, context="break the glass, empty")

    # Without a reason nothing opens, and the page says why.
    page.get_by_label("Borgerens CPR-nummer").fill("010180-1234")
    page.get_by_role("button", name="Bryd glasset og åbn planen").click()
    expect(page.get_by_label("Hvorfor har du brug for adgang nu?")).to_have_accessible_description(
        re.compile("Skriv, hvorfor du har brug for adgang")
    )
    axe_check(page, context="break the glass, no reason")
    screenshot(page, "break-the-glass-error-1280")

    page.get_by_label("Hvorfor har du brug for adgang nu?").fill(
        "Jens er kommet akut ind på Toften, og vi skal kende hans aftaler."
    )
    page.get_by_role("button", name="Bryd glasset og åbn planen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    expect(page.get_by_text("Du har læseadgang til denne plan indtil")).to_be_visible()
    axe_check(page, context="plan after breaking the glass")
    screenshot(page, "break-the-glass-plan-1280")
