"""Writes of the training overview: only the audit entries of its filters and export."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalogue.models import TrainingRequirement
from catalogue.training.selectors import State
from kompetence.audit import audit_record, audit_search
from kompetence.models import AuditEntry, OrgUnit


def _criteria(
    unit: OrgUnit | None, requirement: TrainingRequirement | None, state: str
) -> dict[str, object]:
    return {
        "enhed": unit.name if unit else "",
        "krav": requirement.name if requirement else "",
        "status": str(State.LABELS[state]) if state else "",
    }


def training_overview_searched(
    *, request, unit: OrgUnit | None, requirement: TrainingRequirement | None, state: str
) -> None:
    """Records the overview's filters over people, when any is chosen."""
    audit_search(
        request,
        summary=_("Filtrering af Certifikater"),
        criteria=_criteria(unit, requirement, state),
    )


def training_overview_exported(
    *,
    request,
    unit: OrgUnit | None,
    requirement: TrainingRequirement | None = None,
    state: str = "",
    rows: int,
) -> None:
    """Records in the audit log that the request's person downloaded the certificates
    of `rows` people's requirements (the whole kommune, or `unit`'s subtree)."""
    criteria = {k: v for k, v in _criteria(unit, requirement, state).items() if v}
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=None,
        summary=_("Certifikater XLSX: %(scope)s, %(rows)s rækker")
        % {"scope": unit.name if unit else request.kommune.name, "rows": rows},
        details={"criteria": criteria, "format": "XLSX", "rows": rows},
    )
