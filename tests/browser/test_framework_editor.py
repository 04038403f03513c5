"""HR builds a competence framework in a real browser: create it, add a group and a
competence through the HTMX editor, reorder, preview it as an employee, publish it
after the confirmation page. axe-core checks every page and every swapped state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profiles.models import Competence, FrameworkVersion, JobProfileAssignment
from tests.browser.conftest import assert_accessible, log_in, menu_link
from tests.profiles.factories import build_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_builds_previews_and_publishes_a_framework(page, url_of, org_a):
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Kompetencer", "Kompetencerammer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kompetencerammer")
    assert_accessible(page)

    page.get_by_role("link", name="Ny ramme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny kompetenceramme")
    assert_accessible(page)
    page.get_by_role("button", name="Opret rammen").click()
    expect(page.locator("#field-name")).to_contain_text("Dette felt er påkrævet.")
    assert_accessible(page)
    page.get_by_label("Navn").fill("Ledelses- og medarbejdergrundlag")
    page.get_by_role("button", name="Opret rammen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ledelses- og medarbejdergrundlag")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kladde")
    assert_accessible(page)

    # A group, added in place.
    page.get_by_label("Gruppens navn").fill("Sammen sikrer vi driften")
    page.get_by_role("button", name="Tilføj gruppe").click()
    expect(page.get_by_role("heading", level=2, name="Sammen sikrer vi driften")).to_be_visible()
    expect(page.locator("#editor-status")).to_contain_text("er tilføjet")
    assert_accessible(page)

    # Two competences, the second limited to leaders.
    for name, leader_only in (("Overblik over opgaverne", False), ("Strategisk ledelse", True)):
        page.get_by_role(
            "link", name="Tilføj kompetence i gruppen Sammen sikrer vi driften"
        ).click()
        form = page.get_by_role("form", name="Ny kompetence i Sammen sikrer vi driften")
        expect(form).to_be_visible()
        assert_accessible(page)
        form.get_by_label("Navn").fill(name)
        form.get_by_label("Kort beskrivelse").fill(f"Om {name.lower()}.")
        if leader_only:
            form.get_by_label("Leder af medarbejdere").check()
        form.get_by_role("button", name="Tilføj kompetencen").click()
        expect(page.get_by_role("heading", level=3, name=name)).to_be_visible()
    expect(page.get_by_text("Kun for: Leder af medarbejdere")).to_be_visible()
    assert_accessible(page)

    # Reorder with the keyboard: focus stays on the pressed button.
    move_up = page.get_by_role("button", name="Flyt op Strategisk ledelse")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#editor-status")).to_contain_text("flyttet op")
    expect(page.get_by_role("button", name="Flyt op Strategisk ledelse")).to_be_focused()
    headings = page.locator(".competence-item h3")
    expect(headings).to_have_text(["Strategisk ledelse", "Overblik over opgaverne"])
    assert_accessible(page)

    # Preview as an employee: the leaders' competence is not there.
    page.get_by_role("link", name="Forhåndsvis").click()
    page.get_by_label("Vis som").select_option(label="Medarbejder")
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("heading", level=3, name="Overblik over opgaverne")).to_be_visible()
    expect(page.get_by_role("heading", name="Strategisk ledelse")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Tilbage til rammen").click()

    # Publish through the confirmation page.
    page.get_by_role("link", name="Offentliggør", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offentliggør")
    expect(page.get_by_text("Versionen låses")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Offentliggør version 1").click()
    expect(page).to_have_url(re.compile(r"/rammer/versioner/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offentliggjort")
    expect(page.get_by_role("button", name="Ny version ud fra denne")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Flyt op"))).to_have_count(0)
    assert_accessible(page)

    with org_a.scope():
        version = FrameworkVersion.objects.get(framework__name="Ledelses- og medarbejdergrundlag")
        names = list(
            Competence.objects.filter(version=version)
            .order_by("order")
            .values_list("name", flat=True)
        )
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert names == ["Strategisk ledelse", "Overblik over opgaverne"]


def test_hr_sets_a_job_profile_a_unit_profile_and_assigns_the_profile(page, url_of, org_a):
    build_framework(org_a.kommune, by=org_a.hr)
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)

    page.goto(url_of(org_a.kommune, "/jobprofiler/"))
    assert_accessible(page)
    page.get_by_role("link", name="Ny jobprofil").click()
    page.get_by_label("Navn").fill("Socialrådgiver")
    page.get_by_role("button", name="Opret jobprofilen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Socialrådgiver")
    assert_accessible(page)
    page.get_by_label("Faglig kompetence").select_option("4")
    page.get_by_role("button", name="Gem jobprofilen").click()
    expect(page.get_by_text("Jobprofilen er gemt.")).to_be_visible()
    expect(page.get_by_label("Faglig kompetence")).to_have_value("4")
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, f"/organisation/{org_a.centre.pk}/profil/"))
    page.get_by_label("Samarbejdskompetence").select_option("3")
    page.get_by_role("button", name="Gem enhedsprofilen").click()
    expect(page.get_by_text("Enhedsprofilen er gemt.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Team Nord").click()
    expect(page.get_by_role("row", name=re.compile("Samarbejdskompetence"))).to_contain_text(
        "fra Center for Omsorg"
    )
    assert_accessible(page)

    with org_a.scope():
        position = org_a.employee.positions.get()
    page.goto(url_of(org_a.kommune, f"/personer/{org_a.employee.pk}/"))
    page.get_by_role("link", name="Skift jobprofil for Socialrådgiver").click()
    page.get_by_role("combobox", name="Jobprofil").select_option(
        label="Socialrådgiver (Kompetencehjulet)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Gem jobprofil").click()
    expect(page.locator(f"#position-{position.pk}-job-profile")).to_contain_text("Gemt")
    assert_accessible(page)
    with org_a.scope():
        assert JobProfileAssignment.objects.get().job_profile.name == "Socialrådgiver"
