"""HR brings Moodle's own four-level example framework in a real browser: refused with
one message until flattening is ticked, checked without saving, imported, and its
scale's proficient level shown; in Danish and English, axe-core on every state."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).parent.parent / "profiles" / "fixtures" / "moodle" / "example.csv"


def _choose(page) -> None:
    page.locator("#id_file").set_input_files(str(EXAMPLE))
    page.get_by_label("Moodle CSV").check()


def test_hr_imports_moodles_example_flattened(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/rammer/importer/"))
    _choose(page)
    page.get_by_role("button", name="Importér", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Rammen har 4 niveauer")
    expect(alert.locator("li")).to_have_count(1)
    assert_accessible(page)

    _choose(page)
    page.get_by_label("Flad rammen ud").check()
    page.get_by_role("button", name="Kontrollér filen uden at gemme").click()
    expect(page.get_by_role("heading", name="Filen kan importeres")).to_be_visible()
    expect(page.get_by_text("16 grupper, 44 kompetencer.")).to_be_visible()
    assert_accessible(page)

    _choose(page)
    page.get_by_label("Flad rammen ud").check()
    page.get_by_role("button", name="Importér", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("OECD")
    expect(page.get_by_text("Rammen havde 4 niveauer og er fladet ud")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("niveau 2 (Competent)")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("dl.facts")).to_contain_text("Proficient from")
    expect(page.locator("dl.facts")).to_contain_text("level 2 (Competent)")
    assert_accessible(page)
