"""Files in are bounded: an XLSX's unpacked size and compression ratio are checked
before it is parsed (at the upload, before anything is stored), and rows, columns and
cell length while it is read. A refused file leaves a Danish message naming the limit,
no rows, no copy of its content and no stored file; the pages answer normally."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kompetence.infra import imports, tabular
from kompetence.models import ImportJob, OrgUnit, Person
from kompetence.org_import import organisation_importer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = [
    "enhed_id",
    "enhed_navn",
    "overenhed_id",
    "medarbejdernr",
    "navn",
    "email",
    "stilling",
    "leder",
    "startdato",
]


def xlsx(rows: list[list], *, big_name: int = 0) -> bytes:
    """A real XLSX of `rows`. openpyxl cuts a cell at Excel's 32.767 characters, so a
    name of `big_name` characters (the cell E2 holds "STOR") is put into the sheet's XML
    afterwards, as another program could write it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ark1")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if not big_name:
        return out.getvalue()
    big = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert content.count(b">STOR<") == 1
                content = content.replace(b">STOR<", b">" + b"x" * big_name + b"<")
            copy.writestr(member, content, zipfile.ZIP_DEFLATED)
    return big.getvalue()


def csv_bytes(rows: list[list]) -> bytes:
    return "".join(";".join(row) + "\r\n" for row in rows).encode("utf-8")


def person_row(name: str = "Søren Æbelø", number: str = "5001") -> list[str]:
    return ["T1", "Team Øst", "", number, name, "soren@aero.dk", "Sygeplejerske", "nej", ""]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def snapshot(org) -> list:
    with org.scope():
        return [
            sorted(OrgUnit.objects.values_list("pk", "name", "external_id")),
            sorted(Person.objects.values_list("pk", "name", "employee_number")),
        ]


def upload(client, data: bytes, name: str):
    return client.post(
        reverse("import_upload", args=["organisation"]),
        {"file": SimpleUploadedFile(name, data), "full": "on"},
    )


def read_problems(data: bytes) -> list[str]:
    try:
        tabular.read_table(data, organisation_importer.columns)
    except tabular.LimitError as error:
        return [str(problem) for problem in error.problems]
    raise AssertionError("the file was read")


# --- A 41 KB XLSX holding 40 MB: refused at the upload, nothing stored ------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A real XLSX of a few dozen KB whose one cell holds 40 MB."""
    data = xlsx([HEADER, person_row(name="STOR")], big_name=40 * 1024 * 1024)
    assert len(data) < 100 * 1024
    return data


