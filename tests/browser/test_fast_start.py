"""Fast start and the safety net in a real browser: a caseworker marks the citizen motivated
and sees by when the first effort must have started; a coordinator whose citizen's consent
runs out within 30 days finds the warning in the inbox (after a sweep) and on the plan page.
Each page is checked with axe and photographed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from apps.citizens.models import Consent
from apps.notifications.reminders import reminders_sweep
from apps.notifications.workdays import working_days_add
from apps.plans.models import Plan
from tests.browser.conftest import axe_check, screenshot


def _plan(name: str) -> Plan:
    return Plan.objects.select_related("citizen").get(citizen__name=name)


def _danish(day: dt.date) -> str:
    with override("da"):
        return date_format(day, "DATE_FORMAT")


def test_a_caseworker_marks_the_citizen_motivated_and_sees_the_deadline(browsing):
    plan = _plan("Jens Hansen")
    page = browsing().login("chp.caseworker")  # Sofie Berg: her organisation takes part
    page.goto(f"/plans/{plan.pk}/")
    box = page.locator("#section-faststart")
    expect(box.get_by_role("heading", name="Hurtig start")).to_be_visible()
    field = box.get_by_label("Borgeren blev motiveret den")
    expect(field).to_have_value(timezone.localdate().isoformat())
    axe_check(page, context="plan page with the fast start form")
    box.get_by_role("button", name="Borgeren er motiveret nu").click()
    due = working_days_add(timezone.localdate(), 5)
    expect(
        box.get_by_text(f"Første indsats skal være i gang senest {_danish(due)}.")
    ).to_be_visible()
    expect(box.get_by_role("status")).to_contain_text("Gemt")
    axe_check(page, context="plan page with the fast start deadline")
    screenshot(page, "fast-start-deadline-desktop")
    plan.refresh_from_db()
    assert (plan.motivated_on, plan.first_effort_due) == (timezone.localdate(), due)

    # A day ahead is refused on the form, said at the field.
    box.get_by_role("link", name="Ret datoen").click()
    field = box.get_by_label("Borgeren blev motiveret den")
    field.fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    box.get_by_role("button", name="Gem datoen").click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(box.get_by_text("Datoen kan ikke ligge i fremtiden.")).to_be_visible()
    axe_check(page, context="fast start form with an error")
    plan.refresh_from_db()
    assert plan.motivated_on == timezone.localdate()


def test_a_coordinator_sees_a_consent_running_out_in_the_inbox_and_on_the_plan(browsing):
    plan = _plan("Jens Hansen")  # coordinated by Lise Holm (addiction.caseworker)
    consent = Consent.objects.get(citizen=plan.citizen, withdrawn_at__isnull=True)
    expires = timezone.now() + dt.timedelta(days=20)
    Consent.objects.filter(pk=consent.pk).update(expires_at=expires)
    reminders_sweep()
    day = _danish(timezone.localdate(expires))

    page = browsing().login("addiction.caseworker")
    page.goto("/notifications/")
    row = page.get_by_role("row").filter(has_text="Samtykket til")
    expect(row).to_contain_text(f"udløber {day}")
    expect(row).to_contain_text("Jens Hansen")
    axe_check(page, context="inbox with a consent running out")
    screenshot(page, "inbox-consent-expiring-desktop")

    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    participants = page.locator("#section-participants")
    expect(participants.get_by_text(f"udløber {day}.").first).to_be_visible()
    axe_check(page, context="plan page with consent running out")
    screenshot(page, "plan-consent-expiring-desktop")
