"""HR's catalogue pages: the course editor (leaders may use its form to propose a
course), sessions and their rosters, the overview of requests and places, the
cost report with its spreadsheet, and the catalogue as CSV/XLSX in the import's columns.

Every page but the proposal form is for HR of the whole kommune
(`kommune_hr_required`): everyone else gets 404. Objects are looked up through
`catalogue.access` with `manage=True`, inside the viewer's kommune, so another
kommune's ids are as absent as ids that do not exist.
"""

from __future__ import annotations

import io
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ChoiceField
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from catalogue import catalogue_import, selectors, services
from catalogue.access import get_course_or_404, get_enrolment_or_404, get_session_or_404
from catalogue.forms.admin import (
    CostPeriodForm,
    CourseCompetencesForm,
    CourseForm,
    RecordForm,
    SessionForm,
)
from catalogue.models import Course, CourseSession, Enrolment
from kompetence import permissions
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, kommune_hr_required, staff_required
from profiles import selectors as profile_selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KRONER = "#,##0.00"


# --- Helpers ---------------------------------------------------------------------------


def _course_form(request: KommuneRequest, data=None, *, course: Course | None = None):
    form = CourseForm(
        data,
        instance=course,
        kommune=request.kommune,
        units=selectors.audience_unit_choices(request.person),
        job_profiles=selectors.job_profile_choices(),
    )
    form.validate_url = request.get_full_path()
    return form


def _competences_form(request: KommuneRequest, data=None, *, course: Course | None = None):
    """The level selects for every published framework version of the kommune."""
    versions = selectors.kommune_framework_versions(request.kommune)
    initial = selectors.course_levels(course) if course is not None else {}
    return CourseCompetencesForm(
        data,
        structures=[profile_selectors.version_structure(v) for v in versions],
        initial_levels=initial,
    )


def _competence_tables(form: CourseCompetencesForm) -> list[dict]:
    """Per framework, its groups of {competence, field} rows (profiles/_level_tables)."""
    return [
        {
            "framework": structure.version.framework,
            "groups": [
                {
                    "group": group.group,
                    "rows": [{"competence": c, "field": form.bound(c)} for c in group.competences],
                }
                for group in structure.groups
                if group.competences
            ],
        }
        for structure in form.structures
    ]


def _save_course(
    request: KommuneRequest,
    form: CourseForm,
    levels_form: CourseCompetencesForm,
    *,
    course: Course | None = None,
) -> Course | None:
    """Creates or updates the course and what it develops, all or nothing. A refusal
    from the services lands on the form, and None is returned."""
    try:
        if course is None:
            course = services.course_create(
                kommune=request.kommune,
                proposed_by=None if permissions.is_kommune_hr(request.person) else request.person,
                competences=levels_form.levels_by_framework(),
                **form.course_fields(),
            )
        else:
            course = services.course_update(
                course=course, competences=levels_form.levels_by_framework(), **form.course_fields()
            )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return course


def _forms_valid(*forms) -> bool:
    # Every form is validated, so all errors show at once.
    return all([form.is_valid() for form in forms])


# --- Courses ---------------------------------------------------------------------------


