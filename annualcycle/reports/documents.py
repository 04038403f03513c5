"""The gap report's documents: the spreadsheet, streamed row after row into an
XlsxWriter workbook in constant-memory mode so memory stays flat whatever the size, and
the PDF summary."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from annualcycle.reports.selectors import (
    ReportContent,
    plan_activities,
    report_assessments,
    scope_people,
    share,
    unit_rows,
    with_unit,
)
from kompetence.models import OrgUnit, unit_path_ids
from mus.models import PlanActivity

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEAN_FORMAT = "0.00"
SHARE_FORMAT = "0%"
DATE_FORMAT = "dd-mm-yyyy"
# Between the names of the units above a unit, in the spreadsheet's "Placering".
PLACEMENT_SEPARATOR = " \u203a "


# --- The spreadsheet -------------------------------------------------------------------


class Sheet:
    """One worksheet, written row after row. XlsxWriter's constant-memory mode sends
    each row to a temporary file once the next begins, so memory stays flat for
    100,000 rows; it writes them about twice as fast as openpyxl."""

    def __init__(self, book: Book, title: str, widths: list[int]):
        self.book = book
        self.worksheet = book.workbook.add_worksheet(title)
        self.row = 0
        self.zone = timezone.get_current_timezone()
        for index, width in enumerate(widths):
            self.worksheet.set_column(index, index, width)

    def header(self, titles: list[str]) -> None:
        self.worksheet.freeze_panes(1, 0)
        self.append([str(title) for title in titles], bold=True)

    def append(self, values: list, formats: Sequence[str] = (), *, bold: bool = False) -> None:
        """One row. Text always stays text (a name like "=HYPERLINK(…)" is never a
        formula), without control characters; a date-time becomes its local date.
        A 100,000-row sheet calls this for every row: the styles of a row's columns are
        looked up once per kind of row, and the time zone once per sheet."""
        worksheet, row = self.worksheet, self.row
        styles = self.book.styles(tuple(formats), bold)
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            style = styles[column] if column < len(styles) else styles[-1]
            if isinstance(value, str):
                worksheet.write_string(row, column, ILLEGAL_CHARACTERS_RE.sub("", value), style)
            elif isinstance(value, datetime.datetime):
                worksheet.write_datetime(row, column, value.astimezone(self.zone).date(), style)
            elif isinstance(value, datetime.date):
                worksheet.write_datetime(row, column, value, style)
            else:
                worksheet.write_number(row, column, value, style)
        self.row += 1


class Book:
    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._styles: dict[tuple[str, bool], object] = {}
        self._row_styles: dict[tuple[tuple[str, ...], bool], tuple] = {}

    def style(self, number_format: str, bold: bool):
        key = (number_format, bold)
        if key not in self._styles:
            properties: dict[str, str | bool] = (
                {"num_format": number_format} if number_format else {}
            )
            if bold:
                properties["bold"] = True
            self._styles[key] = self.workbook.add_format(properties) if properties else None
        return self._styles[key]

    def styles(self, formats: tuple[str, ...], bold: bool) -> tuple:
        """The styles of a row's columns by their number formats; one more at the end
        for the columns past `formats`."""
        key = (formats, bold)
        if key not in self._row_styles:
            self._row_styles[key] = tuple(self.style(f, bold) for f in (*formats, ""))
        return self._row_styles[key]

    def sheet(self, title: str, widths: list[int]) -> Sheet:
        return Sheet(self, title, widths)


def _mean(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def write_xlsx(content: ReportContent, target) -> None:
    """The spreadsheet, written to `target` (a path or a binary file)."""
    book = Book(target)
    _overview_sheet(book, content)
    _units_sheet(book, content)
    _competences_sheet(book, content)
    _plans_sheet(book, content)
    book.workbook.close()


def scope_labels(content: ReportContent) -> list[tuple[str, str]]:
    """The scope lines shared by the spreadsheet's first sheet and the PDF."""
    report = content.report
    round_ = content.round
    return [
        (_("Kommune"), report.kommune.name),
        (_("Enhed (med underenheder)"), report.unit.name),
        (_("Jobprofil"), report.job_profile.name if report.job_profile else _("Alle")),
        (_("Kompetencegruppe"), report.group_name or _("Alle")),
        (
            _("Evalueringsrunde"),
            round_.name if round_ else _("Ingen evalueringsrunde dækker enheden"),
        ),
        (_("Kompetenceramme"), str(round_.version) if round_ else "–"),
        (_("Bestilt af"), report.requested_by.name),
    ]


def _overview_sheet(book: Book, content: ReportContent) -> None:
    sheet = book.sheet(_("Oversigt"), [36, 48])
    sheet.append([_("Gabrapport")], bold=True)
    for label, value in scope_labels(content):
        sheet.append([label, value])
    total = content.totals
    figures: list[tuple[str, Any, str]] = [
        (_("Dato"), content.generated_at, DATE_FORMAT),
        (_("Personer i rapporten"), content.people, ""),
        (_("Personer med vurderinger"), total.people, ""),
        (_("Vurderinger med krævet niveau"), total.with_required, ""),
        (_("Heraf under krævet niveau"), total.below, ""),
        (_("Andel under krævet niveau"), total.share_below, SHARE_FORMAT),
        (_("Gennemsnitligt vurderet niveau"), _mean(total.mean), MEAN_FORMAT),
    ]
    for label, value, number_format in figures:
        sheet.append([label, value], ["", number_format])
    sheet.append([])
    sheet.append(
        [
            _(
                "Vurderet niveau er det aftalte niveau, ellers lederens, ellers "
                "medarbejderens eget. Svaret »ikke relevant« tæller ikke med i "
                "gennemsnit og andele."
            )
        ]
    )


