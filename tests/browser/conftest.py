"""Browser tests: Playwright (Python) driving the system Chromium, with axe-core.

Chromium comes from Debian (`make test` installs it); Playwright never downloads a
browser of its own. Each page fixture fails its test if the browser logged an error,
which includes every Content-Security-Policy violation."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls
# the tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# WCAG 2.1 A and AA, the level Danish public-sector web accessibility law requires.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is missing: `make test` installs it (apt package chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], "the browser reported errors (CSP violations included)"


@pytest.fixture
def url_of(live_server):
    """`url_of(kommune, "/path/")`: the live server's address on the kommune's host."""
    port = live_server.url.rsplit(":", 1)[1]

    def build(kommune, path: str = "/") -> str:
        return f"http://{kommune.slug}.localhost:{port}{path}"

    return build


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core on the page as it is now: no WCAG 2.1 AA violation.

    A click just before may have started a navigation that replaces the document
    while axe runs; then axe runs again on the new page once it has loaded."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page, options=AXE_OPTIONS)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    )
    assert violations == [], f"axe-core found violations on {page.url}:\n{report}"


def log_in(page: Page, url: str, username: str, password: str = "test-password-123") -> None:
    page.goto(url)
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state("networkidle")


def open_menu_group(page: Page, name: str) -> None:
    """Opens a group of the grouped main menu (HR's) by its button, so its links show."""
    group = page.locator("nav.main-nav details[data-nav-group]").filter(
        has=page.locator("summary", has_text=re.compile(f"^{re.escape(name)}$"))
    )
    if group.get_attribute("open") is None:
        group.locator("summary").click()


def menu_link(page: Page, group: str, name: str) -> None:
    """Follows a link of the grouped main menu: opens its group, then clicks it."""
    open_menu_group(page, group)
    page.locator("nav.main-nav").get_by_role("link", name=name, exact=True).click()