@require_GET
@kommune_hr_required
def course_manage(request: KommuneRequest) -> HttpResponse:
    sections = selectors.courses_by_status(request.kommune)
    return render(request, "catalogue/admin_course_list.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
@staff_required
def course_create(request: KommuneRequest) -> HttpResponse:
    """HR creates a draft; a leader proposes one, which HR then edits and publishes."""
    is_kommune_hr = permissions.is_kommune_hr(request.person)
    data = request.POST if request.method == "POST" else None
    form = _course_form(request, data)
    levels_form = _competences_form(request, data)
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if _forms_valid(form, levels_form):
            course = _save_course(request, form, levels_form)
            if course is not None and is_kommune_hr:
                messages.success(
                    request, _("Kurset er oprettet som kladde. Tilføj hold, og offentliggør det.")
                )
                return redirect_after_post(request, reverse("course_edit", args=[course.pk]))
            if course is not None:
                messages.success(
                    request,
                    _(
                        "Tak for forslaget. Kurset er gemt som kladde; HR ser det på "
                        "kursusoversigten og offentliggør det."
                    ),
                )
                return redirect_after_post(request, reverse("catalogue"))
    return render_form(
        request,
        "catalogue/admin_course_form.html",
        {
            "form": form,
            "levels_form": levels_form,
            "frameworks": _competence_tables(levels_form),
            "course": None,
            "is_kommune_hr": is_kommune_hr,
        },
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def course_edit(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = get_course_or_404(request.person, course_id, manage=True)
    data = request.POST if request.method == "POST" else None
    form = _course_form(request, data, course=course)
    levels_form = _competences_form(request, data, course=course)
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if _forms_valid(form, levels_form) and _save_course(
            request, form, levels_form, course=course
        ):
            messages.success(request, _("Kurset er gemt."))
            return redirect_after_post(request, reverse("course_edit", args=[course.pk]))
    return render_form(
        request,
        "catalogue/admin_course_form.html",
        {
            "form": form,
            "levels_form": levels_form,
            "frameworks": _competence_tables(levels_form),
            "course": course,
            "sessions": selectors.sessions_with_seats(course),
            "is_kommune_hr": True,
        },
    )


@require_POST
@kommune_hr_required
def course_publish(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = get_course_or_404(request.person, course_id, manage=True)
    try:
        services.course_publish(course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Kurset er offentliggjort. Medarbejderne i målgruppen kan nu se det.")
        )
    return redirect_after_post(request, reverse("course_edit", args=[course.pk]))


@require_POST
@kommune_hr_required
def course_archive(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = get_course_or_404(request.person, course_id, manage=True)
    try:
        services.course_archive(course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Kurset er arkiveret og vises ikke længere i kataloget."))
    return redirect_after_post(request, reverse("course_edit", args=[course.pk]))


# --- Sessions --------------------------------------------------------------------------


def _save_session(form: SessionForm, save) -> CourseSession | None:
    """Calls `save` (a service); its refusals, keyed by field, show beside the fields."""
    try:
        return save(**form.session_fields())
    except ValidationError as error:
        form.add_error(None, error)
        return None


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def session_create(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = get_course_or_404(request.person, course_id, manage=True)
    form = SessionForm(request.POST if request.method == "POST" else None)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid() and _save_session(
            form, lambda **fields: services.session_create(course=course, **fields)
        ):
            messages.success(request, _("Holdet er oprettet."))
            return redirect_after_post(request, reverse("course_edit", args=[course.pk]))
    return render_form(
        request,
        "catalogue/admin_session_form.html",
        {"form": form, "course": course, "session": None},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def session_edit(request: KommuneRequest, session_id: int) -> HttpResponse:
    session = get_session_or_404(request.person, session_id, manage=True)
    course = session.course
    form = SessionForm(request.POST if request.method == "POST" else None, instance=session)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        before = selectors.waiting_count(session)
        if form.is_valid() and _save_session(
            form, lambda **fields: services.session_update(session=session, **fields)
        ):
            promoted = before - selectors.waiting_count(session)
            messages.success(request, _("Holdet er gemt."))
            if promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s fra ventelisten har fået en plads og har fået besked.",
                        "%(n)s fra ventelisten har fået en plads og har fået besked.",
                        promoted,
                    )
                    % {"n": promoted},
                )
            return redirect_after_post(request, reverse("course_edit", args=[course.pk]))
    return render_form(
        request,
        "catalogue/admin_session_form.html",
        {"form": form, "course": course, "session": session},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def session_roster(request: KommuneRequest, session_id: int) -> HttpResponse:
    session = get_session_or_404(request.person, session_id, manage=True)
    if request.method == "POST":
        form = RecordForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Vælg deltog, gennemført eller udeblev."))
            return redirect_after_post(request, reverse("session_roster", args=[session.pk]))
        enrolment = get_enrolment_or_404(
            request.person, form.cleaned_data["enrolment"], manage=True, session=session
        )
        status = form.cleaned_data["status"]
        try:
            services.enrolment_record(enrolment=enrolment, status=status, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s er registreret som »%(status)s«.")
                % {"name": enrolment.person.name, "status": Enrolment.Status(status).label},
            )
        url = reverse("session_roster", args=[session.pk]) + f"#tilmelding-{enrolment.pk}"
        return redirect_after_post(request, url)
    return render(
        request,
        "catalogue/admin_roster.html",
        {
            "session": session,
            "course": session.course,
            "roster": selectors.roster(session),
            "record_choices": cast(ChoiceField, RecordForm.base_fields["status"]).choices,
        },
    )


# --- HR's figures ----------------------------------------------------------------------


@require_GET
@kommune_hr_required
def catalogue_overview(request: KommuneRequest) -> HttpResponse:
    rows = selectors.session_overview(selectors.overview_courses(request.kommune))
    return render(
        request,
        "catalogue/admin_overview.html",
        {
            "published": [r for r in rows if r["course"].status == Course.Status.PUBLISHED],
            "archived": [r for r in rows if r["course"].status == Course.Status.ARCHIVED],
        },
    )


def _cost_report(request: KommuneRequest, form: CostPeriodForm):
    return selectors.costs(
        start=form.cleaned_data["fra"],
        end=form.cleaned_data["til"],
        units=selectors.cost_units(request.kommune),
    )


def _costs_page(request: KommuneRequest, form: CostPeriodForm, report, *, status: int = 200):
    return render(
        request,
        "catalogue/admin_costs.html",
        {"form": form, "report": report},
        status=status,
    )


@require_GET
@kommune_hr_required
def catalogue_costs(request: KommuneRequest) -> HttpResponse:
    form = CostPeriodForm(request.GET)
    if not form.is_valid():
        # Like every form with mistakes: the page itself, with the messages by the fields.
        return _costs_page(request, form, None)
    return _costs_page(request, form, _cost_report(request, form))


def _text(cell, value: str) -> None:
    """A text cell that stays text: openpyxl would store a value starting with "="
    (a unit called "=HYPERLINK(…)") as a formula."""
    cell.value = value
    cell.data_type = "s"


def _sheet(workbook: Workbook, title: str, heading: str, rows, total: tuple) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([heading, _("Deltagere"), _("Kroner")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for name, count, cost in [*rows, total]:
        sheet.append([None, count, cost])
        _text(sheet.cell(row=sheet.max_row, column=1), name)
        sheet.cell(row=sheet.max_row, column=3).number_format = KRONER
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 16
    sheet.freeze_panes = "A2"


@require_GET
@kommune_hr_required
def catalogue_costs_xlsx(request: KommuneRequest) -> HttpResponse:
    form = CostPeriodForm(request.GET)
    if not form.is_valid():
        # Not a spreadsheet: the page that explains what is wrong with the dates.
        return _costs_page(request, form, None, status=400)
    report = _cost_report(request, form)
    total = (_("I alt"), report.total_participants, report.total_cost)
    workbook = Workbook()
    assert workbook.active is not None  # a new workbook has one sheet
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        _("Pr. enhed"),
        _("Enhed"),
        [
            (unit.name if unit else _("Anden eller ingen enhed"), n, cost)
            for unit, n, cost in report.by_unit
        ],
        total,
    )
    _sheet(
        workbook,
        _("Pr. kompetencegruppe"),
        _("Kompetencegruppe"),
        [(name or _("Ingen kompetencegruppe"), n, cost) for name, n, cost in report.by_group],
        total,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    start, end = form.cleaned_data["fra"], form.cleaned_data["til"]
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="kursusomkostninger-{start:%Y-%m-%d}-{end:%Y-%m-%d}.xlsx"'
    )
    return response


# --- The catalogue as a spreadsheet ----------------------------------------------------


def _export_status(request: KommuneRequest) -> str | None:
    """`?status=` of an export link: one status, or (empty) every course."""
    status = request.GET.get("status", "")
    if status and status not in Course.Status.values:
        raise Http404
    return status or None


def _export_response(content: bytes, content_type: str, status: str | None, ext: str):
    name = f"kursuskatalog-{status}" if status else "kursuskatalog"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{ext}"'
    )
    return response


@require_GET
@kommune_hr_required
def catalogue_export_csv(request: KommuneRequest) -> HttpResponse:
    """The catalogue in the import's columns, so it can be edited and imported again."""
    status = _export_status(request)
    content = catalogue_import.catalogue_export_csv(kommune=request.kommune, status=status)
    return _export_response(content, "text/csv; charset=utf-8", status, "csv")


@require_GET
@kommune_hr_required
def catalogue_export_xlsx(request: KommuneRequest) -> HttpResponse:
    status = _export_status(request)
    content = catalogue_import.catalogue_export_xlsx(kommune=request.kommune, status=status)
    return _export_response(content, XLSX, status, "xlsx")
