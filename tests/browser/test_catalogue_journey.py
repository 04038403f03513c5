"""The catalogue journey in a real browser: HR publishes a course with one session of
two places; three employees ask to join; the leader approves all three; the third is
on the waiting list; one cancels; the third gets the place and an e-mail says so."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from catalogue.models import Enrolment
from tests.browser.conftest import assert_accessible, log_in, menu_link
from tests.factories import PersonFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Motiverende samtale"


def new_page(browser):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def test_publish_enrol_approve_waitlist_cancel_promote(browser, page, url_of, org_a):
    third = PersonFactory(kommune=org_a.kommune, name="Tina Tredje")
    PositionFactory(person=third, unit=org_a.team)
    page.on("dialog", lambda dialog: dialog.accept())

    # HR creates, schedules and publishes the course.
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Kurser", "Kurser")
    assert_accessible(page)
    page.get_by_role("link", name="Nyt kursus").click()
    page.get_by_role("textbox", name="Titel").fill(TITLE)
    page.get_by_role("textbox", name="Beskrivelse").fill(
        "Samtaleteknik til svære samtaler med borgere."
    )
    page.get_by_role("spinbutton", name=re.compile("^Pris pr. deltager")).fill("1500")
    assert_accessible(page)
    page.get_by_role("button", name="Opret kurset").click()
    page.get_by_role("link", name="Nyt hold").click()
    starts = (timezone.localtime() + datetime.timedelta(days=30)).replace(hour=9, minute=0)
    page.get_by_label("Start", exact=True).fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Slut", exact=True).fill(
        (starts + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("spinbutton", name="Pladser").fill("2")
    assert_accessible(page)
    page.get_by_role("button", name="Opret holdet").click()
    page.get_by_role("button", name="Offentliggør").click()
    expect(page.get_by_text("Offentliggjort").first).to_be_visible()
    assert_accessible(page)

    # Three employees ask to join.
    for person in (org_a.employee, org_a.colleague, third):
        context, employee = new_page(browser)
        log_in(employee, url_of(org_a.kommune, "/log-ind/"), person.user.username)
        employee.get_by_role("link", name="Kursuskatalog").click()
        employee.get_by_role("link", name=TITLE).click()
        expect(employee.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        assert_accessible(employee)
        employee.get_by_role("button", name=re.compile("^Tilmeld mig")).click()
        expect(employee.get_by_text("Din tilmelding er sendt til din leder.")).to_be_visible()
        context.close()

    # The leader approves all three, in the order they asked.
    leader_context, leader = new_page(browser)
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.get_by_role("link", name="Godkendelser").click()
    assert_accessible(leader)
    for person in (org_a.employee, org_a.colleague, third):
        leader.get_by_role("button", name=f"Godkend {person.name}").click()
        expect(leader.get_by_role("status").or_(leader.locator(".messages"))).to_contain_text(
            person.name
        )
    expect(leader.get_by_text("Tina Tredje er skrevet på ventelisten")).to_be_visible()
    leader_context.close()
    with org_a.scope():
        assert Enrolment.objects.get(person=third).status == Enrolment.Status.WAITLISTED

    # One cancels; the third is promoted and told by e-mail.
    mail.outbox.clear()
    context, colleague = new_page(browser)
    log_in(colleague, url_of(org_a.kommune, "/log-ind/"), org_a.colleague.user.username)
    colleague.goto(url_of(org_a.kommune, "/katalog/mine/"))
    assert_accessible(colleague)
    colleague.get_by_role("button", name=f"Afmeld {TITLE}").click()
    expect(colleague.get_by_text("Du er afmeldt.")).to_be_visible()
    context.close()
    with org_a.scope():
        assert Enrolment.objects.get(person=third).status == Enrolment.Status.CONFIRMED
    promoted = [m for m in mail.outbox if m.to == [third.email]]
    assert len(promoted) == 1 and "fra ventelisten" in promoted[0].subject
    assert promoted[0].invitation["method"] == "REQUEST"