def _units_sheet(book: Book, content: ReportContent) -> None:
    groups = (
        [(g.group.pk, g.group.name) for g in content.structure.groups]
        if content.round and content.structure
        else []
    )
    if content.report.group_name:
        groups = [(pk, name) for pk, name in groups if name == content.report.group_name]
    titles = [_("Enhed"), _("Placering"), _("Personer")]
    for _pk, name in groups:
        titles += [
            _("%(group)s: gns. niveau") % {"group": name},
            _("%(group)s: andel under krav") % {"group": name},
        ]
    sheet = book.sheet(_("Pr. enhed"), [32, 48, 10] + [18] * (2 * len(groups)))
    sheet.header(titles)
    if content.round is None:
        return
    unit = content.report.unit
    # Names of the units between the report's unit and each row's unit: one small query
    # (units, not people), so a row never needs one of its own.
    names = dict(
        OrgUnit.objects.filter(kommune_id=unit.kommune_id, path__startswith=unit.path).values_list(
            "pk", "name"
        )
    )
    formats = ["", "", ""] + [MEAN_FORMAT, SHARE_FORMAT] * len(groups)
    for row in unit_rows(report_assessments(content.report, content.round), groups):
        ids = unit_path_ids(row["unit__path"])
        placement = PLACEMENT_SEPARATOR.join(names.get(pk, "") for pk in ids[unit.depth - 1 : -1])
        values = [row["unit__name"], placement, row["people"]]
        for index in range(len(groups)):
            values.append(_mean(row[f"mean_{index}"]))
            values.append(share(row[f"below_{index}"], row[f"with_required_{index}"]))
        sheet.append(values, formats)


def _competences_sheet(book: Book, content: ReportContent) -> None:
    sheet = book.sheet(_("Pr. kompetence"), [24, 40, 14, 14, 14, 14, 14, 8])
    sheet.header(
        [
            _("Kompetencegruppe"),
            _("Kompetence"),
            _("Krævet niveau (gns.)"),
            _("Selvevaluering (gns.)"),
            _("Ledervurdering (gns.)"),
            _("Vurderet niveau (gns.)"),
            _("Andel under krav"),
            "n",
        ]
    )
    formats = ["", ""] + [MEAN_FORMAT] * 4 + [SHARE_FORMAT, ""]
    for figures in content.competences:
        sheet.append(
            [
                figures.group,
                figures.name,
                _mean(figures.required_mean),
                _mean(figures.self_mean),
                _mean(figures.leader_mean),
                _mean(figures.mean),
                figures.share_below,
                figures.n,
            ],
            formats,
        )


def _plans_sheet(book: Book, content: ReportContent) -> None:
    sheet = book.sheet(_("Udviklingsplaner"), [28, 28, 12, 40, 26, 48, 12, 14])
    sheet.header(
        [
            _("Enhed"),
            _("Medarbejder"),
            _("MUS"),
            _("Aktivitet"),
            _("Type"),
            _("Mål"),
            _("Frist"),
            _("Status"),
        ]
    )
    kinds = {key: str(label) for key, label in PlanActivity.Kind.choices}
    statuses = {key: str(label) for key, label in PlanActivity.Status.choices}
    report = content.report
    people = scope_people(unit=report.unit, job_profile=report.job_profile)
    activities = with_unit(plan_activities(people=people, group_name=report.group_name))
    rows = activities.values_list(
        "unit_name",
        "version__plan__employee__name",
        "version__plan__conversation__starts_at",
        "title",
        "kind",
        "goal__text",
        "deadline",
        "status",
    ).iterator(chunk_size=2000)
    formats = ["", "", DATE_FORMAT, "", "", "", DATE_FORMAT, ""]
    for unit_name, employee, held, title, kind, goal, deadline, status in rows:
        sheet.append(
            [
                unit_name,
                employee,
                held,
                title,
                kinds.get(kind, kind),
                goal,
                deadline,
                statuses.get(status, status),
            ],
            formats,
        )


# --- The PDF summary -------------------------------------------------------------------


def pdf_bytes(content: ReportContent) -> bytes:
    """The one-page-or-so summary: scope, totals, competence groups and the top gaps.
    Aggregates only, no names of people. Drawn by WeasyPrint without network access, as PDF/UA-1."""
    from mus.pdf import html_to_pdf

    html = render_to_string(
        "annualcycle/gap_report_pdf.html",
        {
            "content": content,
            "report": content.report,
            "kommune": content.report.kommune,
            "scope": scope_labels(content),
            "top_gaps": content.top_gaps,
        },
    )
    return html_to_pdf(html)
