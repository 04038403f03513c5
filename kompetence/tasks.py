"""The base for every task that works on one kommune's data."""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry

from kompetence.audit_retention import audit_purge
from kompetence.celery import app
from kompetence.infra import background, imports
from kompetence.infra.mail import Message, message_send
from kompetence.infra.runner import BackgroundTask
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import ImportJob, Kommune, Person


class KommuneTask(BackgroundTask):
    """Takes `kommune_id` as its first argument, loads the kommune and runs the task
    body inside its scope, as a request would. The body receives the Kommune object."""

    abstract = True

    def __call__(self, kommune_id: int, *args, **kwargs):
        kommune = Kommune.objects.get(pk=kommune_id)
        with kommune_scope(kommune):
            return super().__call__(kommune, *args, **kwargs)


class WorkTask(KommuneTask):
    """A task that does one row's background work (see `kompetence.infra.background`); its
    second argument is the row's id and `work` names the kind. It tells the row when it
    starts, and a failure after the last retry is logged and stored on the row with its
    reason instead of being raised: the page, not the broker, shows what went wrong."""

    abstract = True
    work: str = ""

    def __call__(self, kommune_id: int, pk: int, *args, **kwargs):
        kind = background.WORK_KINDS[self.work]
        with kommune_scope(Kommune.objects.get(pk=kommune_id)):
            background.work_started(kind=kind, pk=pk)
        try:
            return super().__call__(kommune_id, pk, *args, **kwargs)
        except Retry as retry:
            # In-process (the embedded mode) there is no broker to wait on: the first
            # failure is final, and the person can try again from the page.
            if not self.request.is_eager or not isinstance(retry.exc, BaseException):
                raise
            error: BaseException = retry.exc
        except Exception as caught:
            error = caught
        with kommune_scope(Kommune.objects.get(pk=kommune_id)):
            if not background.work_failed(kind=kind, pk=pk, error=error):
                raise error
        return None


def each_kommune(task, **conditions) -> int:
    """A beat job's fan-out: `task` queued once per active kommune (matching
    `conditions`), each run in its own kommune's scope."""
    kommuner = list(
        Kommune.objects.filter(is_active=True, **conditions).values_list("pk", flat=True)
    )
    for kommune_id in kommuner:
        task.delay(kommune_id)
    return len(kommuner)


@app.task(name="kompetence.sweep_work_all")
def sweep_work_all() -> int:
    """Celery beat, every minute: one sweep of stuck background work per kommune."""
    return each_kommune(sweep_work)


@app.task(base=KommuneTask, bind=True, name="kompetence.sweep_work", acks_late=True)
def sweep_work(self, kommune: Kommune) -> dict[str, int]:
    return background.work_sweep()


@app.task(name="kompetence.resume_work_all")
def resume_work_all() -> int:
    """The embedded mode (no broker), when the web process starts: work its last run
    left pending died with that run's background thread, so it is sent again now."""
    return each_kommune(resume_work)


@app.task(base=KommuneTask, bind=True, name="kompetence.resume_work")
def resume_work(self, kommune: Kommune) -> dict[str, int]:
    return background.work_sweep(stale_after=datetime.timedelta(0))


@app.task(name="kompetence.purge_audit_all")
def purge_audit_all() -> int:
    """Celery beat, every night: each kommune's audit entries older than its retention
    period are deleted (`kompetence.audit_retention`)."""
    return each_kommune(purge_audit)


@app.task(base=KommuneTask, bind=True, name="kompetence.purge_audit", acks_late=True)
def purge_audit(self, kommune: Kommune) -> int:
    return audit_purge(kommune=kommune)


def _retry_or_raise(task: DjangoTask, exc: BaseException | None) -> None:
    """Tasks that talk to the mail server: in the embedded mode the task runs in-process,
    in the request: one try and no waiting, whatever the retry options say (the caller
    logs the failure; a reminder's claim stays pending)."""
    if task.request.is_eager and exc is not None:
        raise exc


class MailTask(BackgroundTask):
    abstract = True

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        _retry_or_raise(self, kwargs.get("exc"))
        return super().retry(*args, **kwargs)


class KommuneMailTask(KommuneTask):
    abstract = True

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        _retry_or_raise(self, kwargs.get("exc"))
        return super().retry(*args, **kwargs)


# How a task that sends e-mail rides out a mail server that is down or refuses: a
# connection refused, a timeout or any SMTP error (all OSError or SMTPException) is
# tried again after 1, 2, 4 … seconds up to 10 minutes between tries (each pause drawn
# at random below that, so a queue of mails does not return at once), 40 times:
# about two and a half hours on average, never less than one hour in practice. The
# longest pause stays far below the broker's visibility timeout (one hour), after which
# Redis would hand a waiting retry to a second worker. acks_late: a worker that dies
# mid-send leaves the message to be delivered again.
MAIL_RETRY: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 40,
}


@app.task(base=MailTask, bind=True, name="kompetence.send_email", **MAIL_RETRY)
def send_email(self, message: Message) -> None:
    """Sends one e-mail rendered by `kompetence.infra.mail` (JSON: subject, body, to,
    attachments and calendar invitation as text). A retry sends the same message again:
    the server refused or never answered the last try."""
    message_send(message)


@app.task(base=KommuneTask, bind=True, name="kompetence.count_people")
def count_people(self, kommune: Kommune) -> int:
    """How many active people the kommune has: a small task the health page and the
    real-worker test use to prove that a worker runs tasks inside the right scope."""
    return Person.objects.filter(kommune=kommune, is_active=True).count()


@app.task(
    base=WorkTask,
    bind=True,
    name="kompetence.import_check",
    acks_late=True,
    reject_on_worker_lost=True,
    work="import",
)
def import_check(self, kommune: Kommune, job_id: int) -> str:
    """The dry run of an uploaded file. Writes only the job's result: safe to repeat."""
    return imports.import_check(job=ImportJob.objects.get(pk=job_id)).status


@app.task(
    base=WorkTask,
    bind=True,
    name="kompetence.import_apply",
    acks_late=True,
    reject_on_worker_lost=True,
    work="import",
)
def import_apply(self, kommune: Kommune, job_id: int) -> str:
    """Applies a checked file all or nothing; a redelivered task finds it done."""
    return imports.import_apply(job_id=job_id).status
