"""Gap reports: a leader or HR orders one for a unit subtree (optionally one job
profile, optionally one competence group); a Celery task builds a spreadsheet and a
PDF summary and keeps both in the storage.

Built to scale to København (45,000 people × 40 competences): every figure is an
aggregate computed by the database over the pre-computed `Assessment` rows, and the
rows that are long lists (units, development-plan activities) are streamed from the
database into an XlsxWriter workbook in constant-memory mode, so memory stays flat
whatever the size.

Who is "in" a report: people with an active position whose main position (a leadership
first, then the oldest, as `kompetence.selectors.primary_positions`) lies in the unit's
subtree and, with a job profile, has that profile. Assessment rows carry the unit of
the person's main position already, so the subtree filter on them is one indexed
`path LIKE` condition.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from annualcycle.models import GapReport
from kompetence import permissions
from kompetence.background import WorkKind, work_retry
from kompetence.models import Kommune, OrgUnit, Person, Position, unit_path_ids
from mus.models import PlanActivity, PlanGoal, PlanVersion
from profiles.models import (
    Assessment,
    CompetenceGroup,
    EvaluationRound,
    FrameworkVersion,
    JobProfile,
    JobProfileAssignment,
)
from profiles.selectors import VersionStructure, rounds_for_unit, version_structure

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEAN_FORMAT = "0.00"
SHARE_FORMAT = "0%"
DATE_FORMAT = "dd-mm-yyyy"
TOP_GAPS = 10
# Between the names of the units above a unit, in the spreadsheet's "Placering".
PLACEMENT_SEPARATOR = " \u203a "


# --- Who and what a report covers ------------------------------------------------------


def main_positions(person_ref) -> QuerySet[Position]:
    """The active positions of the person `person_ref` (an OuterRef), main one first:
    for correlated subqueries, in the order of `primary_positions`."""
    return (
        Position.objects.active()
        .filter(person_id=person_ref)
        .order_by("-is_leader", "start_date", "pk")
    )


def scope_people(*, unit: OrgUnit, job_profile: JobProfile | None = None) -> QuerySet[Person]:
    """Active people whose main position lies in `unit`'s subtree (and has
    `job_profile`). A queryset, so callers count it or use it as a subquery."""
    main = main_positions(OuterRef("pk"))
    in_subtree = Position.objects.active().filter(
        kommune_id=unit.kommune_id, unit__path__startswith=unit.path
    )
    people = (
        Person.objects.filter(
            kommune_id=unit.kommune_id, is_active=True, pk__in=in_subtree.values("person_id")
        )
        .annotate(main_unit_path=Subquery(main.values("unit__path")[:1]))
        .filter(main_unit_path__startswith=unit.path)
    )
    if job_profile is not None:
        people = people.annotate(main_position_id=Subquery(main.values("pk")[:1])).filter(
            main_position_id__in=JobProfileAssignment.objects.filter(
                job_profile=job_profile
            ).values("position_id")
        )
    return people


def competence_group_names() -> list[str]:
    """Group names of the kommune's published frameworks, for choosing a group."""
    return list(
        CompetenceGroup.objects.filter(version__status=FrameworkVersion.Status.PUBLISHED)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )


def latest_round(unit: OrgUnit) -> EvaluationRound | None:
    """The newest evaluation round covering `unit` (opened on it or above it)."""
    return rounds_for_unit(unit).order_by("-opened_at", "-pk").first()


def scope_assessments(
    *,
    round_: EvaluationRound,
    unit: OrgUnit,
    job_profile: JobProfile | None = None,
    group_name: str = "",
) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(
        kommune_id=unit.kommune_id, round=round_, unit__path__startswith=unit.path
    )
    if job_profile is not None:
        rows = rows.filter(
            person_id__in=scope_people(unit=unit, job_profile=job_profile).values("pk")
        )
    if group_name:
        rows = rows.filter(group__name=group_name)
    return rows


