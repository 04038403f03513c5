"""Gap-report pages: order a report, follow it until it is ready, download it.

Leaders order reports for the subtrees they lead, HR for any unit it administers.
A report is the requester's: only they and HR for the whole kommune see and download
it; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annualcycle.models import GapReport
from annualcycle.reports import services as reports
from annualcycle.reports.forms import GapReportForm
from kompetence import permissions
from kompetence.audit import audit_record
from kompetence.downloads import attachment_header, filename_part
from kompetence.http import KommuneRequest, person_required, staff_required
from kompetence.models import AuditEntry, Person
from profiles.models import JobProfile

REPORT_LIST_LIMIT = 50
DOWNLOADS = {
    "xlsx": ("xlsx", reports.XLSX_CONTENT_TYPE),
    "pdf": ("pdf", "application/pdf"),
}


def _reports_for(viewer: Person):
    rows = GapReport.objects.filter(kommune_id=viewer.kommune_id).select_related(
        "unit", "job_profile", "requested_by"
    )
    if permissions.is_kommune_hr(viewer):
        return rows
    return rows.filter(requested_by=viewer)


def get_gap_report_or_404(viewer: Person, report_id: int) -> GapReport:
    """The report `report_id` if `viewer` ordered it or is HR for the whole kommune.

    Security contract: looked up in the viewer's kommune (on top of the request's
    scope); another kommune's report, a colleague's report and a report that does not
    exist raise the same Http404."""
    report = _reports_for(viewer).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


@require_http_methods(["GET", "POST"])
@staff_required
def gap_report_list(request: KommuneRequest) -> HttpResponse:
    """The order form and the viewer's reports (HR: all of the kommune's), the newest
    one on its way polling until it is ready."""
    viewer = request.person
    form = GapReportForm(
        request.POST or None,
        units=permissions.visible_units(viewer).order_by("path"),
        job_profiles=JobProfile.objects.filter(kommune=request.kommune).order_by("name"),
        group_names=reports.competence_group_names(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            reports.gap_report_request(
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
    rows = list(_reports_for(viewer).order_by("-requested_at", "-pk")[:REPORT_LIST_LIMIT])
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
    reports.gap_report_retry(report=report)
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
    if kind not in DOWNLOADS or report.status != GapReport.Status.READY:
        raise Http404
    extension, content_type = DOWNLOADS[kind]
    stored = report.xlsx if kind == "xlsx" else report.pdf
    if not stored:
        raise Http404
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=None,
        obj=report,
        summary=f"{_('Gabrapport')} {extension.upper()}: {report.unit.name}",
    )
    filename = (
        f"gabrapport-{filename_part(report.unit.name, str(report.unit_id))}-"
        f"{report.requested_at:%Y-%m-%d}-{report.pk}.{extension}"
    )
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response
