"""HR's catalogue pages: creating and publishing courses (and leaders' proposals),
sessions and their capacity, the roster, the overview and the cost report."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue import selectors, services
from catalogue.models import Course, CourseSession, Enrolment
from kompetence.models import AuditEntry
from mus.models import PlanActivity
from profiles import services as profile_services
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.mus.factories import build_plan, version_of
from tests.profiles.factories import build_framework, competence

pytestmark = pytest.mark.django_db


def _course_data(**changes) -> dict:
    data = {
        "title": "Svære samtaler",
        "description": "Om at tage de svære samtaler med borgere og pårørende.",
        "form": Course.Form.COURSE,
        "provider": Course.Provider.EXTERNAL,
        "provider_name": "Professionshøjskolen",
        "duration": "2 dage",
        "price": "2500",
        "place": "Rådhuset",
        "contact": "hr@alfa.dk",
        "requires_approval": "on",
        "audience_everyone": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _session_data(session: CourseSession, **changes) -> dict:
    data = {
        "starts_at": _local(session.starts_at),
        "ends_at": _local(session.ends_at),
        "place": session.place,
        "capacity": session.capacity,
        "registration_deadline": session.registration_deadline.isoformat(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _enrol(org, session, *people, plan_activity=None) -> list[Enrolment]:
    with org.scope():
        return [
            services.enrolment_request(session=session, person=person, plan_activity=plan_activity)
            for person in people
        ]


def _statuses(org, session) -> dict:
    with org.scope():
        return dict(Enrolment.objects.filter(session=session).values_list("person__name", "status"))


# --- Courses -----------------------------------------------------------------------------


def test_hr_creates_a_course_with_competences_and_audience_adds_a_session_and_publishes(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    faglig = competence(version, "Faglig kompetence")
    with org_a.scope():
        job_profile = profile_services.job_profile_create(
            kommune=org_a.kommune, framework=version.framework, name="Socialrådgiver"
        )
    client = client_for(org_a.hr)
    page = client.get(reverse("course_create"))
    assert page.status_code == 200
    assert "Udvikler ikke" in page.text and "Faglig kompetence" in page.text

    response = client.post(
        reverse("course_create"),
        _course_data(
            audience_everyone=None,
            audience_units=[org_a.centre.pk],
            audience_job_profiles=[job_profile.pk],
            **{f"udvikler-{faglig.key}": "3"},
        ),
    )
    with org_a.scope():
        course = Course.objects.get(title="Svære samtaler")
        assert response.status_code == 302
        assert response.url == reverse("course_edit", args=[course.pk])
        assert course.status == Course.Status.DRAFT and course.proposed_by is None
        assert course.price == Decimal("2500") and not course.audience_everyone
        assert list(course.audience_units.all()) == [org_a.centre]
        assert list(course.audience_job_profiles.all()) == [job_profile]
        assert list(course.competences.values_list("competence_key", "level", "framework")) == [
            (faglig.key, 3, version.framework_id)
        ]

    response = client.post(
        reverse("session_create", args=[course.pk]),
        {
            "starts_at": "2099-03-02T09:00",
            "ends_at": "2099-03-02T15:00",
            "place": "Mødesal A",
            "capacity": "12",
            "registration_deadline": "2099-02-15",
        },
    )
    assert response.status_code == 302
    with org_a.scope():
        session = course.sessions.get()
        assert timezone.localtime(session.starts_at).hour == 9 and session.capacity == 12

    response = client.post(reverse("course_publish", args=[course.pk]))
    assert response.status_code == 302
    page = client.get(reverse("course_edit", args=[course.pk]))
    assert "Offentliggjort" in page.text
    assert "2. marts 2099" in page.text and "0 af 12" in page.text
    with org_a.scope():
        course.refresh_from_db()
        assert course.status == Course.Status.PUBLISHED
        # The audience: the centre and its teams, not the direktion above it.
        assert selectors.visible_courses(org_a.other_employee).filter(pk=course.pk).exists()
        assert not selectors.visible_courses(org_a.director).filter(pk=course.pk).exists()


def test_a_session_without_dates_is_continuous_intake_with_unlimited_places(org_a):
    course = build_course(org_a.kommune, publish=False)
    response = client_for(org_a.hr).post(
        reverse("session_create", args=[course.pk]), {"place": "", "capacity": ""}
    )
    assert response.status_code == 302
    with org_a.scope():
        session = course.sessions.get()
        assert session.starts_at is None and session.capacity is None
    page = client_for(org_a.hr).get(reverse("course_edit", args=[course.pk]))
    assert "Løbende optag" in page.text and "0 (ubegrænset)" in page.text


def test_a_session_ending_before_it_starts_is_refused(org_a):
    course = build_course(org_a.kommune, publish=False)
    response = client_for(org_a.hr).post(
        reverse("session_create", args=[course.pk]),
        {"starts_at": "2099-03-02T09:00", "ends_at": "2099-03-01T15:00"},
    )
    assert response.status_code == 200
    assert "Holdet slutter, før det starter." in response.text
    with org_a.scope():
        assert not course.sessions.exists()


def test_course_form_needs_an_audience(org_a):
    response = client_for(org_a.hr).post(
        reverse("course_create"), _course_data(audience_everyone=None)
    )
    assert response.status_code == 200
    assert "Vælg mindst én enhed eller jobprofil, eller marker »For alle«." in response.text
    with org_a.scope():
        assert not Course.objects.exists()


def test_a_course_code_is_unique_in_the_kommune_with_a_clear_message(org_a, org_b):
    client = client_for(org_a.hr)
    client.post(reverse("course_create"), _course_data(code="KOM-101"))
    response = client.post(reverse("course_create"), _course_data(title="Andet", code="KOM-101"))
    assert response.status_code == 200
    assert "Koden bruges allerede af et andet kursus." in response.text
    with org_a.scope():
        assert list(Course.objects.values_list("code", flat=True)) == ["KOM-101"]
    # Another kommune may use the same code.
    client_for(org_b.hr).post(reverse("course_create"), _course_data(code="KOM-101"))
    with org_b.scope():
        assert Course.objects.filter(code="KOM-101").count() == 1


def test_hr_edits_a_course_and_its_competences(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    faglig = competence(version, "Faglig kompetence")
    forandring = competence(version, "Forandringskompetence")
    course = build_course(
        org_a.kommune, levels={faglig.key: 2}, framework=version.framework, publish=False
    )
    client = client_for(org_a.hr)
    page = client.get(reverse("course_edit", args=[course.pk]))
    assert 'value="2" selected' in page.text
    response = client.post(
        reverse("course_edit", args=[course.pk]),
        _course_data(
            title="Konflikthåndtering 2",
            price="3000",
            **{f"udvikler-{faglig.key}": "", f"udvikler-{forandring.key}": "4"},
        ),
    )
    assert response.status_code == 302
    with org_a.scope():
        course.refresh_from_db()
        assert course.title == "Konflikthåndtering 2" and course.price == Decimal("3000")
        assert dict(course.competences.values_list("competence_key", "level")) == {
            forandring.key: 4
        }


def test_a_level_not_on_the_scale_is_refused_with_the_competence_named(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    faglig = competence(version, "Faglig kompetence")
    response = client_for(org_a.hr).post(
        reverse("course_create"), _course_data(**{f"udvikler-{faglig.key}": "9"})
    )
    assert response.status_code == 200
    assert "»Faglig kompetence«: niveauet findes ikke på skalaen." in response.text
    with org_a.scope():
        assert not Course.objects.exists()


def test_leader_proposes_a_course_that_stays_a_draft_they_cannot_publish(org_a):
    leader = client_for(org_a.leader)
    assert leader.get(reverse("course_create")).status_code == 200
    response = leader.post(reverse("course_create"), _course_data())
    assert response.status_code == 302
    assert response.url == reverse("catalogue")
    with org_a.scope():
        course = Course.objects.get()
        assert course.status == Course.Status.DRAFT and course.proposed_by == org_a.leader

    assert leader.post(reverse("course_publish", args=[course.pk])).status_code == 404
    assert leader.get(reverse("course_edit", args=[course.pk])).status_code == 404
    with org_a.scope():
        course.refresh_from_db()
        assert course.status == Course.Status.DRAFT

    page = client_for(org_a.hr).get(reverse("course_manage"))
    assert "foreslået af Lise Leder" in page.text


def test_course_manage_lists_courses_by_status_with_their_sessions(org_a):
    published = build_course(org_a.kommune, title="Offentligt kursus")
    build_session(published)
    build_session(published, days=60)
    build_course(org_a.kommune, title="Kladdekursus", publish=False)
    page = client_for(org_a.hr).get(reverse("course_manage"))
    assert page.status_code == 200
    text = page.text
    assert text.index("Kladdekursus") < text.index("Offentligt kursus")
    assert '<td class="num">2</td>' in text and "2.500,00" in text


def test_an_archived_course_cannot_be_published_again(org_a):
    course = build_course(org_a.kommune)
    client = client_for(org_a.hr)
    client.post(reverse("course_archive", args=[course.pk]))
    response = client.post(reverse("course_publish", args=[course.pk]), follow=True)
    assert "Et arkiveret kursus kan ikke offentliggøres igen" in response.text
    with org_a.scope():
        course.refresh_from_db()
        assert course.status == Course.Status.ARCHIVED


# --- Capacity and the waiting list --------------------------------------------------------


def test_capacity_below_confirmed_participants_is_refused_and_nothing_changes(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course, capacity=3)
    _enrol(org_a, session, org_a.employee, org_a.colleague, org_a.other_employee)
    response = client_for(org_a.hr).post(
        reverse("session_edit", args=[session.pk]),
        _session_data(session, capacity="2", place="Et andet sted"),
    )
    assert response.status_code == 200
    assert "Der er allerede 3 bekræftede deltagere." in response.text
    assert 'id="field-capacity"' in response.text
    with org_a.scope():
        session.refresh_from_db()
        assert session.capacity == 3 and session.place == "Rådhuset, mødesal A"


def test_raising_capacity_promotes_the_waiting_list_in_order(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course, capacity=1)
    _enrol(org_a, session, org_a.employee, org_a.colleague, org_a.other_employee)
    assert _statuses(org_a, session) == {
        "Eva Medarbejder": Enrolment.Status.CONFIRMED,
        "Kim Kollega": Enrolment.Status.WAITLISTED,
        "Ole Andensen": Enrolment.Status.WAITLISTED,
    }
    response = client_for(org_a.hr).post(
        reverse("session_edit", args=[session.pk]),
        _session_data(session, capacity="2"),
        follow=True,
    )
    assert "1 fra ventelisten har fået en plads" in response.text
    assert _statuses(org_a, session) == {
        "Eva Medarbejder": Enrolment.Status.CONFIRMED,
        "Kim Kollega": Enrolment.Status.CONFIRMED,
        "Ole Andensen": Enrolment.Status.WAITLISTED,
    }


# --- The roster --------------------------------------------------------------------------


def test_roster_records_completion_and_the_plan_activity_becomes_done(org_a):
    plan = build_plan(org_a)
    with org_a.scope():
        activity = version_of(plan).activities.order_by("order").first()
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course)
    (enrolment,) = _enrol(org_a, session, org_a.employee, plan_activity=activity)
    client = client_for(org_a.hr)
    page = client.get(reverse("session_roster", args=[session.pk]))
    assert "Eva Medarbejder" in page.text and activity.title in page.text

    response = client.post(
        reverse("session_roster", args=[session.pk]),
        {"enrolment": enrolment.pk, "status": Enrolment.Status.COMPLETED},
    )
    assert response.status_code == 302
    with org_a.scope():
        enrolment.refresh_from_db()
        activity.refresh_from_db()
        assert enrolment.status == Enrolment.Status.COMPLETED
        assert activity.status == PlanActivity.Status.DONE
        assert AuditEntry.objects.filter(
            actor=org_a.hr, subject=org_a.employee, action=AuditEntry.Action.CHANGE
        ).exists()


def test_roster_shows_waiting_list_requests_and_history(org_a):
    course = build_course(org_a.kommune)
    session = build_session(course, capacity=1)
    # The course needs approval: the leader decides each request.
    first, second, third = _enrol(
        org_a, session, org_a.employee, org_a.colleague, org_a.other_employee
    )
    with org_a.scope():
        services.enrolment_decide(enrolment=first, leader=org_a.leader, approve=True)
        services.enrolment_decide(enrolment=second, leader=org_a.leader, approve=True)
        services.enrolment_decide(
            enrolment=third, leader=org_a.chef, approve=False, reason="Ikke i år."
        )
        services.enrolment_request(session=session, person=org_a.leader)
    page = client_for(org_a.hr).get(reverse("session_roster", args=[session.pk])).text
    seated = page.index('id="seated-heading"')
    waiting = page.index('id="waiting-heading"')
    requested = page.index('id="requested-heading"')
    history = page.index('id="history-heading"')
    assert seated < page.index("Eva Medarbejder") < waiting
    assert waiting < page.index("Kim Kollega") < requested
    assert requested < page.index("Lise Leder") < history
    assert history < page.index("Ole Andensen") and "Ikke i år." in page


def test_roster_refuses_recording_someone_without_a_place(org_a):
    course = build_course(org_a.kommune)
    session = build_session(course)
    (enrolment,) = _enrol(org_a, session, org_a.employee)  # waits for the leader
    response = client_for(org_a.hr).post(
        reverse("session_roster", args=[session.pk]),
        {"enrolment": enrolment.pk, "status": Enrolment.Status.COMPLETED},
        follow=True,
    )
    assert "Kun deltagere med en bekræftet plads kan registreres." in response.text
    with org_a.scope():
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.REQUESTED


def test_roster_cannot_record_an_enrolment_of_another_session(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    session, other = build_session(course), build_session(course, days=60)
    (enrolment,) = _enrol(org_a, other, org_a.employee)
    response = client_for(org_a.hr).post(
        reverse("session_roster", args=[session.pk]),
        {"enrolment": enrolment.pk, "status": Enrolment.Status.COMPLETED},
    )
    assert response.status_code == 404


# --- Overview and costs --------------------------------------------------------------------


def test_overview_counts_requests_places_waiting_and_completion(org_a):
    course = build_course(org_a.kommune, title="Fuldt kursus", requires_approval=False)
    session = build_session(course, capacity=1)
    first, _second = _enrol(org_a, session, org_a.employee, org_a.colleague)
    with org_a.scope():
        services.enrolment_record(enrolment=first, status=Enrolment.Status.COMPLETED)
    build_course(org_a.kommune, title="Skjult kladde", publish=False)
    page = client_for(org_a.hr).get(reverse("catalogue_overview"))
    assert page.status_code == 200
    assert "Fuldt kursus" in page.text and "Skjult kladde" not in page.text
    assert "1 af 1" in page.text


def _costs_case(org_a):
    """Two participants on a 2.500 kr. course that develops "Faglig kompetence"
    (group "Resultater"), both in teams under Center for Omsorg."""
    version = build_framework(org_a.kommune, by=org_a.hr)
    faglig = competence(version, "Faglig kompetence")
    course = build_course(
        org_a.kommune,
        requires_approval=False,
        levels={faglig.key: 3},
        framework=version.framework,
    )
    session = build_session(course, days=10)
    _enrol(org_a, session, org_a.employee, org_a.other_employee)
    start = timezone.localdate()
    return {"fra": start.isoformat(), "til": (start + datetime.timedelta(days=30)).isoformat()}


def test_costs_per_unit_and_per_competence_group(org_a):
    period = _costs_case(org_a)
    page = client_for(org_a.hr).get(reverse("catalogue_costs"), period)
    assert page.status_code == 200
    text = page.text
    units = text[text.index('id="units-heading"') : text.index('id="groups-heading"')]
    groups = text[text.index('id="groups-heading"') :]
    assert "Center for Omsorg" in units and "Personale og Udvikling" not in units
    assert '<td class="num">2</td>' in units and "5.000,00" in units
    assert "Resultater" in groups and "5.000,00" in groups
    assert f"?fra={period['fra']}&amp;til={period['til']}" in text


def test_costs_xlsx_has_two_sheets_with_numbers(org_a):
    period = _costs_case(org_a)
    response = client_for(org_a.hr).get(reverse("catalogue_costs_xlsx"), period)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment; filename=")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Pr. enhed", "Pr. kompetencegruppe"]
    units = list(workbook["Pr. enhed"].iter_rows(values_only=True))
    assert units == [
        ("Enhed", "Deltagere", "Kroner"),
        ("Center for Omsorg", 2, 5000),
        ("I alt", 2, 5000),
    ]
    groups = list(workbook["Pr. kompetencegruppe"].iter_rows(values_only=True))
    assert groups == [
        ("Kompetencegruppe", "Deltagere", "Kroner"),
        ("Resultater", 2, 5000),
        ("I alt", 2, 5000),
    ]
    assert workbook["Pr. enhed"]["C2"].number_format == "#,##0.00"


def test_costs_count_a_course_without_competences_under_no_group(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    _enrol(org_a, build_session(course, days=10), org_a.employee)
    start = timezone.localdate()
    period = {"fra": start.isoformat(), "til": (start + datetime.timedelta(days=30)).isoformat()}
    page = client_for(org_a.hr).get(reverse("catalogue_costs"), period)
    assert page.status_code == 200
    assert "Ingen kompetencegruppe" in page.text and "2.500,00" in page.text


def test_costs_default_to_the_current_calendar_year(org_a):
    page = client_for(org_a.hr).get(reverse("catalogue_costs"))
    year = timezone.localdate().year
    assert page.status_code == 200
    assert f'value="{year}-01-01"' in page.text and f'value="{year}-12-31"' in page.text
    assert "Ingen deltagere i perioden." in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"fra": "2027-13-01"}, "Skriv fra-datoen som ÅÅÅÅ-MM-DD"),
        ({"til": "i morgen"}, "Skriv til-datoen som ÅÅÅÅ-MM-DD"),
        ({"fra": "2027-06-01", "til": "2027-01-01"}, "Til-datoen ligger før fra-datoen."),
    ],
)
def test_bad_dates_give_a_danish_message(org_a, query, message):
    client = client_for(org_a.hr)
    page = client.get(reverse("catalogue_costs"), query)
    assert page.status_code == 200 and "Hent som regneark" not in page.text
    assert message in page.text
    spreadsheet = client.get(reverse("catalogue_costs_xlsx"), query)
    assert spreadsheet.status_code == 400
    assert message in spreadsheet.text


# --- Access --------------------------------------------------------------------------------


def _hr_urls(org) -> list[tuple[str, str, str]]:
    """(name, method, url) of every HR page, with org's objects."""
    course = build_course(org.kommune)
    session = build_session(course)
    return [
        ("course_manage", "get", reverse("course_manage")),
        ("course_create", "get", reverse("course_create")),
        ("course_edit", "get", reverse("course_edit", args=[course.pk])),
        ("course_publish", "post", reverse("course_publish", args=[course.pk])),
        ("course_archive", "post", reverse("course_archive", args=[course.pk])),
        ("session_create", "get", reverse("session_create", args=[course.pk])),
        ("session_edit", "get", reverse("session_edit", args=[session.pk])),
        ("session_roster", "get", reverse("session_roster", args=[session.pk])),
        ("catalogue_overview", "get", reverse("catalogue_overview")),
        ("catalogue_costs", "get", reverse("catalogue_costs")),
        ("catalogue_costs_xlsx", "get", reverse("catalogue_costs_xlsx")),
    ]


