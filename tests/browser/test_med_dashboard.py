"""The MED journey in a real browser: a member of the Center-MED opens "Overblik", sees
the centre's figures in aggregates (charts and tables), a small unit's cells hidden,
never a person's name, and drills down to a team; axe-core finds no violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kompetence import services as org_services
from kompetence.models import MEDCommittee, MEDMembership, Person
from profiles import services as profile_services
from profiles.models import Competence, Evaluation
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PersonFactory, PositionFactory
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_med_member_sees_aggregates_and_never_a_name(browser, page, url_of, org_a):
    # Team Nord grows to nine people, all with their self-evaluation in; Team Syd keeps
    # its one person, so its cells are hidden.
    for _ in range(6):
        PositionFactory(person=PersonFactory(kommune=org_a.kommune), unit=org_a.team)
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        keys = dict(Competence.objects.filter(version=version).values_list("name", "key"))
        profile_services.unit_profile_set(
            unit=org_a.root, framework=version.framework, levels={keys["Faglig kompetence"]: 4}
        )
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        evaluations = list(
            Evaluation.objects.filter(
                round=round_, kind=Evaluation.Kind.SELF, subject__positions__unit=org_a.team
            )
        )
        profile_services.ratings_bulk_set(
            round_=round_,
            answers=[
                (e, c, 2 + (e.subject_id + c.pk) % 3, "")
                for e in evaluations
                for c in Competence.objects.filter(version=version)
            ],
            submit=True,
        )
        org_services.med_committee_create(
            kommune=org_a.kommune,
            name="Center-MED Omsorg",
            kind=MEDCommittee.Kind.CENTER,
            unit=org_a.centre,
            members=[(org_a.colleague, MEDMembership.Role.MEMBER)],
        )
        names = [n for n in Person.objects.values_list("name", flat=True)]

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.colleague.user.username)
    page.goto(url_of(org_a.kommune, "/overblik/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Overblik")
    assert_accessible(page)
    page.get_by_role("link", name="Center-MED Omsorg").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Center-MED Omsorg: Center for Omsorg"
    )
    progress = page.get_by_role("table", name="Fremdrift pr. enhed i Center for Omsorg")
    team_row = progress.get_by_role("row", name="Team Nord")
    expect(team_row).to_contain_text("9 af 9")
    expect(progress.get_by_role("row", name="Team Syd")).to_contain_text(
        "skjult: færre end 5 personer"
    )
    # The centre's total would give the chef and Team Syd away (11 − 9): it shows only
    # the sum of what may be shown.
    expect(progress.get_by_role("row", name="I alt")).to_contain_text("9 (uden skjulte tal)")
    expect(page.get_by_role("img", name="Andel pr. enhed")).to_be_visible()
    expect(page.get_by_role("table", name="Gab pr. kompetencegruppe")).to_be_visible()
    body = page.locator("main").inner_text()
    assert [name for name in names if name in body] == []
    assert_accessible(page)

    team_row.get_by_role("link", name="Team Nord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Center-MED Omsorg: Team Nord")
    expect(page.get_by_role("table", name="Fremdrift pr. enhed i Team Nord")).to_contain_text(
        "9 af 9"
    )
    assert [name for name in names if name in page.locator("main").inner_text()] == []
    assert_accessible(page)
