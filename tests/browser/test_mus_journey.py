"""The MUS journey in a real browser: the leader schedules, both prepare, they hold the
conversation with agreed levels, write a plan with two goals and three activities,
both sign, and the PDF that appears holds both names, the goals and the content hash."""

from __future__ import annotations

import datetime
import os
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mus import services
from tests.browser.conftest import assert_accessible, log_in
from tests.mus.factories import build_plan, sign, version_of
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"

# Set MUS_SCREENSHOTS=<folder> to keep a picture of the plan's states for review.
SCREENSHOTS = os.environ.get("MUS_SCREENSHOTS", "")


def _snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_schedule_prepare_talk_plan_sign_and_download_the_pdf(
    browser, page, url_of, org_a, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    leader = page
    leader.on("dialog", lambda dialog: dialog.accept())
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)

    # The leader schedules the MUS from their team page.
    leader.get_by_role("link", name="Mit team", exact=True).click()
    assert_accessible(leader)
    leader.get_by_role("link", name=f"Planlæg MUS med {org_a.employee.name}").click()
    when = (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=10, minute=0)
    leader.get_by_label("Tidspunkt").fill(when.strftime("%Y-%m-%dT%H:%M"))
    leader.get_by_label("Sted eller link").fill("Mødelokale 2")
    assert_accessible(leader)
    leader.get_by_role("button", name="Planlæg og send invitation").click()
    expect(leader.get_by_text("MUS er planlagt.")).to_be_visible()
    assert_accessible(leader)

    # The leader prepares.
    leader.get_by_role("link", name="Forbered dig").click()
    leader.get_by_label(re.compile("Hvad har du brug for fra din leder")).fill(
        "Tal om nye sagstyper"
    )
    leader.get_by_label(re.compile("Hvad har du brug for fra din leder")).blur()
    expect(leader.locator("#prep-saved")).to_contain_text("Gemt kl.")
    # "Gemt" stands beside the answer just typed, not at the end of the form.
    typed_in = leader.locator(
        ".field", has=leader.get_by_label(re.compile("Hvad har du brug for fra din leder"))
    )
    expect(typed_in.locator("#prep-saved")).to_contain_text("Gemt kl.")
    assert_accessible(leader)
    conversation_url = leader.url.replace("forberedelse/", "")

    # The employee prepares in their own browser.
    employee_context = browser.new_context(locale="da-DK")
    employee = employee_context.new_page()
    employee.on("dialog", lambda dialog: dialog.accept())
    log_in(employee, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    employee.get_by_role("link", name="Forbered dig").click()
    expect(employee.get_by_text("Tal om nye sagstyper")).to_have_count(
        0
    )  # the leader's note is private
    employee.get_by_label(re.compile("Hvilke kompetencer vil du udvikle")).fill(
        "Vil blive bedre til handicapsager"
    )
    employee.get_by_label(re.compile("Hvilke kompetencer vil du udvikle")).blur()
    expect(employee.locator("#prep-saved")).to_contain_text("Gemt kl.")
    assert_accessible(employee)

    # The conversation: agreed levels, then the plan.
    leader.goto(conversation_url + "samtale/")
    leader.get_by_label("Aftalt niveau for Faglig kompetence").select_option(label="Kyndig")
    expect(leader.locator("[id^=agreed-saved-]").filter(has_text="Gemt")).to_have_count(1)
    assert_accessible(leader)
    leader.get_by_role("button", name="Skriv udviklingsplan").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text(
        f"Udviklingsplan for {org_a.employee.name}"
    )
    assert_accessible(leader)

    for text in ("Bliver tryg i handicapsager", "Deler viden på teammøder"):
        goal_text = leader.get_by_role("textbox", name="Mål", exact=True)
        if not goal_text.is_visible():
            leader.locator("summary", has_text="Tilføj mål").click()
        goal_text.fill(text)
        leader.get_by_role("button", name="Tilføj mål").click()
        expect(leader.get_by_text("Planen er gemt.")).to_be_visible()
    for title, kind in (
        ("Kursus i handicapret", "Eksternt kursus eller uddannelse"),
        ("Sidemandsoplæring med Kim", "Sidemandsoplæring"),
        ("Oplæg på teammøde", "Læring i jobbet"),
    ):
        if not leader.get_by_label("Type").is_visible():
            leader.locator("summary", has_text="Tilføj aktivitet").click()
        leader.get_by_label("Type").select_option(label=kind)
        leader.get_by_role("textbox", name="Aktivitet", exact=True).fill(title)
        leader.get_by_label("Hører til mål").select_option(index=1)
        leader.get_by_role("button", name="Tilføj aktivitet").click()
        expect(leader.get_by_role("cell", name=title, exact=True)).to_be_visible()
    assert_accessible(leader)
    plan_url = leader.url

    # The employee signs first, then the leader.
    employee.goto(plan_url)
    employee.get_by_label("Din adgangskode").fill(PASSWORD)
    employee.get_by_role("button", name="Underskriv planen").click()
    expect(employee.get_by_text("Planen er underskrevet.")).to_be_visible()
    assert_accessible(employee)

    leader.goto(plan_url)
    leader.get_by_label("Din adgangskode").fill(PASSWORD)
    leader.get_by_role("button", name="Underskriv planen").click()
    expect(
        leader.get_by_text("Planen er underskrevet af begge og er låst.", exact=False)
    ).to_be_visible()
    link = leader.get_by_role("link", name="Hent planen som PDF")
    expect(link).to_be_visible()
    assert_accessible(leader)
    content_hash = leader.locator(".hash code").inner_text().strip()

    with leader.expect_download() as download_info:
        link.click()
    path = tmp_path / "plan.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in (
        org_a.employee.name,
        org_a.leader.name,
        "Bliver tryg i handicapsager",
        "Deler viden på teammøder",
    ):
        assert expected in text
    assert content_hash in flat
    employee_context.close()


