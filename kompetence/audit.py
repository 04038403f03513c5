"""The audit log helpers, called when someone reads or changes someone's personal data:
`audit_record` with a request, `audit_write` from a service given the actor."""

from __future__ import annotations

from django.db import models

from kompetence.models import AuditEntry, Person


def audit_record(
    request,
    *,
    action: str,
    subject: Person | None,
    obj: models.Model | None = None,
    summary: str = "",
    details: dict | None = None,
) -> AuditEntry | None:
    """Writes who (the request's person) did `action` to whose data (`subject`).

    Reading one's own data is not logged: the log answers "who else saw my data"."""
    return audit_write(
        kommune_id=request.kommune.pk,
        actor=getattr(request, "person", None),
        action=action,
        subject=subject,
        obj=obj,
        summary=summary,
        details=details,
    )


def audit_write(
    *,
    kommune_id: int,
    actor: Person | None,
    action: str,
    subject: Person | None,
    obj: models.Model | None = None,
    summary: str = "",
    details: dict | None = None,
) -> AuditEntry | None:
    """`audit_record` for services, which get the actor from their caller rather than
    a request."""
    reading_own_data = actor is not None and subject is not None and actor.pk == subject.pk
    if action == AuditEntry.Action.VIEW and reading_own_data:
        return None
    return AuditEntry.objects.create(
        kommune_id=kommune_id,
        actor=actor,
        action=action,
        subject=subject,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        details=details or {},
    )
