"""The managers' effect page in a real browser: opened from the menu, a period chosen, the
charts and their tables, the CSV download, a reversed period; refused to a caseworker."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from apps.audit.models import AccessEvent
from tests.browser.conftest import axe_check, screenshot

STATUS = "Planer efter status"
GOALS = "Afsluttede mål efter resultat"


def _narrow_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"


def _field(page, name: str):
    # The date fields are optional ("Fra (valgfrit)"); the heading of the figures names the
    # period too, so the field is found by its role.
    return page.get_by_role("textbox", name=re.compile(rf"^{name}\b"))


def test_a_manager_follows_the_effect_for_a_period_and_downloads_it(browsing):
    start = (timezone.localdate() - dt.timedelta(days=90)).isoformat()
    end = timezone.localdate().isoformat()
    for width, name in ((1280, "effect-desktop"), (390, "effect-390")):
        page = browsing(width=width).login("chp.manager")
        menu = page.get_by_role("navigation", name="Hovedmenu")
        menu.get_by_role("link", name="Effekt").click()
        expect(page.get_by_role("heading", name="Effekt", level=1)).to_be_visible()
        expect(
            page.get_by_text(re.compile("Center for Handicap og Psykiatri deltager i"))
        ).to_be_visible()
        for title in ("Opfølgninger holdt til tiden", "Borgere, der følte sig hørt"):
            expect(page.get_by_role("heading", name=title)).to_be_visible()
        axe_check(page, context=f"effect {width}")

        _field(page, "Fra").fill(start)
        _field(page, "Til").fill(end)
        page.get_by_role("button", name="Vis", exact=True).click()
        expect(page).to_have_url(re.compile(rf"from={start}&to={end}"))
        expect(_field(page, "Fra")).to_have_value(start)
        for title in (STATUS, GOALS):
            expect(page.get_by_role("img", name=title)).to_be_visible()
        expect(page.get_by_role("img", name=STATUS)).to_contain_text("Aktiv")
        for summary in page.get_by_text(re.compile("^Tallene bag")).all():
            summary.click()
        status = page.get_by_role("table", name=STATUS)
        expect(status.get_by_role("row")).to_have_count(4)  # a header, three statuses
        expect(status.get_by_role("row", name=re.compile("Kladde"))).to_contain_text("færre end 5")
        goals = page.get_by_role("table", name=GOALS)
        expect(goals.get_by_role("row")).to_have_count(5)
        expect(goals.get_by_role("row", name=re.compile("Delvist nået"))).to_be_visible()
        axe_check(page, context=f"effect {width} with the tables open")
        if width == 390:
            _narrow_fits(page)
        screenshot(page, name)

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som CSV").click()
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["Kode", "Tal", "Værdi"]
    values = {code: value for code, _label, value in rows[1:]}
    assert (values["from"], values["to"]) == (start, end)
    assert values["organisation"] == "Center for Handicap og Psykiatri"
    assert "plans_by_status.active" in values
    read = AccessEvent.objects.filter(object_type="effect_report", outcome="allowed").latest("id")
    assert read.actor.username == "chp.manager"
    assert read.detail == {"from": start, "to": end}

    # A period that ends before it starts: the message by the field, no figures.
    _field(page, "Fra").fill(end)
    _field(page, "Til").fill(start)
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_text("Slutdatoen ligger før startdatoen.")).to_be_visible()
    expect(_field(page, "Til")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("img")).to_have_count(0)
    expect(page.get_by_role("link", name="Hent som CSV")).to_have_count(0)
    axe_check(page, context="effect with an error")
    screenshot(page, "effect-error")


def test_a_caseworker_has_no_effect_page(browsing):
    page = browsing().login("chp.caseworker")
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Effekt")).to_have_count(0)
    assert page.goto("/effect/").status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen adgang")
