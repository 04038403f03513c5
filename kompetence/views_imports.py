"""The import pages every importer shares: upload, follow the dry run, apply.

HR for the whole kommune uploads a file; a Celery task checks it (in the embedded
mode at once, in-process); the job's page polls until the dry run is ready, lists
every problem by line and column, or what would change, and offers to apply it."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import imports
from kompetence.forms import ImportUploadForm
from kompetence.http import KommuneRequest, person_required
from kompetence.models import ImportJob, Person
from kompetence.tabular import Problem, write_csv

RECENT_JOBS = 10


def get_importer_or_404(viewer: Person, kind: str) -> imports.Importer:
    """The importer of `kind` if `viewer` may use it.

    Security contract: an unknown kind and one the viewer may not use give the same
    Http404."""
    importer = imports.importer_for(kind)
    if importer is None or not importer.allowed(viewer):
        raise Http404
    return importer


def get_import_job_or_404(viewer: Person, job_id: int) -> tuple[ImportJob, imports.Importer]:
    """The import job `job_id` of the viewer's kommune, if the viewer may use its kind.

    Security contract: another kommune's job (outside the request's scope and filtered
    by the viewer's kommune), a job of a kind the viewer may not use and a job that does
    not exist raise the same Http404."""
    job = ImportJob.objects.filter(kommune_id=viewer.kommune_id, pk=job_id).first()
    if job is None:
        raise Http404
    return job, get_importer_or_404(viewer, job.kind)


@require_http_methods(["GET", "POST"])
@person_required
def import_upload(request: KommuneRequest, importer: str) -> HttpResponse:
    chosen = get_importer_or_404(request.person, importer)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        importer=chosen,
        max_bytes=imports.max_upload_bytes(),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = imports.import_start(
                kommune=request.kommune,
                importer=chosen,
                created_by=request.person,
                upload=form.cleaned_data["file"],
                options=form.options(),
            )
        return redirect("import_job", job.pk)
    jobs = ImportJob.objects.filter(kommune=request.kommune, kind=chosen.kind).select_related(
        "created_by"
    )[:RECENT_JOBS]
    return render(
        request,
        "kompetence/import.html",
        {"importer": chosen, "form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


@require_GET
@person_required
def import_template(request: KommuneRequest, importer: str) -> HttpResponse:
    """An empty file with the right header, to fill in or to map an export to."""
    chosen = get_importer_or_404(request.person, importer)
    response = HttpResponse(
        write_csv([column.name for column in chosen.columns], []),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{chosen.kind}-skabelon.csv"'
    return response


@require_GET
@person_required
def import_job(request: KommuneRequest, job_id: int) -> HttpResponse:
    """The dry run's result (or the apply's), polled by HTMX while a task works on it."""
    job, importer = get_import_job_or_404(request.person, job_id)
    template = "kompetence/import_job.html"
    if request.htmx and request.htmx.target == "import-status":
        template += "#status"
    return render(
        request,
        template,
        {
            "job": job,
            "importer": importer,
            "progress": imports.progress_of(job),
            "problems": [Problem.from_dict(p) for p in job.result.get("problems", [])],
            "changes": [c for c in job.result.get("changes", []) if c["count"]],
            "summary": imports.summary_text(job.result),
            "options_text": importer.describe_options(job.options),
        },
    )


@require_POST
@person_required
def import_job_apply(request: KommuneRequest, job_id: int) -> HttpResponse:
    job, _importer = get_import_job_or_404(request.person, job_id)
    with transaction.atomic():
        imports.import_apply_request(job=job)
    return redirect("import_job", job.pk)


@require_POST
@person_required
def import_job_retry(request: KommuneRequest, job_id: int) -> HttpResponse:
    """ "Prøv igen" on a failed import: the file is checked again from the start."""
    job, _importer = get_import_job_or_404(request.person, job_id)
    with transaction.atomic():
        imports.import_retry(job=job)
    return redirect("import_job", job.pk)
