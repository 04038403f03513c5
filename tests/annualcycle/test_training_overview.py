"""The mandatory-training overview ("Certifikater"): a leader sees their subtree's people
who must act, HR the whole kommune and its spreadsheet, a MED member their committee's
subtree in k-anonymous aggregates; everyone else gets 404."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kompetence import services as org_services
from kompetence.models import AuditEntry, MEDMembership
from tests.annualcycle.test_med_reach import (
    Page,
    _training_figures,
    build_med_case,
    derivable_small_groups,
)
from tests.catalogue.training_factories import certificate, requirement_for
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
URL = reverse("training_overview")
EXPORT = reverse("training_overview_export")


@pytest.fixture
def first_aid(org_a):
    """For everyone: the employee's has expired, the colleague's expires in 30 days,
    the sibling team's employee's has expired, the leader's is valid for long."""
    with org_a.scope():
        requirement = requirement_for(org_a.kommune, grace_days=0)
        certificate(org_a.employee, requirement, TODAY - 3 * DAY)
        certificate(org_a.colleague, requirement, TODAY + 30 * DAY)
        certificate(org_a.other_employee, requirement, TODAY - 10 * DAY)
        certificate(org_a.leader, requirement, TODAY + 400 * DAY)
    return requirement


def _people_table(response) -> list[str]:
    page = Page(response.content.decode())
    table = next(t for t in page.tables if t["caption"].startswith("Personer og krav"))
    return [" | ".join(cell["text"] for cell in row) for row in table["rows"][1:]]


def test_a_leader_sees_their_teams_people_who_must_act_and_not_the_sibling_team(org_a, first_aid):
    response = client_for(org_a.leader).get(URL)
    assert response.status_code == 200
    rows = _people_table(response)
    assert len(rows) == 2
    assert rows[0].startswith(org_a.employee.name) and "Udløbet" in rows[0]
    assert rows[1].startswith(org_a.colleague.name) and "Udløber snart" in rows[1]
    text = response.content.decode()
    assert org_a.other_employee.name not in text
    assert org_a.leader.name not in " ".join(rows)  # valid, and not their own
    assert EXPORT not in text  # the spreadsheet is kommune HR's


def test_the_filters_narrow_by_state_requirement_and_unit(org_a, first_aid):
    client = client_for(org_a.hr)
    with org_a.scope():
        other = requirement_for(org_a.kommune, name="Informationssikkerhed", grace_days=0)
    expiring = _people_table(client.get(URL, {"status": "expiring"}))
    assert len(expiring) == 1 and expiring[0].startswith(org_a.colleague.name)
    valid = _people_table(client.get(URL, {"status": "valid", "krav": first_aid.pk}))
    assert len(valid) == 1 and valid[0].startswith(org_a.leader.name)
    sibling = _people_table(client.get(URL, {"enhed": org_a.sibling_team.pk, "krav": first_aid.pk}))
    assert len(sibling) == 1 and sibling[0].startswith(org_a.other_employee.name)
    # Their first day: within the grace (0 days), due today.
    due = _people_table(client.get(URL, {"krav": other.pk}))
    assert len(due) == 7 and all("Skal opfyldes" in row for row in due)
    # A unit outside the leader's subtree, or an id that is not one, is a 404.
    leader = client_for(org_a.leader)
    assert leader.get(URL, {"enhed": org_a.sibling_team.pk}).status_code == 404
    assert leader.get(URL, {"enhed": org_a.team.pk}).status_code == 200
    assert leader.get(URL, {"krav": "x"}).status_code == 404
    assert leader.get(URL, {"krav": 999999}).status_code == 404


def test_hr_sees_the_whole_kommune_with_counts_per_requirement(org_a, first_aid):
    response = client_for(org_a.hr).get(URL)
    assert response.status_code == 200
    rows = _people_table(response)
    names = [row.split(" | ")[0] for row in rows]
    # Everyone who must act, across the kommune: not the leader, whose is valid.
    assert set(names) == {
        org_a.employee.name,
        org_a.colleague.name,
        org_a.other_employee.name,
        org_a.director.name,
        org_a.chef.name,
        org_a.hr.name,
    }
    # Worst first: the longest expired.
    assert names[:2] == [org_a.other_employee.name, org_a.employee.name]
    page = Page(response.content.decode())
    counts = next(t for t in page.tables if t["caption"].startswith("Antal personer pr. krav"))
    # Expired, missing, expiring, due, valid: the director, chef and HR have no
    # certificate and are due today.
    assert [c["text"] for c in counts["rows"][1]] == ["Førstehjælp", "2", "0", "1", "3", "1"]
    assert EXPORT in response.content.decode()


