"""Files out are safe to open: every CSV the product makes is written by one function
(`kompetence.infra.tabular.write_csv`), which writes a text that a spreadsheet would read as
a formula (OWASP's CSV injection rule: =, +, -, @, tab, carriage return first) after a
single quote, and the import takes that quote off again, so our own export imports back
to what it came from. The XLSX writers store such text as strings, never formulas."""

from __future__ import annotations

import csv
import io
import pathlib
import re
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from annualcycle.reports import documents as reports
from catalogue.models import CourseSession
from kompetence.infra import imports, tabular
from profiles import interchange
from profiles.models import CompetenceGroup, FrameworkVersion
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.profiles.factories import build_framework

# Each starts as a spreadsheet formula would, or (tab, carriage return) as a cell some
# spreadsheets strip before reading what follows as one.
FORMULAS = ['=HYPERLINK("http://x","klik")', "+1", "-2", "@SUM(A1)"]
DANGEROUS = [*FORMULAS, "\tx", "\rx"]


def cells(data: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


# --- The one writer --------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_looking_text_is_written_after_a_quote_and_read_back_as_it_was(value):
    data = tabular.write_csv(["a", "b"], [[value, "tekst"]])
    assert cells(data)[1] == ["'" + value, "tekst"]
    for number, values in tabular.records(data):
        if number == 2:
            assert values[0] == value.strip()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("'=1+1", "''=1+1"),  # already quoted by someone: one quote more, one less back
        ("'tekst", "'tekst"),  # a quote before ordinary text is left alone
        ("Team =1", "Team =1"),
        ("", ""),
        (-2, "-2"),  # a number is a number, not a formula
        (None, ""),
    ],
)
def test_the_guard_is_exactly_undone(value, written):
    assert cells(tabular.write_csv(["a"], [[value]]))[1] == [written]
    assert tabular.unguard(written) == ("" if value is None else str(value))


def test_no_other_code_writes_csv():
    """One writer: a new export cannot forget the guard by calling the csv module."""
    root = pathlib.Path(settings.BASE_DIR)
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(root))
        for app in ("kompetence", "profiles", "mus", "catalogue", "annualcycle")
        for path in (root / app).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["kompetence/infra/tabular.py"]


# --- The catalogue export --------------------------------------------------------------


def build_dangerous_catalogue(org, values: list[str]) -> None:
    for index, value in enumerate(values):
        course = build_course(
            org.kommune, code=f"X-{index}", title=value, description=value, provider_name=value
        )
        session = build_session(course)
        with org.scope():
            CourseSession.objects.filter(pk=session.pk).update(place=value)


def test_the_catalogue_csv_writes_formulas_as_text(org_a):
    build_dangerous_catalogue(org_a, DANGEROUS)
    response = client_for(org_a.hr).get(reverse("catalogue_export_csv"))
    assert response.status_code == 200
    header, *rows = cells(response.content)
    by_code = {row[header.index("kode")]: row for row in rows}
    for index, value in enumerate(DANGEROUS):
        row = by_code[f"X-{index}"]
        for column in ("titel", "beskrivelse", "udbyders_navn", "hold_sted"):
            assert row[header.index(column)] == "'" + value, (column, value)


def test_the_catalogue_csv_imports_back_to_the_same_values(org_a):
    values = [*FORMULAS, "'=allerede citeret"]
    build_dangerous_catalogue(org_a, values)
    data = client_for(org_a.hr).get(reverse("catalogue_export_csv")).content
    from catalogue.catalogue_import import catalogue_importer

    with org_a.scope():
        plan = imports.plan_table(
            kommune=org_a.kommune, importer=catalogue_importer, data=data, options={}
        )
    assert ([str(p) for p in plan.problems], plan.total) == ([], 0)


def test_the_catalogue_xlsx_stores_formulas_as_strings(org_a):
    build_dangerous_catalogue(org_a, DANGEROUS)
    response = client_for(org_a.hr).get(reverse("catalogue_export_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {cell.data_type for cell in titles} == {"s"}
    assert {cell.value for cell in titles} >= set(FORMULAS)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_outsiders_get_no_export(org_a, org_b):
    on_our_host = client_for(org_b.hr, kommune=org_a.kommune)
    for name in ("catalogue_export_csv", "catalogue_export_xlsx"):
        assert on_our_host.get(reverse(name)).status_code == 404


# --- The framework's Moodle CSV --------------------------------------------------------


def test_the_moodle_csv_writes_formulas_as_text_and_imports_back(org_a, org_b):
    version = build_framework(
        org_a.kommune, name="+Ramme", groups={FORMULAS[0]: FORMULAS[1:], "\tx": ["\rx"]}
    )
    client = client_for(org_a.hr)
    response = client.get(reverse("framework_export_moodle_csv", args=[version.pk]))
    assert response.status_code == 200
    header, *rows = cells(response.content, delimiter=",")
    names = [row[header.index("Short name")] for row in rows]
    assert names == ["'+Ramme", *("'" + value for value in [*FORMULAS, "\tx", "\rx"])]

    with org_a.scope():
        imported = interchange.framework_import_moodle_csv(
            kommune=org_a.kommune, data=response.content
        )
        new = FrameworkVersion.objects.select_related("framework").get(pk=imported.version.pk)
        groups = {
            group.name: [c.name for c in group.competences.order_by("order", "pk")]
            for group in CompetenceGroup.objects.filter(version=new)
        }
    assert new.framework.name.startswith("+Ramme")
    # The guard comes off; a leading tab or carriage return is stripped as always.
    assert groups == {FORMULAS[0]: FORMULAS[1:], "x": ["x"]}
    outsider = client_for(org_b.hr, kommune=org_a.kommune)
    assert (
        outsider.get(reverse("framework_export_moodle_csv", args=[version.pk])).status_code == 404
    )


# --- The import templates --------------------------------------------------------------


def test_the_import_template_comes_from_the_same_writer(org_a):
    response = client_for(org_a.hr).get(reverse("import_template", args=["organisation"]))
    assert response.content == tabular.write_csv(
        [column.name for column in imports.importer_for("organisation").columns], []
    )


# --- The gap report's XLSX (XlsxWriter) ------------------------------------------------


def test_the_gap_report_writer_stores_formulas_as_strings():
    out = io.BytesIO()
    book = reports.Book(out)
    sheet = book.sheet("Ark", [20])
    sheet.header(["Navn"])
    for value in DANGEROUS:
        sheet.append([value])
    book.workbook.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    column = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert {cell.data_type for cell in column} == {"s"}
    assert [cell.value for cell in column][:4] == FORMULAS
