"""The self-evaluation journey in a real browser: answers are saved as they are given
and survive a reload; the leader rates the same person and sees the gaps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profiles import services
from profiles.models import Competence, Evaluation
from tests.browser.conftest import assert_accessible, log_in
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, competence: str, level: str) -> None:
    block = page.get_by_role("group", name=competence)
    block.get_by_label(level, exact=True).check()
    expect(block.get_by_role("status")).to_have_text("Gemt")


def test_employee_answers_reloads_submits_and_the_leader_compares(browser, page, url_of, org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        keys = dict(Competence.objects.filter(version=version).values_list("name", "key"))
        services.unit_profile_set(
            unit=org_a.root,
            framework=version.framework,
            levels={keys["Forandringskompetence"]: 4, keys["Faglig kompetence"]: 3},
        )
    round_ = open_round(version, org_a.root, by=org_a.hr)
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    page.get_by_role("link", name=round_.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selvevaluering")
    expect(page.get_by_text("0 af 5 besvaret")).to_be_visible()
    assert_accessible(page)

    choose(page, "Forandringskompetence", "Avanceret begynder")
    choose(page, "Innovationskompetence", "Kompetent")
    choose(page, "Samarbejdskompetence", "Kyndig")
    expect(page.get_by_text("3 af 5 besvaret")).to_be_visible()

    page.reload()
    expect(page.get_by_text("3 af 5 besvaret")).to_be_visible()
    for name, level in [
        ("Forandringskompetence", "Avanceret begynder"),
        ("Innovationskompetence", "Kompetent"),
        ("Samarbejdskompetence", "Kyndig"),
    ]:
        expect(page.get_by_role("group", name=name).get_by_label(level, exact=True)).to_be_checked()

    choose(page, "Kommunikationskompetence", "Kompetent")
    choose(page, "Faglig kompetence", "Ikke relevant for mig")
    page.get_by_role("button", name="Indsend evaluering").click()
    expect(page.get_by_text("Evalueringen er indsendt.")).to_be_visible()
    expect(
        page.get_by_role("group", name="Faglig kompetence").get_by_label("Ekspert")
    ).to_be_disabled()
    assert_accessible(page)
    with org_a.scope():
        assert Evaluation.objects.get(
            round=round_, subject=org_a.employee, kind="self"
        ).is_submitted

    leader_context = browser.new_context(locale="da-DK")
    leader = leader_context.new_page()
    leader.on("dialog", lambda dialog: dialog.accept())
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.get_by_role("link", name="Mit team").click()
    assert_accessible(leader)
    leader.get_by_role("link", name=re.compile(f"^Vurder {org_a.employee.name}")).click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text(
        f"Ledervurdering af {org_a.employee.name}"
    )
    for name, level in [
        ("Forandringskompetence", "Nybegynder"),
        ("Innovationskompetence", "Kompetent"),
        ("Samarbejdskompetence", "Kompetent"),
        ("Kommunikationskompetence", "Kompetent"),
        ("Faglig kompetence", "Kompetent"),
    ]:
        choose(leader, name, level)
    assert_accessible(leader)
    leader.get_by_role("button", name="Indsend evaluering").click()
    expect(leader.get_by_text("Evalueringen er indsendt.")).to_be_visible()

    leader.goto(url_of(org_a.kommune, f"/evalueringer/{round_.pk}/personer/{org_a.employee.pk}/"))
    row = leader.get_by_role("row", name=re.compile("^Forandringskompetence"))
    expect(row).to_contain_text("Kyndig")  # required
    expect(row).to_contain_text("Avanceret begynder")  # self
    expect(row).to_contain_text("Nybegynder")  # leader
    expect(row).to_contain_text("3 trin under")
    assert_accessible(leader)
    leader_context.close()
