"""HR sets up the MED committees: create, edit, close, with the audit trail; members
see the committee's dashboard from the moment it exists until it is closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kompetence import services
from kompetence.models import AuditEntry, MEDCommittee, MEDMembership
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _create(org, **overrides):
    data = {
        "name": "Center-MED Omsorg",
        "kind": "center",
        "unit": org.centre.pk,
        "members": [org.employee.pk, org.colleague.pk],
        "chair": org.chef.pk,
        "vice_chair": "",
    }
    data.update(overrides)
    return client_for(org.hr).post(reverse("med_committee_create"), data)


def _committee(org) -> MEDCommittee:
    with org.scope():
        return MEDCommittee.objects.select_related("unit").get(name="Center-MED Omsorg")


def test_hr_creates_a_committee_and_its_member_sees_the_dashboard_at_once(org_a):
    member = client_for(org_a.employee)
    assert member.get(reverse("dashboard")).status_code == 404  # no committee yet

    response = _create(org_a)
    assert response.status_code == 302

    committee = _committee(org_a)
    with org_a.scope():
        roles = dict(committee.memberships.values_list("person_id", "role"))
        entries = list(AuditEntry.objects.filter(object_id=str(committee.pk)))
    assert committee.kind == MEDCommittee.Kind.CENTER and committee.unit == org_a.centre
    assert roles == {
        org_a.employee.pk: MEDMembership.Role.MEMBER,
        org_a.colleague.pk: MEDMembership.Role.MEMBER,
        org_a.chef.pk: MEDMembership.Role.CHAIR,
    }
    assert any(e.action == "create" and "Center-MED Omsorg" in e.summary for e in entries)
    assert {e.subject_id for e in entries if e.subject_id} == set(roles)

    page = member.get(reverse("med_dashboard", args=[committee.pk]))
    assert page.status_code == 200
    assert "Center for Omsorg" in page.text
    assert reverse("med_dashboard", args=[committee.pk]) in member.get(reverse("dashboard")).text

    listing = client_for(org_a.hr).get(reverse("med_committee_list"))
    assert "Center-MED Omsorg" in listing.text and "Carl Centerchef" in listing.text


def test_hr_edits_coverage_and_members(org_a):
    _create(org_a)
    committee = _committee(org_a)
    response = client_for(org_a.hr).post(
        reverse("med_committee_edit", args=[committee.pk]),
        {
            "name": "Lokal-MED Nord",
            "kind": "lokal",
            "unit": org_a.team.pk,
            "members": [org_a.colleague.pk],
            "chair": org_a.leader.pk,
            "vice_chair": org_a.colleague.pk,
        },
    )
    assert response.status_code == 302
    with org_a.scope():
        committee.refresh_from_db()
        roles = dict(committee.memberships.values_list("person_id", "role"))
        removed = AuditEntry.objects.filter(
            subject=org_a.employee, object_id=str(committee.pk), summary__startswith="Ikke længere"
        )
        assert removed.exists()
    assert (committee.name, committee.kind, committee.unit_id) == (
        "Lokal-MED Nord",
        "lokal",
        org_a.team.pk,
    )
    assert roles == {
        org_a.colleague.pk: MEDMembership.Role.VICE_CHAIR,
        org_a.leader.pk: MEDMembership.Role.CHAIR,
    }
    # The removed member loses the dashboard; the committee now covers the team only.
    url = reverse("med_dashboard", args=[committee.pk])
    assert client_for(org_a.employee).get(url).status_code == 404
    colleague = client_for(org_a.colleague)
    assert colleague.get(url).status_code == 200
    sibling = f"{url}?enhed={org_a.sibling_team.pk}"
    assert colleague.get(sibling).status_code == 404


def test_the_edit_form_shows_the_current_members(org_a):
    _create(org_a)
    committee = _committee(org_a)
    page = client_for(org_a.hr).get(reverse("med_committee_edit", args=[committee.pk]))
    assert page.status_code == 200
    assert f'<option value="{org_a.employee.pk}" selected>' in page.text


def test_closing_keeps_the_committee_and_ends_its_dashboard(org_a):
    _create(org_a)
    committee = _committee(org_a)
    member = client_for(org_a.employee)
    url = reverse("med_dashboard", args=[committee.pk])
    assert member.get(url).status_code == 200

    response = client_for(org_a.hr).post(reverse("med_committee_close", args=[committee.pk]))
    assert response.status_code == 302

    assert member.get(url).status_code == 404
    assert member.get(reverse("dashboard")).status_code == 404
    assert "MED" not in [str(link.label) for link in member.get("/").context["nav_links"]]
    with org_a.scope():
        committee.refresh_from_db()
        assert committee.closed_on is not None
        assert committee.memberships.count() == 3  # history kept
        assert AuditEntry.objects.filter(
            object_id=str(committee.pk), summary__startswith="MED-udvalg lukket"
        ).exists()
    hr = client_for(org_a.hr)
    assert "Lukket" in hr.get(reverse("med_committee_list")).text
    # A closed committee is history: it cannot be edited or closed again.
    assert hr.get(reverse("med_committee_edit", args=[committee.pk])).status_code == 404
    assert hr.post(reverse("med_committee_close", args=[committee.pk])).status_code == 404


def test_a_person_of_another_kommune_cannot_be_made_a_member(org_a, org_b):
    response = _create(org_a, members=[org_a.employee.pk, org_b.employee.pk])
    assert response.status_code == 200
    assert "gyldig valgmulighed" in response.text
    response = _create(org_a, chair=org_b.chef.pk)
    assert response.status_code == 200
    with org_a.scope():
        assert not MEDCommittee.objects.exists()


def test_the_service_refuses_a_member_of_another_kommune(org_a, org_b):
    from django.core.exceptions import ValidationError

    with org_a.scope(), pytest.raises(ValidationError):
        services.med_committee_create(
            kommune=org_a.kommune,
            name="Hoved-MED",
            kind="hoved",
            unit=org_a.root,
            members=[(org_b.employee, MEDMembership.Role.MEMBER)],
        )


@pytest.mark.parametrize("who", ["employee", "leader", "chef", "director", "colleague"])
def test_only_hr_for_the_whole_kommune_manages_committees(org_a, who):
    _create(org_a)
    committee = _committee(org_a)
    client = client_for(getattr(org_a, who))  # the colleague is a member of the committee
    for url in (
        reverse("med_committee_list"),
        reverse("med_committee_create"),
        reverse("med_committee_edit", args=[committee.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("med_committee_close", args=[committee.pk])).status_code == 404


def test_a_user_of_another_kommune_gets_404_on_every_committee_page(org_a, org_b):
    _create(org_a)
    committee = _committee(org_a)
    urls = [
        reverse("med_committee_list"),
        reverse("med_committee_create"),
        reverse("med_committee_edit", args=[committee.pk]),
    ]
    on_a_host = client_for(org_b.hr, org_a.kommune)
    own_host = client_for(org_b.hr)
    for url in urls:
        assert on_a_host.get(url).status_code == 404
    close = reverse("med_committee_close", args=[committee.pk])
    assert on_a_host.post(close).status_code == 404
    assert own_host.get(urls[2]).status_code == 404
    assert own_host.post(close).status_code == 404
    committee.refresh_from_db()
    assert committee.closed_on is None
