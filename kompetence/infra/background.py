"""Background work a page shows as pending: it always finishes or says why.

A plan PDF, a gap report, an import's dry run or apply and a round's opening are each a
row whose status a page shows while a Celery task does the work. Three things could
leave such a row pending for good: the task fails (read-only storage), the worker dies
in the middle (the broker hands the task out again only after the one-hour visibility
timeout), or the queued message is lost (Redis restarted without its data). So:

* the task base (`kompetence.tasks.WorkTask`) catches a failure, writes it to the log
  with its traceback and stores on the row a reason a person can read (`Failure`);
* the sweeper (`work_sweep`, run every minute by Celery beat, once per kommune) sends
  again the work pending longer than BACKGROUND_STALE_MINUTES, and marks failed, with
  the reason "gave up", work already sent BACKGROUND_MAX_ATTEMPTS times;
* the page shows the reason and offers "Prøv igen", which sends the work again
  (`work_retry`).

Every task behind it is idempotent, so a copy sent while the first one still runs
makes no difference to the result. The apps register their kinds of work in their
AppConfig.ready (`register_work`); the core never imports them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Failure(models.TextChoices):
    """Why a piece of work failed, in words for the person waiting for it. The technical
    detail (the exception and its traceback) goes to the log."""

    STORAGE = (
        "storage",
        _("Filen kunne ikke gemmes, fordi fillageret ikke svarede eller ikke kan skrives i."),
    )
    DATABASE = "database", _("Databasen svarede ikke, mens arbejdet blev gjort.")
    TIMEOUT = "timeout", _("Arbejdet tog for lang tid og blev stoppet.")
    GAVE_UP = (
        "gave_up",
        _(
            "Arbejdet blev ikke færdigt efter flere forsøg: "
            "serveren, der gjorde det, stoppede undervejs."
        ),
    )
    ERROR = "error", _("Der skete en uventet fejl i systemet.")


class BackgroundWork(models.Model):
    """The fields every row of background work carries besides its own status."""

    attempts = models.PositiveSmallIntegerField(default=1)
    # When the work was last sent to a worker, or last started by one.
    queued_at = models.DateTimeField(default=timezone.now)
    failure = models.CharField(max_length=16, choices=Failure.choices, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class WorkKind:
    """One kind of background work: how to find it pending, mark it failed, start it
    again and send its task (called after the commit)."""

    name: str
    model: type[models.Model]
    pending: dict  # lookups of a row still waiting for its task
    failed: dict  # the update that marks a row failed
    restart: dict  # the update that makes a failed row pending again
    send: Callable  # (row) -> None: queues the row's task
    extra: dict = field(default_factory=dict)


WORK_KINDS: dict[str, WorkKind] = {}


def register_work(kind: WorkKind) -> None:
    WORK_KINDS[kind.name] = kind


def failure_for(error: BaseException) -> str:
    from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded

    if isinstance(error, SoftTimeLimitExceeded | TimeLimitExceeded):
        return Failure.TIMEOUT
    if isinstance(error, DatabaseError):
        return Failure.DATABASE
    if isinstance(error, OSError):
        return Failure.STORAGE
    return Failure.ERROR


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def work_fail(*, kind: WorkKind, pk: int, failure: str, detail: str = "") -> bool:
    """Marks the row failed if it is still pending (work finished meanwhile stays done)."""
    update = {**kind.failed, "failure": failure}
    names = _fields(kind.model)
    if "error" in names:
        update["error"] = detail[:300]
    if "finished_at" in names:
        update["finished_at"] = timezone.now()
    return bool(kind.model._default_manager.filter(pk=pk, **kind.pending).update(**update))


def work_failed(*, kind: WorkKind, pk: int, error: BaseException) -> bool:
    """A task's failure: logged with its traceback, stored on the row with its reason."""
    logger.exception("%s %s failed", kind.name, pk, exc_info=error)
    return work_fail(
        kind=kind, pk=pk, failure=failure_for(error), detail=f"{type(error).__name__}: {error}"
    )


def work_started(*, kind: WorkKind, pk: int) -> None:
    """A worker took the task: the sweeper counts its patience from now."""
    kind.model._default_manager.filter(pk=pk, **kind.pending).update(queued_at=timezone.now())


def _send_after_commit(kind: WorkKind, pk: int) -> None:
    # Read now, inside the kommune's scope; the callback runs after the commit, outside.
    row = kind.model._default_manager.get(pk=pk)
    transaction.on_commit(lambda: kind.send(row))


def work_retry(*, kind: WorkKind, row) -> bool:
    """The person's "Prøv igen": a failed row is pending again and its task is sent."""
    restarted = kind.model._default_manager.filter(pk=row.pk, failure__gt="").update(
        **kind.restart, failure="", attempts=1, queued_at=timezone.now()
    )
    if restarted:
        _send_after_commit(kind, row.pk)
    return bool(restarted)


def work_sweep(*, stale_after: datetime.timedelta | None = None) -> dict[str, int]:
    """Sends again the work of the current kommune's scope that has been pending too
    long, and marks failed what has been sent too often. Returns counts for the log."""
    if stale_after is None:
        stale_after = datetime.timedelta(minutes=settings.BACKGROUND_STALE_MINUTES)
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for kind in WORK_KINDS.values():
        stale = kind.model._default_manager.filter(**kind.pending, queued_at__lte=now - stale_after)
        for pk, attempts, queued_at in stale.values_list("pk", "attempts", "queued_at"):
            if attempts >= settings.BACKGROUND_MAX_ATTEMPTS:
                if work_fail(kind=kind, pk=pk, failure=Failure.GAVE_UP, detail="gave up"):
                    logger.warning("%s %s gave up after %s attempts", kind.name, pk, attempts)
                    counts["failed"] += 1
                continue
            # Only if no one else (a worker starting it, another sweep) touched it since.
            sent = kind.model._default_manager.filter(
                pk=pk, **kind.pending, queued_at=queued_at
            ).update(attempts=attempts + 1, queued_at=now)
            if sent:
                logger.warning("%s %s pending since %s: sent again", kind.name, pk, queued_at)
                _send_after_commit(kind, pk)
                counts["requeued"] += 1
    return counts
