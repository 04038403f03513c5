"""SAML login in a real browser: HR connects the kommune to a real SAML identity
provider (samlify, tests/saml_idp/) on the settings page, and an employee signs in
through the IdP's login form. axe-core on our pages."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.kompetence.test_saml_idp import account, real_idp  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_connects_the_idp_and_an_employee_signs_in(page, url_of, org_a, real_idp, tmp_path):  # noqa: F811
    port = url_of(org_a.kommune).rsplit(":", 1)[1].rstrip("/")
    sp_metadata = requests.get(
        f"http://127.0.0.1:{port}/saml/metadata/",
        headers={"Host": f"{org_a.kommune.slug}.localhost:{port}"},
        timeout=10,
    ).text
    real_idp.set(
        sp_metadata=sp_metadata,
        encrypt=True,
        sign_assertion=True,
        users={"eva": account(org_a.employee)},
    )
    metadata_file = tmp_path / "idp.xml"
    metadata_file.write_text(real_idp.metadata())

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/indstillinger/saml/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("SAML-login")
    assert_accessible(page)
    page.get_by_label("Identitetsudbyderens metadata (XML)").set_input_files(metadata_file)
    page.get_by_label("Tekst på knappen").fill("Log ind med KOMBIT")
    page.get_by_label("Log ind med SAML").check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("SAML-indstillingerne er gemt.")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(url_of(org_a.kommune, "/log-ind/"))
    assert_accessible(page)
    page.get_by_role("link", name="Log ind med KOMBIT").click()
    # The IdP's own form: it has checked our signed request.
    page.get_by_label("Bruger").fill("eva")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Eva Medarbejder")
