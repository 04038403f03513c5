"""The security contract of `catalogue.access`: what is not the viewer's to load is
as absent (Http404) as what does not exist."""

from __future__ import annotations

import pytest
from django.http import Http404

from catalogue import services
from catalogue.access import get_course_or_404, get_enrolment_or_404, get_session_or_404
from tests.catalogue.factories import build_course, build_session

pytestmark = pytest.mark.django_db


def test_a_draft_is_hr_s_to_manage_and_no_one_else_s(org_a):
    draft = build_course(org_a.kommune, publish=False)
    session = build_session(draft)
    with org_a.scope():
        assert get_course_or_404(org_a.hr, draft.pk, manage=True) == draft
        assert get_session_or_404(org_a.hr, session.pk, manage=True) == session
        for viewer in (org_a.employee, org_a.leader):
            with pytest.raises(Http404):
                get_course_or_404(viewer, draft.pk)
            with pytest.raises(Http404):
                get_course_or_404(viewer, draft.pk, manage=True)
            with pytest.raises(Http404):
                get_session_or_404(viewer, session.pk)
            with pytest.raises(Http404):
                get_session_or_404(viewer, session.pk, manage=True)
        with pytest.raises(Http404):
            get_course_or_404(org_a.hr, draft.pk + 1000, manage=True)


def test_another_kommune_s_course_and_session_are_absent_even_to_its_hr(org_a, org_b):
    course = build_course(org_a.kommune)
    session = build_session(course)
    with org_a.scope():
        assert get_course_or_404(org_a.employee, course.pk) == course
        assert get_session_or_404(org_a.employee, session.pk) == session
    with org_b.scope():
        for manage in (False, True):
            with pytest.raises(Http404):
                get_course_or_404(org_b.hr, course.pk, manage=manage)
            with pytest.raises(Http404):
                get_session_or_404(org_b.hr, session.pk, manage=manage)


def test_an_enrolment_is_the_person_s_their_leader_s_and_hr_s(org_a):
    course = build_course(org_a.kommune)
    session, other = build_session(course), build_session(course, days=60)
    with org_a.scope():
        enrolment = services.enrolment_request(session=session, person=org_a.employee)
        for viewer in (org_a.employee, org_a.leader, org_a.hr):
            assert get_enrolment_or_404(viewer, enrolment.pk) == enrolment
        assert get_enrolment_or_404(org_a.hr, enrolment.pk, manage=True, session=session)
        with pytest.raises(Http404):
            get_enrolment_or_404(org_a.colleague, enrolment.pk)
        with pytest.raises(Http404):
            get_enrolment_or_404(org_a.leader, enrolment.pk, manage=True)
        with pytest.raises(Http404):
            get_enrolment_or_404(org_a.hr, enrolment.pk, manage=True, session=other)


def test_requests_to_decide_are_the_leader_s_people_s_all_or_nothing(org_a, org_b):
    from catalogue.access import get_requests_to_decide_or_404

    course = build_course(org_a.kommune)
    session, later = build_session(course), build_session(course, days=60)
    with org_a.scope():
        first = services.enrolment_request(session=session, person=org_a.employee)
        second = services.enrolment_request(session=later, person=org_a.employee)
        sibling = services.enrolment_request(session=session, person=org_a.other_employee)
        # In the order asked for, each once.
        assert get_requests_to_decide_or_404(org_a.leader, [second.pk, first.pk, second.pk]) == [
            second,
            first,
        ]
        # The centre's chief leads both teams.
        assert get_requests_to_decide_or_404(org_a.chef, [first.pk, sibling.pk]) == [
            first,
            sibling,
        ]
        for viewer, ids in (
            (org_a.leader, []),
            (org_a.leader, [first.pk, sibling.pk]),  # one not theirs spoils the lot
            (org_a.leader, [first.pk, first.pk + 1000]),
            (org_a.hr, [first.pk]),  # HR leads no one
            (org_a.employee, [first.pk]),  # one's own request is not one's to decide
        ):
            with pytest.raises(Http404):
                get_requests_to_decide_or_404(viewer, ids)
    with org_b.scope(), pytest.raises(Http404):
        get_requests_to_decide_or_404(org_b.leader, [first.pk])
