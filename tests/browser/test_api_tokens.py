"""HR issues an API key in a real browser, copies the secret shown once and revokes
the key; the page passes axe-core in Danish and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_issues_and_revokes_an_api_key(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/indstillinger/"))
    page.get_by_role("link", name="API-nøgler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-nøgler")
    assert_accessible(page)
    page.get_by_label("Navn").fill("Power BI, HR-stab")
    page.get_by_role("button", name="Opret nøgle").click()
    secret = page.get_by_label("Nøgle", exact=True).input_value()
    assert secret.startswith("kbi_")
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, "/indstillinger/api-noegler/"))
    expect(page.get_by_label("Nøgle", exact=True)).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tilbagekald Power BI, HR-stab").click()
    expect(page.get_by_text("Nøglen Power BI, HR-stab er tilbagekaldt.")).to_be_visible()
    assert_accessible(page)

    user = org_a.hr.user
    user.language = "en"
    user.save(update_fields=["language"])
    page.goto(url_of(org_a.kommune, "/indstillinger/api-noegler/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    expect(page.get_by_role("cell", name="Revoked", exact=False)).to_be_visible()
    assert_accessible(page)
