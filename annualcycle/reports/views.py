"""Gap-report and MUS-evaluation pages: order a report, follow it until it is ready,
download it.

Gap reports: leaders order them for the subtrees they lead, HR for any unit it
administers. A gap report is the requester's: only they and HR for the whole kommune
see and download it; everyone else gets 404.

MUS evaluations: members of a MED committee order them for the units it covers, HR for
the units it administers; everyone who may order one for a unit sees the evaluations
of that unit (they are k-anonymous); everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annualcycle.access import get_gap_report_or_404, get_mus_evaluation_or_404
from annualcycle.models import GapReport, MusEvaluationReport
from annualcycle.reports import mus_evaluation, selectors, services
from annualcycle.reports.documents import XLSX_CONTENT_TYPE
from annualcycle.reports.forms import GapReportForm, MusEvaluationForm
from kompetence import permissions
from kompetence.infra.downloads import attachment_header, filename_part
from kompetence.infra.http import KommuneRequest, person_required, staff_required

DOWNLOADS = {
    "xlsx": ("xlsx", XLSX_CONTENT_TYPE),
    "pdf": ("pdf", "application/pdf"),
}


@require_http_methods(["GET", "POST"])
@staff_required
def gap_report_list(request: KommuneRequest) -> HttpResponse:
    """The order form and the viewer's reports (HR: all of the kommune's), the newest
    one on its way polling until it is ready."""
    viewer = request.person
    form = GapReportForm(
        request.POST or None,
        units=selectors.orderable_units(viewer),
        job_profiles=selectors.job_profiles(viewer),
        group_names=selectors.competence_group_names(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.gap_report_request(
                kommune=request.kommune,
                requested_by=viewer,
                unit=form.cleaned_data["unit"],
                job_profile=form.cleaned_data["job_profile"],
                group_name=form.cleaned_data["group_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Rapporten bliver lavet. Linkene kommer her på siden, når den er klar.")
            )
            return redirect("gap_report_list")
    rows = selectors.report_list(viewer)
    newest_pending = next((r for r in rows if r.status == GapReport.Status.PENDING), None)
    return render(
        request,
        "annualcycle/gap_reports.html",
        {
            "form": form,
            "reports": rows,
            "poll_id": newest_pending.pk if newest_pending else None,
            "sees_all": permissions.is_kommune_hr(viewer),
        },
    )


@require_GET
@person_required
def gap_report_status(request: KommuneRequest, report_id: int) -> HttpResponse:
    """The report's status (polled by HTMX) and, when it is ready, its download links."""
    report = get_gap_report_or_404(request.person, report_id)
    return render(
        request, "annualcycle/gap_reports.html#status", {"report": report, "poll_id": report.pk}
    )


@require_POST
@person_required
def gap_report_retry(request: KommuneRequest, report_id: int) -> HttpResponse:
    """ "Prøv igen" on a failed report: HTMX swaps in its status, polling again."""
    report = get_gap_report_or_404(request.person, report_id)
    services.gap_report_retry(report=report)
    if not request.htmx:
        return redirect("gap_report_list")
    report.refresh_from_db()
    return render(
        request, "annualcycle/gap_reports.html#status", {"report": report, "poll_id": report.pk}
    )


@require_GET
@person_required
def gap_report_download(request: KommuneRequest, report_id: int, kind: str) -> FileResponse:
    report = get_gap_report_or_404(request.person, report_id)
    stored, extension, content_type = _ready_file(report, kind)
    services.gap_report_downloaded(request=request, report=report, extension=extension)
    return _attachment(
        stored,
        content_type,
        f"gabrapport-{filename_part(report.unit.name, str(report.unit_id))}-"
        f"{report.requested_at:%Y-%m-%d}-{report.pk}.{extension}",
    )


def _ready_file(report: GapReport | MusEvaluationReport, kind: str):
    """A built report's stored file of `kind` with its extension and content type; 404
    while the report is not ready or has no such file."""
    if kind not in DOWNLOADS or report.status != report.Status.READY:
        raise Http404
    stored = report.xlsx if kind == "xlsx" else report.pdf
    if not stored:
        raise Http404
    extension, content_type = DOWNLOADS[kind]
    return stored, extension, content_type


def _attachment(stored, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response


# --- MUS evaluations ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@person_required
def mus_evaluation_list(request: KommuneRequest) -> HttpResponse:
    """The order form and the evaluations of the units the viewer may order for, the
    newest one on its way polling until it is ready. Only MED members and HR."""
    viewer = request.person
    if not mus_evaluation.may_order(viewer):
        raise Http404
    start, end = mus_evaluation.default_period()
    form = MusEvaluationForm(
        request.POST or None,
        units=mus_evaluation.orderable_units(viewer),
        initial={"period_start": start, "period_end": end},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mus_evaluation_request(
                kommune=request.kommune,
                requested_by=viewer,
                unit=form.cleaned_data["unit"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Evalueringen bliver lavet. Linkene kommer her på siden, når den er klar."),
            )
            return redirect("mus_evaluation_list")
    rows = mus_evaluation.report_list(viewer)
    newest_pending = next((r for r in rows if r.status == MusEvaluationReport.Status.PENDING), None)
    return render(
        request,
        "annualcycle/mus_evaluations.html",
        {
            "form": form,
            "reports": rows,
            "poll_id": newest_pending.pk if newest_pending else None,
            "k": request.kommune.med_min_group_size,
        },
    )


@require_GET
@person_required
def mus_evaluation_status(request: KommuneRequest, mus_evaluation_id: int) -> HttpResponse:
    """The evaluation's status (polled by HTMX) and, when it is ready, its links."""
    report = get_mus_evaluation_or_404(request.person, mus_evaluation_id)
    return render(
        request,
        "annualcycle/mus_evaluations.html#status",
        {"report": report, "poll_id": report.pk},
    )


@require_POST
@person_required
def mus_evaluation_retry(request: KommuneRequest, mus_evaluation_id: int) -> HttpResponse:
    """ "Prøv igen" on a failed evaluation: HTMX swaps in its status, polling again."""
    report = get_mus_evaluation_or_404(request.person, mus_evaluation_id)
    services.mus_evaluation_retry(report=report)
    if not request.htmx:
        return redirect("mus_evaluation_list")
    report.refresh_from_db()
    return render(
        request,
        "annualcycle/mus_evaluations.html#status",
        {"report": report, "poll_id": report.pk},
    )


@require_GET
@person_required
def mus_evaluation_download(
    request: KommuneRequest, mus_evaluation_id: int, kind: str
) -> FileResponse:
    report = get_mus_evaluation_or_404(request.person, mus_evaluation_id)
    stored, extension, content_type = _ready_file(report, kind)
    services.mus_evaluation_downloaded(request=request, report=report, extension=extension)
    return _attachment(
        stored,
        content_type,
        f"mus-evaluering-{filename_part(report.unit.name, str(report.unit_id))}-"
        f"{report.period_start:%Y-%m-%d}-{report.period_end:%Y-%m-%d}-{report.pk}.{extension}",
    )
