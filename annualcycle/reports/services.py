"""Writes for gap reports: a leader or HR orders one for a unit subtree (optionally one
job profile, optionally one competence group), and a Celery task builds it
(`annualcycle.reports.build`) after the commit; a failed one is tried again on request.
Downloading a built report is recorded in the audit log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from annualcycle.models import GapReport
from annualcycle.tasks import build_gap_report
from kompetence import permissions
from kompetence.audit import audit_record
from kompetence.infra.background import WorkKind, work_retry
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person
from profiles.models import JobProfile

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


def gap_report_downloaded(*, request, report: GapReport, extension: str) -> None:
    """Records in the audit log that the request's person downloaded `report`."""
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=None,
        obj=report,
        summary=f"{_('Gabrapport')} {extension.upper()}: {report.unit.name}",
    )
