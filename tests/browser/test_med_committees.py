"""HR sets up a Center-MED in a real browser and its member sees the dashboard; the
committee pages, the settings page and the accessibility statement pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_sets_up_a_center_med_and_the_member_sees_its_dashboard(
    page, url_of, org_a, live_server
):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/med-udvalg/"))
    assert_accessible(page)
    page.get_by_role("link", name="Nyt MED-udvalg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nyt MED-udvalg")
    assert_accessible(page)
    page.get_by_label("Navn").fill("Center-MED Omsorg")
    page.get_by_label("Niveau").select_option("center")
    page.get_by_label("Dækker enheden").select_option(label=f"{'\u00a0' * 4}Center for Omsorg")
    page.get_by_label("Medlemmer").select_option([str(org_a.employee.pk), str(org_a.colleague.pk)])
    page.get_by_label("Formand", exact=True).select_option(str(org_a.chef.pk))
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("cell", name="Carl Centerchef")).to_be_visible()
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, "/indstillinger/"))
    assert_accessible(page)

    page.goto(f"{live_server.url}/tilgaengelighed/".replace("127.0.0.1", "localhost"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tilgængelighedserklæring for Kompetence"
    )
    assert_accessible(page)

    # The member, signed in on the same browser after HR, sees the committee at once.
    page.context.clear_cookies()
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    page.goto(url_of(org_a.kommune, "/overblik/"))
    page.get_by_role("link", name="Center-MED Omsorg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Center-MED Omsorg: Center for Omsorg"
    )
