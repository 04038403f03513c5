"""Reads for HR's retention page."""

from __future__ import annotations

from django.db.models import QuerySet

from kompetence.models import AuditEntry, Kommune, Person

RECENT_ERASURES = 20


def recent_erasures(kommune: Kommune) -> QuerySet[AuditEntry]:
    """The newest audit entries of people made anonymous (the log's order)."""
    return AuditEntry.objects.filter(
        kommune=kommune,
        action=AuditEntry.Action.DELETE,
        object_type=Person._meta.label,
    ).select_related("subject")[:RECENT_ERASURES]
