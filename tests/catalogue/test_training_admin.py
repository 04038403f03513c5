"""HR's mandatory-training pages and services: requirements and whom they apply to,
functions and their holders, recorded certificates; course completions as
certificates; the requirements on the home page, the MUS pages and a person's page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import (
    Certificate,
    Enrolment,
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training import services
from catalogue.training.selectors import State, certificate_valid_until, statuses_of
from kompetence.models import AuditEntry
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.mus.factories import build_conversation

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def _requirement(org, *, name="Arbejdsmiljøuddannelse", courses=(), **fields):
    fields.setdefault("validity_months", 24)
    with org.scope():
        return services.requirement_create(
            kommune=org.kommune, actor=org.hr, name=name, courses=courses, **fields
        )


def _function_with_holder(org, person=None, *, since=TODAY - 200 * DAY):
    with org.scope():
        function = services.function_create(
            kommune=org.kommune, actor=org.hr, name="Arbejdsmiljørepræsentant"
        )
        holder = services.function_holder_add(
            function=function, person=person or org.employee, since=since, actor=org.hr
        )
    return function, holder


def _assign(org, requirement, **target):
    with org.scope():
        return services.requirement_assign(requirement=requirement, actor=org.hr, **target)


def _completed_enrolment(org, course, person=None) -> Enrolment:
    session = build_session(course)
    with org.scope():
        enrolment = catalogue_services.enrolment_request(
            session=session, person=person or org.employee
        )
        return catalogue_services.enrolment_record(
            enrolment=enrolment, status=Enrolment.Status.COMPLETED
        )


def _state(org, person, requirement) -> str:
    with org.scope():
        return next(s.state for s in statuses_of(person) if s.requirement.pk == requirement.pk)


# --- Requirements: pages -----------------------------------------------------------------


def test_hr_creates_a_requirement_assigns_it_and_sees_who_lacks_it(org_a):
    course = build_course(org_a.kommune, title="Arbejdsmiljø for AMR", requires_approval=False)
    function, _holder = _function_with_holder(org_a)
    client = client_for(org_a.hr)
    assert client.get(reverse("requirement_create")).status_code == 200

    response = client.post(
        reverse("requirement_create"),
        {
            "name": "Arbejdsmiljøuddannelse",
            "description": "Den lovpligtige uddannelse.",
            "courses": [course.pk],
            "validity_months": "",
            "grace_days": "0",
            "reminder_days": "90, 30",
            "is_active": "on",
        },
    )
    with org_a.scope():
        requirement = TrainingRequirement.objects.get(name="Arbejdsmiljøuddannelse")
        assert list(requirement.courses.all()) == [course]
        assert requirement.validity_months is None and requirement.reminder_days == [90, 30]
        assert AuditEntry.objects.filter(
            actor=org_a.hr, object_id=str(requirement.pk), action=AuditEntry.Action.CREATE
        ).exists()
    assert response.status_code == 302
    assert response.url == reverse("requirement_detail", args=[requirement.pk])

    response = client.post(
        reverse("requirement_assign", args=[requirement.pk]),
        {"kind": "function", "function": function.pk},
    )
    assert response.status_code == 302
    page = client.get(reverse("requirement_detail", args=[requirement.pk]))
    assert "Funktion: Arbejdsmiljørepræsentant" in page.text
    assert org_a.employee.name in page.text and "Mangler" in page.text
    assert org_a.colleague.name not in page.text
    listing = client.get(reverse("requirement_list"))
    assert "Arbejdsmiljøuddannelse" in listing.text

    missing = client.get(reverse("requirement_detail", args=[requirement.pk]) + "?status=valid")
    assert org_a.employee.name not in missing.text


def test_a_requirement_with_mistakes_is_not_saved_and_says_why_in_danish(org_a):
    _requirement(org_a, name="Førstehjælp")
    client = client_for(org_a.hr)
    response = client.post(
        reverse("requirement_create"),
        {
            "name": "førstehjælp",
            "validity_months": "0",
            "grace_days": "-3",
            "reminder_days": "90, tre",
        },
    )
    assert response.status_code == 200
    assert "Kravet er ikke gemt" in response.text
    assert "Der findes allerede et krav med det navn." in response.text
    assert "Gyldigheden skal være mindst én måned." in response.text
    assert "»tre« er ikke et antal dage" in response.text
    assert "Gemt" not in response.text
    with org_a.scope():
        assert TrainingRequirement.objects.count() == 1


def test_hr_edits_a_requirement(org_a):
    requirement = _requirement(org_a)
    client = client_for(org_a.hr)
    assert client.get(reverse("requirement_edit", args=[requirement.pk])).status_code == 200
    response = client.post(
        reverse("requirement_edit", args=[requirement.pk]),
        {"name": "AMU", "validity_months": "36", "grace_days": "30", "reminder_days": "30,60"},
    )
    assert response.status_code == 302
    with org_a.scope():
        requirement.refresh_from_db()
    assert (requirement.name, requirement.validity_months) == ("AMU", 36)
    assert requirement.reminder_days == [60, 30] and not requirement.is_active


def test_an_assignment_needs_its_target_and_a_unit_of_the_kommune(org_a, org_b):
    requirement = _requirement(org_a)
    client = client_for(org_a.hr)
    url = reverse("requirement_assign", args=[requirement.pk])
    response = client.post(url, {"kind": "unit"})
    assert response.status_code == 200 and "Vælg en enhed." in response.text
    assert "Tildelingen er ikke gemt" in response.text
    response = client.post(url, {"kind": "unit", "unit": org_b.team.pk})
    assert response.status_code == 200 and "Tildelingen er ikke gemt" in response.text
    response = client.post(url, {"kind": "role", "role": "konge"})
    assert response.status_code == 200 and "Tildelingen er ikke gemt" in response.text
    with org_a.scope():
        assert not RequirementAssignment.objects.exists()

    assert client.post(url, {"kind": "unit", "unit": org_a.team.pk}).status_code == 302
    again = client.post(url, {"kind": "unit", "unit": org_a.team.pk})
    assert "Kravet gælder allerede for dem." in again.text
    assert client.post(url, {"kind": "role", "role": "medarbejder"}).status_code == 302
    listing = client.get(reverse("requirement_list")).text
    assert "Rolle: Medarbejder" in listing and "Enhed (med underenheder): Team Nord" in listing
    with org_a.scope():
        assert RequirementAssignment.objects.count() == 2
        assignment = RequirementAssignment.objects.get(kind="unit")
    response = client.post(reverse("assignment_remove", args=[assignment.pk]))
    assert response.status_code == 302
    with org_a.scope():
        assert list(RequirementAssignment.objects.values_list("kind", "role")) == [
            ("role", "medarbejder")
        ]


def test_the_services_refuse_what_the_forms_would(org_a):
    requirement = _requirement(org_a)
    with org_a.scope():
        with pytest.raises(ValidationError) as error:
            services.requirement_create(kommune=org_a.kommune, actor=org_a.hr, name=" ")
        assert "name" in error.value.error_dict
        with pytest.raises(ValidationError) as error:
            services.requirement_assign(requirement=requirement, actor=org_a.hr, kind="function")
        assert "function" in error.value.error_dict
        with pytest.raises(ValidationError):
            services.requirement_update(
                requirement=requirement,
                actor=org_a.hr,
                name="X",
                description="",
                courses=[],
                validity_months=0,
                grace_days=0,
                reminder_days=[],
                is_active=True,
            )
        requirement.refresh_from_db()
        assert requirement.name == "Arbejdsmiljøuddannelse"


@pytest.mark.parametrize("who", ["leader", "employee", "chef", "director"])
def test_training_administration_is_for_kommune_hr_only(org_a, who):
    function, holder = _function_with_holder(org_a)
    requirement = _requirement(org_a)
    assignment = _assign(org_a, requirement, kind="everyone")
    client = client_for(getattr(org_a, who))
    for url in _urls(requirement, function, holder, assignment, org_a.employee):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code in (404, 405), url


def test_another_kommunes_hr_gets_404(org_a, org_b):
    function, holder = _function_with_holder(org_a)
    requirement = _requirement(org_a)
    assignment = _assign(org_a, requirement, kind="everyone")
    urls = _urls(requirement, function, holder, assignment, org_a.employee)
    outsider_here = client_for(org_b.hr, org_a.kommune)
    at_home = client_for(org_b.hr)
    for url in urls:
        assert outsider_here.get(url).status_code == 404, url
        assert at_home.get(url).status_code in (404, 405), url
        assert at_home.post(url, {"until": TODAY.isoformat()}).status_code in (404, 405), url
    with org_a.scope():
        assert RequirementAssignment.objects.filter(pk=assignment.pk).exists()
        assert FunctionHolder.objects.get(pk=holder.pk).until is None


def _urls(requirement, function, holder, assignment, person) -> list[str]:
    return [
        reverse("requirement_detail", args=[requirement.pk]),
        reverse("requirement_edit", args=[requirement.pk]),
        reverse("requirement_assign", args=[requirement.pk]),
        reverse("assignment_remove", args=[assignment.pk]),
        reverse("certificate_record", args=[requirement.pk, person.pk]),
        reverse("function_detail", args=[function.pk]),
        reverse("function_holder_end", args=[holder.pk]),
    ]


def test_the_list_and_the_function_pages_are_hr_only(org_a):
    assert client_for(org_a.hr).get(reverse("requirement_list")).status_code == 200
    assert client_for(org_a.hr).get(reverse("function_list")).status_code == 200
    for who in (org_a.leader, org_a.employee):
        assert client_for(who).get(reverse("requirement_list")).status_code == 404
        assert client_for(who).get(reverse("function_list")).status_code == 404
        assert client_for(who).post(reverse("function_list"), {"name": "X"}).status_code == 404


def test_the_menu_shows_uddannelseskrav_to_hr(org_a):
    link = f'href="{reverse("requirement_list")}"'
    assert link in client_for(org_a.hr).get(reverse("home")).text
    assert link not in client_for(org_a.leader).get(reverse("home")).text


def test_pages_keep_a_constant_number_of_queries(org_a, django_assert_max_num_queries):
    course = build_course(org_a.kommune)
    requirement = _requirement(org_a, courses=[course])
    _assign(org_a, requirement, kind="everyone")
    client = client_for(org_a.hr)
    urls = [
        reverse("requirement_list"),
        reverse("requirement_detail", args=[requirement.pk]),
        reverse("function_list"),
    ]
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(40) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)

    for _n in range(8):
        person = PersonFactory(kommune=org_a.kommune)
        PositionFactory(person=person, unit=org_a.sibling_team)
    other = _requirement(org_a, name="Førstehjælp", courses=[course])
    _assign(org_a, other, kind="unit", unit=org_a.team)
    _assign(org_a, other, kind="role", role="medarbejder")
    _function_with_holder(org_a, org_a.colleague)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


# --- Functions -----------------------------------------------------------------------------


def test_hr_creates_a_function_adds_a_holder_and_ends_the_holding(org_a):
    client = client_for(org_a.hr)
    response = client.post(reverse("function_list"), {"name": "Førstehjælper"})
    with org_a.scope():
        function = TrainingFunction.objects.get(name="Førstehjælper")
    assert response.url == reverse("function_detail", args=[function.pk])
    twice = client.post(reverse("function_list"), {"name": "førstehjælper"})
    assert "Der findes allerede en funktion med det navn." in twice.text
    empty = client.post(reverse("function_list"), {"name": ""})
    assert "Skriv funktionens navn." in empty.text

    url = reverse("function_detail", args=[function.pk])
    since = (TODAY - 10 * DAY).isoformat()
    unknown = client.post(url, {"employee_number": "nope", "since": since})
    assert "Der er ingen aktiv medarbejder med nummeret »nope«." in unknown.text
    outsider = PersonFactory(kommune=_other_kommune())
    foreign = client.post(url, {"employee_number": outsider.employee_number, "since": since})
    assert "Medarbejderen er ikke tilføjet" in foreign.text
    response = client.post(url, {"employee_number": org_a.employee.employee_number, "since": since})
    assert response.status_code == 302
    again = client.post(url, {"employee_number": org_a.employee.employee_number, "since": since})
    assert "Personen har allerede funktionen." in again.text
    page = client.get(url)
    assert org_a.employee.name in page.text

    with org_a.scope():
        holder = FunctionHolder.objects.get(function=function)
        assert AuditEntry.objects.filter(subject=org_a.employee, object_id=str(holder.pk)).exists()
    end = reverse("function_holder_end", args=[holder.pk])
    too_early = client.post(end, {"until": (TODAY - 20 * DAY).isoformat()}, follow=True)
    assert "Slutdatoen ligger før startdatoen." in too_early.text
    with org_a.scope():
        assert FunctionHolder.objects.get(pk=holder.pk).until is None
    client.post(end, {"until": (TODAY - DAY).isoformat()})
    with org_a.scope():
        assert FunctionHolder.objects.get(pk=holder.pk).until == TODAY - DAY
    assert "Har haft funktionen" in client.get(url).text


def _other_kommune():
    from tests.factories import KommuneFactory

    return KommuneFactory(slug="gamma")


# --- Certificates ----------------------------------------------------------------------------


def test_hr_records_a_certificate_valid_for_the_requirements_validity(org_a):
    requirement = _requirement(org_a, grace_days=0, validity_months=12)
    _assign(org_a, requirement, kind="everyone")
    client = client_for(org_a.hr)
    url = reverse("certificate_record", args=[requirement.pk, org_a.employee.pk])
    assert client.get(url).status_code == 200
    future = client.post(url, {"completed_on": (TODAY + DAY).isoformat()})
    assert "Datoen ligger i fremtiden." in future.text
    backwards = client.post(
        url,
        {"completed_on": TODAY.isoformat(), "valid_until": (TODAY - DAY).isoformat()},
    )
    assert "»Gyldig til« ligger før gennemførelsesdatoen." in backwards.text
    with org_a.scope():
        assert not Certificate.objects.exists()

    completed = datetime.date(TODAY.year - 1, 6, 15)
    response = client.post(url, {"completed_on": completed.isoformat(), "note": "Kursus hos AOF"})
    assert response.status_code == 302
    with org_a.scope():
        certificate = Certificate.objects.get()
        assert certificate.valid_until == datetime.date(TODAY.year, 6, 15)
        assert certificate.source == Certificate.Source.RECORDED
        assert certificate.recorded_by == org_a.hr
        assert AuditEntry.objects.filter(subject=org_a.employee, object_id=str(certificate.pk))
    assert _state(org_a, org_a.employee, requirement) in (
        State.VALID,
        State.EXPIRING,
        State.EXPIRED,
    )


# --- Completed courses as certificates --------------------------------------------------------


def test_a_completed_course_meets_the_requirements_it_is_listed_for(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    requirement = _requirement(org_a, courses=[course], grace_days=0, validity_months=36)
    inactive = _requirement(org_a, name="Gammelt krav", courses=[course], is_active=False)
    _function_with_holder(org_a)
    with org_a.scope():
        function = TrainingFunction.objects.get()
    _assign(org_a, requirement, kind="function", function=function)
    assert _state(org_a, org_a.employee, requirement) == State.MISSING

    enrolment = _completed_enrolment(org_a, course)
    with org_a.scope():
        certificate = Certificate.objects.get()
    assert certificate.requirement == requirement and certificate.enrolment == enrolment
    assert certificate.source == Certificate.Source.COURSE
    assert certificate.completed_on == timezone.localdate()
    assert certificate.valid_until == certificate_valid_until(requirement, TODAY)
    assert certificate.valid_until.year == TODAY.year + 3
    assert _state(org_a, org_a.employee, requirement) == State.VALID
    assert inactive.pk != certificate.requirement_id

    # Recorded as completed again: still one certificate; then undone: none.
    with org_a.scope():
        catalogue_services.enrolment_record(enrolment=enrolment, status=Enrolment.Status.COMPLETED)
        assert Certificate.objects.count() == 1
        catalogue_services.enrolment_record(enrolment=enrolment, status=Enrolment.Status.ATTENDED)
        assert not Certificate.objects.exists()
    assert _state(org_a, org_a.employee, requirement) == State.MISSING


def test_courses_set_on_a_requirement_count_completions_already_recorded(
    org_a, django_assert_max_num_queries
):
    course = build_course(org_a.kommune, requires_approval=False)
    other_course = build_course(org_a.kommune, title="Andet kursus", requires_approval=False)
    _completed_enrolment(org_a, course)
    _completed_enrolment(org_a, course, org_a.colleague)
    _completed_enrolment(org_a, other_course, org_a.leader)
    requirement = _requirement(org_a)
    with org_a.scope():
        assert not Certificate.objects.exists()
        with django_assert_max_num_queries(2):
            assert services.certificates_backfill(requirement=requirement) == 0
        fields = {
            "actor": org_a.hr,
            "name": requirement.name,
            "description": "",
            "validity_months": 24,
            "grace_days": 90,
            "reminder_days": [90],
            "is_active": True,
        }
        services.requirement_update(requirement=requirement, courses=[course], **fields)
        assert sorted(Certificate.objects.values_list("person__name", flat=True)) == sorted(
            [org_a.employee.name, org_a.colleague.name]
        )
        # Twice is once.
        services.requirement_update(requirement=requirement, courses=[course], **fields)
        assert Certificate.objects.count() == 2
        services.requirement_update(requirement=requirement, courses=[other_course], **fields)
        assert list(Certificate.objects.values_list("person__name", flat=True)) == [
            org_a.leader.name
        ]


# --- Where people see their requirements ------------------------------------------------------


def test_the_home_page_lists_requirements_that_need_action(org_a):
    missing = _requirement(org_a, grace_days=0)
    valid = _requirement(org_a, name="Informationssikkerhed", validity_months=None)
    function, _holder = _function_with_holder(org_a)
    _assign(org_a, missing, kind="function", function=function)
    _assign(org_a, valid, kind="everyone")
    with org_a.scope():
        services.certificate_record(
            requirement=valid, person=org_a.employee, completed_on=TODAY, actor=org_a.hr
        )
    page = client_for(org_a.employee).get(reverse("home")).text
    tasks = page.split("Mine opgaver nu")[1]
    assert "Arbejdsmiljøuddannelse" in tasks and "Mangler" in tasks
    assert reverse("my_training") in tasks
    assert "Informationssikkerhed" not in tasks
    assert "Arbejdsmiljøuddannelse" not in client_for(org_a.colleague).get(reverse("home")).text


def test_the_home_page_keeps_a_constant_number_of_queries(org_a, django_assert_max_num_queries):
    client = client_for(org_a.employee)
    client.get(reverse("home"))
    with django_assert_max_num_queries(80) as few:
        client.get(reverse("home"))
    before = len(few.captured_queries)
    function, _holder = _function_with_holder(org_a)
    for name in ("AMU", "Førstehjælp", "Brand", "GDPR"):
        requirement = _requirement(org_a, name=name, grace_days=0)
        _assign(org_a, requirement, kind="function", function=function)
        _assign(org_a, requirement, kind="unit", unit=org_a.centre)
    with django_assert_max_num_queries(before + 8):
        page = client.get(reverse("home"))
    assert page.text.count("Mangler") >= 4


def test_my_training_lists_the_functions_held(org_a):
    _function_with_holder(org_a)
    page = client_for(org_a.employee).get(reverse("my_training"))
    assert "Dine funktioner:" in page.text and "Arbejdsmiljørepræsentant" in page.text


def test_the_mus_pages_show_the_employees_requirements(org_a, org_b):
    requirement = _requirement(org_a, grace_days=0)
    function, _holder = _function_with_holder(org_a)
    _assign(org_a, requirement, kind="function", function=function)
    conversation = build_conversation(org_a)
    for who, name in (
        (org_a.employee, "preparation"),
        (org_a.leader, "preparation"),
        (org_a.leader, "conversation_screen"),
        (org_a.employee, "conversation_screen"),
    ):
        page = client_for(who).get(reverse(name, args=[conversation.pk]))
        assert page.status_code == 200
        panel = page.text.split('id="training-panel"')[1]
        assert "Arbejdsmiljøuddannelse" in panel and "Mangler" in panel
    # No requirement for the colleague: no panel on their conversation.
    with org_a.scope():
        from mus import services as mus_services

        other = mus_services.conversation_schedule(
            employee=org_a.colleague,
            leader=org_a.leader,
            starts_at=timezone.now() + datetime.timedelta(days=9),
            duration_minutes=60,
            is_online=False,
            location="Lokale 1",
        )
    page = client_for(org_a.leader).get(reverse("preparation", args=[other.pk]))
    assert 'id="training-panel"' not in page.text
    # Outsiders still get 404 (the MUS views decide).
    assert (
        client_for(org_a.colleague).get(reverse("preparation", args=[conversation.pk])).status_code
        == 404
    )
    assert (
        client_for(org_b.leader, org_a.kommune)
        .get(reverse("conversation_screen", args=[conversation.pk]))
        .status_code
        == 404
    )


def test_the_person_page_shows_requirements_and_functions_to_leader_and_hr(org_a):
    requirement = _requirement(org_a, grace_days=0)
    function, _holder = _function_with_holder(org_a)
    _assign(org_a, requirement, kind="function", function=function)
    url = reverse("person_detail", args=[org_a.employee.pk])
    for who in (org_a.leader, org_a.hr):
        page = client_for(who).get(url).text
        panel = page.split('id="person-training"')[1]
        assert "Arbejdsmiljøuddannelse" in panel and "Mangler" in panel
        assert "Arbejdsmiljørepræsentant" in panel
        manages = reverse("certificate_record", args=[requirement.pk, org_a.employee.pk]) in panel
        assert manages == (who == org_a.hr)
    assert client_for(org_a.colleague).get(url).status_code == 404
