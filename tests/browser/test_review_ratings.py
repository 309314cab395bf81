"""The citizen's ratings at a review meeting, in a real browser: the coordinator rates Mette
Jensen's goal with her and asks how the meeting was; a rating out of range comes back on its
field; the review page and what changed since the demo's last meeting read as Danish text."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from apps.coordination.models import GoalRating, Review
from apps.plans.models import Plan
from tests.browser.conftest import axe_check, screenshot

DASH = "\N{EN DASH}"


def _mette() -> Plan:
    return Plan.objects.select_related("citizen").get(citizen__name="Mette Jensen")


def test_the_coordinator_records_the_citizens_ratings_and_reads_them(browsing):
    plan = _mette()
    seeded = Review.objects.filter(plan=plan).count()
    page = browsing().login("chp.caseworker")
    page.goto(f"/plans/{plan.pk}/reviews/")
    page.get_by_role("link", name="Registrér et opfølgningsmøde").click()

    goal = page.get_by_role("group", name="Målet “Jeg vil se mine børn hver uge.”")
    expect(goal).to_be_visible()
    goal.get_by_label("Borgeren: Hvor er du nu?").fill("7")
    goal.get_by_label("Med borgerens egne ord").fill("Jeg har set dem hver uge siden sidst.")
    goal.get_by_label("Tovholderens vurdering").fill("8")
    goal.get_by_label("Tovholderens note").fill("Samværet holder.")
    page.get_by_label("Borgeren deltog").check()
    page.get_by_label("Borgeren er enig i planen").check()
    meeting = page.get_by_role("group", name="Borgerens vurdering af mødet")
    meeting.get_by_label("Jeg følte mig hørt og forstået").fill("9")
    meeting.get_by_label("Vi talte om det, der er vigtigt for mig").fill("8")
    meeting.get_by_label("Alt i alt var mødet godt for mig").fill("11")
    page.get_by_label("fortsæt").check()
    next_review = timezone.localdate() + dt.timedelta(days=60)
    page.get_by_label("Næste opfølgning").fill(next_review.isoformat())
    axe_check(page, context="review form with ratings")
    screenshot(page, "review-ratings-form-desktop")

    # 11 is out of range: the form comes back with the message on that field, all kept.
    page.get_by_role("button", name="Gem opfølgningen").click()
    overall = page.get_by_label("Alt i alt var mødet godt for mig")
    expect(overall).to_have_attribute("aria-invalid", "true")
    expect(overall).to_have_accessible_description(
        re.compile("En vurdering er et helt tal fra 0 til 10.")
    )
    expect(overall).to_have_value("11")
    expect(page.get_by_role("link", name=re.compile("En vurdering er et helt tal"))).to_be_visible()
    expect(goal.get_by_label("Med borgerens egne ord")).to_have_value(
        "Jeg har set dem hver uge siden sidst."
    )
    expect(goal.get_by_label("Borgeren: Hvor er du nu?")).to_have_value("7")
    axe_check(page, context="review form with a rating out of range")
    screenshot(page, "review-ratings-form-error-desktop")
    assert Review.objects.filter(plan=plan).count() == seeded

    overall.fill("8")
    page.get_by_role("button", name="Gem opfølgningen").click()
    expect(page.get_by_text("Opfølgningen er registreret")).to_be_visible()
    review = Review.objects.filter(plan=plan).latest("id")
    rating = GoalRating.objects.get(review=review)
    assert (rating.citizen, rating.professional) == (7, 8)
    assert (review.heard, review.what_matters, review.approach, review.overall) == (9, 8, None, 8)
    assert review.citizen_agreed

    # The newest agreed version is first in the list.
    page.get_by_role("link", name=re.compile("læs aftalt version")).first.click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Hvor er borgeren nu?")).to_be_visible()
    expect(
        main.get_by_text(f"7 af 10 {DASH} “Jeg har set dem hver uge siden sidst.”")
    ).to_be_visible()
    expect(main.get_by_text(f"8 af 10 {DASH} Samværet holder.")).to_be_visible()
    expect(main.get_by_role("heading", name="Borgerens vurdering af mødet")).to_be_visible()
    expect(main.get_by_text("Jeg følte mig hørt og forstået")).to_be_visible()
    expect(main.get_by_text("Borgeren er enig i planen")).to_be_visible()
    assert "{" not in main.inner_text()
    axe_check(page, context="review page with ratings")
    screenshot(page, "review-ratings-page-desktop")

    # Since the demo's last meeting (5 then, 6 for the coordinator), the ratings moved.
    page.get_by_role("link", name="Hvad er ændret siden den forrige aftalte version").click()
    expect(page.get_by_role("heading", name="Vurderinger")).to_be_visible()
    expect(page.get_by_role("deletion").filter(has_text="5 af 10")).to_be_visible()
    expect(page.get_by_role("insertion").filter(has_text="7 af 10")).to_be_visible()
    axe_check(page, context="what changed, with ratings")
    screenshot(page, "review-ratings-diff-desktop")
