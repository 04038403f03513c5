"""The audit log helpers, called when someone reads or changes someone's personal data:
`audit_record` with a request, `audit_write` from a service given the actor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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


def audit_search(
    request,
    *,
    summary: str,
    criteria: dict[str, object],
    subject: Person | None = None,
) -> AuditEntry | None:
    """Records a search or filter over people with what was asked for, as the common
    data-processing agreement asks. `criteria` maps a `CRITERIA_LABELS` key to the value
    as the person chose it (a name rather than an id); empty values are left out, and a
    page shown without any criterion writes nothing. Paging through the same results
    logs the same criteria again: each page is a new look at the people."""
    chosen = {key: value for key, value in criteria.items() if value not in ("", None)}
    if not chosen:
        return None
    return audit_record(
        request,
        action=AuditEntry.Action.SEARCH,
        subject=subject,
        summary=summary,
        details={"criteria": chosen},
    )


# The names of the criteria and facts kept in `AuditEntry.details`, for reading the log.
CRITERIA_LABELS = {
    "q": _("Søgetekst"),
    "adgang": _("Adgang"),
    "enhed": _("Enhed"),
    "krav": _("Uddannelseskrav"),
    "status": _("Status"),
    "runde": _("Evalueringsrunde"),
    "kompetence": _("Kompetence"),
    "direkte": _("Kun direkte i enheden"),
    "hvis": _("Hvis data"),
    "hvem": _("Læst eller ændret af"),
    "handling": _("Handling"),
    "format": _("Format"),
    "rows": _("Rækker"),
    "deleted": _("Slettet"),
    "before": _("Ældre end"),
}


def detail_lines(details: dict) -> list[tuple[str, str]]:
    """An entry's details as (label, value) pairs in the reader's language: the
    criteria first, then the facts of an export (format, rows)."""
    flat = {**details.get("criteria", {}), **{k: v for k, v in details.items() if k != "criteria"}}
    return [(str(CRITERIA_LABELS.get(key, key)), _value(value)) for key, value in flat.items()]


def _value(value: object) -> str:
    if value is True:
        return str(_("ja"))
    if value is False:
        return str(_("nej"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
