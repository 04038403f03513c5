"""A plan activity chosen from the catalogue and enrolled from the plan, in a real
browser: the leader adds an activity of kind "Kursus fra kataloget", searches the
catalogue as they type and picks a course and one of its sessions; the employee asks
for a place from the plan ("Anmod om plads") and sees it wait for the leader; the
leader approves on the approvals page; the plan shows the confirmed place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.catalogue.factories import build_course, build_session
from tests.mus.factories import build_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_activity_chosen_from_the_catalogue_and_enrolled_from_the_plan(
    browser, page, url_of, org_a
):
    course = build_course(org_a.kommune, title="Svære samtaler med borgere", code="SS-1")
    build_session(course, days=20)
    later = build_session(course, days=60)
    build_session(build_course(org_a.kommune, title="Excel for begyndere"))
    plan = build_plan(org_a, activities=0)
    plan_path = f"/udviklingsplaner/{plan.pk}/"

    # The leader writes the activity: kind, a search as they type, course, session.
    leader = page
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.goto(url_of(org_a.kommune, plan_path))
    if not leader.get_by_label("Type").is_visible():
        leader.locator("summary", has_text="Tilføj aktivitet").click()
    # The catalogue's fields show only for an activity of that kind.
    expect(leader.get_by_label("Kursus fra kataloget", exact=True)).to_be_hidden()
    leader.get_by_label("Type").select_option(label="Kursus fra kataloget")
    courses = leader.get_by_label("Kursus fra kataloget", exact=True)
    expect(courses.locator("option", has_text="Excel for begyndere")).to_have_count(1)
    leader.get_by_label("Søg i kataloget").fill("samtaler")
    expect(courses.locator("option", has_text="Excel for begyndere")).to_have_count(0)
    courses = leader.get_by_label("Kursus fra kataloget", exact=True)
    courses.select_option(label="Svære samtaler med borgere (SS-1)")
    sessions = leader.get_by_label("Hold", exact=True)
    # The session select now holds this course's sessions only.
    expect(sessions.locator("option")).to_have_count(3)
    sessions.select_option(value=str(later.pk))
    assert_accessible(leader)
    leader.get_by_role("button", name="Tilføj aktivitet").click()
    expect(leader.get_by_text("Planen er gemt.")).to_be_visible()
    expect(
        leader.get_by_role("link", name="Svære samtaler med borgere", exact=True)
    ).to_be_visible()
    expect(leader.locator(".plan-course")).to_contain_text("ingen endnu")
    assert_accessible(leader)

    # The employee asks for the place from the plan (htmx: the cell answers).
    context = browser.new_context(locale="da-DK")
    employee = context.new_page()
    log_in(employee, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    employee.goto(url_of(org_a.kommune, plan_path))
    employee.get_by_role("button", name=re.compile("^Anmod om plads")).click()
    cell = employee.locator(".plan-course")
    expect(cell).to_contain_text("Din anmodning er sendt til din leder.")
    expect(cell).to_contain_text("Afventer leder")
    expect(employee.get_by_role("button", name=re.compile("^Anmod om plads"))).to_have_count(0)
    assert_accessible(employee)

    # The leader approves as any request; the plan shows the confirmed place.
    leader.get_by_role("link", name="Godkendelser").click()
    leader.get_by_role("button", name=f"Godkend {org_a.employee.name}").click()
    expect(leader.get_by_text(f"{org_a.employee.name} har fået en plads.")).to_be_visible()
    employee.goto(url_of(org_a.kommune, plan_path))
    expect(employee.locator(".plan-course")).to_contain_text("Bekræftet plads")
    assert_accessible(employee)
    context.close()
