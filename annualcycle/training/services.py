"""Writes of the training overview: only the audit entry of its export."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kompetence.audit import audit_record
from kompetence.models import AuditEntry, OrgUnit


def training_overview_exported(*, request, unit: OrgUnit | None, rows: int) -> None:
    """Records in the audit log that the request's person downloaded the certificates
    of `rows` people's requirements (the whole kommune, or `unit`'s subtree)."""
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=None,
        summary=_("Certifikater XLSX: %(scope)s, %(rows)s rækker")
        % {"scope": unit.name if unit else request.kommune.name, "rows": rows},
    )
