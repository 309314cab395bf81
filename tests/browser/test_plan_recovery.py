"""The citizen at the centre of the plan, in a real browser: the coordinator writes what
matters to Jens Hansen, ties an effort to a goal, ends a goal as reached, and sees the
progress of a goal across reviews, on the plan page and in "Min plan"."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from apps.access.context import actor_for
from apps.coordination.reviews import review_record
from apps.organisations.models import Organisation
from apps.plans.models import Plan
from apps.plans.parts import goal_save
from tests.browser.conftest import axe_check, screenshot


def _jens_plan() -> Plan:
    return Plan.objects.get(citizen__name="Jens Hansen")


def _coordinator() -> Any:
    user = get_user_model().objects.get(username="addiction.caseworker")
    return actor_for(user, Organisation.objects.get(slug="addiction").pk)


def _rated_goal(plan: Plan) -> None:
    """A goal of our own with two reviews' ratings, so the chart has something to show."""
    actor = _coordinator()
    goal = goal_save(
        actor=actor,
        plan_id=plan.pk,
        expected_version=plan.version,
        data={"text": "Jeg vil sove bedre om natten."},
    )
    today = timezone.localdate()
    for days, citizen, professional in ((70, 2, 3), (40, 5, 4), (10, 7, 6)):
        plan.refresh_from_db()
        review_record(
            actor=actor,
            plan_id=plan.pk,
            expected_version=plan.version,
            held_on=today - datetime.timedelta(days=days),
            outcome="continue",
            next_review=today + datetime.timedelta(days=30),
            ratings=[{"goal": goal.pk, "citizen": citizen, "professional": professional}],
        )


def _section(page: Any, name: str) -> Any:
    return page.get_by_role("region", name=name)


def _open_jens(person: Any) -> Any:
    page = person.login("addiction.caseworker")
    page.goto("/plans/")
    page.get_by_role("link", name="Jens Hansen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    return page


def test_the_coordinator_puts_the_citizen_at_the_centre_of_the_plan(browsing):
    plan = _jens_plan()
    _rated_goal(plan)
    page = _open_jens(browsing())
    page.on("dialog", lambda dialog: dialog.accept())

    # What matters to Jens, in his own words.
    words = _section(page, "Det vigtige for borgeren")
    words.get_by_role("link", name="Ret det vigtige for borgeren").click()
    words.get_by_label("Det, der betyder mest for borgeren").fill("At være en god far for Emma.")
    words.get_by_label("Håb og drømme").fill("At få min egen lejlighed og et arbejde.")
    words.get_by_label("Ressourcer").fill("Jeg er god med hænderne. Min bror Peter hjælper mig.")
    axe_check(page, context="what matters form")
    words.get_by_role("button", name="Gem").click()
    expect(words.get_by_text("Gemt.")).to_be_visible()
    expect(words.get_by_text("“At være en god far for Emma.”")).to_be_visible()

    # A second goal, then our effort tied to the first goal.
    goals = _section(page, "Borgerens mål")
    goals.get_by_role("link", name="Tilføj et mål").click()
    goals.get_by_label("Målet med borgerens egne ord").fill("Jeg vil se min søster hver uge.")
    goals.get_by_role("button", name="Gem").click()
    expect(goals.get_by_text("“Jeg vil se min søster hver uge.”")).to_be_visible()
    expect(goals.get_by_text("Ingen indsats endnu").first).to_be_visible()

    efforts = _section(page, "Indsatser")
    efforts.get_by_role("link", name=re.compile("^Ret indsatsen")).first.click()
    served = efforts.get_by_role("group", name="Hvilke af borgerens mål støtter indsatsen?")
    served.get_by_label("“Jeg vil have min egen lejlighed og holde mig fra hash.”").check()
    axe_check(page, context="effort form with goals")
    efforts.get_by_role("button", name="Gem").click()
    expect(efforts.get_by_text("Gemt.")).to_be_visible()
    expect(efforts.get_by_text("Mål, indsatsen støtter:")).to_be_visible()

    # The goal of the effort shows the effort and its organisation (after a fresh look).
    page.reload()
    goals = _section(page, "Borgerens mål")
    first = goals.get_by_role("listitem").filter(
        has_text="Jeg vil have min egen lejlighed og holde mig fra hash."
    )
    expect(first.get_by_text("Indsatser for målet:")).to_be_visible()
    expect(first.get_by_text("(Rusmiddelcentret)").first).to_be_visible()

    # The sister goal is reached.
    sister = goals.get_by_role("listitem").filter(has_text="Jeg vil se min søster hver uge.")
    sister.get_by_role("link", name=re.compile("^Ret mål")).click()
    goals.get_by_label("Er målet afsluttet?").select_option(label="nået")
    expect(goals.get_by_label("Afsluttet den")).to_have_value(timezone.localdate().isoformat())
    axe_check(page, context="goal form with outcome")
    goals.get_by_role("button", name="Gem").click()
    expect(goals.get_by_text("Gemt.")).to_be_visible()
    expect(goals.get_by_role("heading", name="Afsluttede mål")).to_be_visible()
    ended = goals.get_by_role("listitem").filter(has_text="Jeg vil se min søster hver uge.")
    expect(ended.get_by_text("Nået", exact=True)).to_be_visible()

    # Progress across reviews: a chart, its legend, and the numbers as a table.
    rated = goals.get_by_role("listitem").filter(has_text="Jeg vil sove bedre om natten.")
    expect(rated.get_by_role("img", name=re.compile("Hvor er borgeren nu"))).to_be_visible()
    legend = rated.get_by_role("list", name="Signaturforklaring")
    expect(legend.get_by_text("Borgeren")).to_be_visible()
    expect(legend.get_by_text("Fagpersonen")).to_be_visible()
    rated.get_by_text("Vis vurderingerne som tabel").click()
    table = rated.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table.get_by_role("row").nth(3)).to_contain_text("7")
    axe_check(page, context="plan page with the citizen's words and progress")
    screenshot(page, "plan-recovery-desktop")

    plan.refresh_from_db()
    assert plan.what_matters == "At være en god far for Emma."
    assert plan.goals.get(text="Jeg vil se min søster hver uge.").outcome == "reached"
    assert plan.efforts.filter(goals__text__startswith="Jeg vil have min egen").exists()

    # "Min plan" shows it too.
    page.get_by_role("link", name="Min plan").click()
    expect(page.get_by_role("heading", name="Det vigtige for dig")).to_be_visible()
    expect(page.get_by_text("“At være en god far for Emma.”")).to_be_visible()
    expect(page.get_by_role("heading", name="Mål, der er afsluttet")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Hvor er borgeren nu"))).to_be_visible()
    axe_check(page, context="my plan with progress")
    screenshot(page, "my-plan-recovery-desktop")


def test_the_progress_reads_on_a_narrow_screen(browsing):
    _rated_goal(_jens_plan())
    page = _open_jens(browsing(width=390))
    goals = _section(page, "Borgerens mål")
    rated = goals.get_by_role("listitem").filter(has_text="Jeg vil sove bedre om natten.")
    expect(rated.get_by_role("img", name=re.compile("Hvor er borgeren nu"))).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    axe_check(page, context="plan page with progress, 390 px")
    screenshot(page, "plan-recovery-390")
    rated.scroll_into_view_if_needed()
    rated.screenshot(
        path=str(screenshot(page, "plan-recovery-390").parent / "goal-progress-390.png")
    )
