"""Managers' pages in a real browser: the trail with its filters, pages and CSV, unusual access,
the break-the-glass review, the overview's charts; and the citizen's access report."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from apps.access import audit
from apps.access.context import actor_for
from apps.audit import selectors
from apps.audit.breakglass import break_glass_open
from apps.audit.models import AccessEvent, BreakGlass
from apps.citizens import cpr
from apps.citizens.models import Citizen
from apps.coordination.models import Handover
from apps.organisations.models import Organisation
from apps.plans.models import Plan
from tests.browser.conftest import axe_check, screenshot

JENS = "0101801234"


def _actor(username: str, slug: str):
    user = get_user_model().objects.get(username=username)
    return actor_for(user, Organisation.objects.get(slug=slug).pk)


def _jens() -> Citizen:
    return Citizen.objects.get(cpr_hash=cpr.lookup_hash(JENS))


def _reads_of_jens(n: int) -> None:
    """chp's caseworker opens Jens Hansen's plan ``n`` times (more than a page of the trail)."""
    jens = _jens()
    plan = Plan.objects.get(citizen=jens)
    actor = _actor("chp.caseworker", "chp")
    audit.write([audit.event(actor, "view", "plan", plan.pk, citizen_id=jens.pk)] * n)


def _narrow_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"


def test_a_manager_filters_the_trail_pages_it_and_downloads_the_csv(browsing):
    _reads_of_jens(60)
    page = browsing().login("addiction.manager")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Adgangslog").click()
    expect(page.get_by_role("heading", name="Adgangslog", level=1)).to_be_visible()
    axe_check(page, context="trail")

    page.get_by_label("Borger").fill("010180-1234")  # by CPR number
    page.get_by_label("Handling").select_option(label="Visning")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page).to_have_url(re.compile(rf"citizen_id={_jens().pk}&action=view"))
    assert "010180" not in page.url  # the form posts; the address names the citizen by id
    expect(page.get_by_label("Borger")).to_have_value("Jens Hansen")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(51)  # a header and a page of fifty
    expect(table).to_contain_text("Plan: Jens Hansen")
    expect(table).not_to_contain_text("Listevisning")
    expect(page.get_by_role("status")).to_contain_text("50 hændelser")
    axe_check(page, context="trail filtered")
    screenshot(page, "audit-trail-desktop")
    manager = _actor("addiction.manager", "addiction")
    jens_views = selectors.events_filter(
        selectors.events_visible_to(manager), {"citizen": _jens().pk, "action": "view"}
    )
    total = jens_views.count()
    assert total > 50

    page.get_by_role("link", name="Næste side").click()
    expect(page).to_have_url(re.compile(r"before=\d+"))
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(total - 50 + 1)
    expect(page.get_by_role("link", name="Næste side")).to_have_count(0)
    # The filters stay as they were.
    expect(page.get_by_label("Borger")).to_have_value("Jens Hansen")
    page.get_by_role("link", name="Forrige side").click()
    expect(page).to_have_url(re.compile(r"after=\d+"))
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(51)
    # The browser's own back button works too, and no page of the log stays behind in the
    # browser's storage (htmx keeps no history snapshots here).
    page.go_back()
    expect(page).to_have_url(re.compile(r"before=\d+"))
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(total - 50 + 1)
    page.go_forward()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(51)
    stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    assert "Jens Hansen" not in stored

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som CSV").click()
    path = Path(download.value.path())
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    exported = [int(r["id"]) for r in rows]
    assert len(exported) > 50
    assert {(r["action"], r["citizen_id"]) for r in rows} == {("view", str(_jens().pk))}
    expected = jens_views.filter(id__lte=max(exported))
    assert exported == sorted(expected.values_list("id", flat=True))
    export = AccessEvent.objects.filter(action="export", object_type="accessevent").latest("id")
    assert export.actor.username == "addiction.manager"
    assert export.detail["query"]["action"] == "view"

    # A period that ends before it starts: the message stands by the field, nothing is shown.
    page.get_by_label("Fra").fill("2026-02-01")
    page.get_by_label("Til").fill("2026-01-01")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_text("Slutdatoen ligger før startdatoen.")).to_be_visible()
    expect(page.get_by_label("Til")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("table")).to_have_count(0)
    axe_check(page, context="trail with an error")
    screenshot(page, "audit-trail-error")


def test_the_trail_fits_a_narrow_screen(browsing):
    _reads_of_jens(3)
    page = browsing(width=390).login("addiction.manager")
    page.goto("/audit/?citizen=Jens+Hansen")
    expect(page.get_by_role("heading", name="Adgangslog", level=1)).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Jens Hansen")
    _narrow_fits(page)
    axe_check(page, context="trail, 390 px")
    screenshot(page, "audit-trail-390")


def test_a_manager_sees_a_refused_attempt_under_unusual_access(browsing):
    plan = Plan.objects.get(citizen=_jens())
    outsider = browsing().login("toften.caseworker")
    outsider.goto(f"/plans/{plan.pk}/")  # toften takes no part: refused and recorded
    page = browsing().login("addiction.manager")
    page.goto("/audit/")
    page.get_by_role("link", name="Usædvanlig adgang").click()
    expect(page.get_by_role("heading", name="Usædvanlig adgang", level=1)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Karin Mortensen"))
    expect(row.first).to_contain_text("Afvist forsøg")
    expect(row.first).to_contain_text("Afvist")
    axe_check(page, context="unusual access")
    screenshot(page, "audit-unusual")
    narrow = browsing(width=390).login("addiction.manager")
    narrow.goto("/audit/unusual/")
    expect(narrow.get_by_text("Afvist forsøg").first).to_be_visible()
    _narrow_fits(narrow)
    axe_check(narrow, context="unusual access, 390 px")
    screenshot(narrow, "audit-unusual-390")


def test_a_manager_reviews_a_break_the_glass_use(browsing):
    grant = break_glass_open(
        actor=_actor("toften.caseworker", "toften"),
        cpr_number=JENS,
        reason="Indlagt akut, skal kende planen",
    )
    page = browsing().login("toften.manager")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Adgangslog").click()
    page.get_by_role("link", name="Nødadgang til gennemgang").click()
    expect(page.get_by_role("heading", name="Nødadgang til gennemgang", level=1)).to_be_visible()
    waiting = page.get_by_role("listitem").filter(has_text="Indlagt akut, skal kende planen")
    expect(waiting).to_contain_text("Karin Mortensen (Toften (forsorgshjem))")
    expect(waiting).to_contain_text("Jens Hansen")
    axe_check(page, context="break-the-glass queue")
    screenshot(page, "audit-break-glass-waiting")
    narrow = browsing(width=390).login("toften.manager")
    narrow.goto("/audit/break-glass/")
    expect(narrow.get_by_text("Indlagt akut, skal kende planen")).to_be_visible()
    _narrow_fits(narrow)
    axe_check(narrow, context="break-the-glass queue, 390 px")
    screenshot(narrow, "audit-break-glass-390")
    waiting.get_by_label("Note fra gennemgangen").fill("Berettiget: borgeren var indlagt.")
    waiting.get_by_role(
        "button", name="Markér som gennemgået: nødadgang ved Karin Mortensen"
    ).click()
    expect(page.get_by_text("Gennemgangen er gemt.")).to_be_visible()
    expect(page.get_by_text("Ingen nødadgang venter på gennemgang.")).to_be_visible()
    reviewed = page.get_by_role("row", name=re.compile("Berettiget: borgeren var indlagt."))
    expect(reviewed).to_contain_text("Henrik Dahl")
    grant.refresh_from_db()
    assert grant.reviewed_by.username == "toften.manager"
    assert grant.review_note == "Berettiget: borgeren var indlagt."
    assert BreakGlass.objects.filter(reviewed_at__isnull=True).count() == 0
    axe_check(page, context="break-the-glass reviewed")
    screenshot(page, "audit-break-glass-reviewed")


def _some_history() -> None:
    """Jens Hansen's review (addiction coordinates) overdue for about three weeks, Mette
    Jensen's (chp) for about seven, and a handover to addiction waiting for ten days."""
    today = timezone.localdate()
    jens = Plan.objects.get(citizen=_jens())
    mette = Plan.objects.get(citizen__cpr_hash=cpr.lookup_hash("1505924321"))
    ahmed = Plan.objects.get(citizen__cpr_hash=cpr.lookup_hash("2302754567"))
    Plan.objects.filter(pk=jens.pk).update(next_review=today - dt.timedelta(days=20))
    Plan.objects.filter(pk=mette.pk).update(next_review=today - dt.timedelta(days=50))
    Plan.objects.filter(pk__in=[jens.pk, mette.pk, ahmed.pk]).update(
        created=timezone.now() - dt.timedelta(days=200)
    )
    users = get_user_model().objects
    handover = Handover.objects.create(
        plan=ahmed,
        from_user=users.get(username="toften.caseworker"),
        from_organisation=Organisation.objects.get(slug="toften"),
        to_user=users.get(username="addiction.caseworker"),
        to_organisation=Organisation.objects.get(slug="addiction"),
        proposed_by=users.get(username="toften.caseworker"),
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    Handover.objects.filter(pk=handover.pk).update(created=timezone.now() - dt.timedelta(days=10))


def test_a_manager_views_the_overview_with_charts_and_their_tables(browsing):
    _some_history()
    for width, name in ((1280, "overview-desktop"), (390, "overview-390")):
        page = browsing(width=width).login("addiction.manager")
        menu = page.get_by_role("navigation", name="Hovedmenu")
        menu.get_by_role("link", name="Overblik").click()
        expect(page.get_by_role("heading", name="Overblik", level=1)).to_be_visible()
        for title in (
            "Overskredne opfølgninger pr. uge",
            "Ventende overdragelser pr. uge",
            "Planer pr. status",
        ):
            expect(page.get_by_role("img", name=title)).to_be_visible()
        status = page.get_by_role("img", name="Planer pr. status")
        # The seeded plans addiction takes part in: Jens Hansen, Mette Jensen (active), Ahmed
        # Nielsen (draft).
        expect(status).to_contain_text("Aktiv")
        axe_check(page, context=f"overview {width}")
        for summary in page.get_by_text(re.compile("^Tallene bag")).all():
            summary.click()
        table = page.get_by_role("table", name="Planer pr. status")
        expect(table.get_by_role("row", name=re.compile("Aktiv"))).to_contain_text("2")
        expect(table.get_by_role("row", name=re.compile("Kladde"))).to_contain_text("1")
        overdue = page.get_by_role("table", name="Overskredne opfølgninger pr. uge")
        expect(overdue.get_by_role("columnheader", name="Rusmiddelcentret")).to_be_visible()
        expect(
            overdue.get_by_role("columnheader", name="Center for Handicap og Psykiatri")
        ).to_be_visible()
        expect(overdue.get_by_role("row")).to_have_count(13)
        pending = page.get_by_role("table", name="Ventende overdragelser pr. uge")
        expect(pending.get_by_role("columnheader", name="Rusmiddelcentret")).to_be_visible()
        axe_check(page, context=f"overview {width} with the tables open")
        if width == 390:
            _narrow_fits(page)
        screenshot(page, name)


def test_a_caseworker_has_no_manager_pages(browsing):
    page = browsing().login("addiction.caseworker")
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Adgangslog")).to_have_count(0)
    expect(menu.get_by_role("link", name="Overblik")).to_have_count(0)
    for url in ("/audit/", "/audit/unusual/", "/audit/break-glass/", "/overview/"):
        assert page.goto(url).status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Ingen adgang")
    axe_check(page, context="a manager page refused to a caseworker")
    # And the access report is the caseworkers' to hand out: a manager is refused it in Danish.
    manager = browsing().login("addiction.manager")
    assert manager.goto(f"/citizens/{_jens().pk}/access-report/").status == 403
    expect(manager.get_by_role("heading", level=1)).to_have_text("Ingen adgang")


def test_the_citizens_access_report_in_the_sites_look_and_in_print(browsing):
    jens = _jens()
    for width, name in ((1280, "access-report-desktop"), (390, "access-report-390")):
        page = browsing(width=width).login("chp.caseworker")
        page.goto(f"/citizens/{jens.pk}/access-report/")
        expect(page.get_by_role("heading", name="Hvem har brugt dine oplysninger")).to_be_visible()
        expect(page.get_by_role("button", name="Udskriv")).to_be_visible()
        expect(page.get_by_role("link", name="Tilbage")).to_be_visible()
        expect(page.get_by_role("table")).to_contain_text("Rusmiddelcentret")
        expect(page.get_by_role("table")).not_to_contain_text("Borgerens ret til indsigt")
        axe_check(page, context=f"access report {width}")
        if width == 390:
            _narrow_fits(page)
        screenshot(page, name)
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_hidden()
    expect(page.get_by_role("button", name="Udskriv")).to_be_hidden()
    expect(page.get_by_text(re.compile("^Udskrevet"))).to_be_visible()
    screenshot(page, "access-report-print")
