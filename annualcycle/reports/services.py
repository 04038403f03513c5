"""Writes for gap reports and MUS evaluations: a leader or HR orders a gap report for a
unit subtree (optionally one job profile, optionally one competence group), a MED
member or HR a MUS evaluation for a subtree and a period, and a Celery task builds it
(`annualcycle.reports.build`) after the commit; a failed one is tried again on request.
Downloading a built report is recorded in the audit log."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from annualcycle.models import GapReport, MusEvaluationReport
from annualcycle.reports import mus_evaluation
from annualcycle.tasks import build_gap_report, build_mus_evaluation
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
        details={"criteria": {"enhed": report.unit.name}, "format": extension.upper()},
    )


# --- MUS evaluations ---------------------------------------------------------------------


def mus_evaluation_request(
    *,
    kommune: Kommune,
    requested_by: Person,
    unit: OrgUnit,
    period_start: datetime.date,
    period_end: datetime.date,
) -> MusEvaluationReport:
    """Orders a MUS evaluation for a subtree the requester's MED committee covers or
    they administer as HR; a Celery task builds it after the transaction commits."""
    if not mus_evaluation.orderable_units(requested_by).filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": _("Du kan kun bestille evalueringer for enheder, du har adgang til.")}
        )
    if period_end < period_start:
        raise ValidationError({"period_end": _("Til-datoen ligger før fra-datoen.")})
    report = MusEvaluationReport.objects.create(
        kommune=kommune,
        requested_by=requested_by,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
    )
    build_mus_evaluation.delay_on_commit(kommune.pk, report.pk)
    return report


def _send_mus_evaluation(report: MusEvaluationReport) -> None:
    build_mus_evaluation.delay(report.kommune_id, report.pk)


MUS_EVALUATION_WORK = WorkKind(
    name="mus_evaluation",
    model=MusEvaluationReport,
    pending={"status": MusEvaluationReport.Status.PENDING},
    failed={"status": MusEvaluationReport.Status.FAILED},
    restart={"status": MusEvaluationReport.Status.PENDING, "error": "", "finished_at": None},
    send=_send_mus_evaluation,
)


def mus_evaluation_retry(*, report: MusEvaluationReport) -> bool:
    """ "Prøv igen" on a failed evaluation: built again by a task after the commit."""
    return work_retry(kind=MUS_EVALUATION_WORK, row=report)


def mus_evaluation_downloaded(*, request, report: MusEvaluationReport, extension: str) -> None:
    """Records in the audit log that the request's person downloaded `report`."""
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=None,
        obj=report,
        summary=f"{_('MUS-evaluering')} {extension.upper()}: {report.unit.name}",
        details={"criteria": {"enhed": report.unit.name}, "format": extension.upper()},
    )
