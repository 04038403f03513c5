"""The unit tree: subtree queries, moves, and the tree page's query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kompetence import selectors, services
from kompetence.models import OrgUnit, unit_path_ids
from tests.conftest import client_for
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_subtree_is_one_query(org_a, django_assert_num_queries):
    with org_a.scope(), django_assert_num_queries(1):
        names = {u.name for u in selectors.unit_subtree(org_a.centre)}
    assert names == {"Center for Omsorg", "Team Nord", "Team Syd"}


def test_paths_follow_the_tree(org_a):
    assert org_a.team.path == f"/{org_a.root.pk}/{org_a.centre.pk}/{org_a.team.pk}/"
    assert org_a.team.depth == 3
    assert org_a.team.ancestor_ids == [org_a.root.pk, org_a.centre.pk, org_a.team.pk]


def test_a_unit_path_is_taken_apart_in_one_place(org_a):
    assert unit_path_ids("/12/40/301/") == [12, 40, 301]
    assert unit_path_ids("/7/") == [7]
    assert unit_path_ids(org_a.team.path) == org_a.team.ancestor_ids


def test_moving_a_unit_moves_its_subtree(org_a):
    with org_a.scope():
        other = OrgUnitFactory(kommune=org_a.kommune, parent=org_a.root, name="Center for Job")
        sub = OrgUnitFactory(kommune=org_a.kommune, parent=org_a.team, name="Undergruppe")
        services.unit_move(unit=org_a.team, new_parent=other)
        sub.refresh_from_db()
        team = OrgUnit.objects.get(pk=org_a.team.pk)
    assert team.parent == other
    assert sub.path == f"/{org_a.root.pk}/{other.pk}/{team.pk}/{sub.pk}/"
    assert (team.depth, sub.depth) == (3, 4)


def test_a_unit_cannot_move_below_itself(org_a):
    with org_a.scope(), pytest.raises(ValidationError):
        services.unit_move(unit=org_a.centre, new_parent=org_a.team)


@pytest.mark.parametrize("extra_units", [5, 60])
def test_org_tree_page_query_count_does_not_grow(org_a, extra_units, django_assert_max_num_queries):
    for i in range(extra_units):
        unit = OrgUnitFactory(kommune=org_a.kommune, parent=org_a.sibling_team, name=f"Gruppe {i}")
        PositionFactory(person=PersonFactory(kommune=org_a.kommune), unit=unit)
    client = client_for(org_a.hr)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("org_tree"))
    assert response.status_code == 200
    assert "Gruppe 4" in response.text


def test_leader_sees_only_their_subtree_in_the_tree(org_a):
    response = client_for(org_a.leader).get(reverse("org_tree"))
    assert "Team Nord" in response.text
    assert "Team Syd" not in response.text


def test_employee_has_no_org_tree(org_a):
    assert client_for(org_a.employee).get(reverse("org_tree")).status_code == 404


def test_the_tree_nests_units_with_links_counts_and_escaped_names(org_a):
    with org_a.scope():
        odd = OrgUnitFactory(kommune=org_a.kommune, parent=org_a.team, name="Team <Øst> & Co")
        PositionFactory(person=PersonFactory(kommune=org_a.kommune), unit=odd)
    page = client_for(org_a.hr).get(reverse("org_tree")).text
    link = f'<a href="{reverse("unit_detail", args=[odd.pk])}">Team &lt;Øst&gt; &amp; Co</a>'
    assert link in page
    assert "<Øst>" not in page
    # The unit sits in its parent's list, under a summary naming the parent.
    team_item = page.index(f'<a href="{reverse("unit_detail", args=[org_a.team.pk])}">')
    assert team_item < page.index(link)
    assert "1 underenhed" in page[team_item : page.index(link)]
    assert f"under {org_a.team.name}</span></summary>" in page
    assert "1 person</span>" in page[page.index(link) :]
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    english = client_for(org_a.hr).get(reverse("org_tree")).text
    assert "1 sub-unit" in english and "1 person</span>" in english
