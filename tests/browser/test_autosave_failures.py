"""Autosave when things go wrong, in a real browser: a save the server did not store
never says "Gemt"; the answer stays on the page marked as not saved, with the reason,
and is sent again until it is stored. An ended session asks the person to sign in again
in a new tab instead of swapping the login page into the row, and the waiting answer is
saved afterwards."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from playwright.sync_api import expect

from profiles.models import Competence, Evaluation, Rating
from tests.browser.conftest import assert_accessible, log_in
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER_URL = "**/evaluering/*/svar/*/"


@pytest.fixture
def tolerant_page(browser, live_server):
    """A page whose failed requests are expected (the browser logs each as an error);
    script errors still fail the test."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "kompetence.console",
        lambda msg: (
            script_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert script_errors == []


def _open_evaluation(page, url_of, org):
    version = build_framework(org.kommune, by=org.hr)
    round_ = open_round(version, org.root, by=org.hr)
    with org.scope():
        evaluation = Evaluation.objects.get(round=round_, subject=org.employee, kind="self")
        competence = Competence.objects.get(version=version, name="Forandringskompetence")
    log_in(page, url_of(org.kommune, "/log-ind/"), org.employee.user.username)
    page.goto(url_of(org.kommune, f"/evaluering/{evaluation.pk}/"))
    return evaluation, competence


def _stored_level(org, evaluation, competence):
    with org.scope():
        rating = Rating.objects.filter(evaluation=evaluation, competence=competence).first()
        return rating.level if rating else None


def test_a_failed_save_is_shown_kept_and_sent_again_until_stored(tolerant_page, url_of, org_a):
    page = tolerant_page
    evaluation, competence = _open_evaluation(page, url_of, org_a)
    block = page.get_by_role("group", name="Forandringskompetence")
    status = block.get_by_role("status")

    # One handler for the whole test, switched between the faults: no gap between two
    # routes in which a waiting retry could slip through to the server.
    fault = {"mode": "503"}

    def network(route):
        if fault["mode"] == "503":
            route.fulfill(status=503, body="utilgængelig")
        elif fault["mode"] == "offline":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(ANSWER_URL, network)

    # The server answers 503 (the database is down).
    block.get_by_label("Kompetent", exact=True).check()
    expect(status).to_contain_text("Ikke gemt")
    expect(status).to_contain_text("503")
    expect(status).not_to_have_text("Gemt")
    expect(block).to_have_class("competence is-unsaved")
    expect(block.get_by_label("Kompetent", exact=True)).to_be_checked()
    assert_accessible(page)
    assert _stored_level(org_a, evaluation, competence) is None

    # No connection at all.
    fault["mode"] = "offline"
    expect(status).to_contain_text("ingen forbindelse", timeout=40_000)
    assert _stored_level(org_a, evaluation, competence) is None

    # The server is back: the answer waiting on the page is sent again by itself.
    fault["mode"] = "pass"
    expect(status).to_have_text("Gemt", timeout=60_000)
    expect(block).not_to_have_class("competence is-unsaved")
    chosen = int(block.get_by_label("Kompetent", exact=True).get_attribute("value"))
    assert _stored_level(org_a, evaluation, competence) == chosen
    page.unroute(ANSWER_URL)

    page.reload()
    expect(
        page.get_by_role("group", name="Forandringskompetence").get_by_label(
            "Kompetent", exact=True
        )
    ).to_be_checked()


def test_an_ended_session_asks_to_sign_in_again_and_then_saves_the_answer(
    tolerant_page, url_of, org_a
):
    page = tolerant_page
    evaluation, competence = _open_evaluation(page, url_of, org_a)
    block = page.get_by_role("group", name="Samarbejdskompetence")

    # The session ends on the server (idle time-out, a restart that lost it).
    Session.objects.all().delete()
    cache.clear()

    block.get_by_label("Kyndig", exact=True).check()
    dialog = page.get_by_role("dialog", name="Du er blevet logget ud")
    expect(dialog).to_be_visible()
    expect(block.get_by_role("status")).to_contain_text("du er blevet logget ud")
    # The login page is not swapped into the row.
    expect(block.get_by_label("Brugernavn")).to_have_count(0)
    assert_accessible(page)

    with page.context.expect_page() as new_tab:
        dialog.get_by_role("link", name="Log ind i en ny fane").click()
    login = new_tab.value
    login.get_by_label("Brugernavn").fill(org_a.employee.user.username)
    login.get_by_label("Adgangskode").fill("test-password-123")
    login.get_by_role("button", name="Log ind").click()
    expect(login.get_by_role("heading", level=1)).to_have_text("Du er logget ind igen")
    login.close()

    page.bring_to_front()
    dialog.get_by_role("button", name="Jeg er logget ind – gem nu").click()
    expect(block.get_by_role("status")).to_have_text("Gemt")
    expect(dialog).to_be_hidden()
    assert _stored_level(org_a, evaluation, competence) is None  # a different competence
    with org_a.scope():
        saved = Rating.objects.get(
            evaluation=evaluation, competence__name="Samarbejdskompetence"
        ).level
    assert saved is not None
