"""Proof of training: the person uploads it, their leader decides, and the file is
served only to those `catalogue.training.evidence_access` lets see it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.forms.evidence import EvidenceForm
from catalogue.training import evidence as services
from catalogue.training import evidence_selectors as selectors
from catalogue.training.evidence_access import get_evidence_or_404
from kompetence.infra.downloads import attachment_header
from kompetence.infra.http import KommuneRequest, person_required, staff_required


@require_http_methods(["GET", "POST"])
@person_required
def evidence_upload(request: KommuneRequest) -> HttpResponse:
    """The person's own proof for one of their requirements or competences; `?krav=<id>`
    chooses the requirement beforehand. A plain multipart form: no JavaScript needed."""
    person = request.person
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        requirements=selectors.requirements_of(person),
        competences=selectors.competences_of(person),
        max_bytes=settings.EVIDENCE_MAX_BYTES,
        initial={"target": f"krav:{request.GET.get('krav', '')}"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_upload(
                person=person,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                **form.target_fields(),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Din dokumentation »%(title)s« er sendt til din leder.")
                % {"title": evidence.title},
            )
            return redirect("my_training")
    return render(request, "catalogue/training/evidence_upload.html", {"form": form})


@require_GET
@person_required
def evidence_file(request: KommuneRequest, evidence_id: int) -> FileResponse:
    """The uploaded file, as an attachment under its cleaned name, never cached and
    never sniffed into something else by the browser."""
    evidence = get_evidence_or_404(request.person, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    if request.person.pk != evidence.person_id:
        services.evidence_file_read_log(request=request, evidence=evidence)
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Content-Disposition"] = attachment_header(evidence.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _review_page(
    request: KommuneRequest, *, errors: dict | None = None, reasons: dict | None = None
) -> HttpResponse:
    """The review page; after a refused rejection, with the error at that proof's reason
    and what the leader typed kept."""
    pending = selectors.evidence_to_review(request.person)
    for item in pending:
        item.reason_errors = (errors or {}).get(item.pk, [])  # type: ignore[attr-defined]
        item.typed_reason = (reasons or {}).get(item.pk, "")  # type: ignore[attr-defined]
    return render(request, "catalogue/training/evidence_review.html", {"pending": pending})


@require_GET
@staff_required
def evidence_review(request: KommuneRequest) -> HttpResponse:
    """Proof waiting for the leader's (or HR's) decision."""
    return _review_page(request)


@require_POST
@staff_required
def evidence_approve(request: KommuneRequest, evidence_id: int) -> HttpResponse:
    evidence = get_evidence_or_404(request.person, evidence_id, deciding=True)
    try:
        services.evidence_approve(evidence=evidence, leader=request.person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Dokumentationen »%(title)s« fra %(name)s er godkendt.")
            % {"title": evidence.title, "name": evidence.person.name},
        )
    return redirect("evidence_review")


@require_POST
@staff_required
def evidence_reject(request: KommuneRequest, evidence_id: int) -> HttpResponse:
    """Rejecting needs a reason: without one the page comes back with the error at the
    reason's field, nothing decided."""
    evidence = get_evidence_or_404(request.person, evidence_id, deciding=True)
    reason = request.POST.get("reason", "")
    try:
        services.evidence_reject(evidence=evidence, leader=request.person, reason=reason)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "reason" in error.error_dict:
            return _review_page(
                request,
                errors={evidence.pk: error.message_dict["reason"]},
                reasons={evidence.pk: reason},
            )
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Dokumentationen »%(title)s« fra %(name)s er afvist.")
            % {"title": evidence.title, "name": evidence.person.name},
        )
    return redirect("evidence_review")
