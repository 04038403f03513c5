"""Building a gap report or a MUS evaluation (the Celery tasks
`annualcycle.build_gap_report` and `annualcycle.build_mus_evaluation` run them): the
spreadsheet and the PDF summary, stored under names of their own."""

from __future__ import annotations

import tempfile
from typing import cast

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from annualcycle.models import GapReport, MusEvaluationReport
from annualcycle.reports import mus_evaluation_documents
from annualcycle.reports.documents import pdf_bytes, write_xlsx
from annualcycle.reports.mus_evaluation import evaluation_content
from annualcycle.reports.selectors import report_content


def _store(name: str, content: File) -> str:
    """Saves under exactly `name`: a re-delivered task replaces its own earlier file
    instead of getting a second one with a random suffix."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content)


def _is_built(report: GapReport | MusEvaluationReport) -> bool:
    return (
        report.status == "ready"
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


def mus_evaluation_build(*, report_id: int) -> MusEvaluationReport:
    """Builds and stores the MUS evaluation's spreadsheet and PDF, in the requester's
    language. Idempotent as `gap_report_build`; a failure is stored on the report by the
    task, with its reason."""
    report = MusEvaluationReport.objects.select_related(
        "kommune", "unit", "requested_by__user"
    ).get(pk=report_id)
    if _is_built(report):
        return report
    user = report.requested_by.user
    base = f"reports/{report.kommune_id}/mus-evaluation-{report.pk}"
    with translation.override(user.language if user else "da"):
        content = evaluation_content(report)
        with tempfile.TemporaryFile() as spreadsheet:
            mus_evaluation_documents.write_xlsx(content, spreadsheet)
            spreadsheet.seek(0)
            xlsx_name = _store(f"{base}.xlsx", File(spreadsheet, name=f"{base}.xlsx"))
        pdf = mus_evaluation_documents.pdf_bytes(content)
        pdf_name = _store(f"{base}.pdf", ContentFile(pdf))
    MusEvaluationReport.objects.filter(pk=report.pk).update(
        status=MusEvaluationReport.Status.READY,
        xlsx=xlsx_name,
        pdf=pdf_name,
        people=content.total.people,
        error="",
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report
