"""Mandatory training in a real browser: HR creates the function
"Arbejdsmiljørepræsentant" and makes the employee its holder, creates the requirement
"Arbejdsmiljøuddannelse" met by a catalogue course and assigns it to the function; the
employee's home page and "Mine krav" say it is missing; HR records the course as
completed on the session's roster; the employee's requirement is now valid."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from catalogue import services as catalogue_services
from tests.browser.conftest import assert_accessible, log_in, menu_link
from tests.catalogue.factories import build_course, build_session
from tests.mus.factories import build_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "Arbejdsmiljøuddannelse for AMR"


def test_hr_sets_a_requirement_the_employee_lacks_it_completes_the_course_and_is_valid(
    browser, page, url_of, org_a
):
    course = build_course(org_a.kommune, title=COURSE, requires_approval=False)
    session = build_session(course)
    with org_a.scope():
        catalogue_services.enrolment_request(session=session, person=org_a.employee)
    page.on("dialog", lambda dialog: dialog.accept())

    # HR: the function and its holder, elected half a year ago.
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Kurser", "Uddannelseskrav")
    expect(page.get_by_role("heading", name="Uddannelseskrav", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Funktioner", exact=True).click()
    page.get_by_role("textbox", name="Navn").fill("Arbejdsmiljørepræsentant")
    assert_accessible(page)
    page.get_by_role("button", name="Opret funktionen").click()
    expect(page.get_by_role("heading", name="Arbejdsmiljørepræsentant", level=1)).to_be_visible()
    page.get_by_role("textbox", name="Medarbejdernummer").fill(org_a.employee.employee_number)
    since = datetime.date.today() - datetime.timedelta(days=200)
    page.get_by_label("Har funktionen fra").fill(since.isoformat())
    page.get_by_role("button", name="Tilføj").click()
    expect(page.locator(".messages")).to_contain_text("har nu funktionen")
    expect(page.get_by_role("table")).to_contain_text(org_a.employee.name)
    assert_accessible(page)

    # HR: the requirement, met by the course, for the function's holders.
    page.get_by_role("link", name="Uddannelseskrav").first.click()
    page.get_by_role("link", name="Nyt krav").click()
    page.get_by_role("textbox", name="Navn").fill("Arbejdsmiljøuddannelse")
    page.get_by_label("Kurser i kataloget, der opfylder kravet").select_option(label=COURSE)
    assert_accessible(page)
    page.get_by_role("button", name="Opret kravet").click()
    expect(page.get_by_role("heading", name="Arbejdsmiljøuddannelse", level=1)).to_be_visible()
    page.get_by_role("radio", name="Funktion").check()
    page.get_by_role("combobox", name="Funktion").select_option(label="Arbejdsmiljørepræsentant")
    page.get_by_role("button", name="Tilføj").click()
    expect(page.get_by_text("Funktion: Arbejdsmiljørepræsentant")).to_be_visible()
    people = page.get_by_role("table", name=re.compile("Medarbejdere og deres status"))
    expect(people).to_contain_text(org_a.employee.name)
    expect(people).to_contain_text("Mangler")
    assert_accessible(page)

    # The employee sees it on the home page and on "Mine krav".
    context = browser.new_context(locale="da-DK")
    employee = context.new_page()
    log_in(employee, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    tasks = employee.get_by_role("region", name="Mine opgaver nu")
    expect(tasks).to_contain_text("Arbejdsmiljøuddannelse")
    expect(tasks).to_contain_text("Mangler")
    assert_accessible(employee)
    tasks.get_by_role("link", name="Arbejdsmiljøuddannelse").click()
    row = employee.get_by_role("row", name=re.compile("Arbejdsmiljøuddannelse"))
    expect(row).to_contain_text("Mangler")
    expect(employee.get_by_text("Dine funktioner:")).to_contain_text("Arbejdsmiljørepræsentant")
    assert_accessible(employee)

    # HR records the course as completed on the session's roster.
    page.goto(url_of(org_a.kommune, reverse("session_roster", args=[session.pk])))
    assert_accessible(page)
    page.get_by_role("button", name=f"Gennemført {org_a.employee.name}").click()
    expect(page.locator(".messages")).to_contain_text("Gennemført")

    # The requirement is met.
    employee.reload()
    expect(employee.get_by_role("row", name=re.compile("Arbejdsmiljøuddannelse"))).to_contain_text(
        "Gyldig"
    )
    assert_accessible(employee)
    employee.get_by_role("link", name="Forside").click()
    expect(employee.get_by_role("region", name="Mine opgaver nu")).not_to_contain_text(
        "Arbejdsmiljøuddannelse"
    )
    # …and the MUS preparation shows it too.
    conversation = build_conversation(org_a)
    employee.goto(url_of(org_a.kommune, reverse("preparation", args=[conversation.pk])))
    panel = employee.get_by_role("region", name="Uddannelseskrav")
    expect(panel).to_contain_text("Arbejdsmiljøuddannelse")
    expect(panel).to_contain_text("Gyldig")
    assert_accessible(employee)
    context.close()

    # HR sees it on the employee's page, with the function.
    page.goto(url_of(org_a.kommune, reverse("person_detail", args=[org_a.employee.pk])))
    panel = page.get_by_role("region", name="Uddannelseskrav")
    expect(panel).to_contain_text("Gyldig")
    expect(panel).to_contain_text("Arbejdsmiljørepræsentant")
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, reverse("requirement_list")))
    expect(page.get_by_role("table")).to_contain_text("Arbejdsmiljøuddannelse")
    assert_accessible(page)
