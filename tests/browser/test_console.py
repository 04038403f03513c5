"""The platform console in the browser: an operator signs in on the bare domain, opens
a kommune and invites its first HR administrator, who sets a password from the e-mail
and lands signed in on the kommune's own host. Every page passes axe-core."""

from __future__ import annotations

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from kompetence.models import Kommune, User
from tests.browser.conftest import assert_accessible, log_in, open_menu_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set CONSOLE_SCREENSHOTS=<folder> to keep a picture of each page for review.
SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS", "")


def _snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_an_operator_opens_a_kommune_and_invites_its_hr_administrator(
    browser, page, live_server, url_of
):
    User.objects.create_user(username="drift", password="drift-kode-1234", is_staff=True)
    port = live_server.url.rsplit(":", 1)[1]
    bare = f"http://localhost:{port}"

    page.goto(f"{bare}/platform/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind på platformkonsollen")
    assert_accessible(page)
    _snap(page, "1-login")
    log_in(page, f"{bare}/platform/log-ind/", "drift", "drift-kode-1234")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommuner")
    assert_accessible(page)

    page.get_by_role("link", name="Opret kommune").click()
    page.get_by_role("textbox", name="Navn", exact=True).fill("Gamma Kommune")
    page.get_by_label("Kort navn (subdomæne)").fill("gåsetorp")
    page.get_by_role("button", name="Opret kommune").click()
    expect(page.get_by_text("Kort navn: brug kun små bogstaver")).to_be_visible()
    assert_accessible(page)
    _snap(page, "2-create-refused")
    page.get_by_label("Kort navn (subdomæne)").fill("gamma")
    page.get_by_role("button", name="Opret kommune").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gamma Kommune")
    expect(page.get_by_text("Gamma Kommune er oprettet")).to_be_visible()
    assert_accessible(page)

    hr = page.locator("#hr")
    hr.get_by_role("textbox", name="Navn", exact=True).fill("Hanne Første")
    hr.get_by_label("E-mail").fill("hanne@gamma.example")
    hr.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sendt til Hanne Første")).to_be_visible()
    assert_accessible(page)
    _snap(page, "3-kommune")

    page.get_by_role("link", name="Operatørlog").click()
    expect(page.get_by_role("cell", name="Inviterede en HR-administrator")).to_be_visible()
    assert_accessible(page)
    _snap(page, "4-log")
    page.get_by_role("link", name="Kommuner").click()
    expect(page.get_by_role("link", name="Gamma Kommune")).to_be_visible()
    _snap(page, "5-list")

    assert [message.to for message in mail.outbox] == [["hanne@gamma.example"]]
    path = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", mail.outbox[0].body).group(1)
    gamma = Kommune.objects.get(slug="gamma")

    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    hr_page = context.new_page()
    try:
        hr_page.goto(url_of(gamma, path))
        expect(hr_page.get_by_role("heading", level=1)).to_have_text("Vælg din adgangskode")
        hr_page.locator("#id_new_password1").fill("hanne-vælger-en-god-kode")
        hr_page.locator("#id_new_password2").fill("hanne-vælger-en-god-kode")
        hr_page.get_by_role("button", name="Gem adgangskode og log ind").click()
        expect(hr_page.get_by_role("heading", level=1)).to_have_text("Velkommen, Hanne Første")
        open_menu_group(hr_page, "Organisation")
        expect(hr_page.get_by_role("link", name="Personer")).to_be_visible()
        assert_accessible(hr_page)
        _snap(hr_page, "6-hr-home")
    finally:
        context.close()
