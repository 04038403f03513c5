"""The personal data export (GDPR right of access): "Mine data" for the signed-in
person, and HR downloading a person's data on their behalf.

Downloads are POSTs because each one writes an EXPORT entry to the audit log."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from kompetence import access, personal_data
from kompetence.infra.http import KommuneRequest, hr_required, person_required


def _zip_response(export: personal_data.PersonalDataExport) -> HttpResponse:
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    # Personal data: no copy left in a shared browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@person_required
def my_data(request: KommuneRequest) -> HttpResponse:
    return render(request, "kompetence/my_data.html", {"sections": personal_data.sections()})


@require_http_methods(["POST"])
@person_required
def my_data_download(request: KommuneRequest) -> HttpResponse:
    export = personal_data.personal_data_export(request=request, subject=request.person)
    return _zip_response(export)


@require_http_methods(["POST"])
@hr_required
def person_data_download(request: KommuneRequest, person_id: int) -> HttpResponse:
    # HR for the person (the whole kommune, or a delegate for their unit), leavers
    # included; anyone else gets the same 404 as for a person who does not exist.
    person = access.get_person_or_404(request.person, person_id, change=True)
    export = personal_data.personal_data_export(request=request, subject=person)
    return _zip_response(export)
