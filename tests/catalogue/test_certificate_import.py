"""The certificate import with real files: CSV and XLSX, a dry run that writes nothing,
every bad value by line and column with nothing written, the same file twice (0
ændringer), another kommune's people and requirements unknown, and HR only."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Certificate, TrainingRequirement
from catalogue.training.certificate_import import certificate_importer, parse_day
from kompetence.infra import imports
from kompetence.models import ImportJob, Person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
HEADER = "medarbejdernr;krav;gennemført;gyldig_til;note"


def csv_bytes(lines: list[str], encoding: str = "cp1252") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def org(org_a):
    """Kommune A with two requirements: first aid for two years, and a statutory
    course without expiry."""
    with org_a.scope():
        org_a.first_aid = TrainingRequirement.objects.create(
            kommune=org_a.kommune, name="Førstehjælp", validity_months=24
        )
        org_a.amr = TrainingRequirement.objects.create(
            kommune=org_a.kommune, name="Arbejdsmiljøuddannelse", validity_months=None
        )
    return org_a


def lines(org) -> list[str]:
    employee, colleague = org.employee.employee_number, org.colleague.employee_number
    return [
        HEADER,
        f"{employee};Førstehjælp;15-03-2025;;Dansk Førstehjælpsråd",
        f"{colleague};FØRSTEHJÆLP;2025-01-31;31-12-2026;",
        f"{employee};arbejdsmiljøuddannelse;01.02.2024;;",
    ]


def dry_run(org, data: bytes) -> imports.Plan:
    with org.scope():
        return imports.plan_table(
            kommune=org.kommune, importer=certificate_importer, data=data, options={}
        )


def run(org, data: bytes) -> imports.Plan:
    with org.scope():
        return imports.import_run(
            kommune=org.kommune,
            importer=certificate_importer,
            data=data,
            options={},
            actor=org.hr,
        )


def problems(plan: imports.Plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def certificates(org) -> list[tuple]:
    with org.scope():
        return sorted(
            Certificate.objects.values_list(
                "person_id", "requirement__name", "completed_on", "valid_until", "source"
            )
        )


def test_a_windows_1252_csv_is_planned_without_writing_then_applied(org):
    data = csv_bytes(lines(org))
    plan = dry_run(org, data)
    assert problems(plan) == []
    assert plan.counts == {"certificate_create": 3}
    assert plan.examples["certificate_create"][0] == (
        f"Linje 2: Eva Medarbejder ({org.employee.employee_number}), Førstehjælp, "
        "gennemført 15.03.2025, gyldig til 15.03.2027"
    )
    assert certificates(org) == [], "the dry run wrote something"

    plan = run(org, data)
    assert plan.total == 3
    with org.scope():
        first_aid = Certificate.objects.get(person=org.employee, requirement=org.first_aid)
        # Without "gyldig_til": the requirement's 24 months from completion.
        assert first_aid.valid_until == datetime.date(2027, 3, 15)
        assert first_aid.note == "Dansk Førstehjælpsråd"
        assert first_aid.source == Certificate.Source.IMPORT
        assert first_aid.recorded_by == org.hr
        colleague = Certificate.objects.get(person=org.colleague)
        assert colleague.valid_until == datetime.date(2026, 12, 31)
        amr = Certificate.objects.get(requirement=org.amr)
        assert (amr.completed_on, amr.valid_until) == (datetime.date(2024, 2, 1), None)


def test_an_xlsx_with_date_cells_and_day_numbers(org):
    data = xlsx_bytes(
        [
            ["Medarbejdernummer", "Krav", "Gennemført", "Gyldig til"],
            [int(org.employee.employee_number), "Førstehjælp", datetime.date(2025, 3, 15), None],
            [org.colleague.employee_number, "Førstehjælp", 45658, "2026-12-31"],
        ]
    )
    plan = run(org, data)
    assert problems(plan) == []
    with org.scope():
        assert Certificate.objects.get(person=org.employee).completed_on == datetime.date(
            2025, 3, 15
        )
        assert Certificate.objects.get(person=org.colleague).completed_on == datetime.date(
            2025, 1, 1
        )


def test_excel_day_numbers():
    assert parse_day("45658") == datetime.date(2025, 1, 1)
    assert parse_day("01-01-2025") == datetime.date(2025, 1, 1)
    assert parse_day("") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "99999;Førstehjælp;15-03-2025;;",
            "Linje 3, kolonne »medarbejdernr«: Der er ingen person med medarbejdernummer "
            "99999 i kommunen.",
        ),
        (
            "{employee};Brandøvelse;15-03-2025;;",
            "Linje 3, kolonne »krav«: Kravet »Brandøvelse« findes ikke i kommunen.",
        ),
        (
            "{employee};Førstehjælp;31-02-2025;;",
            "Linje 3, kolonne »gennemført«: »31-02-2025« er ikke en dato. Skriv den som "
            "31-12-2026 eller 2026-12-31.",
        ),
        (
            "{employee};Førstehjælp;;;",
            "Linje 3, kolonne »gennemført«: Datoen for gennemførelsen mangler.",
        ),
        (
            "{employee};Førstehjælp;15-03-2025;14-03-2025;",
            "Linje 3, kolonne »gyldig_til«: »Gyldig til« ligger før gennemførelsesdatoen.",
        ),
        (
            "{employee};Førstehjælp;{tomorrow};;",
            "Linje 3, kolonne »gennemført«: Datoen ligger i fremtiden: en uddannelse kan "
            "ikke være gennemført endnu.",
        ),
        (
            "{colleague};Førstehjælp;31-01-2025;;",
            "Linje 3, kolonne »gennemført«: Samme person, krav og dato står også i linje 2.",
        ),
    ],
)
def test_one_bad_line_is_named_by_line_and_column_and_nothing_is_written(org, line, expected):
    good = f"{org.colleague.employee_number};Førstehjælp;2025-01-31;;"
    bad = line.format(
        employee=org.employee.employee_number,
        colleague=org.colleague.employee_number,
        tomorrow=(TODAY + datetime.timedelta(days=1)).isoformat(),
    )
    plan = run(org, csv_bytes([HEADER, good, bad]))
    assert problems(plan) == [expected]
    assert certificates(org) == []


def test_a_file_without_the_required_columns_is_refused(org):
    plan = dry_run(org, csv_bytes(["medarbejdernr;krav", "1;Førstehjælp"]))
    assert problems(plan) == [
        "Linje 1, kolonne »gennemført«: Kolonnen mangler i filens første linje."
    ]


def test_the_same_file_twice_changes_nothing_the_second_time(org):
    data = csv_bytes(lines(org))
    run(org, data)
    before = certificates(org)
    plan = run(org, data)
    assert problems(plan) == []
    assert plan.total == 0
    assert plan.counts == {"certificate_exists": 3}
    assert imports.summary_text(plan.as_dict()) == "0 ændringer"
    assert certificates(org) == before


def test_a_later_certificate_for_the_same_requirement_is_added_beside_the_first(org):
    run(org, csv_bytes(lines(org)[:2]))
    employee = org.employee.employee_number
    plan = run(org, csv_bytes([HEADER, f"{employee};Førstehjælp;{TODAY.isoformat()};;"]))
    assert plan.counts == {"certificate_create": 1}
    with org.scope():
        assert Certificate.objects.filter(person=org.employee).count() == 2


def test_another_kommunes_people_and_requirements_are_unknown(org, org_b):
    with org_b.scope():
        TrainingRequirement.objects.create(kommune=org_b.kommune, name="Brandøvelse")
    # Employee numbers are unique per kommune only: B's person's number is not A's.
    number = org_b.employee.employee_number
    with org.scope():
        assert not Person.objects.filter(kommune=org.kommune, employee_number=number).exists()
    plan = run(
        org,
        csv_bytes(
            [
                HEADER,
                f"{number};Førstehjælp;15-03-2025;;",
                f"{org.employee.employee_number};Brandøvelse;15-03-2025;;",
            ]
        ),
    )
    assert problems(plan) == [
        f"Linje 2, kolonne »medarbejdernr«: Der er ingen person med medarbejdernummer "
        f"{number} i kommunen.",
        "Linje 3, kolonne »krav«: Kravet »Brandøvelse« findes ikke i kommunen.",
    ]
    with org_b.scope():
        assert not Certificate.objects.exists()


def test_hr_uploads_reads_the_dry_run_and_applies(org, django_capture_on_commit_callbacks):
    client = client_for(org.hr)
    url = reverse("import_upload", args=["certifikater"])
    page = client.get(url)
    assert page.status_code == 200
    assert "gyldig_til" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile("certifikater.csv", csv_bytes(lines(org)))}
        )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Kontrollen er færdig: 3 ændringer" in page.text
    assert "Nye certifikater" in page.text
    assert certificates(org) == []
    with org.scope():
        job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_job_apply", args=[job.pk]))
    assert "Importen er gennemført: 3 ændringer" in client.get(response.url).text
    with org.scope():
        assert set(Certificate.objects.values_list("recorded_by", flat=True)) == {org.hr.pk}

    # The same file again: listed as already there, nothing to apply.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile("certifikater.csv", csv_bytes(lines(org)))}
        )
    page = client.get(response.url)
    assert "Kontrollen er færdig: 0 ændringer" in page.text
    assert "Findes allerede (ændres ikke)" in page.text
    assert "Gennemfør importen" not in page.text


def test_only_hr_of_the_whole_kommune_and_never_another_kommune(org, org_b):
    urls = [
        reverse("import_upload", args=["certifikater"]),
        reverse("import_template", args=["certifikater"]),
    ]
    for url in urls:
        assert client_for(org.hr).get(url).status_code == 200, url
    for person in (org.employee, org.leader, org.chef, org.director):
        for url in urls:
            assert client_for(person).get(url).status_code == 404, (person, url)
    on_our_host = client_for(org_b.hr, kommune=org.kommune)
    for url in urls:
        assert on_our_host.get(url).status_code == 404, url
