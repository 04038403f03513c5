"""Foundation journeys in a real browser: log in, see the home page in Danish, and
(for HR) walk the organisation pages, with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kompetence.models import Person
from tests.browser.conftest import assert_accessible, log_in, menu_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_logs_in_and_sees_the_danish_home_page(page, url_of, org_a):
    page.goto(url_of(org_a.kommune, "/"))
    expect(page).to_have_url(re.compile(r"/log-ind/"))
    assert page.locator("html").get_attribute("lang") == "da"
    assert_accessible(page)

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Eva Medarbejder")
    expect(page.get_by_text("Nærmeste leder: Lise Leder")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Eva Medarbejder")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)


def test_wrong_password_gives_a_danish_message(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username, "forkert")
    expect(page.get_by_role("alert")).to_contain_text("Indtast venligst korrekt")
    assert_accessible(page)


def test_hr_walks_the_organisation_and_adds_a_person(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Organisation", "Organisation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation")
    assert_accessible(page)

    page.get_by_role("link", name="Team Nord").click()
    expect(page.get_by_role("cell", name="Eva Medarbejder")).to_be_visible()
    assert_accessible(page)

    menu_link(page, "Organisation", "Personer")
    assert_accessible(page)
    page.get_by_role("link", name="Ny person").click()
    page.get_by_label("Navn").fill("Niels Nyansat")
    page.get_by_label("Medarbejdernummer").fill(org_a.employee.employee_number)
    page.get_by_label("E-mail").fill("niels@alfa.example")
    # Inline validation: leaving the field shows the clash before the form is sent.
    expect(page.locator("#field-employee_number")).to_contain_text("bruges allerede")
    assert_accessible(page)

    page.get_by_label("Medarbejdernummer").fill("55555")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Niels Nyansat")
    assert_accessible(page)
    with org_a.scope():
        assert Person.objects.filter(employee_number="55555", name="Niels Nyansat").exists()
