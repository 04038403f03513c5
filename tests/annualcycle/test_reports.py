"""Gap reports: ordering, the Celery-built spreadsheet and PDF on a small known case,
the job-profile and group filters, who may see and download, and idempotent builds."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annualcycle.models import GapReport
from annualcycle.reports import build as reports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import AuditEntry, OrgUnit, Person
from mus import services as mus_services
from profiles import services as profile_services
from profiles.models import Competence, EvaluationRound, JobProfile
from tests.conftest import Org, client_for
from tests.mus.factories import build_plan, sign, version_of
from tests.mus.test_mus import pdf_text
from tests.profiles.factories import build_framework, evaluation_of, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
SHEETS = ["Oversigt", "Pr. enhed", "Pr. kompetence", "Udviklingsplaner"]


@dataclass
class Case:
    round: EvaluationRound
    job_profile: JobProfile
    competences: list[Competence]


def build_case(org: Org) -> Case:
    """The known case, in the centre's subtree (chef, leader, employee, colleague,
    other_employee):

    * required: 2 for everyone under the centre (unit profile); 3 for employee and
      colleague (job profile "Socialrådgiver");
    * self-evaluations: employee 2, colleague 4, other_employee 1, leader 3 on every
      competence; the chef has not answered;
    * plans: employee's (three activities, then a fourth in version 2 after one
      signature) and other_employee's (one activity).
    """
    version = build_framework(org.kommune, by=org.hr)
    with kommune_scope(org.kommune):
        competences = list(Competence.objects.filter(version=version))
        framework = version.framework
        profile_services.unit_profile_set(
            unit=org.centre, framework=framework, levels={c.key: 2 for c in competences}
        )
        job_profile = profile_services.job_profile_create(
            kommune=org.kommune, framework=framework, name="Socialrådgiver"
        )
        profile_services.job_requirements_set(
            job_profile=job_profile, levels={c.key: 3 for c in competences}
        )
        for person in (org.employee, org.colleague):
            profile_services.job_profile_assign(
                position=person.positions.get(), job_profile=job_profile
            )
    round_ = open_round(version, org.root, by=org.hr)
    with kommune_scope(org.kommune):
        answers = [
            (evaluation_of(round_, person), competence, level, "")
            for person, level in (
                (org.employee, 2),
                (org.colleague, 4),
                (org.other_employee, 1),
                (org.leader, 3),
            )
            for competence in competences
        ]
        profile_services.ratings_bulk_set(round_=round_, answers=answers, submit=True)

    plan = build_plan(org)
    version1 = version_of(plan)
    with kommune_scope(org.kommune):
        sign(version1, org.employee, PASSWORD)
        version1.refresh_from_db()
        mus_services.activity_add(
            version=version1,
            revision=version1.revision,
            kind="network",
            title="Aktivitet 4",
            deadline=timezone.localdate() + datetime.timedelta(days=120),
        )
        other = mus_services.conversation_schedule(
            employee=org.other_employee,
            leader=org.chef,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            is_online=False,
            location="Mødelokale 1",
        )
    build_plan(org, other, activities=1)
    return Case(round=round_, job_profile=job_profile, competences=competences)


@pytest.fixture
def case(org_a, tmp_path, settings) -> Case:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_case(org_a)


def order(client, unit: OrgUnit, capture, *, job_profile=None, group_name="") -> GapReport:
    with capture(execute=True):
        response = client.post(
            reverse("gap_report_list"),
            {
                "unit": unit.pk,
                "job_profile": job_profile.pk if job_profile else "",
                "group_name": group_name,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    with kommune_scope(unit.kommune):
        return GapReport.objects.order_by("-pk").first()


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def by_first(sheet, column: int = 0) -> dict:
    return {row[column]: row for row in rows(sheet)[1:]}


def overview(book) -> dict:
    return {row[0]: row[1] for row in rows(book["Oversigt"]) if row and row[0]}


def approx(value, expected) -> bool:
    return value is not None and abs(value - expected) < 0.005


def download(client, report: GapReport, kind: str = "xlsx"):
    return client.get(reverse("gap_report_download", args=[report.pk, kind]))


# --- Ordering and the known case --------------------------------------------------------


def test_leader_orders_a_report_for_their_subtree_and_downloads_both_files(
    org_a, case, django_capture_on_commit_callbacks, tmp_path
):
    client = client_for(org_a.chef)
    page = client.get(reverse("gap_report_list"))
    assert page.status_code == 200
    assert "Bestil en rapport" in page.text
    report = order(client, org_a.centre, django_capture_on_commit_callbacks)
    assert report.status == GapReport.Status.READY, report.error
    assert report.people == 5
    assert report.xlsx.name == f"reports/{org_a.kommune.pk}/gap-report-{report.pk}.xlsx"
    assert report.pdf.name == f"reports/{org_a.kommune.pk}/gap-report-{report.pk}.pdf"

    status = client.get(reverse("gap_report_status", args=[report.pk]))
    assert status.status_code == 200
    assert reverse("gap_report_download", args=[report.pk, "xlsx"]) in status.text
    assert "hx-trigger" not in status.text  # ready: no more polling
    # The row's "Personer" cell, shown as "–" while pending, gets the count with it.
    people = f'<span id="report-people-{report.pk}" hx-swap-oob="true">5</span>'
    assert people in status.text

    book = workbook_of(download(client, report))
    assert book.sheetnames == SHEETS
    summary = overview(book)
    assert summary["Enhed (med underenheder)"] == "Center for Omsorg"
    assert summary["Evalueringsrunde"] == case.round.name
    assert summary["Personer i rapporten"] == 5
    assert summary["Personer med vurderinger"] == 5
    assert summary["Vurderinger med krævet niveau"] == 20
    assert summary["Heraf under krævet niveau"] == 10
    assert approx(summary["Andel under krævet niveau"], 0.5)

    competences = by_first(book["Pr. kompetence"], column=1)
    assert len(competences) == 5
    group, _name, required, own, leader, assessed, below, n = competences["Faglig kompetence"]
    assert group == "Resultater"
    assert approx(required, 2.4) and approx(own, 2.5) and leader is None
    assert approx(assessed, 2.5) and approx(below, 0.5) and n == 4

    units = by_first(book["Pr. enhed"])
    header = rows(book["Pr. enhed"])[0]
    assert header[:5] == (
        "Enhed",
        "Placering",
        "Personer",
        "Udvikling: gns. niveau",
        "Udvikling: andel under krav",
    )
    assert set(units) == {"Center for Omsorg", "Team Nord", "Team Syd"}
    assert units["Team Nord"][1] == "Center for Omsorg"
    assert units["Team Nord"][2] == 3
    assert approx(units["Team Nord"][3], 3.0) and approx(units["Team Nord"][4], 1 / 3)
    assert units["Team Syd"][2] == 1
    assert approx(units["Team Syd"][3], 1.0) and approx(units["Team Syd"][4], 1.0)
    assert units["Center for Omsorg"][2] == 1 and units["Center for Omsorg"][3] is None

    plans = rows(book["Udviklingsplaner"])
    assert plans[0] == (
        "Enhed",
        "Medarbejder",
        "MUS",
        "Aktivitet",
        "Type",
        "Mål",
        "Frist",
        "Status",
    )
    # The newest version of each plan only: version 2 of the employee's (four
    # activities), not version 1 beside it.
    listed = [(row[1], row[3]) for row in plans[1:]]
    assert sorted(listed) == sorted(
        [(org_a.employee.name, f"Aktivitet {n}") for n in (1, 2, 3, 4)]
        + [(org_a.other_employee.name, "Aktivitet 1")]
    )
    first = next(row for row in plans[1:] if row[1] == org_a.employee.name)
    assert first[0] == "Team Nord" and first[7] == "Planlagt"

    pdf = download(client, report, "pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
    assert "Gabrapport for Center for Omsorg" in text
    assert "Pr. kompetencegruppe" in text and "Udvikling" in text
    assert "største gab" in text and "Faglig kompetence" in text
    # The summary is aggregates only.
    assert org_a.employee.name not in text

    with kommune_scope(org_a.kommune):
        exports = AuditEntry.objects.filter(actor=org_a.chef, action=AuditEntry.Action.EXPORT)
        assert exports.count() == 2
        assert {e.object_id for e in exports} == {str(report.pk)}


def test_a_leader_cannot_order_for_a_unit_outside_their_subtree(
    org_a, case, django_capture_on_commit_callbacks
):
    client = client_for(org_a.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("gap_report_list"), {"unit": org_a.centre.pk})
    assert response.status_code == 200
    assert "field-invalid" in response.text
    with kommune_scope(org_a.kommune):
        assert not GapReport.objects.exists()


def test_employees_have_no_report_page(org_a):
    assert client_for(org_a.employee).get(reverse("gap_report_list")).status_code == 404


def test_job_profile_filter_keeps_only_people_with_that_profile(
    org_a, case, django_capture_on_commit_callbacks
):
    client = client_for(org_a.chef)
    report = order(
        client, org_a.centre, django_capture_on_commit_callbacks, job_profile=case.job_profile
    )
    assert report.people == 2
    book = workbook_of(download(client, report))
    summary = overview(book)
    assert summary["Jobprofil"] == "Socialrådgiver"
    assert summary["Personer med vurderinger"] == 2
    assert summary["Heraf under krævet niveau"] == 5
    assert approx(summary["Andel under krævet niveau"], 0.5)
    units = by_first(book["Pr. enhed"])
    assert set(units) == {"Team Nord"} and units["Team Nord"][2] == 2
    competences = by_first(book["Pr. kompetence"], column=1)
    assert approx(competences["Faglig kompetence"][2], 3.0)
    assert competences["Faglig kompetence"][7] == 2
    employees = {row[1] for row in rows(book["Udviklingsplaner"])[1:]}
    assert employees == {org_a.employee.name}


def test_group_filter_keeps_only_that_groups_competences_and_activities(
    org_a, case, django_capture_on_commit_callbacks
):
    client = client_for(org_a.chef)
    report = order(client, org_a.centre, django_capture_on_commit_callbacks, group_name="Udvikling")
    book = workbook_of(download(client, report))
    assert overview(book)["Kompetencegruppe"] == "Udvikling"
    competences = by_first(book["Pr. kompetence"], column=1)
    assert set(competences) == {"Forandringskompetence", "Innovationskompetence"}
    header = rows(book["Pr. enhed"])[0]
    assert len(header) == 5 and "Udvikling: gns. niveau" in header
    # Only activities whose goal is about a competence in the group.
    titles = [row[3] for row in rows(book["Udviklingsplaner"])[1:]]
    assert titles == ["Aktivitet 1", "Aktivitet 1"]


def test_html_and_formula_looking_names_stay_text(org_a, case, django_capture_on_commit_callbacks):
    formula = '=HYPERLINK("http://evil.example","klik")'
    unit_name = "=1+1 <b>Team</b>"
    with kommune_scope(org_a.kommune):
        Person.objects.filter(pk=org_a.employee.pk).update(name=formula)
        OrgUnit.objects.filter(pk=org_a.team.pk).update(name=unit_name)
    client = client_for(org_a.chef)
    report = order(client, org_a.centre, django_capture_on_commit_callbacks)
    book = workbook_of(download(client, report))
    unit_cells = [row[0] for row in book["Pr. enhed"].iter_rows(min_row=2)]
    cell = next(c for c in unit_cells if c.value == unit_name)
    assert cell.data_type == "s"
    names = [row[1] for row in book["Udviklingsplaner"].iter_rows(min_row=2)]
    cell = next(c for c in names if c.value == formula)
    assert cell.data_type == "s"
    page = client.get(reverse("gap_report_list"))
    assert "<b>Team</b>" not in page.text and "&lt;b&gt;Team&lt;/b&gt;" in page.text


# --- Who may see what -------------------------------------------------------------------


def test_only_the_requester_and_hr_see_and_download_a_report(
    org_a, org_b, case, django_capture_on_commit_callbacks
):
    report = order(client_for(org_a.chef), org_a.centre, django_capture_on_commit_callbacks)
    urls = [
        reverse("gap_report_status", args=[report.pk]),
        reverse("gap_report_download", args=[report.pk, "xlsx"]),
        reverse("gap_report_download", args=[report.pk, "pdf"]),
    ]
    for outsider in (org_a.colleague, org_a.leader, org_a.director):
        client = client_for(outsider)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    for client in (client_for(org_b.hr), client_for(org_b.hr, org_a.kommune)):
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    hr = client_for(org_a.hr)
    assert [hr.get(url).status_code for url in urls] == [200, 200, 200]
    assert org_a.chef.name in hr.get(reverse("gap_report_list")).text
    # The leader's own list does not show the chef's report.
    assert (
        reverse("gap_report_status", args=[report.pk])
        not in client_for(org_a.leader).get(reverse("gap_report_list")).text
    )
    assert (
        client_for(org_a.chef)
        .get(reverse("gap_report_download", args=[report.pk, "csv"]))
        .status_code
        == 404
    )


def _queries(client, url: str) -> int:
    """The queries of a warm request: the first fills the caches (the kommune of the
    host) and refreshes the session, which later requests do not."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_pending_report_polls_and_the_list_costs_the_same_queries_for_many(org_a):
    client = client_for(org_a.chef)

    def add(status=GapReport.Status.PENDING) -> GapReport:
        with kommune_scope(org_a.kommune):
            return GapReport.objects.create(
                kommune=org_a.kommune, requested_by=org_a.chef, unit=org_a.centre, status=status
            )

    add()
    one = _queries(client, reverse("gap_report_list"))
    for status in ("ready", "failed", "pending", "ready"):
        add(status)
    report = add()
    assert _queries(client, reverse("gap_report_list")) == one
    page = client.get(reverse("gap_report_list"))
    # Only the newest report on its way polls.
    assert page.text.count('hx-trigger="every 2s"') == 1
    assert reverse("gap_report_status", args=[report.pk]) in page.text
    status = client.get(reverse("gap_report_status", args=[report.pk]))
    assert 'hx-trigger="every 2s"' in status.text
    assert "/xlsx/" not in status.text
    assert client.get(reverse("gap_report_download", args=[report.pk, "xlsx"])).status_code == 404


