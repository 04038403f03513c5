"""The heat-map's team figures and its drill-down to the people behind a cell: for
the leader in the line only, never for HR, a MED member or another kommune."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profiles import selectors
from profiles.models import Competence, Evaluation
from tests.annualcycle.test_dashboards import add_people, answer_all, committee_for
from tests.conftest import client_for
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(org_a):
    """A round over the kommune with the team leader's, the employee's and the
    colleague's self-evaluations submitted."""
    round_ = open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    answer_all(org_a, round_, [org_a.leader, org_a.employee, org_a.colleague], Evaluation.Kind.SELF)
    with org_a.scope():
        competence = Competence.objects.filter(version=round_.version, roles=[]).first()
    return round_, competence


def _people_url(unit, round_, competence, *, direct: bool) -> str:
    """The cell's link as the heat-map writes it."""
    url = f"{reverse('heatmap_people')}?runde={round_.pk}&enhed={unit.pk}"
    return f"{url}{'&direkte=1' if direct else ''}&kompetence={competence.pk}"


def test_a_leaders_own_rating_is_not_part_of_their_teams_figure(org_a, answered):
    round_, competence = answered
    with org_a.scope():
        (direct,) = selectors.heatmap(org_a.team, round_)
        # The employee and the colleague; not the team's leader.
        assert direct.cells[competence.pk].count == 2
        assert direct.people == 2
        # On the centre's heat-map the team leader is one of the people the chef leads.
        team_row = next(r for r in selectors.heatmap(org_a.centre, round_) if r.unit == org_a.team)
        assert team_row.cells[competence.pk].count == 3


def test_one_persons_level_is_never_shown_as_a_teams_figure(org_a, answered):
    round_, competence = answered
    add_people(org_a, org_a.sibling_team, 1, leader=True)  # Team Syd gets a leader
    answer_all(org_a, round_, [org_a.other_employee], Evaluation.Kind.SELF)
    with org_a.scope():
        syd = next(
            r for r in selectors.heatmap(org_a.centre, round_) if r.unit == org_a.sibling_team
        )
    cell = syd.cells[competence.pk]
    assert cell.count == 1 and not cell.is_team_figure
    page = client_for(org_a.chef).get(
        reverse("heatmap") + f"?enhed={org_a.centre.pk}&runde={round_.pk}"
    )
    assert "1 svar – for få til et tal for teamet" in page.text


def test_the_leader_drills_down_from_a_cell_to_the_people_behind_it(org_a, answered):
    round_, competence = answered
    page = client_for(org_a.leader).get(
        reverse("heatmap") + f"?enhed={org_a.team.pk}&runde={round_.pk}"
    )
    url = _people_url(org_a.team, round_, competence, direct=True)
    assert url.replace("&", "&amp;") in page.text
    people = client_for(org_a.leader).get(url)
    assert people.status_code == 200
    assert "Eva Medarbejder" in people.text and "Kim Kollega" in people.text
    assert people.text.count("Lise Leder") == 1  # the page header, not a row
    # The chef opens Team Nord's row on the centre's heat-map: its leader is in it.
    chef = client_for(org_a.chef).get(_people_url(org_a.team, round_, competence, direct=False))
    assert chef.status_code == 200 and "Lise Leder" in chef.text


def test_the_drill_down_is_404_for_hr_med_a_leader_elsewhere_and_another_kommune(
    org_a, org_b, answered
):
    round_, competence = answered
    url = _people_url(org_a.team, round_, competence, direct=True)
    (syd_leader,) = add_people(org_a, org_a.sibling_team, 1, leader=True)
    committee_for(org_a, org_a.centre, [org_a.colleague, syd_leader])
    for outsider in (org_a.hr, org_a.colleague, syd_leader, org_a.employee):
        assert client_for(outsider).get(url).status_code == 404, outsider.name
    assert client_for(org_b.leader, org_a.kommune).get(url).status_code == 404
    # The same ids on B's host, by B's leader of the same place in B's tree.
    assert client_for(org_b.leader).get(url).status_code == 404
    # A missing or foreign round or competence, or a malformed address, is 404 too.
    for bad in (
        _people_url(org_a.team, round_, competence, direct=True).replace(
            f"runde={round_.pk}", "runde=999999"
        ),
        f"{reverse('heatmap_people')}?enhed={org_a.team.pk}",
    ):
        assert client_for(org_a.leader).get(bad).status_code == 404
    # HR sees the heat-map's figures without links to the people.
    hr_page = client_for(org_a.hr).get(
        reverse("heatmap") + f"?enhed={org_a.team.pk}&runde={round_.pk}"
    )
    assert hr_page.status_code == 200 and reverse("heatmap_people") not in hr_page.text


def test_the_med_dashboard_has_no_drill_down(org_a, answered):
    committee = committee_for(org_a, org_a.centre, [org_a.colleague])
    page = client_for(org_a.colleague).get(reverse("med_dashboard", args=[committee.pk]))
    assert page.status_code == 200
    assert reverse("heatmap_people") not in page.text and reverse("heatmap") not in page.text


@pytest.mark.parametrize("size", [5, 30])
def test_the_drill_down_takes_the_same_queries_for_5_and_30_people(
    org_a, size, django_assert_max_num_queries
):
    people = add_people(org_a, org_a.team, size)
    round_ = open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    answer_all(org_a, round_, [*people, org_a.employee, org_a.colleague], Evaluation.Kind.SELF)
    with org_a.scope():
        competence = Competence.objects.filter(version=round_.version, roles=[]).first()
    client = client_for(org_a.leader)
    url = _people_url(org_a.team, round_, competence, direct=True)
    client.get(url)
    # 16: the 15 of the page and the audit entry of the filter (issue 19.4).
    with django_assert_max_num_queries(16):
        page = client.get(url)
    assert page.text.count('data-label="Krævet"') == size + 2
