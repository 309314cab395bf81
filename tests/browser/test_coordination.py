"""Coordination in a real browser: reviews with their frozen versions and what changed,
handovers between two people, the inbox with its header count, and a discharge prompting a
review on My work. Every page in every state is checked with axe; the main ones are
photographed at desktop width and at 390 px."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from apps.access.context import actor_for
from apps.coordination.models import Handover, Review
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.organisations.models import Membership
from apps.plans.models import Plan
from apps.plans.parts import goal_save
from tests.browser.conftest import axe_check, screenshot


def _mette() -> Plan:
    return Plan.objects.select_related("citizen").get(citizen__name="Mette Jensen")


def _fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} scrolls sideways at 390 px ({width} px wide)"


def _record_review(page, plan: Plan, *, outcome: str, view: str, months_ahead: int) -> None:
    page.goto(f"/plans/{plan.pk}/reviews/")
    page.get_by_role("link", name="Registrér et opfølgningsmøde").click()
    expect(
        page.get_by_role("heading", name="Registrér et opfølgningsmøde", level=1)
    ).to_be_visible()
    page.get_by_label("Rusmiddelcentret").check()
    page.get_by_label("Center for Handicap og Psykiatri").check()
    page.get_by_label("Borgeren deltog").check()
    page.get_by_label("Andre, der deltog").fill("Hanne Jensen (mor)")
    page.get_by_label("Borgerens egen vurdering").fill(view)
    page.get_by_label(outcome).check()
    next_review = timezone.localdate() + dt.timedelta(days=30 * months_ahead)
    page.get_by_label("Næste opfølgning").fill(next_review.isoformat())
    page.get_by_role("button", name="Gem opfølgningen").click()
    expect(page.get_by_text("Opfølgningen er registreret")).to_be_visible()


def test_the_coordinator_records_reviews_and_reads_what_changed(browsing):
    plan = _mette()
    page = browsing().login("chp.caseworker")
    page.goto(f"/plans/{plan.pk}/reviews/")
    # The demo's two earlier meetings (about five and two months ago) are there already.
    seeded = Review.objects.filter(plan=plan).count()
    assert seeded == 2
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(1 + seeded)
    axe_check(page, context="agreed versions, the demo's two")

    # A form sent without the date of the next review is shown again with the message there.
    page.get_by_role("link", name="Registrér et opfølgningsmøde").click()
    expect(page.get_by_role("button", name="Gem opfølgningen")).to_be_visible()
    axe_check(page, context="review form")
    screenshot(page, "review-form-desktop")
    page.get_by_label("fortsæt").check()
    page.get_by_label("Borgerens egen vurdering").fill("Jeg sover bedre nu.")
    page.get_by_role("button", name="Gem opfølgningen").click()
    field = page.get_by_label("Næste opfølgning")
    expect(field).to_have_attribute("aria-invalid", "true")
    # The message is tied to the field, and listed above the form with a link to it.
    expect(field).to_have_accessible_description(re.compile("Aftal datoen for næste opfølgning."))
    expect(page.get_by_role("link", name=re.compile("Aftal datoen"))).to_be_visible()
    expect(page.get_by_label("Borgerens egen vurdering")).to_have_value("Jeg sover bedre nu.")
    axe_check(page, context="review form with an error")
    screenshot(page, "review-form-error-desktop")
    assert Review.objects.count() == seeded

    _record_review(page, plan, outcome="fortsæt", view="Jeg sover bedre nu.", months_ahead=1)
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2 + seeded)  # the header, the new agreed version, the demo's
    axe_check(page, context="agreed versions, one")

    # Between the meetings the goal is changed (the plan page's own editing is tested there).
    plan.refresh_from_db()
    goal = plan.goals.get()
    actor = actor_for(Membership.objects.get(user__username="chp.caseworker").user, None)
    goal_save(
        actor=actor,
        plan_id=plan.pk,
        expected_version=plan.version,
        goal_id=goal.pk,
        data={"text": "Jeg vil se mine børn hver weekend."},
    )
    _record_review(page, plan, outcome="ret planen", view="Det går godt.", months_ahead=2)
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3 + seeded)

    # The newest version comes first.
    page.get_by_role("link", name=re.compile("Ændringer siden den forrige")).first.click()
    expect(
        page.get_by_role("heading", name="Hvad er ændret i planen for Mette Jensen")
    ).to_be_visible()
    expect(page.get_by_role("deletion").filter(has_text="uge.")).to_be_visible()
    expect(page.get_by_role("insertion").filter(has_text="weekend.")).to_be_visible()
    expect(page.get_by_role("heading", name="Mål")).to_be_visible()
    assert "{" not in page.get_by_role("main").inner_text()
    axe_check(page, context="what changed")
    screenshot(page, "review-diff-desktop")

    # The first agreed version still reads as it was agreed.
    page.get_by_role("link", name="Alle aftalte versioner").click()
    page.get_by_label("Fra opfølgningen").select_option(index=1)
    page.get_by_label("Til opfølgningen").select_option(index=0)
    page.get_by_role("button", name="Vis ændringerne").click()
    expect(page.get_by_role("insertion").filter(has_text="weekend.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Læs version")).first.click()
    expect(page.get_by_text("Jeg vil se mine børn hver uge.")).to_be_visible()
    expect(page.get_by_text("Jeg sover bedre nu.")).to_be_visible()
    axe_check(page, context="one agreed version")

    narrow = browsing(width=390).login("chp.caseworker")
    first, second = Review.objects.order_by("id").values_list("pk", flat=True)[seeded:]
    for url, name in [
        (f"/plans/{plan.pk}/reviews/{first}/diff/{second}/", "review-diff-390"),
        (f"/plans/{plan.pk}/reviews/new/", "review-form-390"),
        (f"/plans/{plan.pk}/reviews/", "reviews-390"),
    ]:
        narrow.goto(url)
        axe_check(narrow, context=name)
        _fits(narrow, name)
        screenshot(narrow, name)


def test_a_handover_is_proposed_accepted_and_then_declined(browsing):
    plan = _mette()
    chp = browsing().login("chp.caseworker")
    chp.goto(f"/plans/{plan.pk}/handover/")
    axe_check(chp, context="handover form")
    chp.get_by_label("Ny tovholder").select_option(label="Lise Holm (Rusmiddelcentret)")
    chp.get_by_label("Besked til den nye tovholder").fill("Mette starter i behandling hos jer.")
    chp.get_by_role("button", name="Foreslå overdragelsen").click()
    expect(chp.get_by_text("Overdragelsen er foreslået.")).to_be_visible()
    expect(chp.get_by_text("Venter på svar")).to_be_visible()
    axe_check(chp, context="handover, proposer")
    screenshot(chp, "handover-proposer-desktop")

    # The receiver, in a browser of their own, finds it in the inbox and on My work.
    addiction_browser = browsing()
    addiction = addiction_browser.login("addiction.caseworker")
    waiting = addiction.get_by_role("heading", name="Overdragelser, der venter på mit svar")
    expect(waiting).to_be_visible()
    expect(addiction.get_by_role("link", name=re.compile(r"Indbakke\s*1 ulæste"))).to_be_visible()
    _header_inbox(addiction).click()
    row = addiction.get_by_role("row", name=re.compile("Mette Jensen"))
    expect(row).to_contain_text("Du bliver bedt om at overtage som tovholder for planen.")
    axe_check(addiction, context="inbox, receiver")
    row.get_by_role("link", name=re.compile("Du bliver bedt om")).click()
    expect(addiction.get_by_text("Mette starter i behandling hos jer.")).to_be_visible()
    axe_check(addiction, context="handover, receiver")
    screenshot(addiction, "handover-receiver-desktop")
    addiction.get_by_role("button", name="Sig ja og bliv tovholder").click()
    expect(addiction.get_by_text("Du er nu tovholder for planen.")).to_be_visible()
    plan.refresh_from_db()
    assert plan.coordinator_user.username == "addiction.caseworker"
    addiction.get_by_role("link", name="Mit arbejde").click()
    coordinated = addiction.locator("h2", has_text="Planer, jeg er tovholder for")
    expect(coordinated).to_be_visible()
    expect(addiction.get_by_role("link", name="Mette Jensen").first).to_be_visible()
    axe_check(addiction, context="My work after accepting")

    # The new coordinator proposes it back; Sofie declines, with a reason.
    addiction.goto(f"/plans/{plan.pk}/handover/")
    addiction.get_by_label("Ny tovholder").select_option(
        label="Sofie Berg (Center for Handicap og Psykiatri)"
    )
    addiction.get_by_role("button", name="Foreslå overdragelsen").click()
    expect(addiction.get_by_text("Venter på svar")).to_be_visible()

    chp.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Overdragelser"
    ).click()
    section = chp.get_by_role("table").first
    section.get_by_role("link", name=re.compile("Mette Jensen")).click()
    chp.get_by_role("link", name="Afvis").click()
    expect(chp.get_by_role("heading", name="Afvis overdragelsen", level=1)).to_be_visible()
    expect(chp.get_by_text("Lise Holm (Rusmiddelcentret) forbliver tovholder")).to_be_visible()
    axe_check(chp, context="decline, confirm page")
    chp.get_by_role("button", name="Afvis overdragelsen").click()
    reason = chp.get_by_label("Hvorfor afviser du?")
    expect(reason).to_have_accessible_description(re.compile("Skriv en begrundelse"))
    axe_check(chp, context="decline, without a reason")
    screenshot(chp, "handover-decline-error-desktop")
    reason.fill("Vi har ikke plads i teamet før februar.")
    chp.get_by_role("button", name="Afvis overdragelsen").click()
    expect(chp.get_by_text("Du har afvist overdragelsen.")).to_be_visible()
    assert Handover.objects.filter(state="declined").count() == 1
    axe_check(chp, context="my handovers after declining")

    _header_inbox(addiction).click()
    declined = addiction.get_by_role("link", name="Overdragelsen af planen blev afvist.")
    expect(declined).to_be_visible()
    declined.click()
    expect(addiction.get_by_text("Vi har ikke plads i teamet før februar.")).to_be_visible()
    axe_check(addiction, context="declined handover")

    narrow = browsing(width=390).login("addiction.caseworker")
    handover = Handover.objects.filter(state="declined").get()
    narrow.goto(f"/handovers/{handover.pk}/")
    axe_check(narrow, context="handover 390")
    _fits(narrow, "handover")
    screenshot(narrow, "handover-390")
    narrow.goto("/handovers/")
    axe_check(narrow, context="handovers 390")
    _fits(narrow, "handovers")


def _header_inbox(page):
    return page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name=re.compile("Indbakke")
    )


def test_the_inbox_marks_one_and_all_read_and_the_header_follows(browsing):
    plan = _mette()
    user = Membership.objects.get(user__username="chp.caseworker").user
    today = timezone.localdate()
    for kind, due in [
        (Notification.Kind.REVIEW_UPCOMING, today + dt.timedelta(days=3)),
        (Notification.Kind.REVIEW_DUE, today),
        (Notification.Kind.REVIEW_OVERDUE, today - dt.timedelta(days=2)),
    ]:
        notification_create(kind=kind, recipient=user, plan=plan, due=due)
    page = browsing().login("chp.caseworker")
    expect(_header_inbox(page)).to_have_accessible_name(re.compile(r"Indbakke\s*3 ulæste"))
    _header_inbox(page).click()
    expect(page.get_by_role("heading", name="Indbakke", level=1)).to_be_visible()
    expect(
        page.get_by_role("link", name="Opfølgningen af planen skal holdes i dag.")
    ).to_be_visible()
    axe_check(page, context="inbox, three unread")
    screenshot(page, "inbox-desktop")

    # Marking one read swaps its row's status in place and the header's count with it.
    url = page.url
    page.get_by_role("button", name=re.compile("Markér som læst")).first.focus()
    page.keyboard.press("Enter")
    expect(_header_inbox(page)).to_have_accessible_name(re.compile(r"Indbakke\s*2 ulæste"))
    # The pressed button is gone; the keyboard focus is on the row's new status.
    page.wait_for_function("document.activeElement.textContent.trim() === 'Læst'")
    expect(page.get_by_text("Læst", exact=True)).to_have_count(1)
    assert page.url == url
    assert Notification.objects.filter(recipient=user, read_at__isnull=False).count() == 1
    axe_check(page, context="inbox, one read")

    page.get_by_role("button", name="Markér alle som læst").click()
    expect(page.get_by_text("2 beskeder er markeret som læst.")).to_be_visible()
    expect(_header_inbox(page)).to_have_accessible_name("Indbakke")
    expect(page.get_by_text("Læst", exact=True)).to_have_count(3)
    expect(page.get_by_role("button", name="Markér alle som læst")).to_have_count(0)
    axe_check(page, context="inbox, all read")

    Notification.objects.filter(recipient=user).update(read_at=None)
    narrow = browsing(width=390).login("chp.caseworker")
    narrow.goto("/notifications/")
    axe_check(narrow, context="inbox 390")
    _fits(narrow, "inbox")
    screenshot(narrow, "inbox-390")


def test_a_discharge_prompts_the_coordinator_on_my_work(browsing):
    plan = _mette()
    psychiatry = browsing().login("psychiatry.caseworker")
    psychiatry.goto(f"/plans/{plan.pk}/hospital-events/new/")
    axe_check(psychiatry, context="hospital event form")
    psychiatry.get_by_label("udskrivning", exact=True).check()
    psychiatry.get_by_label("Dato").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    psychiatry.get_by_role("button", name="Registrér").click()
    day = psychiatry.get_by_label("Dato")
    expect(day).to_have_accessible_description(re.compile("Datoen kan ikke ligge i fremtiden."))
    axe_check(psychiatry, context="hospital event form with an error")
    psychiatry.get_by_label("Dato").fill(timezone.localdate().isoformat())
    psychiatry.get_by_role("button", name="Registrér").click()
    expect(psychiatry.get_by_text("Udskrivningen er registreret.")).to_be_visible()

    coordinator = browsing().login("chp.caseworker")
    heading = coordinator.get_by_role(
        "heading", name="Indlæggelser og udskrivninger, der kræver handling"
    )
    expect(heading).to_be_visible()
    expect(coordinator.get_by_role("link", name="Mette Jensen").first).to_be_visible()
    axe_check(coordinator, context="My work with a review prompt")
    _header_inbox(coordinator).click()
    prompt = coordinator.get_by_role(
        "link", name=re.compile("En udskrivning den .* er registreret")
    )
    expect(prompt).to_be_visible()
    axe_check(coordinator, context="inbox with a review prompt")
