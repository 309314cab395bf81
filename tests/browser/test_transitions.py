"""Transitions in a real browser: Toften's caseworker hands Ahmed Nielsen's plan over to the
addiction centre as the step "fra forsorgshjem til egen bolig", the receiver accepts with a
note of their own, and the plan page's "Borgerens vej" shows the step with both notes; the new
coordinator then records a transition on its own in the section. Axe on every page."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from apps.coordination.models import Handover, Transition
from apps.plans.models import Plan
from tests.browser.conftest import axe_check, screenshot

HANDING_OVER = "Ahmed flytter i egen lejlighed 1. marts og vil gerne fortsætte samtalerne."
RECEIVING = "Vi holder første samtale i den nye bolig og tager bostøtten med på næste møde."


def test_a_handover_marked_as_a_transition_is_a_step_on_the_citizens_path(browsing):
    plan = Plan.objects.select_related("citizen").get(citizen__name="Ahmed Nielsen")
    toften = browsing().login("toften.caseworker")
    toften.goto(f"/plans/{plan.pk}/handover/")
    toften.get_by_label("Ny tovholder").select_option(label="Lise Holm (Rusmiddelcentret)")
    toften.get_by_label("Overgang (valgfrit)").select_option(
        label="fra forsorgshjem til egen bolig"
    )
    toften.get_by_label("Besked til den nye tovholder").fill(HANDING_OVER)
    axe_check(toften, context="handover form with a transition")
    screenshot(toften, "transition-handover-form-desktop")
    toften.get_by_role("button", name="Foreslå overdragelsen").click()
    expect(toften.get_by_text("Overdragelsen er foreslået.")).to_be_visible()
    handover = Handover.objects.get(plan=plan, state="proposed")
    assert Transition.objects.get(handover=handover).kind == "shelter_to_housing"

    # Not a step until accepted.
    toften.goto(f"/plans/{plan.pk}/")
    path = toften.get_by_role("region", name="Borgerens vej")
    expect(path).to_be_visible()
    expect(path.get_by_text("Fra forsorgshjem til egen bolig")).to_have_count(0)

    addiction = browsing().login("addiction.caseworker")
    addiction.goto(f"/handovers/{handover.pk}/")
    expect(addiction.get_by_text("Fra forsorgshjem til egen bolig").first).to_be_visible()
    note = addiction.get_by_label("Dit notat som modtagende part")
    expect(note).to_have_accessible_description(re.compile("Hvad du tager med videre"))
    note.fill(RECEIVING)
    axe_check(addiction, context="handover with a transition, receiver")
    screenshot(addiction, "transition-handover-accept-desktop")
    addiction.get_by_role("button", name="Sig ja og bliv tovholder").click()
    expect(addiction.get_by_text("Du er nu tovholder for planen.")).to_be_visible()

    path = addiction.get_by_role("region", name="Borgerens vej")
    step = path.get_by_role("listitem").filter(has_text="Fra forsorgshjem til egen bolig")
    expect(step).to_have_count(1)
    with translation.override("da"):
        expect(step).to_contain_text(date_format(timezone.localdate()))
    expect(step.get_by_text(HANDING_OVER)).to_be_visible()
    expect(step.get_by_text(RECEIVING)).to_be_visible()
    expect(step).to_contain_text("Karin Mortensen (Toften (forsorgshjem))")
    expect(step).to_contain_text("Lise Holm (Rusmiddelcentret)")
    expect(step).to_contain_text("Notat fra den afgivende part")
    expect(step).to_contain_text("Notat fra den modtagende part")
    # The plan's start comes first, the new step after it.
    steps = path.get_by_role("listitem")
    expect(steps.first).to_contain_text("Planen begyndte")
    expect(steps.last).to_contain_text("Fra forsorgshjem til egen bolig")
    axe_check(addiction, context="plan page with the citizen's path")
    path.scroll_into_view_if_needed()
    screenshot(addiction, "transition-path-desktop")

    # The new coordinator records a step on its own, in place; a day in the future is refused
    # on the field, with what was written kept.
    path.get_by_role("link", name="Registrér en overgang").click()
    kind = path.get_by_label("Overgang", exact=True)
    expect(kind).to_be_focused()
    kind.select_option(label="fra behandling til arbejde eller uddannelse")
    path.get_by_label("Organisation").select_option(label="Jobcenter Slagelse")
    path.get_by_label("Notat om overgangen").fill("Ahmed starter i praktik gennem jobcentret.")
    day = path.get_by_label("Dato")
    day.fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    path.get_by_role("button", name="Gem").click()
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(day).to_have_accessible_description(re.compile("kan ikke ligge i fremtiden"))
    expect(path.get_by_label("Notat om overgangen")).to_have_value(
        "Ahmed starter i praktik gennem jobcentret."
    )
    axe_check(addiction, context="transition form with an error")
    assert Transition.objects.filter(plan=plan).count() == 1
    day.fill(timezone.localdate().isoformat())
    path.get_by_role("button", name="Gem").click()
    expect(path.get_by_text("Gemt.")).to_be_visible()
    last = path.get_by_role("listitem").last
    expect(last).to_contain_text("Fra behandling til arbejde eller uddannelse")
    expect(last).to_contain_text("Jobcenter Slagelse")
    expect(last).to_contain_text("Ahmed starter i praktik gennem jobcentret.")
    axe_check(addiction, context="the citizen's path after recording a transition")

    # Toften leaves the plan, and its leaving is marked as a step with a note.
    addiction.on("dialog", lambda dialog: dialog.accept())
    participants = addiction.get_by_role("region", name="Tovholder og deltagere")
    participants.get_by_role("link", name="Ret deltagere").click()
    participants.get_by_text("Markér som en overgang").click()
    participants.get_by_label("Overgang, når Toften (forsorgshjem) forlader planen").select_option(
        label="anden overgang"
    )
    participants.get_by_label("Notat om overgangen, når Toften (forsorgshjem) forlader").fill(
        "Ahmed er flyttet fra Toften; Karin sender journalen videre."
    )
    axe_check(addiction, context="participants with a transition on leaving")
    screenshot(addiction, "transition-participants-desktop")
    participants.get_by_role("button", name="Fjern Toften (forsorgshjem)").click()
    expect(participants.get_by_text("Gemt.")).to_be_visible()
    addiction.reload()
    last = addiction.get_by_role("region", name="Borgerens vej").get_by_role("listitem").last
    expect(last).to_contain_text("Anden overgang")
    expect(last).to_contain_text("Toften (forsorgshjem)")
    expect(last).to_contain_text("Karin sender journalen videre.")

    narrow = browsing(width=390).login("addiction.caseworker")
    narrow.goto(f"/plans/{plan.pk}/#section-path")
    axe_check(narrow, context="plan page with the path at 390 px")
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the plan page scrolls sideways at 390 px ({width} px wide)"
    narrow.get_by_role("region", name="Borgerens vej").scroll_into_view_if_needed()
    screenshot(narrow, "transition-path-390")
