"""Plan activities chosen from the course catalogue: choosing a course and session while
the plan is written, the checks on that choice, asking for a place from the plan, the
enrolment status following the activity from version to version, completion, the
signed content, the PDF and the personal data export."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Enrolment
from mus import content, personal_data, selectors, services
from mus.models import Plan, PlanActivity, PlanVersion
from tests.catalogue.factories import build_course, build_session
from tests.catalogue.test_enrolment import _gaps
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, version_of
from tests.mus.test_mus import PASSWORD

pytestmark = pytest.mark.django_db


def _add(client, version: PlanVersion, **fields):
    data = {
        "activity-revision": version.revision,
        "activity-kind": "catalogue_course",
        "activity-title": "",
    }
    data.update({f"activity-{name}": value for name, value in fields.items()})
    return client.post(reverse("activity_add", args=[version.pk]), data, follow=True)


def _catalogue_activity(org, plan: Plan, course, session=None) -> PlanActivity:
    version = version_of(plan)
    with org.scope():
        return services.activity_add(
            version=version,
            revision=version.revision,
            kind=PlanActivity.Kind.CATALOGUE_COURSE,
            title="",
            course=course,
            session=session,
        )


def _page(client, plan) -> str:
    response = client.get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.text


def _cell(page: str, activity: PlanActivity) -> str:
    """The activity's course cell on the plan page."""
    start = page.index(f'id="activity-course-{activity.key}"')
    return page[start : page.index("</td>", start)]


# --- Choosing a course and a session ---------------------------------------------------------


def test_the_leader_chooses_a_course_and_session_and_the_title_comes_from_the_course(org_a):
    course = build_course(org_a.kommune, code="K-101")
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    page = _page(client_for(org_a.leader), plan)
    assert "Kursus fra kataloget" in page
    assert f'<option value="{course.pk}">Konflikthåndtering i praksis (K-101)</option>' in page

    response = _add(
        client_for(org_a.leader), version_of(plan), course=course.pk, session=session.pk
    )
    assert "Planen er gemt." in response.text
    with org_a.scope():
        activity = PlanActivity.objects.get(version__plan=plan)
    assert (activity.course, activity.session) == (course, session)
    assert activity.title == "Konflikthåndtering i praksis"
    cell = _cell(response.text, activity)
    assert reverse("course_detail", args=[course.pk]) in cell
    assert "Rådhuset, mødesal A" in cell
    assert "ingen endnu" in cell


