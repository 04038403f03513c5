"""The audit log helper views call when they read or change someone's personal data."""

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
) -> AuditEntry | None:
    """Writes who (the request's person) did `action` to whose data (`subject`).

    Reading one's own data is not logged: the log answers "who else saw my data"."""
    actor = getattr(request, "person", None)
    reading_own_data = actor is not None and subject is not None and actor.pk == subject.pk
    if action == AuditEntry.Action.VIEW and reading_own_data:
        return None
    return AuditEntry.objects.create(
        kommune=request.kommune,
        actor=actor,
        action=action,
        subject=subject,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
    )