def test_hr_downloads_the_overview_as_a_spreadsheet_and_it_is_logged(org_a, first_aid):
    response = client_for(org_a.hr).get(EXPORT, {"status": "expired"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="certifikater-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("Navn", "Medarbejdernummer", "Enhed", "Krav", "Status")
    assert sorted(row[0] for row in values[1:]) == sorted(
        [org_a.employee.name, org_a.other_employee.name]
    )
    employee = next(row for row in values if row[0] == org_a.employee.name)
    assert employee[2:5] == ("Team Nord", "Førstehjælp", "Udløbet")
    assert employee[5].date() == TODAY - 3 * DAY
    with org_a.scope():
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, actor=org_a.hr)
    assert "Certifikater" in entry.summary


def test_the_spreadsheet_is_kommune_hrs_only(org_a, first_aid):
    for person in (org_a.leader, org_a.employee, org_a.chef):
        assert client_for(person).get(EXPORT).status_code == 404


def test_employees_and_other_kommuners_users_get_404(org_a, org_b, first_aid):
    assert client_for(org_a.employee).get(URL).status_code == 404
    assert client_for(org_b.leader, org_a.kommune).get(URL).status_code == 404
    assert client_for(org_b.hr, org_a.kommune).get(URL).status_code == 404
    assert client_for(org_b.hr, org_a.kommune).get(EXPORT).status_code == 404


def test_a_committee_of_another_kommune_or_not_ones_own_is_a_404(org_a, org_b):
    member, committee, *_rest = build_med_case(org_a)
    assert client_for(member).get(URL, {"udvalg": committee.pk}).status_code == 200
    assert client_for(org_a.employee).get(URL, {"udvalg": committee.pk}).status_code == 404
    assert client_for(org_a.hr).get(URL, {"udvalg": committee.pk}).status_code == 404
    assert client_for(org_b.hr, org_a.kommune).get(URL, {"udvalg": committee.pk}).status_code == 404


def _med_case(org):
    """Center for Trivsel (no one directly), Team Stor 8 and Team Lille 4, a Center-MED
    member in Team Stor; a requirement for everyone, some met, some expiring or expired."""
    member, committee, _plans, _round, units = build_med_case(org)
    with org.scope():
        requirement = requirement_for(org.kommune)
        for unit in units[1:]:
            people = [p.person for p in unit.positions.select_related("person")]
            for person, days in zip(people, (400, 30, -5), strict=False):
                certificate(person, requirement, TODAY + days * DAY)
    return member, committee, units


def test_a_med_member_sees_aggregates_with_no_cell_below_k_and_no_names(org_a):
    member, _committee, [centre, big, small] = _med_case(org_a)
    response = client_for(member).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "person 1" not in text and "Personer og krav" not in text
    page = Page(text)
    [table] = page.tables
    assert table["caption"] == "Førstehjælp"
    rows = {row[0]["text"]: row[1:] for row in table["rows"][1:]}
    # Team Stor: 8 subject, 1 valid, 1 expiring, 1 expired, 5 due (new, within grace).
    assert [c["text"] for c in rows["Team Stor"]] == ["8", "1", "1", "1", "5", "0"]
    # Team Lille (4 < k) is hidden, and so is the total: total − Team Stor = Team Lille.
    assert all(cell["hidden"] for cell in rows["Team Lille"])
    assert all(cell["hidden"] for cell in rows["I alt"])
    with org_a.scope():
        units = {u.name: u for u in (centre, big, small)}
        tree = {u.pk: u.parent_id for u in units.values()}
        people = {u.pk: u.positions.count() for u in units.values()}
    shown = _training_figures(page, units)
    assert shown and derivable_small_groups(shown, tree, people) == []


def test_the_med_total_shows_when_hiding_the_small_team_leaves_a_partner(org_a):
    member, _committee, [centre, big, small] = _med_case(org_a)
    for index in range(5):  # five people directly in the centre
        person = PersonFactory(kommune=org_a.kommune, name=f"Centre person {index}")
        PositionFactory(person=person, unit=centre, job_title="Konsulent")
    page = Page(client_for(member).get(URL).content.decode())
    rows = {row[0]["text"]: row[1:] for row in page.tables[0]["rows"][1:]}
    assert rows["I alt"][0]["text"] == "17"
    # Team Lille (4) and the centre's own 5 are hidden together: 9 ≥ k.
    assert all(cell["hidden"] for cell in rows["Team Lille"])
    assert all(cell["hidden"] for cell in rows["Center for Trivsel (direkte)"])
    with org_a.scope():
        units = {u.name: u for u in (centre, big, small)}
        tree = {u.pk: u.parent_id for u in units.values()}
        people = {u.pk: u.positions.count() for u in units.values()}
    shown = _training_figures(page, units)
    assert derivable_small_groups(shown, tree, people) == []


def test_a_leader_on_a_committee_reaches_the_committees_aggregates_by_link(org_a, first_aid):
    with org_a.scope():
        committee = org_services.med_committee_create(
            kommune=org_a.kommune,
            name="Center-MED Omsorg",
            kind="center",
            unit=org_a.centre,
            members=[(org_a.leader, MEDMembership.Role.MEMBER)],
        )
    client = client_for(org_a.leader)
    assert f"?udvalg={committee.pk}" in client.get(URL).content.decode()
    med = client.get(URL, {"udvalg": committee.pk}).content.decode()
    assert "Krav og certifikater i Center for Omsorg" in med
    assert org_a.employee.name not in med


@pytest.mark.parametrize("size", [3, 25])
def test_the_pages_take_the_same_queries_whatever_the_number_of_people(
    org_a, first_aid, size, django_assert_max_num_queries
):
    for index in range(size):
        person = PersonFactory(kommune=org_a.kommune, name=f"Ny {index}")
        PositionFactory(person=person, unit=org_a.team)
        with org_a.scope():
            certificate(person, first_aid, TODAY + (index % 3 - 1) * 40 * DAY)
    for viewer, url in ((org_a.leader, URL), (org_a.hr, URL), (org_a.hr, EXPORT)):
        client = client_for(viewer)
        client.get(url)  # warm the session and framework caches
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [3, 25])
def test_the_med_page_takes_the_same_queries_whatever_the_number_of_people(
    org_a, size, django_assert_max_num_queries
):
    member, _committee, [_centre, big, _small] = _med_case(org_a)
    for _index in range(size):
        PositionFactory(person=PersonFactory(kommune=org_a.kommune), unit=big)
    client = client_for(member)
    client.get(URL)
    with django_assert_max_num_queries(30):
        assert client.get(URL).status_code == 200
