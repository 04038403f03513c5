"""How long the audit log is kept: the common data-processing agreement (the standard
clause Danish kommuner use) keeps the log of use of personal data for a set period,
six months unless the kommune chooses otherwise (`Kommune.audit_retention_months`).

Celery beat runs `audit_purge` for every kommune each night. It deletes the entries
written before the first day that is still inside the period, counted in calendar
months back from today in Danish time: run on 31 August with six months, the entries
from before 28 February (the month has no 31st) go, those from 28 February on stay.
An empty setting keeps every entry.

The deletion is recorded as one entry about nobody (no actor, no subject) with the
count and the date, which the kommune's settings page shows; it is itself deleted
once it is older than the period. The person's *Mine data* lists the entries about
them, so what is deleted here is gone from there too."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetence.models import AuditEntry, Kommune

logger = logging.getLogger(__name__)

# Rows per DELETE: a København-size log (millions of entries) goes in short statements,
# each its own transaction, so no lock is held for long and the run can stop anywhere.
PURGE_BATCH = 5000


def audit_cutoff(kommune: Kommune, today: datetime.date | None = None) -> datetime.date | None:
    """The first day whose entries are kept; None when the kommune keeps them all."""
    months = kommune.audit_retention_months
    if not months:
        return None
    return (today or timezone.localdate()) - relativedelta(months=months)


def audit_purge(*, kommune: Kommune, today: datetime.date | None = None) -> int:
    """Deletes the kommune's audit entries older than its retention period, in batches
    by primary key without loading them; returns how many went."""
    cutoff = audit_cutoff(kommune, today)
    if cutoff is None:
        return 0
    before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    old = AuditEntry.objects.filter(kommune=kommune, at__lt=before)
    deleted = 0
    while True:
        # DELETE … WHERE id IN (SELECT id … LIMIT n): the ids never reach Python.
        batch = old.order_by("pk").values("pk")[:PURGE_BATCH]
        count, _by_model = AuditEntry.objects.filter(pk__in=batch).delete()
        deleted += count
        if count < PURGE_BATCH:
            break
    if deleted:
        AuditEntry.objects.create(
            kommune=kommune,
            action=AuditEntry.Action.DELETE,
            object_type=AuditEntry._meta.label,
            summary=_("Slettet %(count)s logposter ældre end %(date)s.")
            % {"count": deleted, "date": cutoff.isoformat()},
            details={"deleted": deleted, "before": cutoff.isoformat()},
        )
    logger.info(
        "audit purge: kommune %s deleted %s entries before %s", kommune.slug, deleted, cutoff
    )
    return deleted


@dataclass(frozen=True)
class LastPurge:
    at: datetime.datetime
    deleted: int
    before: datetime.date


def last_purge(kommune: Kommune) -> LastPurge | None:
    """The newest nightly deletion of old audit entries, for the settings page."""
    entry = (
        AuditEntry.objects.filter(
            kommune=kommune,
            action=AuditEntry.Action.DELETE,
            object_type=AuditEntry._meta.label,
            actor=None,
            subject=None,
        )
        .only("at", "details")
        .first()
    )
    if entry is None:
        return None
    try:
        return LastPurge(
            at=entry.at,
            deleted=int(entry.details["deleted"]),
            before=datetime.date.fromisoformat(entry.details["before"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
