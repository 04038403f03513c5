"""On PostgreSQL, 30 concurrent requests for the last free place leave exactly one
confirmed and the rest on the waiting list: never more confirmed than capacity; and
one person's identical posts at once make one enrolment and never a server error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalogue import services
from catalogue.models import Enrolment
from kompetence.infra.tenancy import kommune_scope
from tests.catalogue.factories import build_course, build_session
from tests.conftest import host_of
from tests.factories import PersonFactory, PositionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 30


def _race(work) -> list[BaseException]:
    """Runs `work(i)` for every racer at the same moment, each in its own thread and
    database connection."""
    barrier = threading.Barrier(RACERS)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            connection.ensure_connection()  # connect first, so all start racing together
            barrier.wait(timeout=30)
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _people(org, count: int):
    people = []
    for _ in range(count):
        person = PersonFactory(kommune=org.kommune)
        PositionFactory(person=person, unit=org.team)
        people.append(person)
    return people


def _fill_all_but_one(org, session, capacity: int) -> None:
    with kommune_scope(org.kommune):
        for person in _people(org, capacity - 1):
            enrolment = services.enrolment_request(session=session, person=person)
            assert enrolment.status == Enrolment.Status.CONFIRMED


def _assert_one_seat_taken(org, session, capacity: int) -> None:
    with kommune_scope(org.kommune):
        statuses = list(Enrolment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(Enrolment.Status.CONFIRMED) == capacity
    assert statuses.count(Enrolment.Status.WAITLISTED) == RACERS - 1


def test_thirty_leaders_approving_at_once_fill_the_last_place_once(org_a):
    capacity = 5
    session = build_session(build_course(org_a.kommune, requires_approval=True), capacity=capacity)
    with kommune_scope(org_a.kommune):
        for person in _people(org_a, capacity - 1):
            enrolment = services.enrolment_request(session=session, person=person)
            services.enrolment_decide(enrolment=enrolment, leader=org_a.leader, approve=True)
        requests = [
            services.enrolment_request(session=session, person=person)
            for person in _people(org_a, RACERS)
        ]

    def approve(index: int) -> None:
        with kommune_scope(org_a.kommune):
            services.enrolment_decide(enrolment=requests[index], leader=org_a.leader, approve=True)

    assert _race(approve) == []
    _assert_one_seat_taken(org_a, session, capacity)


def test_thirty_people_taking_an_open_course_at_once_fill_the_last_place_once(org_a):
    capacity = 3
    session = build_session(build_course(org_a.kommune, requires_approval=False), capacity=capacity)
    _fill_all_but_one(org_a, session, capacity)
    racers = _people(org_a, RACERS)

    def enrol(index: int) -> None:
        with kommune_scope(org_a.kommune):
            services.enrolment_request(session=session, person=racers[index])

    assert _race(enrol) == []
    _assert_one_seat_taken(org_a, session, capacity)


def test_identical_enrolment_posts_at_once_never_500_and_make_one_enrolment(org_a):
    """A double (or triple…) click on "Tilmeld": the same person's identical posts
    arrive together. Every answer is a page, never a server error, and exactly one
    live enrolment is made. Several sessions, so the race is really run."""
    course = build_course(org_a.kommune, requires_approval=False)
    sessions = [build_session(course, capacity=10, days=30 + day) for day in range(4)]
    clicks = 8
    statuses: list[int] = []

    for session in sessions:
        barrier = threading.Barrier(clicks)

        def post(session=session, barrier=barrier) -> None:
            client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
            client.force_login(org_a.employee.user)
            try:
                barrier.wait(timeout=30)
                response = client.post(reverse("enrol", args=[session.pk]), {"motivation": ""})
                statuses.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(clicks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert len(statuses) == clicks * len(sessions)
    assert set(statuses) == {302}
    with kommune_scope(org_a.kommune):
        for session in sessions:
            live = Enrolment.objects.filter(session=session, person=org_a.employee).exclude(
                status__in=[Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED]
            )
            assert live.count() == 1
