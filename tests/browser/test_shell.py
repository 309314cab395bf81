"""The shell in a real browser: log in, My work, the menu, language, keyboard, accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_check, screenshot


def test_a_coordinator_logs_in_and_sees_the_review_due_today(browsing):
    person = browsing()
    page = person.login("chp.caseworker")
    expect(page.get_by_role("heading", name="Mit arbejde", level=1)).to_be_visible()
    reviews = page.get_by_role("table").first
    expect(reviews.get_by_role("row", name=re.compile("Mette Jensen"))).to_contain_text("I dag")
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
    axe_check(page, context="My work")
    screenshot(page, "my-work-desktop")


def test_my_work_fits_a_narrow_screen(browsing):
    person = browsing(width=390)
    page = person.login("addiction.caseworker")
    expect(page.get_by_role("heading", name="Mit arbejde")).to_be_visible()
    # The menu and "log out" are there on a phone too, not hidden behind a script.
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Borgere")).to_be_visible()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    axe_check(page, context="My work, 390 px")
    screenshot(page, "my-work-390")


def test_the_language_menu_switches_to_english_and_back(browsing):
    page = browsing().login("toften.caseworker")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", name="Mit arbejde", level=1)).to_be_visible()


def test_login_and_my_work_by_keyboard_alone(browsing):
    page = browsing().page
    page.goto("/login/")
    axe_check(page, context="login")
    # The login form puts the cursor in the username field.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("psychiatry.caseworker")
    page.keyboard.press("Tab")
    page.keyboard.type("kip-demo-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mit arbejde", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Gå til sidens indhold")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    # Every control on My work can be reached and shows where the focus is.
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.tagName, e.textContent.trim().slice(0, 40),"
            " s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0]; })()"
        )
        if focused[0] == "BODY":  # past the last control
            break
        assert focused[2], f"no visible focus on {focused[0]} {focused[1]!r}"
        seen.add(focused[1])
    assert "Jens Hansen" in seen


def test_a_manager_sees_no_caseworker_menu_and_is_not_asked_for_plans_to_edit(browsing):
    page = browsing().login("addiction.manager")
    expect(page.get_by_role("heading", name="Mit arbejde", level=1)).to_be_visible()
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Borgere")).to_have_count(0)
    axe_check(page, context="My work, manager")


def test_logging_out_leads_back_to_the_login_page(browsing):
    page = browsing().login("chp.caseworker")
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind", level=1)).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Log ind")).to_be_visible()