def plan_activities(*, people: QuerySet[Person], group_name: str = "") -> QuerySet[PlanActivity]:
    """The activities in the newest version of every development plan of `people`
    ("samle op på udviklingsplaner"); with `group_name`, only those whose goal is
    about a competence of that group."""
    newer = PlanVersion.objects.filter(
        plan_id=OuterRef("version__plan_id"), number__gt=OuterRef("version__number")
    )
    activities = PlanActivity.objects.filter(
        version__plan__employee_id__in=people.values("pk")
    ).exclude(Exists(newer))
    if group_name:
        activities = activities.filter(
            goal_id__in=PlanGoal.objects.filter(competences__group__name=group_name).values("pk")
        )
    return activities


class UnitColumns(TypedDict):
    unit_name: str | None
    unit_path: str | None


def with_unit(
    activities: QuerySet[PlanActivity],
) -> QuerySet[WithAnnotations[PlanActivity, UnitColumns]]:
    """Adds the name and path of the employee's main unit, for listing and sorting."""
    main = main_positions(OuterRef("version__plan__employee_id"))
    return activities.annotate(
        unit_name=Subquery(main.values("unit__name")[:1]),
        unit_path=Subquery(main.values("unit__path")[:1]),
    ).order_by("unit_path", "version__plan__employee__name", "version__plan_id", "order", "pk")


# --- Aggregates ------------------------------------------------------------------------


def _gap_aggregates(condition: Q | None = None) -> dict:
    """Mean assessed level, how many rows are below their required level, how many have
    both a required and an assessed level (the denominator of the share), and answers."""
    q = condition or Q()
    return {
        "mean": Avg("assessed", filter=q),
        "below": Count("pk", filter=q & Q(gap__gt=0)),
        "with_required": Count("pk", filter=q & Q(required__isnull=False, assessed__isnull=False)),
        "n": Count("assessed", filter=q),
    }


def share(below: int, with_required: int) -> float | None:
    return below / with_required if with_required else None


@dataclass
class Figures:
    """Gap figures of one slice (a competence group, a competence, everything)."""

    name: str
    people: int
    mean: float | None
    below: int
    with_required: int
    n: int
    group: str = ""
    required_mean: float | None = None
    self_mean: float | None = None
    leader_mean: float | None = None
    mean_gap: float | None = None

    @property
    def share_below(self) -> float | None:
        return share(self.below, self.with_required)


def totals(assessments: QuerySet[Assessment]) -> Figures:
    row = assessments.aggregate(people=Count("person_id", distinct=True), **_gap_aggregates())
    return Figures(name="", **row)


def group_figures(assessments: QuerySet[Assessment], structure: VersionStructure) -> list[Figures]:
    """Per competence group, in framework order: one GROUP BY."""
    rows = {
        row["group_id"]: row
        for row in assessments.values("group_id")
        .annotate(people=Count("person_id", distinct=True), **_gap_aggregates())
        .order_by()
    }
    result = []
    for group in structure.groups:
        row = rows.get(group.group.pk)
        if row is not None:
            figures: dict[str, Any] = {k: v for k, v in row.items() if k != "group_id"}
            result.append(Figures(name=group.group.name, **figures))
    return result


def _applicable(field: str, not_applicable: set[int]) -> Q:
    condition = Q(**{f"{field}__isnull": False})
    if not_applicable:
        condition &= ~Q(**{f"{field}__in": sorted(not_applicable)})
    return condition


def competence_figures(
    assessments: QuerySet[Assessment], structure: VersionStructure
) -> list[Figures]:
    """Per competence, in framework order: required, self, leader and assessed means
    and the share below required. Self and leader answers of "not applicable" are left
    out of their means as they are of the assessed level. One GROUP BY."""
    not_applicable = structure.not_applicable_values
    rows = {
        row["competence_id"]: row
        for row in assessments.values("competence_id")
        .annotate(
            # A person has one row per competence in a round: no DISTINCT needed.
            people=Count("pk"),
            required_mean=Avg("required"),
            self_mean=Avg("self_level", filter=_applicable("self_level", not_applicable)),
            leader_mean=Avg("leader_level", filter=_applicable("leader_level", not_applicable)),
            mean_gap=Avg("gap"),
            **_gap_aggregates(),
        )
        .order_by()
    }
    result = []
    for group in structure.groups:
        for competence in group.competences:
            row = rows.get(competence.pk)
            if row is not None:
                figures: dict[str, Any] = {k: v for k, v in row.items() if k != "competence_id"}
                result.append(Figures(name=competence.name, group=group.group.name, **figures))
    return result