def test_a_signed_plan_is_locked_a_new_version_is_made_and_a_clash_keeps_the_text(
    browser, url_of, org_a
):
    # Its own browser context: the refused save is answered 409 (Conflict), which the
    # browser reports as an error; every other error still fails the test.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    plan = build_plan(org_a)
    v1 = version_of(plan)
    with org_a.scope():
        sign(v1, org_a.employee, PASSWORD)
        sign(v1, org_a.leader, PASSWORD)
    leader = page
    leader.on("dialog", lambda dialog: dialog.accept())
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.goto(url_of(org_a.kommune, f"/udviklingsplaner/{plan.pk}/"))

    # Locked: no edit controls, one action that says both must sign again.
    expect(leader.get_by_role("heading", name=re.compile("Underskrevet af begge"))).to_be_visible()
    expect(leader.get_by_role("link", name=re.compile("^Rediger"))).to_have_count(0)
    expect(leader.get_by_role("button", name=re.compile("^Slet"))).to_have_count(0)
    assert_accessible(leader)
    _snap(leader, "plan-locked")
    leader.get_by_role("button", name="Lav en ny version").click()
    expect(leader.get_by_text("Version 2 er lavet.", exact=False)).to_be_visible()
    expect(leader.get_by_text("Ingen har underskrevet endnu.")).to_be_visible()
    assert_accessible(leader)

    # The employee changes a goal's level while the leader has the page open.
    with org_a.scope():
        v2 = version_of(plan)
        goal = v2.goals.get(target_level=4)
        services.goal_update(
            goal=goal,
            revision=v2.revision,
            text=goal.text,
            target_level=3,
            by=org_a.employee,
            refuse_locked=True,
        )
    leader.get_by_label("Lederens støtte").fill("Sparring hver fredag")
    leader.get_by_role("button", name="Gem", exact=True).click()
    expect(leader.get_by_role("heading", name="Din ændring er ikke gemt")).to_be_visible()
    expect(leader.get_by_label("Lederens støtte")).to_have_value("Sparring hver fredag")
    expect(leader.locator("#plan-conflict")).to_contain_text(
        f"{org_a.employee.name} ændrede planen"
    )
    assert_accessible(leader)
    _snap(leader, "plan-conflict")
    leader.get_by_role("button", name="Gem", exact=True).click()
    expect(leader.get_by_text("Planen er gemt.")).to_be_visible()

    # Version 1 compared with version 2 reads like the document.
    leader.goto(url_of(org_a.kommune, f"/udviklingsplaner/versioner/{v1.pk}/"))
    diff = leader.locator("ul.diff")
    expect(diff).to_contain_text("Fjernet:")
    expect(diff).to_contain_text("Tilføjet:")
    assert "monospace" not in diff.evaluate("node => getComputedStyle(node).fontFamily")
    assert_accessible(leader)
    _snap(leader, "plan-comparison")
    context.close()
    assert [p for p in problems if "status of 409 (Conflict)" not in p] == []
    assert len(problems) == 1
