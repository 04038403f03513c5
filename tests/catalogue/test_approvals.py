"""The leader's approvals page explains each request (the person's gap on the course's
competences, the plan activity it belongs to, which session and when it was asked)
and answers several at once; the catalogue's "matches my gaps" says which gaps no
course develops yet."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import services
from catalogue.models import Enrolment
from profiles import services as profile_services
from profiles.models import Competence
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.mus.factories import build_plan, version_of
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db


def _with_gaps(org_a):
    """The employee's evaluation: Servicekompetence 2 (required 3), Samarbejde 4 (4)."""
    version = build_framework(
        org_a.kommune,
        by=org_a.hr,
        groups={"Borgeren": ["Servicekompetence"], "Kultur": ["Samarbejde", "Faglighed"]},
    )
    keys = {name: competence(version, name) for name in ("Servicekompetence", "Samarbejde")}
    with org_a.scope():
        profile_services.unit_profile_set(
            unit=org_a.root,
            framework=version.framework,
            levels={keys["Servicekompetence"].key: 3, keys["Samarbejde"].key: 4},
        )
    round_ = open_round(version, org_a.root)
    evaluation = evaluation_of(round_, org_a.employee)
    with org_a.scope():
        profile_services.rating_save(
            evaluation=evaluation, competence=keys["Servicekompetence"], level=2
        )
        profile_services.rating_save(evaluation=evaluation, competence=keys["Samarbejde"], level=4)
        for other in Competence.objects.filter(version=version).exclude(
            pk__in=[c.pk for c in keys.values()]
        ):
            profile_services.rating_save(evaluation=evaluation, competence=other, level=3)
        profile_services.evaluation_submit(evaluation=evaluation, by=org_a.employee)
    return version, keys


def _request(org, person, session, **fields) -> Enrolment:
    with org.scope():
        return services.enrolment_request(session=session, person=person, **fields)


def test_each_request_shows_the_gap_the_plan_activity_and_which_session(org_a):
    version, keys = _with_gaps(org_a)
    plan = build_plan(org_a)
    with org_a.scope():
        activity = version_of(plan).activities.first()
    course = build_course(
        org_a.kommune,
        title="God borgerservice",
        framework=version.framework,
        levels={keys["Servicekompetence"].key: 4, keys["Samarbejde"].key: 4},
    )
    early, late = build_session(course, days=20), build_session(course, days=80)
    first = _request(org_a, org_a.employee, early, plan_activity=activity)
    second = _request(org_a, org_a.employee, late)
    _request(org_a, org_a.colleague, early)

    page = client_for(org_a.leader).get(reverse("approvals")).text

    assert "Servicekompetence: niveau 2, kræves 3" in page
    assert "Samarbejde: niveau 4, kræves 4" in page
    assert "1 trin under" in page
    # The colleague has no evaluation: said so, not a gap.
    assert "Servicekompetence: ikke vurderet" in page
    assert reverse("plan_detail", args=[plan.pk]) in page and activity.title in page
    assert "Ikke knyttet til en aktivitet i udviklingsplanen" in page
    # Two requests by one person: each its own checkbox, labelled with its session.
    for enrolment in (first, second):
        assert f'id="pick-{enrolment.pk}" name="enrolment" value="{enrolment.pk}"' in page
    assert page.count("Eva Medarbejder: God borgerservice,") >= 4  # two labels, two buttons
    assert "Spurgt" in page
    assert f'action="{reverse("enrolments_approve")}"' in page
    assert f'formaction="{reverse("enrolments_decline")}"' in page


def test_the_approvals_page_costs_the_same_queries_for_one_and_five_requests(org_a):
    version, keys = _with_gaps(org_a)
    course = build_course(
        org_a.kommune, framework=version.framework, levels={keys["Servicekompetence"].key: 4}
    )
    other_course = build_course(org_a.kommune, title="Uden kompetencer")
    _request(org_a, org_a.employee, build_session(course))

    def count() -> int:
        client = client_for(org_a.leader)
        client.get(reverse("approvals"))  # warm: the kommune of the host, the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("approvals"))
        assert response.status_code == 200
        return len(queries)

    one = count()
    plan = build_plan(org_a)
    with org_a.scope():
        activity = version_of(plan).activities.first()
    _request(org_a, org_a.employee, build_session(course, days=50), plan_activity=activity)
    _request(org_a, org_a.colleague, build_session(course, days=70))
    for index in range(2):
        person = PersonFactory(kommune=org_a.kommune, name=f"Ny {index}")
        PositionFactory(person=person, unit=org_a.team)
        _request(org_a, person, build_session(other_course, days=40 + index))
    with org_a.scope():
        assert Enrolment.objects.filter(status=Enrolment.Status.REQUESTED).count() == 5
    assert count() == one


