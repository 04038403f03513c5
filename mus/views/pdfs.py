"""The plan's PDF: asking for it, its status while a worker makes it, the download."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kompetence.infra.http import KommuneRequest, person_required
from mus import access, selectors, services, signing


@require_http_methods(["GET", "POST"])
@person_required
def plan_pdf(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """POST asks for the PDF; GET (polled by HTMX) shows its status and, when it is
    ready, the download link. `archival=1` is the PDF/A copy, only of a signed version."""
    version = access.get_version_or_404(request.person, plan_version_id)
    archival = request.POST.get("archival", request.GET.get("archival")) == "1"
    if archival and not signing.is_locked(version):
        raise Http404
    if request.method == "POST":
        services.pdf_request(version=version, language=request.LANGUAGE_CODE, archival=archival)
        if not request.htmx:
            return redirect("plan_detail", plan_id=version.plan_id)
    pdf = selectors.version_pdf(version, request.LANGUAGE_CODE, archival=archival)
    return render(
        request,
        "mus/plan_detail.html#pdf",
        {"version": version, "pdf": pdf, "archival": archival},
    )


@require_GET
@person_required
def plan_pdf_download(request: KommuneRequest, pdf_id: int) -> FileResponse:
    pdf = access.get_pdf_or_404(request.person, pdf_id, ready=True)
    services.plan_pdf_export_log(request=request, pdf=pdf)
    plan = pdf.version.plan
    suffix = "-arkiv" if pdf.archival else ""
    filename = f"udviklingsplan-{plan.employee.employee_number}-v{pdf.version.number}{suffix}.pdf"
    return FileResponse(
        pdf.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
