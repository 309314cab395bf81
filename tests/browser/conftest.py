"""Browser tests: Debian's Chromium driven by Playwright against a live server with demo data.

Chromium comes from the system (``apt-get install chromium``), never from ``playwright
install``. Without it the tests skip, unless ``KIP_REQUIRE_SERVICES=1`` (CI), where they fail.
Pages are asked for in Danish (the browser's locale), found by role, label and text as a person
finds them, and checked with axe-core (serious and critical violations fail the test). Any
Content-Security-Policy violation or script error on a page fails the test too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("KIP_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "output" / "screenshots"
DEMO_PASSWORD = "kip-demo-2026"
# The flags a closed network needs: no background connections that would be refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(f"KIP_REQUIRE_SERVICES=1 but this test {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> None:
    """The demo organisations, people, citizens and plans, as ``make run`` seeds them."""
    settings.KIP_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", force=True, verbosity=0)


class Browsing:
    """One person's browser: pages in Danish, with every page's problems collected."""

    def __init__(self, browser: Any, base_url: str, width: int = 1280) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, locale="da-DK", viewport={"width": width, "height": 900}
        )
        self.context.set_default_timeout(10_000)
        self.problems: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A failed resource is reported with its address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        # Pages may answer 403/404 on purpose, and so may htmx asking for part of a page (a form
        # answered with its errors is a 400); what they load (styles, scripts) may not fail.
        request = response.request
        part_of_page = request.headers.get("hx-request") == "true" and response.status < 500
        if response.status >= 400 and request.resource_type != "document" and not part_of_page:
            self.problems.append(f"{response.status} for {response.url}")

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Any:
        page = self.page
        page.goto("/login/")
        page.get_by_label("Brugernavn").fill(username)
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_load_state()
        return page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browsing(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    """``browsing(width=1280)`` opens a fresh browser context (a person) on the live server."""
    opened: list[Browsing] = []

    def open_one(width: int = 1280) -> Browsing:
        one = Browsing(browser, live_server.url, width)
        opened.append(one)
        return one

    yield open_one
    problems = [p for one in opened for p in one.problems]
    for one in opened:
        one.close()
    assert not problems, "the pages reported problems:\n" + "\n".join(problems)


def axe_check(page: Any, *, context: str = "") -> None:
    """No serious or critical WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    # A click that navigates returns before the next document is there; axe started in between
    # finds no document (CI saw it once). Then wait for the new page to load and check that one.
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            results = Axe().run(page, options=options)
            break
        except Error:
            if attempt == 2:
                raise
            page.wait_for_timeout(200)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"axe on {context or page.url}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in bad
    )


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot under tests/output/screenshots (ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
