"""The import pages every importer shares: upload, follow the dry run, apply.

HR for the whole kommune uploads a file; a Celery task checks it (in the embedded
mode at once, in-process); the job's page polls until the dry run is ready, lists
every problem by line and column, or what would change, and offers to apply it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import access
from kompetence.forms import ImportUploadForm
from kompetence.infra import imports
from kompetence.infra.http import KommuneRequest, person_required
from kompetence.infra.tabular import Problem, write_csv


@require_http_methods(["GET", "POST"])
@person_required
def import_upload(request: KommuneRequest, importer: str) -> HttpResponse:
    chosen = access.get_importer_or_404(request.person, importer)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        importer=chosen,
        max_bytes=imports.max_upload_bytes(),
    )
    if request.method == "POST" and form.is_valid():
        job = imports.import_start(
            kommune=request.kommune,
            importer=chosen,
            created_by=request.person,
            upload=form.cleaned_data["file"],
            options=form.options(),
        )
        return redirect("import_job", job.pk)
    jobs = imports.recent_jobs(kommune=request.kommune, importer=chosen)
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
    chosen = access.get_importer_or_404(request.person, importer)
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
    job = access.get_import_job_or_404(request.person, job_id)
    importer = access.get_importer_or_404(request.person, job.kind)
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
    job = access.get_import_job_or_404(request.person, job_id)
    imports.import_apply_request(job=job)
    return redirect("import_job", job.pk)


@require_POST
@person_required
def import_job_retry(request: KommuneRequest, job_id: int) -> HttpResponse:
    """ "Prøv igen" on a failed import: the file is checked again from the start."""
    job = access.get_import_job_or_404(request.person, job_id)
    imports.import_retry(job=job)
    return redirect("import_job", job.pk)
