"""The discharge agreement in a real browser: the coordinator records an admission, makes a
discharge agreement with two tasks for named people and sees them on the plan; the person
responsible for one finds the reminder in their inbox when it is due, and marks it done;
"Min plan" tells the citizen who does what, what is still to be done first.
Every state is checked with axe; the plan page is photographed at desktop width and 390 px."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from apps.coordination.models import DischargeTask
from apps.notifications.reminders import reminders_sweep
from apps.plans.models import Plan
from tests.browser.conftest import axe_check, screenshot


def _mette() -> Plan:
    return Plan.objects.select_related("citizen").get(citizen__name="Mette Jensen")


def _short(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _long(day: dt.date) -> str:
    with translation.override("da"):
        return formats.date_format(day)


def _add_task(page, what: str, who: str, due: dt.date) -> None:
    section = page.locator("#section-discharge")
    section.get_by_label("Hvad skal gøres").fill(what)
    section.get_by_label("Hvem er ansvarlig").select_option(label=who)
    section.get_by_label("Hvornår").fill(due.isoformat())
    section.get_by_role("button", name="Gem").click()
    expect(section.get_by_text("Gemt.")).to_be_visible()


def test_a_discharge_agreement_from_admission_to_reminder(browsing):
    plan = _mette()
    today = timezone.localdate()
    coordinator = browsing().login("chp.caseworker")
    coordinator.goto(f"/plans/{plan.pk}/")
    coordinator.get_by_role("link", name="Registrér en indlæggelse eller udskrivning").click()
    coordinator.get_by_label("indlæggelse", exact=True).check()
    coordinator.get_by_label("Dato").fill((today - dt.timedelta(days=2)).isoformat())
    coordinator.get_by_role("button", name="Registrér").click()
    expect(coordinator.get_by_text("Indlæggelsen er registreret.")).to_be_visible()
    heading = coordinator.get_by_role("heading", name="Udskrivningsaftale", level=2)
    expect(heading).to_be_visible()
    axe_check(coordinator, context="plan page after an admission")

    coordinator.get_by_role("link", name="Lav udskrivningsaftale").click()
    expect(coordinator.get_by_label("Hvad skal gøres")).to_be_focused()
    axe_check(coordinator, context="new discharge task in place")
    # A date before the admission is refused on the field, what was typed kept.
    section = coordinator.locator("#section-discharge")
    section.get_by_label("Hvad skal gøres").fill("Bolig klar til udskrivning")
    section.get_by_label("Hvem er ansvarlig").select_option(label="Karin Mortensen")
    section.get_by_label("Hvornår").fill((today - dt.timedelta(days=5)).isoformat())
    section.get_by_role("button", name="Gem").click()
    expect(section.get_by_label("Hvornår")).to_have_accessible_description(
        re.compile("En opgave kan ikke have frist før indlæggelsen")
    )
    axe_check(coordinator, context="discharge task with an error")
    section.get_by_label("Hvornår").fill((today + dt.timedelta(days=1)).isoformat())
    section.get_by_role("button", name="Gem").click()
    expect(section.get_by_text("Gemt.")).to_be_visible()

    section.get_by_role("link", name="Tilføj en opgave").click()
    _add_task(coordinator, "Hente medicin på apoteket", "Lise Holm", today + dt.timedelta(days=3))

    table = section.get_by_role("table")
    rows = table.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two tasks, soonest first
    expect(rows.nth(1)).to_contain_text("Bolig klar til udskrivning")
    expect(rows.nth(1)).to_contain_text("Karin Mortensen (Toften (forsorgshjem))")
    expect(rows.nth(1)).to_contain_text(_short(today + dt.timedelta(days=1)))
    expect(rows.nth(2)).to_contain_text("Lise Holm (Rusmiddelcentret)")
    expect(rows.nth(2)).to_contain_text(_short(today + dt.timedelta(days=3)))
    coordinator.reload()  # as saved, on the plan page itself
    expect(coordinator.locator("#section-discharge").get_by_role("row")).to_have_count(3)
    axe_check(coordinator, context="plan page with a discharge agreement")
    screenshot(coordinator, "discharge-agreement")

    # The day comes: the task is due, and the sweep reminds the responsible person.
    housing = DischargeTask.objects.get(description="Bolig klar til udskrivning")
    DischargeTask.objects.filter(pk=housing.pk).update(due=today)
    reminders_sweep()
    karin = browsing().login("toften.caseworker")
    karin.goto("/notifications/")
    reminder = karin.get_by_role(
        "link", name=re.compile("Du har en opgave i udskrivningsaftalen, der skal være gjort")
    )
    expect(reminder).to_have_count(1)
    axe_check(karin, context="inbox with a discharge task reminder")
    reminder.click()
    section = karin.locator("#section-discharge")
    section.get_by_role("button", name="Markér som færdig Bolig klar til udskrivning").click()
    expect(section.get_by_text("Gemt.")).to_be_visible()
    expect(section.get_by_role("row").nth(1)).to_contain_text("Færdig")
    axe_check(karin, context="discharge task marked done")
    housing.refresh_from_db()
    assert housing.done

    narrow = browsing(width=390).login("chp.caseworker")
    narrow.goto(f"/plans/{plan.pk}/")
    expect(narrow.get_by_role("heading", name="Udskrivningsaftale")).to_be_visible()
    axe_check(narrow, context="discharge agreement at 390 px")
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the plan page scrolls sideways at 390 px ({width} px wide)"
    screenshot(narrow, "discharge-agreement-390")

    # The citizen's own plan tells them who does what when they leave the hospital.
    narrow.get_by_role("link", name="“Min plan” til borgeren (til udskrift)").click()
    expect(narrow.get_by_role("heading", name="Når du bliver udskrevet")).to_be_visible()
    tasks = narrow.get_by_role("listitem").filter(has_text="gør det senest den")
    expect(tasks).to_have_count(2)
    # What is still to be done first; the housing, done, after it though it was due sooner.
    expect(tasks.nth(0)).to_contain_text("Hente medicin på apoteket")
    expect(tasks.nth(0)).to_contain_text(
        f"Lise Holm fra Rusmiddelcentret gør det senest den {_long(today + dt.timedelta(days=3))}."
    )
    expect(tasks.nth(0)).not_to_contain_text("Det er gjort.")
    expect(tasks.nth(1)).to_contain_text("Bolig klar til udskrivning")
    expect(tasks.nth(1)).to_contain_text("Karin Mortensen fra Toften (forsorgshjem) gør det")
    expect(tasks.nth(1)).to_contain_text("Det er gjort.")
    axe_check(narrow, context="Min plan with the discharge agreement at 390 px")
    screenshot(narrow, "discharge-agreement-my-plan-390")