# --- Building --------------------------------------------------------------------------


def _stored(kommune_id: int, settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(kommune_id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_building_twice_or_after_redelivery_leaves_one_file_of_each(org_a, case, settings):
    with kommune_scope(org_a.kommune):
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.root
        )
        reports.gap_report_build(report_id=report.pk)
        first = GapReport.objects.get(pk=report.pk)
        reports.gap_report_build(report_id=report.pk)
        assert GapReport.objects.get(pk=report.pk).finished_at == first.finished_at
        # A re-delivered task after a worker died between writing and marking ready.
        GapReport.objects.filter(pk=report.pk).update(status=GapReport.Status.PENDING)
        again = reports.gap_report_build(report_id=report.pk)
    expected = [f"gap-report-{report.pk}.pdf", f"gap-report-{report.pk}.xlsx"]
    assert _stored(org_a.kommune.pk, settings) == expected
    assert again.status == GapReport.Status.READY
    assert again.xlsx.name == first.xlsx.name and again.pdf.name == first.pdf.name


def test_a_failed_build_is_marked_failed_with_its_reason(org_a, case, monkeypatch):
    from annualcycle.tasks import build_gap_report

    def broken(content, target):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reports, "write_xlsx", broken)
    with kommune_scope(org_a.kommune):
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.root
        )
        with pytest.raises(RuntimeError):
            reports.gap_report_build(report_id=report.pk)
    build_gap_report.delay(org_a.kommune.pk, report.pk)
    with kommune_scope(org_a.kommune):
        report.refresh_from_db()
    assert report.status == GapReport.Status.FAILED
    assert report.error == "RuntimeError: disk full" and report.failure == "error"
    page = client_for(org_a.hr).get(reverse("gap_report_status", args=[report.pk]))
    assert "Fejlede" in page.text and "uventet fejl" in page.text and "Prøv igen" in page.text


def test_a_unit_without_a_round_still_gets_a_report(org_a, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with kommune_scope(org_a.kommune):
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.team
        )
        report = reports.gap_report_build(report_id=report.pk)
    assert report.status == GapReport.Status.READY
    book = openpyxl.load_workbook(report.xlsx.path)
    assert book.sheetnames == SHEETS
    assert overview(book)["Evalueringsrunde"] == "Ingen evalueringsrunde dækker enheden"
    assert overview(book)["Personer i rapporten"] == 3