def test_a_course_without_a_session_is_allowed_and_the_employee_picks_one_on_the_plan(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    first, second = build_session(course, days=20), build_session(course, days=50)
    plan = build_plan(org_a, activities=0)
    _add(client_for(org_a.employee), version_of(plan), course=course.pk, title="Konflikter")
    with org_a.scope():
        activity = PlanActivity.objects.get(version__plan=plan)
    assert activity.session is None and activity.title == "Konflikter"
    cell = _cell(_page(client_for(org_a.employee), plan), activity)
    assert "Vælg hold" in cell
    assert f'value="{first.pk}"' in cell and f'value="{second.pk}"' in cell

    response = client_for(org_a.employee).post(
        reverse("activity_enrol", args=[activity.pk]), {"session": second.pk}, follow=True
    )
    assert "Du har fået en plads." in response.text
    with org_a.scope():
        enrolment = Enrolment.objects.get(plan_activity=activity)
    assert enrolment.session == second
    assert "Bekræftet plads" in _cell(response.text, activity)


def test_the_search_narrows_the_course_select_and_a_course_gives_its_sessions(org_a, org_b):
    wanted = build_course(org_a.kommune, title="Svære samtaler")
    other = build_course(org_a.kommune, title="Excel for begyndere")
    wanted_session, other_session = build_session(wanted), build_session(other)
    version = version_of(build_plan(org_a, activities=0))
    leader = client_for(org_a.leader)
    response = leader.get(
        reverse("plan_course_search", args=[version.pk]), {"q": "samtaler"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<select")
    assert f'value="{wanted.pk}"' in response.text
    assert f'value="{other.pk}"' not in response.text

    response = leader.get(
        reverse("plan_course_sessions", args=[version.pk]),
        {"activity-course": wanted.pk},
        HTTP_HX_REQUEST="true",
    )
    assert f'value="{wanted_session.pk}"' in response.text
    assert f'value="{other_session.pk}"' not in response.text

    outsider = client_for(org_b.leader)
    for name in ("plan_course_search", "plan_course_sessions"):
        assert outsider.get(reverse(name, args=[version.pk])).status_code == 404
    # The employee's colleague may not write the plan: as absent as another kommune's.
    assert (
        client_for(org_a.colleague)
        .get(reverse("plan_course_search", args=[version.pk]))
        .status_code
        == 404
    )


def test_courses_that_match_the_employees_gaps_come_first(org_a):
    version, keys = _gaps(org_a)  # gaps: Forandring 3, Samarbejde 1, Faglig 0
    build_course(org_a.kommune, title="Aaa uden match")
    match = build_course(
        org_a.kommune,
        title="Zzz forandring i hverdagen",
        framework=version.framework,
        levels={keys["Forandringskompetence"].key: 4},
    )
    page = _page(client_for(org_a.leader), build_plan(org_a, activities=0))
    picker = page[page.index('name="activity-course"') :]
    assert "Passer til medarbejderens udviklingsbehov" in picker
    assert picker.index(f'value="{match.pk}"') < picker.index("Aaa uden match")


# --- The checks on the choice ----------------------------------------------------------------


def _refused(org, plan, response, message: str) -> None:
    assert message in response.text
    assert "Planen er gemt." not in response.text
    with org.scope():
        assert not PlanActivity.objects.filter(version__plan=plan).exists()


def test_an_unpublished_course_is_refused_naming_the_field(org_a):
    draft = build_course(org_a.kommune, title="Kladdekursus", publish=False)
    plan = build_plan(org_a, activities=0)
    response = _add(client_for(org_a.leader), version_of(plan), course=draft.pk)
    _refused(org_a, plan, response, "Kursus: »Kladdekursus« er ikke offentliggjort i kataloget.")


def test_another_kommunes_course_is_refused_as_unknown(org_a, org_b):
    foreign = build_course(org_b.kommune)
    plan = build_plan(org_a, activities=0)
    response = _add(client_for(org_a.leader), version_of(plan), course=foreign.pk)
    _refused(org_a, plan, response, "Kursus fra kataloget: kurset findes ikke i kataloget.")


def test_a_session_of_another_course_is_refused(org_a):
    course = build_course(org_a.kommune)
    other_session = build_session(build_course(org_a.kommune, title="Andet kursus"))
    plan = build_plan(org_a, activities=0)
    response = _add(
        client_for(org_a.leader), version_of(plan), course=course.pk, session=other_session.pk
    )
    _refused(org_a, plan, response, "Hold: holdet hører ikke til det valgte kursus.")


def test_a_session_in_the_past_is_refused(org_a):
    course = build_course(org_a.kommune)
    past = build_session(course, days=-3)
    plan = build_plan(org_a, activities=0)
    response = _add(client_for(org_a.leader), version_of(plan), course=course.pk, session=past.pk)
    _refused(org_a, plan, response, "Hold: holdet er startet eller aflyst. Vælg et andet hold.")


def test_a_catalogue_activity_needs_a_course_and_other_kinds_take_none(org_a):
    course = build_course(org_a.kommune)
    plan = build_plan(org_a, activities=0)
    leader = client_for(org_a.leader)
    response = _add(leader, version_of(plan), title="Et kursus")
    _refused(org_a, plan, response, "Kursus: vælg et kursus fra kataloget.")
    response = _add(leader, version_of(plan), kind="external", title="Ekstern", course=course.pk)
    _refused(org_a, plan, response, "Kursus: vælg kun et kursus, når typen er")


def test_editing_keeps_a_session_that_has_started_since(org_a):
    course = build_course(org_a.kommune)
    session = build_session(course, days=10)
    plan = build_plan(org_a, activities=0)
    activity = _catalogue_activity(org_a, plan, course, session)
    with org_a.scope():
        type(session).objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=1)
        )
    version = version_of(plan)
    response = client_for(org_a.leader).post(
        reverse("activity_edit", args=[activity.pk]),
        {
            "activity-revision": version.revision,
            "activity-kind": "catalogue_course",
            "activity-title": "Nyt navn",
            "activity-course": course.pk,
            "activity-session": session.pk,
        },
        follow=True,
    )
    assert "Planen er gemt." in response.text
    with org_a.scope():
        activity.refresh_from_db()
    assert (activity.title, activity.session_id) == ("Nyt navn", session.pk)


# --- Asking for a place from the plan ------------------------------------------------------------


def test_the_employee_asks_for_a_place_from_the_plan_and_sees_the_status(org_a):
    course = build_course(org_a.kommune)
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    activity = _catalogue_activity(org_a, plan, course, session)
    employee = client_for(org_a.employee)
    assert "Anmod om plads" in _cell(_page(employee, plan), activity)
    # The leader sees the status, but asking is the employee's.
    assert "Anmod om plads" not in _cell(_page(client_for(org_a.leader), plan), activity)

    response = employee.post(reverse("activity_enrol", args=[activity.pk]), {"session": session.pk})
    assert response.status_code == 302
    page = employee.get(response.url).text
    assert "Din anmodning er sendt til din leder." in page
    cell = _cell(page, activity)
    assert "Afventer leder" in cell and "Anmod om plads" not in cell
    with org_a.scope():
        enrolment = Enrolment.objects.get(plan_activity=activity)
        # The leader approves as today: the plan shows the confirmed place.
        catalogue_services.enrolment_decide(enrolment=enrolment, leader=org_a.leader, approve=True)
    assert "Bekræftet plads" in _cell(_page(employee, plan), activity)


def test_asking_with_htmx_answers_the_cell_and_a_failure_is_shown_never_sent(org_a):
    course = build_course(org_a.kommune)
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    activity = _catalogue_activity(org_a, plan, course, session)
    employee = client_for(org_a.employee)
    url = reverse("activity_enrol", args=[activity.pk])
    response = employee.post(url, {"session": session.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="activity-course-{activity.key}"' in response.text
    assert "Afventer leder" in response.text
    assert "Din anmodning er sendt til din leder." in response.text

    # Asked again (another tab): refused, with the reason, and no "sent".
    response = employee.post(url, {"session": session.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Du har allerede anmodet om en plads på kurset fra planen." in response.text
    assert "sendt" not in response.text
    response = employee.post(url, {"session": session.pk}, follow=True)
    assert "Du har allerede anmodet om en plads på kurset fra planen." in response.text
    assert "Din anmodning er sendt" not in response.text
    # Another session of the same course: one live request per activity.
    response = employee.post(url, {"session": build_session(course, days=90).pk}, follow=True)
    assert "Du har allerede anmodet om en plads på kurset fra planen." in response.text
    with org_a.scope():
        assert Enrolment.objects.filter(plan_activity__key=activity.key).count() == 1


def test_a_session_of_another_course_cannot_be_asked_for_from_the_activity(org_a):
    course = build_course(org_a.kommune)
    other = build_session(build_course(org_a.kommune, title="Andet"))
    plan = build_plan(org_a, activities=0)
    activity = _catalogue_activity(org_a, plan, course)
    response = client_for(org_a.employee).post(
        reverse("activity_enrol", args=[activity.pk]), {"session": other.pk}, follow=True
    )
    assert "Hold: holdet hører ikke til aktivitetens kursus." in response.text
    with org_a.scope():
        assert not Enrolment.objects.exists()


def test_only_the_employee_asks_and_another_kommunes_user_gets_404(org_a, org_b):
    course = build_course(org_a.kommune)
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    activity = _catalogue_activity(org_a, plan, course, session)
    url = reverse("activity_enrol", args=[activity.pk])
    for person in (org_a.leader, org_a.colleague, org_a.hr, org_b.employee, org_b.hr):
        assert client_for(person).post(url, {"session": session.pk}).status_code == 404
    assert client_for(org_b.leader).get(reverse("plan_detail", args=[plan.pk])).status_code == 404
    with org_a.scope():
        assert not Enrolment.objects.exists()


# --- Across versions, and completion ------------------------------------------------------


def _signed(org, plan) -> PlanVersion:
    version = version_of(plan)
    with org.scope():
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)
    return version


def test_a_new_version_carries_the_course_and_the_status_follows_the_activity(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    first = _catalogue_activity(org_a, plan, course, session)
    v1 = _signed(org_a, plan)
    # Asking needs no new signature: the signed plan's activity is asked for as it is.
    client_for(org_a.employee).post(
        reverse("activity_enrol", args=[first.pk]), {"session": session.pk}
    )
    with org_a.scope():
        v2 = services.plan_version_new(version=v1, by=org_a.leader)
        copy = v2.activities.get()
    assert copy.pk != first.pk and copy.key == first.key
    assert (copy.course_id, copy.session_id) == (course.pk, session.pk)
    page = _page(client_for(org_a.employee), plan)
    cell = _cell(page, copy)
    assert "Bekræftet plads" in cell and "Anmod om plads" not in cell


def test_completion_marks_the_activity_done_today_on_the_plan_page_from_an_older_version(org_a):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    first = _catalogue_activity(org_a, plan, course, session)
    v1 = _signed(org_a, plan)
    with org_a.scope():
        enrolment = catalogue_services.enrolment_request(
            session=session, person=org_a.employee, plan_activity=first
        )
        services.plan_version_new(version=v1, by=org_a.leader)
        catalogue_services.enrolment_record(enrolment=enrolment, status=Enrolment.Status.COMPLETED)
        current = selectors.current_version(plan).activities.get()
    assert current.status == PlanActivity.Status.DONE
    assert current.done_on == timezone.localdate()
    cell_row = _page(client_for(org_a.employee), plan)
    cell = cell_row[cell_row.index(f'id="activity-course-{current.key}"') :]
    assert "Gennemført" in cell[: cell.index("</tr>")]
    assert timezone.localdate().strftime("%Y") in cell[: cell.index("</tr>")]


# --- The signed content, the PDF and the personal data -----------------------------------


def test_the_signed_content_names_the_course_and_other_activities_hash_as_before(org_a):
    course = build_course(org_a.kommune, code="K-7", title="Svære samtaler")
    session = build_session(course)
    plan = build_plan(org_a, activities=1)
    version = version_of(plan)
    with org_a.scope():
        before = content.content_hash(version)
        plain = content.canonical_content(version)["activities"][0]
    # An activity without a course has exactly the keys it had before plans named courses.
    assert set(plain) == {"key", "kind", "title", "description", "goal", "deadline"}
    _catalogue_activity(org_a, plan, course, session)
    with org_a.scope():
        version = selectors.current_version(plan)
        data = content.canonical_content(version)
        lines = content.content_text(version)
        after = content.content_hash(version)
    assert data["activities"][0] == plain
    assert data["activities"][1]["course"] == {"code": "K-7", "title": "Svære samtaler"}
    assert data["activities"][1]["session"]["place"] == "Rådhuset, mødesal A"
    assert "  Kursus: K-7 Svære samtaler" in lines
    assert any(line.startswith("  Hold: ") and "Rådhuset" in line for line in lines)
    assert after != before


def test_the_pdf_and_the_personal_data_show_the_course_and_session(org_a):
    course = build_course(org_a.kommune, code="K-7", title="Svære samtaler")
    session = build_session(course)
    plan = build_plan(org_a, activities=0)
    _catalogue_activity(org_a, plan, course, session)
    version = version_of(plan)
    with org_a.scope():
        html = render_to_string("mus/plan_pdf.html", selectors.plan_document(version))
        files = personal_data.personal_data_files(org_a.employee)
    assert "Svære samtaler (K-7)" in html and "Rådhuset, mødesal A" in html
    exported = [
        json.loads(data) for name, data in files.items() if name.startswith("udviklingsplaner/")
    ]
    activity = exported[0]["activities"][0]
    assert activity["course"] == {"code": "K-7", "title": "Svære samtaler"}
    assert activity["session"]["place"] == "Rådhuset, mødesal A"


# --- A constant number of queries ---------------------------------------------------------------


def _plan_page_queries(org, count: int) -> int:
    plan = build_plan(org, activities=0)
    for index in range(count):
        course = build_course(org.kommune, title=f"Kursus {index}")
        session = build_session(course)
        activity = _catalogue_activity(org, plan, course, session if index % 2 else None)
        if index % 3 == 0 and index % 2:
            with org.scope():
                catalogue_services.enrolment_request(
                    session=session, person=org.employee, plan_activity=activity
                )
    client = client_for(org.employee)
    client.get(reverse("plan_detail", args=[plan.pk]))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("plan_detail", args=[plan.pk])).status_code == 200
    return len(queries)


def test_the_plan_page_query_count_does_not_grow_with_catalogue_activities(org_a, org_b):
    few = _plan_page_queries(org_a, 2)
    many = _plan_page_queries(org_b, 8)
    assert many == few