def top_gaps(competences: list[Figures], limit: int = TOP_GAPS) -> list[Figures]:
    """The competences with the largest share below required (then the largest mean gap)."""
    below = [f for f in competences if f.below]
    below.sort(key=lambda f: (-(f.share_below or 0), -(f.mean_gap or 0), f.name))
    return below[:limit]


def unit_rows(
    assessments: QuerySet[Assessment], groups: list[tuple[int, str]]
) -> Iterator[Mapping[str, Any]]:
    """Per unit of the subtree with answers (in tree order): people, and per competence
    group the mean assessed level and the rows below required. One aggregate query
    grouped by unit, with one filtered aggregate per group, streamed."""
    aggregates = {"people": Count("person_id", distinct=True)}
    for index, (group_id, _name) in enumerate(groups):
        for key, aggregate in _gap_aggregates(Q(group_id=group_id)).items():
            aggregates[f"{key}_{index}"] = aggregate
    return (
        assessments.values("unit_id", "unit__name", "unit__path")
        .annotate(**aggregates)
        .order_by("unit__path")
        .iterator(chunk_size=2000)
    )


# --- Requesting and building -----------------------------------------------------------


def gap_report_request(
    *,
    kommune: Kommune,
    requested_by: Person,
    unit: OrgUnit,
    job_profile: JobProfile | None = None,
    group_name: str = "",
) -> GapReport:
    """Orders a report for a subtree the requester leads or administers; a Celery task
    builds it after the transaction commits."""
    from annualcycle.tasks import build_gap_report

    if not permissions.visible_units(requested_by).filter(pk=unit.pk).exists():
        raise ValidationError(_("Du kan kun bestille rapporter for enheder, du har adgang til."))
    report = GapReport.objects.create(
        kommune=kommune,
        requested_by=requested_by,
        unit=unit,
        job_profile=job_profile,
        group_name=group_name.strip(),
    )
    build_gap_report.delay_on_commit(kommune.pk, report.pk)
    return report


def _send_report(report: GapReport) -> None:
    from annualcycle.tasks import build_gap_report

    build_gap_report.delay(report.kommune_id, report.pk)


GAP_REPORT_WORK = WorkKind(
    name="gap_report",
    model=GapReport,
    pending={"status": GapReport.Status.PENDING},
    failed={"status": GapReport.Status.FAILED},
    restart={"status": GapReport.Status.PENDING, "error": "", "finished_at": None},
    send=_send_report,
)


def gap_report_retry(*, report: GapReport) -> bool:
    """ "Prøv igen" on a failed report: built again by a task after the commit."""
    return work_retry(kind=GAP_REPORT_WORK, row=report)


@dataclass
class ReportContent:
    """Everything the PDF shows and the spreadsheet's first sheets hold."""

    report: GapReport
    round: EvaluationRound | None
    structure: VersionStructure | None
    people: int
    totals: Figures
    groups: list[Figures]
    competences: list[Figures]
    generated_at: datetime.datetime

    @property
    def top_gaps(self) -> list[Figures]:
        return top_gaps(self.competences)


def report_content(report: GapReport) -> ReportContent:
    round_ = latest_round(report.unit)
    structure = version_structure(round_.version) if round_ else None
    people = scope_people(unit=report.unit, job_profile=report.job_profile).count()
    if round_ is None:
        empty = Figures(name="", people=0, mean=None, below=0, with_required=0, n=0)
        return ReportContent(report, None, None, people, empty, [], [], timezone.now())
    assessments = _assessments(report, round_)
    assert structure is not None  # there is a round
    return ReportContent(
        report=report,
        round=round_,
        structure=structure,
        people=people,
        totals=totals(assessments),
        groups=group_figures(assessments, structure),
        competences=competence_figures(assessments, structure),
        generated_at=timezone.now(),
    )


def _assessments(report: GapReport, round_: EvaluationRound) -> QuerySet[Assessment]:
    return scope_assessments(
        round_=round_,
        unit=report.unit,
        job_profile=report.job_profile,
        group_name=report.group_name,
    )


