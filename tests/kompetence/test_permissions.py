"""Who may see and change whom: hierarchy, HR role and guardian grants."""

from __future__ import annotations

import pytest
from django.http import Http404

from kompetence import access, permissions, selectors, services
from tests.conftest import Org
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def visible(viewer, org: Org) -> set[str]:
    with org.scope():
        return set(permissions.visible_persons(viewer).values_list("name", flat=True))


def test_employee_sees_only_themselves(org_a):
    assert visible(org_a.employee, org_a) == {org_a.employee.name}


def test_team_leader_sees_their_team_but_not_the_sibling_team_or_above(org_a):
    assert visible(org_a.leader, org_a) == {
        org_a.leader.name,
        org_a.employee.name,
        org_a.colleague.name,
    }


def test_centre_chef_leads_the_whole_subtree_including_leaders_below(org_a):
    seen = visible(org_a.chef, org_a)
    assert {org_a.leader.name, org_a.employee.name, org_a.other_employee.name} <= seen
    assert org_a.director.name not in seen
    assert org_a.hr.name not in seen


def test_a_co_leader_of_the_same_unit_is_a_peer_not_a_subordinate(org_a):
    co_leader = PersonFactory(kommune=org_a.kommune, name="Connie Medleder")
    PositionFactory(person=co_leader, unit=org_a.team, is_leader=True)
    with org_a.scope():
        assert not permissions.leads(org_a.leader, co_leader)
        assert permissions.leads(org_a.chef, co_leader)


def test_hr_sees_and_changes_everyone(org_a):
    with org_a.scope():
        assert permissions.can_view_person(org_a.hr, org_a.director)
        assert permissions.can_change_person(org_a.hr, org_a.employee)
        assert not permissions.can_change_person(org_a.leader, org_a.employee)


def test_leader_may_view_but_not_change_master_data(org_a):
    with org_a.scope():
        assert permissions.can_view_person(org_a.leader, org_a.employee)
        with pytest.raises(Http404):
            access.get_person_or_404(org_a.leader, org_a.employee.pk, change=True)


def test_substitute_leader_grant_gives_the_subtree(org_a):
    with org_a.scope():
        assert not permissions.leads(org_a.other_employee, org_a.employee)
        services.unit_grant(
            user=org_a.other_employee.user, unit=org_a.team, codename=permissions.LEAD
        )
        substitute = type(org_a.other_employee).objects.get(pk=org_a.other_employee.pk)
        assert permissions.leads(substitute, org_a.employee)
        assert substitute.user.has_perm("kompetence.lead_orgunit", org_a.team)
        assert not permissions.leads(substitute, org_a.director)


def test_hr_delegate_grant_is_limited_to_its_centre(org_a):
    with org_a.scope():
        services.unit_grant(
            user=org_a.other_employee.user, unit=org_a.centre, codename=permissions.ADMINISTER
        )
        delegate = type(org_a.other_employee).objects.get(pk=org_a.other_employee.pk)
        assert permissions.can_change_person(delegate, org_a.employee)
        assert not permissions.can_change_person(delegate, org_a.hr)
        assert set(permissions.changeable_units(delegate)) == {
            org_a.centre,
            org_a.team,
            org_a.sibling_team,
        }


def test_kommune_hr_is_the_hr_role_and_a_centre_grant_is_hr_for_some_unit_only(org_a):
    """One name per rule: `is_kommune_hr` (the HR role, the whole kommune) and
    `is_hr_for_some_unit` (the role or an HR grant for one centre); nothing else is
    called `is_hr` in the permission rules."""
    with org_a.scope():
        services.unit_grant(
            user=org_a.other_employee.user, unit=org_a.centre, codename=permissions.ADMINISTER
        )
        delegate = type(org_a.other_employee).objects.get(pk=org_a.other_employee.pk)
        assert permissions.is_kommune_hr(org_a.hr)
        assert permissions.is_hr_for_some_unit(org_a.hr)
        assert not permissions.is_kommune_hr(delegate)
        assert permissions.is_hr_for_some_unit(delegate)
        assert not permissions.is_kommune_hr(org_a.director)
        assert not permissions.is_hr_for_some_unit(org_a.director)
    assert not hasattr(permissions, "is_hr")


def test_a_grant_cannot_cross_kommuner(org_a, org_b):
    with org_a.scope(), pytest.raises(Exception, match="anden kommune"):
        services.unit_grant(user=org_b.hr.user, unit=org_a.team, codename=permissions.LEAD)


def test_leaders_of_a_person(org_a):
    with org_a.scope():
        chain = set(selectors.leaders_of(org_a.employee).values_list("name", flat=True))
        assert chain == {org_a.leader.name, org_a.chef.name, org_a.director.name}
        assert selectors.nearest_leaders(org_a.employee) == [org_a.leader]
        assert selectors.nearest_leaders(org_a.leader) == [org_a.chef]
        assert selectors.nearest_leaders(org_a.director) == []