def test_approve_several_at_once_names_each_outcome(org_a):
    session = build_session(build_course(org_a.kommune, title="Førstehjælp"), capacity=1)
    first = _request(org_a, org_a.employee, session)
    second = _request(org_a, org_a.colleague, session)
    response = client_for(org_a.leader).post(
        reverse("enrolments_approve"), {"enrolment": [first.pk, second.pk]}, follow=True
    )
    assert "Eva Medarbejder har fået en plads på Førstehjælp." in response.text
    waiting = "Kim Kollega er skrevet på ventelisten til Førstehjælp; holdet er fuldt."
    assert waiting in response.text
    with org_a.scope():
        assert Enrolment.objects.get(pk=first.pk).status == Enrolment.Status.CONFIRMED
        assert Enrolment.objects.get(pk=second.pk).status == Enrolment.Status.WAITLISTED


def test_a_partial_failure_is_named_per_person_and_the_rest_are_decided(org_a):
    session = build_session(build_course(org_a.kommune, title="Førstehjælp"))
    first = _request(org_a, org_a.employee, session)
    second = _request(org_a, org_a.colleague, session)
    with org_a.scope():
        # Decided in another tab (or by the centre's chief) meanwhile.
        services.enrolment_decide(enrolment=first, leader=org_a.chef, approve=False, reason="Nej")
    response = client_for(org_a.leader).post(
        reverse("enrolments_decline"),
        {"enrolment": [first.pk, second.pk], "reason": "Ikke i år"},
        follow=True,
    )
    assert (
        "Førstehjælp for Eva Medarbejder blev ikke afvist: Tilmeldingen er allerede behandlet."
        in response.text
    )
    assert "Tilmeldingen fra Kim Kollega til Førstehjælp er afvist." in response.text
    with org_a.scope():
        declined = Enrolment.objects.get(pk=second.pk)
    assert (declined.status, declined.decision_reason) == (Enrolment.Status.DECLINED, "Ikke i år")


def test_declining_several_needs_a_reason_and_decides_none_without(org_a):
    session = build_session(build_course(org_a.kommune))
    first = _request(org_a, org_a.employee, session)
    second = _request(org_a, org_a.colleague, session)
    response = client_for(org_a.leader).post(
        reverse("enrolments_decline"), {"enrolment": [first.pk, second.pk]}, follow=True
    )
    assert "Skriv en begrundelse, når du afviser." in response.text
    response = client_for(org_a.leader).post(reverse("enrolments_approve"), {}, follow=True)
    assert "Vælg mindst én tilmelding." in response.text
    with org_a.scope():
        assert set(Enrolment.objects.values_list("status", flat=True)) == {"requested"}


@pytest.mark.parametrize("url_name", ["enrolments_approve", "enrolments_decline"])
def test_bulk_decisions_are_404_to_non_leaders_outsiders_and_other_kommuner(org_a, org_b, url_name):
    session = build_session(build_course(org_a.kommune))
    mine = _request(org_a, org_a.employee, session)
    sibling = _request(org_a, org_a.other_employee, session)  # not in the leader's team
    data = {"enrolment": [mine.pk], "reason": "Ikke i år"}
    # Not a leader: the employee themself, a colleague, HR without a unit to lead.
    for person in (org_a.employee, org_a.colleague, org_a.hr):
        assert client_for(person).post(reverse(url_name), data).status_code == 404
    # Another kommune's leader, with this kommune's id.
    assert client_for(org_b.leader).post(reverse(url_name), data).status_code == 404
    # One id the leader may not decide spoils the lot: nothing is decided.
    response = client_for(org_a.leader).post(
        reverse(url_name), {**data, "enrolment": [mine.pk, sibling.pk]}
    )
    assert response.status_code == 404
    assert client_for(org_a.leader).get(reverse(url_name)).status_code == 405
    with org_a.scope():
        assert set(Enrolment.objects.values_list("status", flat=True)) == {"requested"}


def test_matches_my_gaps_says_which_gap_has_no_course_and_drops_its_hint(org_a):
    version, keys = _with_gaps(org_a)
    build_course(
        org_a.kommune,
        title="Samarbejde på tværs",
        framework=version.framework,
        levels={keys["Samarbejde"].key: 5},
    )
    client = client_for(org_a.employee)
    page = client.get(reverse("catalogue")).text
    assert "Sæt kryds i »Passer til mine gab«" in page
    assert "Ingen kurser udvikler" not in page
    page = client.get(reverse("catalogue"), {"mine_gab": "on"}).text
    assert "Ingen kurser udvikler Servicekompetence endnu." in page
    assert "Sæt kryds i »Passer til mine gab«" not in page
    # Once a course develops it beyond the person's level, the note goes.
    build_course(
        org_a.kommune,
        title="God borgerservice",
        framework=version.framework,
        levels={keys["Servicekompetence"].key: 3},
    )
    page = client.get(reverse("catalogue"), {"mine_gab": "on"}).text
    assert "Ingen kurser udvikler Servicekompetence" not in page
    assert "God borgerservice" in page


def test_matches_my_gaps_without_an_evaluation_says_so(org_a):
    build_course(org_a.kommune)
    page = client_for(org_a.employee).get(reverse("catalogue"), {"mine_gab": "on"}).text
    assert "Din seneste evaluering viser ingen gab" in page
