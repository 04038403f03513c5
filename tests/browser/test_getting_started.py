"""Kommune HR's first day in a real browser: the getting-started checklist on the home
page, a starter framework chosen in one click, and the checklist's live status."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_follows_the_checklist_to_a_starter_framework(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    checklist = page.get_by_role("region", name="Kom godt i gang")
    expect(checklist).to_contain_text("1 af 7 trin er gjort")
    assert_accessible(page)

    checklist.get_by_role("link", name="Vælg en kompetenceramme, og offentliggør den").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start med en skabelon")
    assert_accessible(page)
    page.get_by_role("button", name="Brug som kladde Kompetencehjulet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kompetencehjulet")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kladde")

    # A draft is not a published framework: the step is still to do.
    page.get_by_role("link", name="Forside").click()
    expect(page.get_by_role("region", name="Kom godt i gang")).to_contain_text(
        "1 af 7 trin er gjort"
    )
