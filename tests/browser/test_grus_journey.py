"""A GRUS/TUS in a real browser, ending in three signed individual plans: the leader
schedules a group conversation with three employees, writes the shared notes, starts
each participant's plan, adds a goal and signs; each employee signs their own plan."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mus.models import ConversationGroup, Signature
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PersonFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"

# Set GRUS_SCREENSHOTS=<folder> to keep pictures of the group's pages for review.
SCREENSHOTS = os.environ.get("GRUS_SCREENSHOTS", "")


def _snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_grus_with_three_employees_ends_in_three_signed_individual_plans(
    browser, page, url_of, org_a
):
    third = PersonFactory(kommune=org_a.kommune, name="Tove Tredje")
    PositionFactory(person=third, unit=org_a.team, job_title="Socialrådgiver")
    participants = [org_a.employee, org_a.colleague, third]
    leader = page
    leader.on("dialog", lambda dialog: dialog.accept())
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)

    # The leader schedules the group conversation.
    leader.get_by_role("link", name="MUS", exact=True).click()
    leader.get_by_role("link", name="Planlæg gruppesamtale").click()
    assert_accessible(leader)
    leader.get_by_label("Titel").fill("Team Nords GRUS")
    for person in participants:
        leader.get_by_label(person.name).check()
    for person in participants:
        expect(leader.get_by_label(person.name)).to_be_checked()
    when = (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=13, minute=0)
    leader.get_by_label("Tidspunkt").fill(when.strftime("%Y-%m-%dT%H:%M"))
    leader.get_by_label("Sted eller link").fill("Mødelokale 1")
    _snap(leader, "grus-new")
    leader.get_by_role("button", name="Planlæg og send invitationer").click()
    expect(leader.get_by_text("Gruppesamtalen er planlagt.")).to_be_visible()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Gruppesamtale")
    assert_accessible(leader)
    group_url = leader.url

    # The shared notes, saved as the leader types.
    notes = leader.get_by_label("Noter fra gruppesamtalen (ses af alle deltagere)")
    notes.fill("Fælles mål: bedre overlevering mellem vagterne.")
    notes.blur()
    expect(leader.locator("#group-notes-saved")).to_have_text("Gemt")
    assert_accessible(leader)

    # Each participant's own plan: a goal, then the leader signs.
    plan_urls = {}
    for person in participants:
        leader.goto(group_url)
        leader.get_by_role("button", name=f"Skriv udviklingsplan for {person.name}").click()
        expect(leader.get_by_role("heading", level=1)).to_contain_text(
            f"Udviklingsplan for {person.name}"
        )
        expect(
            leader.get_by_text("Fælles mål: bedre overlevering mellem vagterne.")
        ).to_be_visible()
        goal_text = leader.get_by_role("textbox", name="Mål", exact=True)
        if not goal_text.is_visible():
            leader.locator("summary", has_text="Tilføj mål").click()
        goal_text.fill(f"Tager ansvar for overleveringen ({person.name})")
        leader.get_by_role("button", name="Tilføj mål").click()
        expect(leader.get_by_text("Planen er gemt.")).to_be_visible()
        leader.get_by_label("Din adgangskode").fill(PASSWORD)
        leader.get_by_role("button", name="Underskriv planen").click()
        expect(leader.get_by_text("Planen er underskrevet.", exact=False)).to_be_visible()
        plan_urls[person.pk] = leader.url
    assert_accessible(leader)

    # The group page shows every plan waiting for one signature.
    leader.goto(group_url)
    expect(leader.get_by_role("link", name=re.compile("Mangler én underskrift"))).to_have_count(3)

    # Each employee signs their own plan in their own browser.
    for person in participants:
        context = browser.new_context(locale="da-DK")
        employee = context.new_page()
        log_in(employee, url_of(org_a.kommune, "/log-ind/"), person.user.username)
        employee.get_by_role("link", name="MUS", exact=True).click()
        employee.get_by_role("link", name="Åbn planen").click()
        expect(employee.get_by_role("heading", level=1)).to_contain_text(person.name)
        expect(
            employee.get_by_text("Fælles mål: bedre overlevering mellem vagterne.")
        ).to_be_visible()
        employee.get_by_label("Din adgangskode").fill(PASSWORD)
        employee.get_by_role("button", name="Underskriv planen").click()
        expect(
            employee.get_by_text("Planen er underskrevet af begge og er låst.", exact=False)
        ).to_be_visible()
        if person == third:
            # The conversation page with the group's notes and the request for a MUS alone.
            employee.get_by_role("link", name="Til samtalen").click()
            expect(employee.get_by_role("button", name="Bed om en MUS alene")).to_be_visible()
            assert_accessible(employee)
            _snap(employee, "grus-participant")
        context.close()

    leader.goto(group_url)
    expect(leader.get_by_role("link", name=re.compile("^Underskrevet"))).to_have_count(3)
    assert_accessible(leader)
    _snap(leader, "grus-group")
    leader.get_by_role("link", name="Til MUS-oversigten").click()
    expect(leader.get_by_role("link", name="Team Nords GRUS")).to_be_visible()
    assert_accessible(leader)
    _snap(leader, "grus-overview")
    with org_a.scope():
        group = ConversationGroup.objects.get()
        for conversation in group.conversations.select_related("plan"):
            roles = {
                (s.role, s.signer_id)
                for s in Signature.objects.filter(version__plan=conversation.plan)
            }
            assert roles == {
                (Signature.Role.EMPLOYEE, conversation.employee_id),
                (Signature.Role.LEADER, org_a.leader.pk),
            }


def test_hr_sets_an_agenda_per_kind(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/mus/dagsorden/"))
    page.get_by_role("link", name="LUS", exact=True).click()
    expect(page.get_by_role("heading", name="Dagsorden for LUS")).to_be_visible()
    expect(
        page.get_by_role("cell", name=re.compile("^Hvordan oplever du din rolle som leder"))
    ).to_be_visible()
    assert_accessible(page)
