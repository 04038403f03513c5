"""The organisation core's access helpers: the entitled get the object, everyone else,
whether the object exists or not, the same 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from kompetence import access, services
from kompetence.models import ImportJob, MEDMembership

pytestmark = pytest.mark.django_db


def test_a_person_is_found_by_themself_their_leader_and_hr_only(org_a, org_b):
    with org_a.scope():
        employee = org_a.employee.pk
        for viewer in (org_a.employee, org_a.leader, org_a.hr):
            assert access.get_person_or_404(viewer, employee).pk == employee
        with pytest.raises(Http404):
            access.get_person_or_404(org_a.colleague, employee)
        with pytest.raises(Http404):
            access.get_person_or_404(org_a.hr, org_b.employee.pk)
        with pytest.raises(Http404):
            access.get_person_or_404(org_a.hr, 10**9)


def test_only_hr_changes_a_person_a_unit_or_a_position(org_a):
    with org_a.scope():
        position = org_a.employee.positions.get()
        assert access.get_person_or_404(org_a.hr, org_a.employee.pk, change=True)
        assert access.get_unit_or_404(org_a.hr, org_a.team.pk, change=True)
        assert access.get_position_or_404(org_a.hr, position.pk) == position
        assert access.get_unit_or_404(org_a.leader, org_a.team.pk) == org_a.team
        for lookup in (
            lambda: access.get_person_or_404(org_a.leader, org_a.employee.pk, change=True),
            lambda: access.get_unit_or_404(org_a.leader, org_a.team.pk, change=True),
            lambda: access.get_unit_or_404(org_a.leader, org_a.sibling_team.pk),
            lambda: access.get_position_or_404(org_a.leader, position.pk),
        ):
            with pytest.raises(Http404):
                lookup()


def test_an_open_committee_is_found_by_kommune_hr_only(org_a, org_b):
    with org_a.scope():
        committee = services.med_committee_create(
            kommune=org_a.kommune,
            name="Hoved-MED",
            kind="hoved",
            unit=org_a.root,
            members=[(org_a.leader, MEDMembership.Role.MEMBER)],
        )
        assert access.get_med_committee_or_404(org_a.hr, committee.pk) == committee
        with pytest.raises(Http404):
            access.get_med_committee_or_404(org_a.leader, committee.pk)
        services.med_committee_close(committee=committee)
        with pytest.raises(Http404):
            access.get_med_committee_or_404(org_a.hr, committee.pk)
    with org_b.scope(), pytest.raises(Http404):
        access.get_med_committee_or_404(org_b.hr, committee.pk)


def test_an_import_job_is_found_in_its_own_kommune_only(org_a, org_b):
    with org_a.scope():
        job = ImportJob.objects.create(
            kommune=org_a.kommune, kind="organisation", created_by=org_a.hr, filename="org.csv"
        )
        assert access.get_import_job_or_404(org_a.hr, job.pk) == job
        with pytest.raises(Http404):
            access.get_import_job_or_404(org_a.employee, job.pk)
        with pytest.raises(Http404):
            access.get_importer_or_404(org_a.hr, "no-such-kind")
    with org_b.scope(), pytest.raises(Http404):
        access.get_import_job_or_404(org_b.hr, job.pk)


def test_no_login_lock_for_anyone_but_kommune_hr(org_a):
    with org_a.scope(), pytest.raises(Http404):
        access.get_login_lock_or_404(org_a.leader, login="eva", address="10.0.0.1")
    with org_a.scope(), pytest.raises(Http404):
        access.get_login_lock_or_404(org_a.hr, login="eva", address="10.0.0.1")
