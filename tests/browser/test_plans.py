"""The plan pages in a real browser: a new plan in one sitting, editing each section in place,
two people editing one goal at once, "Min plan", and the break-the-glass banner."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from apps.access.context import actor_for
from apps.citizens.services import citizen_register, consent_give
from apps.organisations.models import Organisation
from apps.plans.models import Goal, Plan
from tests.browser.conftest import DEMO_PASSWORD, axe_check, screenshot

FREE_CPR = "0202902345"


class Interactions:
    """Counts what a person does: each click, fill, check or select is one interaction."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator: Any, text: str) -> None:
        self.count += 1
        locator.fill(text)

    def check(self, locator: Any) -> None:
        self.count += 1
        locator.check()


def _free_citizen(name: str = "Else Jensen") -> Any:
    """A citizen the addiction centre registered, consent for addiction and CHP, no plan yet."""
    user = get_user_model().objects.get(username="addiction.caseworker")
    orgs = {o.slug: o for o in Organisation.objects.all()}
    actor = actor_for(user, orgs["addiction"].pk)
    citizen = citizen_register(actor=actor, cpr_number=FREE_CPR, name=name)
    consent_give(
        actor=actor,
        citizen_id=citizen.pk,
        organisation_ids=[orgs["addiction"].pk, orgs["chp"].pk],
        form="written",
        given_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    return citizen


def _jens_plan() -> Plan:
    return Plan.objects.get(citizen__name="Jens Hansen")


def test_a_new_user_starts_a_shared_plan_in_at_most_12_interactions(browsing):
    citizen = _free_citizen()
    person = browsing()
    page = person.page
    act = Interactions()
    page.goto("/login/")
    act.fill(page.get_by_label("Brugernavn"), "addiction.caseworker")
    act.fill(page.get_by_label("Adgangskode"), DEMO_PASSWORD)
    act.click(page.get_by_role("button", name="Log ind"))
    act.click(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Planer"))
    act.click(page.get_by_role("link", name="Start en ny plan"))

    expect(page.get_by_role("heading", name="1. Borger")).to_be_visible()
    axe_check(page, context="new plan, step 1")
    screenshot(page, "new-plan-1-citizen-desktop")
    act.check(page.get_by_role("radio", name=re.compile("Else Jensen")))
    act.click(page.get_by_role("button", name="Næste"))

    expect(page.get_by_role("heading", name="2. Hvem er med")).to_be_visible()
    # The consent covers addiction and CHP: both offered and ticked; the others are named
    # with the reason they are not offered.
    expect(page.get_by_role("checkbox", name="Rusmiddelcentret")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Center for Handicap og Psykiatri")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("Toften"))).to_have_count(0)
    expect(page.get_by_text(re.compile("Ikke omfattet af borgerens samtykke"))).to_be_visible()
    expect(page.get_by_label("Tovholder")).to_have_value(re.compile(r"^\d+:\d+$"))
    axe_check(page, context="new plan, step 2")
    screenshot(page, "new-plan-2-people-desktop")
    act.click(page.get_by_role("button", name="Næste"))

    expect(page.get_by_role("heading", name="3. Mål")).to_be_visible()
    axe_check(page, context="new plan, step 3")
    act.fill(page.get_by_label("Mål 1"), "Jeg vil have mit eget sted at bo.")
    screenshot(page, "new-plan-3-goals-desktop")
    act.click(page.get_by_role("button", name="Næste"))

    expect(page.get_by_role("heading", name="4. Opfølgning og aktivering")).to_be_visible()
    axe_check(page, context="new plan, step 4")
    screenshot(page, "new-plan-4-activate-desktop")
    act.click(page.get_by_role("button", name="Aktivér planen"))

    expect(page.get_by_text("Planen er aktiv og delt med")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Else Jensen")
    assert act.count <= 12, f"{act.count} interactions from login to a shared plan"
    plan = Plan.objects.get(citizen=citizen)
    assert plan.status == Plan.Status.ACTIVE
    assert {p.organisation.slug for p in plan.participations.all()} == {"addiction", "chp"}
    assert [g.text for g in plan.goals.all()] == ["Jeg vil have mit eget sted at bo."]
    axe_check(page, context="the new plan")


def test_the_new_plan_steps_fit_a_narrow_screen(browsing):
    _free_citizen()
    page = browsing(width=390).login("addiction.caseworker")
    page.goto("/plans/new/")
    expect(page.get_by_text("Trin 1 af 4: Borger")).to_be_visible()
    _no_sideways_scroll(page)
    axe_check(page, context="new plan, 390 px")
    screenshot(page, "new-plan-1-citizen-390")
    page.get_by_role("radio", name=re.compile("Else Jensen")).check()
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_text("Trin 2 af 4: Hvem er med")).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "new-plan-2-people-390")


def test_a_step_with_an_error_is_shown_again_with_the_message(browsing):
    _free_citizen()
    page = browsing().login("addiction.caseworker")
    page.goto("/plans/new/")
    page.get_by_role("radio", name=re.compile("Else Jensen")).check()
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("checkbox", name="Rusmiddelcentret").uncheck()
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_text("Din egen organisation skal deltage i planen.")).to_be_visible()
    axe_check(page, context="new plan, step 2 with an error")


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"


# --- the plan page -------------------------------------------------------------------------


def _open_jens(person: Any, username: str = "addiction.caseworker") -> Any:
    page = person.login(username)
    page.goto("/plans/")
    page.get_by_role("link", name="Jens Hansen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    # A full page load would lose this; an in-place (htmx) update keeps it.
    page.evaluate("window.kipSamePage = true")
    return page


def _still_same_page(page: Any) -> None:
    assert page.evaluate("window.kipSamePage === true"), "the page was reloaded"


def _section(page: Any, name: str) -> Any:
    return page.get_by_role("region", name=name)


def test_the_plan_page_shows_the_plan_on_desktop_and_a_narrow_screen(browsing):
    page = _open_jens(browsing())
    goals = _section(page, "Borgerens mål")
    expect(
        goals.get_by_text("“Jeg vil have min egen lejlighed og holde mig fra hash.”")
    ).to_be_visible()
    expect(_section(page, "Indsatser")).to_contain_text("Lise Holm")
    expect(_section(page, "Tovholder og deltagere")).to_contain_text("Omfattet af samtykke")
    expect(_section(page, "Næste opfølgning")).to_be_visible()
    axe_check(page, context="plan page, coordinator")
    screenshot(page, "plan-desktop")
    narrow = browsing(width=390)
    page = _open_jens(narrow)
    _no_sideways_scroll(page)
    axe_check(page, context="plan page, 390 px")
    screenshot(page, "plan-390")


def test_each_section_is_edited_in_place(browsing):
    plan = _jens_plan()
    start = plan.version
    page = _open_jens(browsing())
    page.on("dialog", lambda dialog: dialog.accept())
    writes = 0

    goals = _section(page, "Borgerens mål")
    goals.get_by_role("link", name="Ret mål 1").click()
    goals.get_by_label("Målet med borgerens egne ord").fill("Jeg vil have min egen lejlighed.")
    goals.get_by_label("Er målet afsluttet?").select_option(label="Nej, vi arbejder stadig på det")
    axe_check(page, context="goal form")
    goals.get_by_role("button", name="Gem").click()
    expect(goals.get_by_text("Gemt.")).to_be_visible()
    expect(goals.get_by_text("“Jeg vil have min egen lejlighed.”")).to_be_visible()
    writes += 1
    goals.get_by_role("link", name="Tilføj et mål").click()
    goals.get_by_label("Målet med borgerens egne ord").fill("Jeg vil se min søster.")
    goals.get_by_role("button", name="Gem").click()
    expect(goals.get_by_text("“Jeg vil se min søster.”")).to_be_visible()
    writes += 1

    assessment = _section(page, "Vurdering fordelt på livsområder")
    assessment.get_by_role("link", name="Ret vurderingen").click()
    assessment.get_by_role("group", name="Bolig").get_by_label("Det, der er svært").fill(
        "Bor hos sin søster indtil videre."
    )
    axe_check(page, context="assessment form")
    assessment.get_by_role("button", name="Gem").click()
    expect(assessment.get_by_text("Bor hos sin søster indtil videre.")).to_be_visible()
    writes += 1

    efforts = _section(page, "Indsatser")
    efforts.get_by_role("link", name=re.compile("^Ret indsatsen")).click()
    efforts.get_by_label("Hvad vi gør").fill("Samtaler hver tirsdag.")
    efforts.get_by_label("Status").select_option(label="aktiv")
    axe_check(page, context="effort form")
    efforts.get_by_role("button", name="Gem").click()
    expect(efforts.get_by_text("Samtaler hver tirsdag.", exact=True)).to_be_visible()
    writes += 1

    agreements = _section(page, "Aftaler frem til næste møde")
    agreements.get_by_role("link", name="Tilføj en aftale").click()
    agreements.get_by_label("Hvad er aftalt").fill("Ring til boligkontoret.")
    agreements.get_by_label("Hvem").select_option(label="Sofie Berg")
    agreements.get_by_label("Hvornår").fill(
        (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    )
    axe_check(page, context="agreement form")
    agreements.get_by_role("button", name="Gem").click()
    expect(agreements.get_by_text("Ring til boligkontoret.")).to_be_visible()
    expect(agreements).to_contain_text("Sofie Berg (Center for Handicap og Psykiatri)")
    writes += 1

    review = _section(page, "Næste opfølgning")
    review.get_by_role("link", name="Ret datoen").click()
    review.get_by_label("Næste opfølgning").fill(
        (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    )
    review.get_by_role("button", name="Gem").click()
    expect(review.get_by_text("Gemt.")).to_be_visible()
    writes += 1

    participants = _section(page, "Tovholder og deltagere")
    participants.get_by_role("link", name="Ret deltagere").click()
    axe_check(page, context="participants form")
    participants.get_by_role("button", name="Fjern Psykiatrien, Region Sjælland").click()
    expect(participants.get_by_text("Gemt.")).to_be_visible()
    expect(participants).not_to_contain_text("Psykiatrien, Region Sjælland (")
    writes += 1

    goals.get_by_role("button", name="Fjern mål 2").click()
    expect(goals.get_by_text("“Jeg vil se min søster.”")).to_have_count(0)
    writes += 1

    _still_same_page(page)
    axe_check(page, context="plan page after the edits")
    plan.refresh_from_db()
    assert plan.version == start + writes  # every save went through, none was a conflict
    assert [g.text for g in plan.goals.all()] == ["Jeg vil have min egen lejlighed."]
    assert plan.assessment["housing"] == "Bor hos sin søster indtil videre."
    assert not plan.participations.filter(organisation__slug="psychiatry").exists()


def test_a_form_error_is_shown_in_place_and_the_form_keeps_what_was_typed(browsing):
    page = _open_jens(browsing())
    review = _section(page, "Næste opfølgning")
    review.get_by_role("link", name="Ret datoen").click()
    too_late = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    review.get_by_label("Næste opfølgning").fill(too_late)
    review.get_by_role("button", name="Gem").click()
    expect(review.get_by_text("Næste opfølgning må højst ligge seks måneder frem.")).to_be_visible()
    expect(review.get_by_label("Næste opfølgning")).to_have_value(too_late)
    expect(review.get_by_label("Næste opfølgning")).to_have_attribute("aria-invalid", "true")
    _still_same_page(page)
    axe_check(page, context="next review with an error")


def test_two_people_edit_the_same_goal_and_merge(browsing):
    plan = _jens_plan()
    start = plan.version
    lise = _open_jens(browsing())
    sofie = _open_jens(browsing(), "chp.caseworker")
    for page in (lise, sofie):
        _section(page, "Borgerens mål").get_by_role("link", name="Ret mål 1").click()
    sofies = _section(sofie, "Borgerens mål")
    sofies.get_by_label("Målet med borgerens egne ord").fill("Jeg vil have en lejlighed i Køge.")
    sofies.get_by_role("button", name="Gem").click()
    expect(sofies.get_by_text("Gemt.")).to_be_visible()

    lises = _section(lise, "Borgerens mål")
    lises.get_by_label("Målet med borgerens egne ord").fill("Jeg vil holde mig fra hash.")
    lises.get_by_role("button", name="Gem").click()
    expect(lises.get_by_text("En anden har ændret planen, mens du skrev")).to_be_visible()
    table = lises.get_by_role("table")
    changed = table.get_by_role("row", name=re.compile("Målet med borgerens egne ord"))
    expect(changed).to_contain_text("Forskellig")
    expect(changed).to_contain_text("Jeg vil have en lejlighed i Køge.")
    expect(changed).to_contain_text("Jeg vil holde mig fra hash.")
    expect(table.get_by_role("row", name=re.compile("^Er målet afsluttet"))).not_to_contain_text(
        "Forskellig"
    )
    _still_same_page(lise)
    axe_check(lise, context="conflict view")
    screenshot(lise, "conflict-desktop")
    assert (
        Goal.objects.get(plan=plan).text == "Jeg vil have en lejlighed i Køge."
    )  # not overwritten

    merged = "Jeg vil have en lejlighed i Køge og holde mig fra hash."
    lises.get_by_label("Målet med borgerens egne ord").fill(merged)
    lises.get_by_role("button", name="Gem den flettede version").click()
    expect(lises.get_by_text("Gemt.")).to_be_visible()
    expect(lises.get_by_text(f"“{merged}”")).to_be_visible()
    plan.refresh_from_db()
    assert Goal.objects.get(plan=plan).text == merged
    assert plan.version == start + 2  # Sofie's save and the merge: nothing else, nothing lost
    axe_check(lise, context="after the merge")


def test_the_conflict_view_fits_a_narrow_screen(browsing):
    plan = _jens_plan()
    page = _open_jens(browsing(width=390))
    goals = _section(page, "Borgerens mål")
    goals.get_by_role("link", name="Ret mål 1").click()
    # The form is in place before the other person writes (one database, two threads).
    expect(goals.get_by_label("Målet med borgerens egne ord")).to_be_visible()
    from apps.plans.parts import goal_save

    goal = plan.goals.get()
    sofie = get_user_model().objects.get(username="chp.caseworker")
    actor = actor_for(sofie, Organisation.objects.get(slug="chp").pk)
    goal_save(
        actor=actor,
        plan_id=plan.pk,
        expected_version=plan.version,
        goal_id=goal.pk,
        data={"text": "Sofie skrev dette i mellemtiden."},
    )
    goals.get_by_label("Målet med borgerens egne ord").fill("Lise skrev dette.")
    goals.get_by_role("button", name="Gem").click()
    expect(goals.get_by_text("En anden har ændret planen, mens du skrev")).to_be_visible()
    _no_sideways_scroll(page)
    axe_check(page, context="conflict view, 390 px")
    screenshot(page, "conflict-390")
    goals.get_by_role("button", name="Behold min version").click()
    expect(goals.get_by_text("“Lise skrev dette.”")).to_be_visible()


def test_my_plan_prints_in_plain_words(browsing):
    page = _open_jens(browsing())
    page.get_by_role("link", name="“Min plan” til borgeren (til udskrift)").click()
    expect(page.get_by_role("heading", name="Min plan", level=1)).to_be_visible()
    for heading in (
        "Dine mål",
        "Hvem gør hvad",
        "Det har vi aftalt",
        "Din tovholder",
        "Næste møde",
    ):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(page.get_by_text("Din tovholder er Lise Holm fra Rusmiddelcentret.")).to_be_visible()
    expect(page.get_by_role("button", name="Udskriv")).to_be_visible()
    axe_check(page, context="Min plan")
    screenshot(page, "my-plan-desktop")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_hidden()
    expect(page.get_by_role("button", name="Udskriv")).to_be_hidden()
    screenshot(page, "my-plan-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Tilbage til planen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    narrow = browsing(width=390).login("addiction.caseworker")
    narrow.goto(f"/plans/{_jens_plan().pk}/print/")
    _no_sideways_scroll(narrow)
    axe_check(narrow, context="Min plan, 390 px")
    screenshot(narrow, "my-plan-390")


def test_break_the_glass_shows_a_banner_and_no_controls(browsing):
    from apps.audit.breakglass import break_glass_open

    karin = get_user_model().objects.get(username="toften.caseworker")
    actor = actor_for(karin, Organisation.objects.get(slug="toften").pk)
    break_glass_open(actor=actor, cpr_number="0101801234", reason="Fundet forvirret om natten")
    page = browsing().login("toften.caseworker")
    page.goto(f"/plans/{_jens_plan().pk}/")
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Nødadgang (bryd glasset)")
    expect(banner).to_contain_text("Fundet forvirret om natten")
    expect(page.get_by_role("link", name=re.compile("^Ret"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Fjern"))).to_have_count(0)
    axe_check(page, context="plan under break the glass")
    screenshot(page, "plan-break-glass")


def test_a_manager_reads_the_plan_without_controls(browsing):
    page = browsing().login("addiction.manager")
    page.goto(f"/plans/{_jens_plan().pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jens Hansen")
    expect(page.get_by_role("link", name=re.compile("^(Ret|Tilføj)"))).to_have_count(0)
    expect(page.get_by_role("button")).to_have_count(3)  # log out and the two languages
    axe_check(page, context="plan page, manager")


def test_the_plan_page_by_keyboard_alone(browsing):
    page = _open_jens(browsing())
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Gå til sidens indhold")).to_be_focused()
    controls = page.evaluate(
        "Array.from(document.querySelectorAll('main a[href], main button,"
        " main input:not([type=hidden]), main select, main textarea'))"
        ".filter(e => e.offsetParent !== null).length"
    )
    page.keyboard.press("Enter")
    # The skip link moves the focus to the content; Tab goes on from there.
    expect(page.get_by_role("main")).to_be_focused()
    reached = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        # A date field takes a Tab for each of its parts (day, month, year): count each
        # control once.
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " window.kipSeen = window.kipSeen || new Set();"
            " const first = !window.kipSeen.has(e); window.kipSeen.add(e);"
            " return [e.tagName, (e.textContent || '').trim().slice(0, 40), !!e.closest('main'),"
            " s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, first]; })()"
        )
        if focused[0] == "BODY" or not focused[2]:
            break
        assert focused[3], f"no visible focus on {focused[0]} {focused[1]!r}"
        reached += focused[4]
    assert reached == controls, f"Tab reached {reached} of the {controls} controls"
    # And a section is edited by keyboard: the form takes the focus where it appears.
    _section(page, "Borgerens mål").get_by_role("link", name="Ret mål 1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Målet med borgerens egne ord")).to_be_focused()
    page.keyboard.type(" Og have et arbejde.")
    page.keyboard.press("Tab")  # status
    page.keyboard.press("Tab")  # save
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Gemt.")).to_be_focused()
    assert "Og have et arbejde." in _jens_plan().goals.get().text


def test_the_coordinator_closes_the_plan_after_a_confirm(browsing):
    page = _open_jens(browsing())
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("link", name="Afslut planen").click()
    expect(page.get_by_role("heading", name="Afslut planen for Jens Hansen")).to_be_visible()
    axe_check(page, context="close the plan")
    page.get_by_role("button", name="Afslut planen").click()  # no reason chosen
    expect(page.get_by_text("Feltet skal udfyldes.")).to_be_visible()
    assert not _jens_plan_closed()
    axe_check(page, context="close the plan, with an error")
    page.get_by_role("radio", name="målene er nået").check()
    page.get_by_role("button", name="Afslut planen").click()
    expect(page.get_by_text("Planen er afsluttet.")).to_be_visible()
    assert asked == ["Vil du afslutte planen nu? Det kan ikke fortrydes."] * 2
    expect(page.get_by_role("link", name=re.compile("^Ret"))).to_have_count(0)
    assert _jens_plan_closed()
    axe_check(page, context="closed plan")


def _jens_plan_closed() -> bool:
    return Plan.objects.filter(citizen__name="Jens Hansen", status=Plan.Status.CLOSED).exists()
