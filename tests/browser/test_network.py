"""The citizen's network and the other actors, in a real browser: Jens Hansen's coordinator adds
his brother with what he may be told, sees him on the plan and in "Min plan", is told in place
when the relation is missing; and adds the jobcentre, whose caseworker then adds an effort."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from apps.plans.models import Plan
from tests.browser.conftest import SCREENSHOTS, axe_check, screenshot


def _jens_plan() -> Plan:
    return Plan.objects.get(citizen__name="Jens Hansen")


def _open_jens(person: Any, username: str = "addiction.caseworker") -> Any:
    page = person.login(username)
    page.goto("/plans/")
    page.get_by_role("link", name="Jens Hansen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    # A full page load would lose this; an in-place (htmx) update keeps it.
    page.evaluate("window.kipSamePage = true")
    return page


def _network(page: Any) -> Any:
    return page.get_by_role("region", name="Netværk og pårørende")


def test_a_caseworker_adds_a_relative_and_min_plan_shows_what_he_may_be_told(browsing):
    plan = _jens_plan()
    start = plan.version
    page = _open_jens(browsing())
    page.on("dialog", lambda dialog: dialog.accept())
    network = _network(page)
    # The demo's sister, with what she may be told and that she takes part in meetings.
    sister = network.get_by_role("listitem").filter(has_text="Susanne Hansen")
    expect(sister).to_contain_text("(søster)")
    expect(sister).to_contain_text("Det må de få at vide")
    expect(sister).to_contain_text("Ikke noget om behandlingen.")
    expect(sister.get_by_text("Deltager i møderne")).to_be_visible()

    network.get_by_role("link", name="Tilføj en person fra netværket").click()
    network.get_by_label("Navn").fill("Peter Hansen")
    network.get_by_label("Relation til borgeren").fill("bror")
    network.get_by_label("Sådan får man fat i dem").fill("Tlf. 30 11 22 33")
    network.get_by_label("Det må de få at vide").fill("Hvordan det går med at finde et arbejde.")
    network.get_by_label("Deltager i møderne").check()
    axe_check(page, context="network form")
    network.get_by_role("button", name="Gem").click()
    expect(network.get_by_text("Gemt.")).to_be_visible()
    brother = network.get_by_role("listitem").filter(has_text="Peter Hansen")
    expect(brother).to_contain_text("(bror)")
    expect(brother).to_contain_text("Tlf. 30 11 22 33")
    expect(brother).to_contain_text("Hvordan det går med at finde et arbejde.")
    expect(brother.get_by_text("Deltager i møderne")).to_be_visible()

    # Without a relation: the design system's error above the field, what was typed kept.
    network.get_by_role("link", name="Tilføj en person fra netværket").click()
    network.get_by_label("Navn").fill("Karen Holm")
    network.get_by_role("button", name="Gem").click()
    relation = network.get_by_label("Relation til borgeren")
    expect(relation).to_have_attribute("aria-invalid", "true")
    expect(relation).to_have_accessible_description(re.compile("Feltet skal udfyldes"))
    expect(network.get_by_label("Navn")).to_have_value("Karen Holm")
    axe_check(page, context="network form with an error")
    screenshot(page, "network-form-error")
    network.get_by_role("link", name="Annullér").click()
    expect(network.get_by_role("link", name="Tilføj en person fra netværket")).to_be_visible()
    assert page.evaluate("window.kipSamePage === true"), "the page was reloaded"
    axe_check(page, context="plan page with the network")
    screenshot(page, "plan-network")

    # "Min plan": everyone in the network, with what each may be told.
    page.get_by_role("link", name="“Min plan” til borgeren (til udskrift)").click()
    expect(page.get_by_role("heading", name="Min plan", level=1)).to_be_visible()
    heading = page.get_by_role("heading", name="Dit netværk og dine pårørende", level=2)
    expect(heading).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Peter Hansen")).to_contain_text(
        "Det må de få at vide: Hvordan det går med at finde et arbejde."
    )
    expect(page.get_by_role("listitem").filter(has_text="Susanne Hansen")).to_contain_text(
        "Det må de få at vide: Hvornår møderne er"
    )
    expect(page.get_by_text("Tlf. 30 11 22 33")).to_have_count(0)
    axe_check(page, context="Min plan with the network")
    screenshot(page, "my-plan-network")

    # Back on the plan: he is taken off it again.
    page.get_by_role("link", name="Tilbage til planen").click()
    network = _network(page)
    network.get_by_role("button", name="Fjern Peter Hansen").click()
    expect(network.get_by_text("Peter Hansen")).to_have_count(0)
    plan.refresh_from_db()
    assert plan.version == start + 2  # added, removed; the refused one saved nothing
    assert [m.name for m in plan.network.all()] == ["Susanne Hansen"]


def test_the_coordinator_adds_the_jobcentre_and_its_caseworker_adds_an_effort(browsing):
    page = _open_jens(browsing())
    participants = page.get_by_role("region", name="Tovholder og deltagere")
    expect(participants).to_contain_text("Samtykket omfatter også: Jobcenter Slagelse.")
    participants.get_by_role("link", name="Ret deltagere").click()
    participants.get_by_label("Tilføj en organisation").select_option(label="Jobcenter Slagelse")
    participants.get_by_role("button", name="Tilføj", exact=True).click()
    expect(participants.get_by_text("Gemt.")).to_be_visible()
    expect(
        participants.get_by_role("listitem").filter(has_text="Jobcenter Slagelse")
    ).to_contain_text("Omfattet af samtykke")

    camilla = browsing().login("jobcentre.caseworker")
    camilla.goto(f"/plans/{_jens_plan().pk}/")
    expect(camilla.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    efforts = camilla.get_by_role("region", name="Indsatser")
    efforts.get_by_role("link", name="Tilføj en indsats for Jobcenter Slagelse").click()
    efforts.get_by_label("Hvad vi gør").fill("Afklaring af job og uddannelse.")
    efforts.get_by_label("Ansvarlig").select_option(label="Camilla Vestergaard")
    efforts.get_by_role("button", name="Gem").click()
    expect(efforts.get_by_text("Gemt.")).to_be_visible()
    expect(efforts.get_by_role("heading", name="Jobcenter Slagelse")).to_be_visible()
    expect(efforts.get_by_text("Afklaring af job og uddannelse.", exact=True)).to_be_visible()
    axe_check(camilla, context="plan page, jobcentre caseworker")
    assert _jens_plan().efforts.filter(organisation__slug="jobcentre").count() == 1


def test_the_network_fits_a_narrow_screen(browsing):
    page = _open_jens(browsing(width=390))
    network = _network(page)
    network.get_by_role("link", name="Ret Susanne Hansen").click()
    expect(network.get_by_label("Relation til borgeren")).to_have_value("søster")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    axe_check(page, context="network form, 390 px")
    network.screenshot(path=str(SCREENSHOTS / "network-form-390.png"))