def test_an_xlsx_too_big_unpacked_is_refused_at_the_upload(
    org_a, org_b, settings, media, bomb, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_UNPACKED_MB = 20
    before = snapshot(org_a)
    client = client_for(org_a.hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bomb, "organisation.xlsx")
    assert response.status_code == 400
    assert "Filen fylder 40 MB udpakket; grænsen er 20 MB." in response.text
    with org_a.scope():
        assert not ImportJob.objects.exists()
    assert stored_files(media) == []
    assert snapshot(org_a) == before
    on_our_host = client_for(org_b.hr, kommune=org_a.kommune)
    assert upload(on_our_host, bomb, "organisation.xlsx").status_code == 404


def test_a_zip_bomb_is_refused_by_its_ratio_under_the_size_limit(
    org_a, media, bomb, django_capture_on_commit_callbacks
):
    # The default limit (100 MB) lets 40 MB through; 40 MB from a few KB does not.
    client = client_for(org_a.hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bomb, "organisation.xlsx")
    assert response.status_code == 400
    assert "gange sin størrelse; højst 100 gange er tilladt." in response.text
    with org_a.scope():
        assert not ImportJob.objects.exists()
    assert stored_files(media) == []


def test_the_sizes_are_those_the_zip_declares_and_zipfile_holds_to(bomb):
    # A member cannot unpack to more than it declares: zipfile stops at the declared size
    # (and then fails the checksum), so the sum checked before parsing is a real bound.
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        sheet = next(m for m in archive.infolist() if m.filename.endswith("sheet1.xml"))
        assert sheet.file_size > 40 * 1024 * 1024
    with pytest.raises(tabular.LimitError):
        tabular.check_xlsx(bomb)


# --- Cells, columns and rows: refused while reading, in the dry run --------------------


def test_a_long_cell_is_refused_in_the_dry_run_and_nothing_of_it_is_kept(
    org_a, org_b, settings, media, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_CELL_CHARS = 10_000
    before = snapshot(org_a)
    client = client_for(org_a.hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, xlsx([HEADER, person_row(name="STOR")], big_name=40_000), "org.xlsx"
        )
    assert response.status_code == 302
    with org_a.scope():
        job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert [p["message"] for p in job.result["problems"]] == [
        "Celle E2 har 40.000 tegn; højst 10.000 er tilladt."
    ]
    assert len(json.dumps(job.result)) < 5_000  # the labels, not 40.000 characters
    assert "x" * 100 not in json.dumps(job.result)
    assert not job.file
    assert stored_files(media) == []
    assert snapshot(org_a) == before
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Celle E2 har 40.000 tegn; højst 10.000 er tilladt." in page.text
    assert "x" * 100 not in page.text
    assert "Gennemfør importen" not in page.text
    on_our_host = client_for(org_b.hr, kommune=org_a.kommune)
    assert on_our_host.get(response.url).status_code == 404


def test_a_long_cell_in_a_csv_is_named_even_past_the_csv_modules_own_limit():
    assert read_problems(csv_bytes([HEADER, person_row(name="x" * 200_000)])) == [
        "Celle E2 har 200.000 tegn; højst 32.767 er tilladt."
    ]


def test_a_cell_of_excels_own_limit_is_read(org_a):
    name = "Æ" * 32_767
    table = tabular.read_table(xlsx([HEADER, person_row(name=name)]), organisation_importer.columns)
    assert table.rows[0]["name"] == name


def test_too_many_columns_and_rows(settings):
    settings.IMPORT_MAX_COLUMNS = 9
    settings.IMPORT_MAX_ROWS = 3
    wide = [HEADER, [*person_row(), "", "", "overskud"]]
    assert read_problems(csv_bytes(wide)) == [
        "Linje 2: Linjen har en værdi i kolonne L; højst 9 kolonner er tilladt."
    ]
    # The spreadsheet is read one column past the limit, and no further.
    assert read_problems(xlsx([HEADER, [*person_row(), "overskud"]])) == [
        "Linje 2: Linjen har en værdi i kolonne J; højst 9 kolonner er tilladt."
    ]
    long = [HEADER] + [person_row(number=str(5000 + n)) for n in range(4)]
    for data in (csv_bytes(long), xlsx(long)):
        assert read_problems(data) == ["Linje 5: Filen har mere end 3 linjer."]
    # Within the limits (trailing empty cells do not count) the file is read.
    assert len(tabular.read_table(csv_bytes(long[:4]), organisation_importer.columns).rows) == 3


def test_a_far_away_cell_does_not_make_billions_of_empty_ones(settings):
    """One value at XFD1048576: openpyxl would fill in every empty row and cell before
    it; the read stops at the limits."""
    settings.IMPORT_MAX_ROWS = 1000
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(person_row())
    sheet["XFD1048576"] = "langt væk"
    out = io.BytesIO()
    workbook.save(out)
    assert read_problems(out.getvalue()) == ["Linje 1002: Filen har mere end 1.000 linjer."]


def test_the_command_line_and_the_apply_are_bounded_too(org_a, settings):
    settings.IMPORT_MAX_CELL_CHARS = 13  # "medarbejdernr", the longest column name
    with org_a.scope():
        plan = imports.import_run(
            kommune=org_a.kommune,
            importer=organisation_importer,
            data=csv_bytes([HEADER, person_row(name="Søren Æbelø Andersen")]),
            options={"full": True},
        )
    assert [str(p) for p in plan.problems] == ["Celle E2 har 20 tegn; højst 13 er tilladt."]
    with org_a.scope():
        assert not Person.objects.filter(employee_number="5001").exists()


# --- The framework import reads through the same reader --------------------------------


def test_the_framework_import_refuses_a_bomb_on_its_page(org_a, org_b, bomb):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("framework_import"),
        {"file": SimpleUploadedFile("ramme.xlsx", bomb), "format": "moodle", "framework": ""},
    )
    assert response.status_code == 200
    assert "gange sin størrelse; højst 100 gange er tilladt." in response.text
    on_our_host = client_for(org_b.hr, kommune=org_a.kommune)
    assert on_our_host.get(reverse("framework_import")).status_code == 404