def _store(name: str, content: File) -> str:
    """Saves under exactly `name`: a re-delivered task replaces its own earlier file
    instead of getting a second one with a random suffix."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content)


def _is_built(report: GapReport) -> bool:
    return (
        report.status == GapReport.Status.READY
        and bool(report.xlsx)
        and bool(report.pdf)
        and default_storage.exists(cast(str, report.xlsx.name))
        and default_storage.exists(cast(str, report.pdf.name))
    )


def gap_report_build(*, report_id: int) -> GapReport:
    """Builds and stores the spreadsheet and the PDF. Idempotent: a report already built
    is left alone, and a re-delivered task (a worker died half-way) overwrites its own
    files under the same names, so exactly one of each results. A failure is stored on
    the report by the task (`kompetence.tasks.WorkTask`), with its reason."""
    report = GapReport.objects.select_related(
        "kommune", "unit", "job_profile", "requested_by__user"
    ).get(pk=report_id)
    if _is_built(report):
        return report
    user = report.requested_by.user
    base = f"reports/{report.kommune_id}/gap-report-{report.pk}"
    with translation.override(user.language if user else "da"):
        content = report_content(report)
        with tempfile.TemporaryFile() as spreadsheet:
            write_xlsx(content, spreadsheet)
            spreadsheet.seek(0)
            xlsx_name = _store(f"{base}.xlsx", File(spreadsheet, name=f"{base}.xlsx"))
        pdf_name = _store(f"{base}.pdf", ContentFile(pdf_bytes(content)))
    GapReport.objects.filter(pk=report.pk).update(
        status=GapReport.Status.READY,
        xlsx=xlsx_name,
        pdf=pdf_name,
        people=content.people,
        error="",
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


# --- The spreadsheet -------------------------------------------------------------------


class _Sheet:
    """One worksheet, written row after row. XlsxWriter's constant-memory mode sends
    each row to a temporary file once the next begins, so memory stays flat for
    100,000 rows; it writes them about twice as fast as openpyxl."""

    def __init__(self, book: _Book, title: str, widths: list[int]):
        self.book = book
        self.worksheet = book.workbook.add_worksheet(title)
        self.row = 0
        for index, width in enumerate(widths):
            self.worksheet.set_column(index, index, width)

    def header(self, titles: list[str]) -> None:
        self.worksheet.freeze_panes(1, 0)
        self.append([str(title) for title in titles], bold=True)

    def append(self, values: list, formats: Sequence[str] = (), *, bold: bool = False) -> None:
        """One row. Text always stays text (a name like "=HYPERLINK(…)" is never a
        formula), without control characters; a date-time becomes its local date."""
        write = self.worksheet
        for column, value in enumerate(values):
            number_format = formats[column] if column < len(formats) else ""
            style = self.book.style(number_format, bold)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write.write_string(self.row, column, ILLEGAL_CHARACTERS_RE.sub("", value), style)
            elif isinstance(value, datetime.datetime):
                write.write_datetime(self.row, column, timezone.localtime(value).date(), style)
            elif isinstance(value, datetime.date):
                write.write_datetime(self.row, column, value, style)
            else:
                write.write_number(self.row, column, value, style)
        self.row += 1


class _Book:
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

    def sheet(self, title: str, widths: list[int]) -> _Sheet:
        return _Sheet(self, title, widths)


def _mean(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def write_xlsx(content: ReportContent, target) -> None:
    """The spreadsheet, written to `target` (a path or a binary file)."""
    book = _Book(target)
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


def _overview_sheet(book: _Book, content: ReportContent) -> None:
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


def _units_sheet(book: _Book, content: ReportContent) -> None:
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
    for row in unit_rows(_assessments(content.report, content.round), groups):
        ids = unit_path_ids(row["unit__path"])
        placement = PLACEMENT_SEPARATOR.join(names.get(pk, "") for pk in ids[unit.depth - 1 : -1])
        values = [row["unit__name"], placement, row["people"]]
        for index in range(len(groups)):
            values.append(_mean(row[f"mean_{index}"]))
            values.append(share(row[f"below_{index}"], row[f"with_required_{index}"]))
        sheet.append(values, formats)


def _competences_sheet(book: _Book, content: ReportContent) -> None:
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


def _plans_sheet(book: _Book, content: ReportContent) -> None:
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
    Aggregates only, no names of people. Drawn by WeasyPrint without network access."""
    from weasyprint import HTML

    from mus.pdf import offline_url_fetcher

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
    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf()
