"""Finding courses and enrolling: approval, waiting list, promotion, completion, who
sees what, and "matches my gaps"."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from catalogue import selectors, services
from catalogue.models import Enrolment
from mus.models import PlanActivity
from profiles import services as profile_services
from profiles.models import Competence
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.invitations import ics_text
from tests.mus.factories import build_plan, version_of
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db


def ask(client, session, **data):
    return client.post(reverse("enrol", args=[session.pk]), data, follow=True)


def decide(client, enrolment, decision="approve", reason=""):
    return client.post(
        reverse(f"enrolment_{decision}", args=[enrolment.pk]),
        {"reason": reason},
        follow=True,
    )


def enrolment_of(org, person, session) -> Enrolment:
    with org.scope():
        return Enrolment.objects.exclude(status__in=["declined", "cancelled"]).get(
            person=person, session=session
        )


def test_request_approve_confirm_with_ics(org_a, django_capture_on_commit_callbacks):
    session = build_session(build_course(org_a.kommune))
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client_for(org_a.employee), session, motivation="Til nye sager")
    assert "Din tilmelding er sendt til din leder." in response.text
    assert {m.to[0] for m in mail.outbox} == {org_a.leader.email, org_a.employee.email}
    leader_mail = next(m for m in mail.outbox if m.to == [org_a.leader.email])
    assert "beder om at deltage" in leader_mail.subject and "Til nye sager" in leader_mail.body
    mail.outbox.clear()
    enrolment = enrolment_of(org_a, org_a.employee, session)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client_for(org_a.leader), enrolment)
    assert "har fået en plads" in response.text
    assert mail.outbox[0].to == [org_a.employee.email]
    assert mail.outbox[0].subject.startswith("Du har fået plads")
    ics = Calendar.from_ical(ics_text(mail.outbox[0]))
    assert ics.walk("VEVENT")[0]["SUMMARY"] == "Konflikthåndtering i praksis"


def test_declining_needs_a_reason_the_employee_reads(org_a, django_capture_on_commit_callbacks):
    session = build_session(build_course(org_a.kommune))
    ask(client_for(org_a.employee), session)
    enrolment = enrolment_of(org_a, org_a.employee, session)
    # One form, one reason: "Godkend" posts to the form's action, "Afvis" to its own.
    page = client_for(org_a.leader).get(reverse("approvals")).text
    assert f'action="{reverse("enrolment_approve", args=[enrolment.pk])}"' in page
    assert f'formaction="{reverse("enrolment_decline", args=[enrolment.pk])}"' in page
    response = decide(client_for(org_a.leader), enrolment, "decline")
    assert "Skriv en begrundelse, når du afviser." in response.text
    assert enrolment_of(org_a, org_a.employee, session).status == "requested"
    with django_capture_on_commit_callbacks(execute=True):
        decide(client_for(org_a.leader), enrolment, "decline", "Ikke i år, vi mangler folk")
    assert "Ikke i år, vi mangler folk" in mail.outbox[-1].body
    # A new request after a decline is allowed.
    assert "Din tilmelding er sendt" in ask(client_for(org_a.employee), session).text


def test_only_the_persons_leader_decides(org_a, org_b):
    session = build_session(build_course(org_a.kommune))
    ask(client_for(org_a.employee), session)
    enrolment = enrolment_of(org_a, org_a.employee, session)
    assert decide(client_for(org_a.colleague), enrolment).status_code == 404
    assert decide(client_for(org_b.leader), enrolment).status_code == 404
    response = client_for(org_a.other_employee).post(
        reverse("enrolment_approve", args=[enrolment.pk])
    )
    assert response.status_code == 404
    assert enrolment_of(org_a, org_a.employee, session).status == "requested"


def test_full_session_waitlists_and_a_cancellation_promotes_the_next(
    org_a, django_capture_on_commit_callbacks
):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course, capacity=2)
    third = PersonFactory(kommune=org_a.kommune, name="Tredje Person")
    PositionFactory(person=third, unit=org_a.team)
    for person in (org_a.employee, org_a.colleague):
        assert "Du har fået en plads." in ask(client_for(person), session).text
    assert "Du er skrevet på ventelisten" in ask(client_for(third), session).text
    mail.outbox.clear()
    first = enrolment_of(org_a, org_a.employee, session)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(org_a.employee).post(reverse("enrolment_cancel", args=[first.pk]))
    assert enrolment_of(org_a, third, session).status == "confirmed"
    # The one who gave up the place gets the cancellation for their calendar.
    assert [m.to for m in mail.outbox] == [[org_a.employee.email], [third.email]]
    assert mail.outbox[0].subject.startswith("Du er afmeldt")
    assert "fra ventelisten" in mail.outbox[1].subject


def test_completion_marks_the_plan_activity_done(org_a):
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root)
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        activity = version.activities.first()
    session = build_session(build_course(org_a.kommune, requires_approval=False))
    ask(client_for(org_a.employee), session, plan_activity=activity.pk)
    enrolment = enrolment_of(org_a, org_a.employee, session)
    assert enrolment.plan_activity_id == activity.pk
    with org_a.scope():
        services.enrolment_record(enrolment=enrolment, status=Enrolment.Status.COMPLETED)
        activity.refresh_from_db()
    assert activity.status == PlanActivity.Status.DONE
    assert "Konflikthåndtering" in activity.done_note


def test_a_colleagues_plan_activity_cannot_be_linked(org_a):
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root)
    plan = build_plan(org_a)
    with org_a.scope():
        activity = version_of(plan).activities.first()
    session = build_session(build_course(org_a.kommune, requires_approval=False))
    response = ask(client_for(org_a.colleague), session, plan_activity=activity.pk)
    assert "Tilmeldingen kunne ikke læses" in response.text
    with org_a.scope():
        assert not Enrolment.objects.filter(plan_activity=activity).exists()


# --- Who sees what -----------------------------------------------------------------------


def test_drafts_other_audiences_and_other_kommuner_are_hidden(org_a, org_b):
    draft = build_course(org_a.kommune, title="Kladdekursus", publish=False)
    for_syd = build_course(org_a.kommune, title="Kun for Team Syd", audience_everyone=False)
    with org_a.scope():
        for_syd.audience_units.set([org_a.sibling_team])
    foreign = build_course(org_b.kommune, title="Betas kursus")
    client = client_for(org_a.employee)
    page = client.get(reverse("catalogue")).text
    assert (
        "Kladdekursus" not in page and "Kun for Team Syd" not in page and "Betas kursus" not in page
    )
    for course in (draft, for_syd, foreign):
        assert client.get(reverse("course_detail", args=[course.pk])).status_code == 404
    assert (
        client_for(org_a.other_employee)
        .get(reverse("course_detail", args=[for_syd.pk]))
        .status_code
        == 200
    )


def test_other_peoples_enrolments_are_not_yours(org_a, org_b):
    session = build_session(build_course(org_a.kommune, requires_approval=False))
    ask(client_for(org_a.employee), session)
    enrolment = enrolment_of(org_a, org_a.employee, session)
    url = reverse("enrolment_cancel", args=[enrolment.pk])
    assert client_for(org_a.colleague).post(url).status_code == 404
    assert client_for(org_b.hr).post(url).status_code == 404
    assert enrolment_of(org_a, org_a.employee, session).status == "confirmed"
    assert org_a.employee.name not in client_for(org_a.colleague).get(reverse("my_courses")).text


@pytest.mark.parametrize("requires_approval", [True, False], ids=["approval", "open"])
def test_an_enrolment_posted_twice_is_made_once_and_never_a_500(
    org_a, org_b, requires_approval, django_capture_on_commit_callbacks
):
    """A double click on "Tilmeld" one after the other: the second answer is the course
    page with a Danish message, one enrolment and one set of e-mails."""
    session = build_session(build_course(org_a.kommune, requires_approval=requires_approval))
    client = client_for(org_a.employee)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(client, session)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = ask(client, session)
    assert first.status_code == second.status_code == 200
    assert "Du er allerede tilmeldt holdet." in second.text
    assert len(mail.outbox) == sent
    with org_a.scope():
        assert Enrolment.objects.filter(session=session, person=org_a.employee).count() == 1
    outsider = client_for(org_b.employee, org_a.kommune)
    assert outsider.post(reverse("enrol", args=[session.pk])).status_code == 404
    with org_a.scope():
        assert Enrolment.objects.filter(session=session).count() == 1


# --- Finding courses ----------------------------------------------------------------------


def _gaps(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    keys = {
        name: competence(version, name)
        for name in ("Forandringskompetence", "Samarbejdskompetence", "Faglig kompetence")
    }
    with org_a.scope():
        profile_services.unit_profile_set(
            unit=org_a.root, framework=version.framework, levels={c.key: 4 for c in keys.values()}
        )
    round_ = open_round(version, org_a.root)
    evaluation = evaluation_of(round_, org_a.employee)
    with org_a.scope():
        for name, level in (
            ("Forandringskompetence", 1),
            ("Samarbejdskompetence", 3),
            ("Faglig kompetence", 4),
        ):
            profile_services.rating_save(evaluation=evaluation, competence=keys[name], level=level)
        # Gaps count submitted evaluations only: the rows without a requirement, then submit.
        for other in Competence.objects.filter(version=version).exclude(
            pk__in=[c.pk for c in keys.values()]
        ):
            profile_services.rating_save(evaluation=evaluation, competence=other, level=3)
        profile_services.evaluation_submit(evaluation=evaluation, by=org_a.employee)
    return version, keys


def test_matches_my_gaps_puts_the_course_for_the_largest_gap_first(org_a):
    version, keys = _gaps(org_a)  # gaps: Forandring 3, Samarbejde 1, Faglig 0
    framework = version.framework
    build_course(
        org_a.kommune,
        title="Samarbejde på tværs",
        framework=framework,
        levels={keys["Samarbejdskompetence"].key: 4},
    )
    build_course(
        org_a.kommune,
        title="Forandring i hverdagen",
        framework=framework,
        levels={keys["Forandringskompetence"].key: 4},
    )
    build_course(
        org_a.kommune,
        title="Fagligt forum",
        framework=framework,
        levels={keys["Faglig kompetence"].key: 5},
    )
    build_course(org_a.kommune, title="Uden kompetencer")
    page = client_for(org_a.employee).get(reverse("catalogue"), {"mine_gab": "on"}).text
    first, second = page.index("Forandring i hverdagen"), page.index("Samarbejde på tværs")
    assert first < second
    assert "Fagligt forum" not in page and "Uden kompetencer" not in page
    with org_a.scope():
        ranked = selectors.rank_by_gaps(
            selectors.with_listing_data(selectors.visible_courses(org_a.employee)),
            selectors.current_gaps(org_a.employee),
        )
    assert [m.course.title for m in ranked] == ["Forandring i hverdagen", "Samarbejde på tværs"]


def test_my_competences_links_a_gap_to_courses(org_a):
    _version, keys = _gaps(org_a)
    page = client_for(org_a.employee).get(reverse("my_competences")).text
    assert f"?kompetence={keys['Forandringskompetence'].key}" in page
    assert f"?kompetence={keys['Faglig kompetence'].key}" not in page  # no gap there


def test_search_and_filters(org_a):
    build_course(org_a.kommune, title="Konflikthåndtering i praksis")
    build_course(
        org_a.kommune,
        title="Excel for sagsbehandlere",
        description="Regneark og tal.",
        form="e_learning",
    )
    client = client_for(org_a.employee)
    page = client.get(reverse("catalogue"), {"q": "regneark"}).text
    assert "Excel for sagsbehandlere" in page and "Konflikthåndtering" not in page
    page = client.get(reverse("catalogue"), {"form": "e_learning"}).text
    assert "Excel for sagsbehandlere" in page and "Konflikthåndtering" not in page


@pytest.mark.postgres
def test_danish_stemming_finds_plural_and_singular(org_a):
    build_course(
        org_a.kommune, title="Kurser i konflikthåndtering", description="Vi træner samtaler."
    )
    page = client_for(org_a.employee).get(reverse("catalogue"), {"q": "samtale"}).text
    assert "Kurser i konflikthåndtering" in page


def test_catalogue_page_query_count_is_the_same_for_10_and_200_courses(org_a):
    def count() -> int:
        client = client_for(org_a.employee)
        client.get(reverse("catalogue"))  # warm: the kommune of the host, the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("catalogue"))
        assert response.status_code == 200
        return len(queries)

    for index in range(10):
        build_session(build_course(org_a.kommune, title=f"Kursus {index}"))
    small = count()
    for index in range(10, 200):
        build_session(build_course(org_a.kommune, title=f"Kursus {index}"))
    assert count() == small
    course = build_course(org_a.kommune, title="Detalje")
    for _ in range(3):
        build_session(course)
    client = client_for(org_a.employee)
    client.get(reverse("course_detail", args=[course.pk]))  # warm: caches, session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("course_detail", args=[course.pk]))
    for _ in range(20):
        build_session(course)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("course_detail", args=[course.pk]))
    assert len(many) == len(few)


def test_cancelling_a_session_cancels_its_enrolments_and_tells_everyone(
    org_a, django_capture_on_commit_callbacks
):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course, capacity=1)
    ask(client_for(org_a.employee), session)
    ask(client_for(org_a.colleague), session)  # waiting list
    mail.outbox.clear()
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=session, is_cancelled=True)
        statuses = set(Enrolment.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [org_a.employee.email, org_a.colleague.email]
    )
    assert all(m.subject.startswith("Holdet er aflyst") for m in mail.outbox)
