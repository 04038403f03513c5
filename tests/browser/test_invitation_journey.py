"""A new person's first day in the browser: HR invites them, they open the link from
the e-mail, choose a password and land signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, menu_link
from tests.factories import PersonFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_invites_and_the_person_sets_a_password_and_is_signed_in(browser, page, url_of, org_a):
    newcomer = PersonFactory(
        kommune=org_a.kommune, name="Nina Nyansat", email="nina@alfa.example", password=None
    )
    PositionFactory(person=newcomer, unit=org_a.team)

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Organisation", "Personer")
    page.get_by_label("Adgang").select_option(label="Ikke inviteret")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("link", name="Nina Nyansat")).to_be_visible()
    expect(page.get_by_role("link", name="Eva Medarbejder")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Nina Nyansat").click()
    expect(page.locator("#account-state")).to_have_text("Ikke inviteret")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sendt til Nina Nyansat")).to_be_visible()
    expect(page.locator("#account-state")).to_have_text("Inviteret")
    assert_accessible(page)

    assert [message.to for message in mail.outbox] == [["nina@alfa.example"]]
    path = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", mail.outbox[0].body).group(1)

    # The newcomer, in a browser of their own.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    newcomer_page = context.new_page()
    try:
        newcomer_page.goto(url_of(org_a.kommune, path))
        expect(newcomer_page.get_by_role("heading", level=1)).to_have_text("Vælg din adgangskode")
        assert_accessible(newcomer_page)
        newcomer_page.locator("#id_new_password1").fill("nina-vælger-en-god-kode")
        newcomer_page.locator("#id_new_password2").fill("nina-vælger-en-god-kode")
        newcomer_page.get_by_role("button", name="Gem adgangskode og log ind").click()
        expect(newcomer_page.get_by_role("heading", level=1)).to_have_text(
            "Velkommen, Nina Nyansat"
        )
        expect(newcomer_page.get_by_text("Din adgangskode er gemt")).to_be_visible()
        assert_accessible(newcomer_page)

        # The link was for one use only.
        newcomer_page.goto(url_of(org_a.kommune, path))
        expect(newcomer_page.get_by_role("heading", level=1)).to_have_text("Linket virker ikke")
        assert_accessible(newcomer_page)
    finally:
        context.close()

    page.reload()
    expect(page.locator("#account-state")).to_have_text("Aktiv")
