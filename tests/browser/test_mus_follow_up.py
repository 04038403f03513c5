"""Next year's MUS preparation showing last year's plan and its follow-up: the employee
records a mid-year check-in on last year's signed plan, the leader schedules this
year's MUS, and both see "Opfølgning fra sidst" with the statuses from the check-in."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mus.models import Conversation
from tests.browser.conftest import assert_accessible, log_in
from tests.mus.factories import build_plan, sign, version_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"

# Set MUS_SCREENSHOTS=<folder> to keep a picture of the pages for review.
SCREENSHOTS = os.environ.get("MUS_SCREENSHOTS", "")


def _snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _last_years_signed_plan(org):
    plan = build_plan(org, activities=3)
    with org.scope():
        Conversation.objects.filter(pk=plan.conversation_id).update(
            starts_at=timezone.now() - datetime.timedelta(days=365),
            held_at=timezone.now() - datetime.timedelta(days=365),
            status=Conversation.Status.HELD,
        )
    version = version_of(plan)
    with org.scope():
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)
    return plan


def _follow_up_section(page):
    return page.get_by_role("region", name="Opfølgning fra sidst")


def _expect_statuses(section) -> None:
    for title, status in (
        ("Aktivitet 1", "Gennemført"),
        ("Aktivitet 2", "I gang"),
        ("Aktivitet 3", "Droppet"),
    ):
        row = section.get_by_role("row").filter(
            has=section.page.get_by_role("rowheader", name=title)
        )
        expect(row).to_contain_text(status)
    expect(section).to_contain_text("Venter på næste hold")
    expect(section).to_contain_text("Godt i gang med planen")


def test_next_years_preparation_shows_last_years_plan_and_its_follow_up(
    browser, page, url_of, org_a
):
    plan = _last_years_signed_plan(org_a)
    plan_path = f"/udviklingsplaner/{plan.pk}/"

    # Half a year on, the employee records a check-in on the signed plan.
    employee = page
    log_in(employee, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    employee.goto(url_of(org_a.kommune, plan_path))
    expect(employee.get_by_role("heading", name="Opfølgning undervejs")).to_be_visible()
    assert_accessible(employee)
    employee.get_by_label("Status for Aktivitet 1").select_option(label="Gennemført")
    employee.get_by_label("Status for Aktivitet 2").select_option(label="I gang")
    employee.get_by_label("Note til Aktivitet 2 (valgfri)").fill("Venter på næste hold")
    employee.get_by_label("Status for Aktivitet 3").select_option(label="Droppet")
    employee.get_by_label("Generel note (valgfri)").fill("Godt i gang med planen")
    employee.get_by_role("button", name="Gem opfølgningen").click()
    expect(employee.get_by_text("Opfølgningen er gemt.")).to_be_visible()
    check_ins = employee.locator(".check-ins")
    expect(check_ins).to_contain_text(org_a.employee.name)
    expect(check_ins).to_contain_text("Venter på næste hold")
    # The signatures still hold the content: the check-in is not part of it.
    expect(employee.get_by_text("gælder dette indhold")).to_have_count(2)
    assert_accessible(employee)
    _snap(employee, "plan-check-in")

    # The leader schedules this year's MUS.
    leader_context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    leader_context.set_default_timeout(15_000)
    leader = leader_context.new_page()
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.get_by_role("link", name="Mit team", exact=True).click()
    leader.get_by_role("link", name=f"Planlæg MUS med {org_a.employee.name}").click()
    when = (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=10, minute=0)
    leader.get_by_label("Tidspunkt").fill(when.strftime("%Y-%m-%dT%H:%M"))
    leader.get_by_label("Sted eller link").fill("Mødelokale 2")
    leader.get_by_role("button", name="Planlæg og send invitation").click()
    expect(leader.get_by_text("MUS er planlagt.")).to_be_visible()
    conversation_url = re.sub(r"[?#].*$", "", leader.url)

    # The employee prepares: last year's plan comes first, with the check-in's statuses.
    employee.goto(url_of(org_a.kommune, "/"))
    employee.get_by_role("link", name="Forbered dig").first.click()
    section = _follow_up_section(employee)
    expect(section).to_be_visible()
    _expect_statuses(section)
    expect(section.get_by_role("link", name="Se planen")).to_have_attribute(
        "href", re.compile(re.escape(plan_path) + "$")
    )
    assert_accessible(employee)
    _snap(employee, "preparation-follow-up")

    # The leader's conversation screen shows it too.
    leader.goto(conversation_url + "samtale/")
    section = _follow_up_section(leader)
    expect(section).to_be_visible()
    _expect_statuses(section)
    assert_accessible(leader)
    _snap(leader, "screen-follow-up")
    section.get_by_role("link", name="Se planen").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text(
        f"Udviklingsplan for {org_a.employee.name}"
    )
    assert_accessible(leader)
    leader_context.close()