def _status(client, method: str, url: str) -> int:
    if method == "post":
        return client.post(url).status_code
    return client.get(url).status_code


def test_hr_pages_answer_hr(org_a):
    client = client_for(org_a.hr)
    for name, method, url in _hr_urls(org_a):
        expected = 302 if method == "post" else 200
        assert (name, _status(client, method, url)) == (name, expected)


def test_employee_and_leader_get_404_on_hr_pages(org_a):
    urls = _hr_urls(org_a)
    for person in (org_a.employee, org_a.leader):
        client = client_for(person)
        for name, method, url in urls:
            expected = 200 if (person == org_a.leader and name == "course_create") else 404
            assert (person.name, name, _status(client, method, url)) == (
                person.name,
                name,
                expected,
            )


def test_other_kommunes_courses_and_sessions_are_404(org_a, org_b):
    # B's HR may see everything in B, so anything but 404 would leak A's object.
    client = client_for(org_b.hr)
    with_objects = {
        "course_edit",
        "course_publish",
        "course_archive",
        "session_create",
        "session_edit",
        "session_roster",
    }
    for name, method, url in _hr_urls(org_a):
        if name in with_objects:
            assert (name, _status(client, method, url)) == (name, 404)
    with org_a.scope():
        course = Course.objects.get()
    response = client.post(
        reverse("course_edit", args=[course.pk]), _course_data(title="Overtaget")
    )
    assert response.status_code == 404
    with org_a.scope():
        course.refresh_from_db()
        assert course.title != "Overtaget"
    assert "Konflikthåndtering" not in client.get(reverse("course_manage")).text


