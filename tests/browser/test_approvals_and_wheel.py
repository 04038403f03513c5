"""The screens that explain themselves, in a real browser at desktop and phone width:
the leader's approvals (the gap, the plan activity, two requests by one person told
apart, several answered at once), "matches my gaps" naming a gap no course develops,
and the årshjul with its deadlines on the wheel. Every page passes axe-core."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from annualcycle.cycle import services as cycle_services
from catalogue import services
from catalogue.models import Enrolment
from profiles import services as profile_services
from profiles.models import Competence
from tests.browser.conftest import assert_accessible, log_in
from tests.catalogue.factories import build_course, build_session
from tests.mus.factories import build_plan, version_of
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set PAGE_SCREENSHOTS=<folder> to keep a picture of each page at each width for review.
SCREENSHOTS = os.environ.get("PAGE_SCREENSHOTS", "")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _at_both_widths(page: Page, name: str, parts: str) -> None:
    """axe at desktop and phone width, the page's own `parts` (a CSS selector) never
    wider than the phone, and (with PAGE_SCREENSHOTS) a picture of each. The page's
    frame and its shared tables are the phone-layout work's (issue 21, item 8)."""
    for label, size in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page)
        overflow = page.evaluate(
            """parts => [...document.querySelectorAll(parts)]
                .flatMap(part => [part, ...part.querySelectorAll('*')])
                .filter(e => e.getBoundingClientRect().right
                             > document.documentElement.clientWidth + 1)
                .map(e => e.tagName).slice(0, 5)""",
            parts,
        )
        assert overflow == [], f"{name} at {label} px: wider than the screen: {overflow}"
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _setup(org_a):
    version = build_framework(
        org_a.kommune,
        by=org_a.hr,
        groups={"Borgeren": ["Servicekompetence"], "Kultur": ["Samarbejde", "Faglighed"]},
    )
    keys = {name: competence(version, name) for name in ("Servicekompetence", "Samarbejde")}
    with org_a.scope():
        profile_services.unit_profile_set(
            unit=org_a.root,
            framework=version.framework,
            levels={c.key: 4 for c in keys.values()},
        )
    round_ = open_round(version, org_a.root)
    evaluation = evaluation_of(round_, org_a.employee)
    with org_a.scope():
        for name, level in (("Servicekompetence", 2), ("Samarbejde", 3)):
            profile_services.rating_save(evaluation=evaluation, competence=keys[name], level=level)
        for other in Competence.objects.filter(version=version).exclude(
            pk__in=[c.pk for c in keys.values()]
        ):
            profile_services.rating_save(evaluation=evaluation, competence=other, level=3)
        profile_services.evaluation_submit(evaluation=evaluation, by=org_a.employee)
    plan = build_plan(org_a)
    with org_a.scope():
        activity = version_of(plan).activities.first()
    course = build_course(
        org_a.kommune,
        title="God borgerservice",
        framework=version.framework,
        levels={keys["Servicekompetence"].key: 4},
    )
    early, late = build_session(course, days=20), build_session(course, days=80)
    with org_a.scope():
        services.enrolment_request(
            session=early,
            person=org_a.employee,
            motivation="Jeg møder mange borgere i telefonen.",
            plan_activity=activity,
        )
        services.enrolment_request(session=late, person=org_a.employee)
        services.enrolment_request(session=early, person=org_a.colleague)
        cycle_services.cycle_create_default(kommune=org_a.kommune, start_year=2026)


def test_approvals_catalogue_and_wheel_explain_themselves(page, url_of, org_a):
    _setup(org_a)

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    page.goto(url_of(org_a.kommune, "/katalog/godkendelser/"))
    expect(page.get_by_text("Servicekompetence: niveau 2, kræves 4").first).to_be_visible()
    _at_both_widths(page, "approvals", "main h1, .approval, .bulk-decide")
    for checkbox in page.get_by_role("checkbox", name="Eva Medarbejder").all():
        checkbox.check()
    page.get_by_role("button", name="Godkend de valgte").click()
    expect(
        page.get_by_text("Eva Medarbejder har fået en plads på God borgerservice.")
    ).to_have_count(2)
    expect(page.locator("article.approval")).to_have_count(1)
    with org_a.scope():
        assert Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED).count() == 2

    page.context.clear_cookies()
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    page.goto(url_of(org_a.kommune, "/katalog/"))
    page.get_by_label("Passer til mine gab").check()
    page.get_by_role("button", name="Find kurser").click()
    expect(page.get_by_text("Ingen kurser udvikler Samarbejde endnu.")).to_be_visible()
    expect(page.get_by_text("Sæt kryds i »Passer til mine gab«")).to_have_count(0)
    _at_both_widths(page, "catalogue-gaps", ".gap-notes, .course-list")

    page.goto(url_of(org_a.kommune, "/aarshjul/"))
    expect(page.locator(".deadline-marker")).to_have_count(10)
    _at_both_widths(page, "cycle", ".wheel")