# --- Query counts --------------------------------------------------------------------------


def _queries_for(client, url) -> int:
    client.get(url)  # warm caches (framework structures, navigation)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_courses(org, count: int) -> None:
    for index in range(count):
        course = build_course(org.kommune, title=f"Kursus {index}", requires_approval=False)
        session = build_session(course, capacity=1)
        _enrol(org, session, org.employee, org.colleague)
        if index % 3 == 0:
            with org.scope():
                services.course_archive(course=course)
    build_course(org.kommune, title="Forslag", publish=False, proposed_by=org.leader)


@pytest.mark.parametrize("url_name", ["course_manage", "catalogue_overview"])
def test_query_count_is_the_same_for_3_and_30_courses(org_a, url_name):
    client = client_for(org_a.hr)
    url = reverse(url_name)
    _add_courses(org_a, 3)
    small = _queries_for(client, url)
    _add_courses(org_a, 27)
    assert _queries_for(client, url) == small


# --- The course's price ----------------------------------------------------------------------


def test_the_database_refuses_a_negative_price(org_a):
    course = build_course(org_a.kommune)
    with org_a.scope():
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.filter(pk=course.pk).update(price=Decimal("-1"))
        with pytest.raises(ValidationError) as refused:
            Course(kommune=org_a.kommune, title="x", description="x", price=-1).full_clean()
        assert refused.value.messages == ["Prisen kan ikke være negativ."]
        course.refresh_from_db()
        assert course.price == Decimal("2500")


def test_the_course_form_refuses_a_negative_price_by_the_field_in_danish(org_a):
    response = client_for(org_a.hr).post(reverse("course_create"), _course_data(price="-1"))
    assert response.context["form"].errors["price"] == ["Prisen kan ikke være negativ."]
    assert "Prisen kan ikke være negativ." in response.text
    with org_a.scope():
        assert not Course.objects.exists()
