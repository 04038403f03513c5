"""Files in from other systems: the dry run → apply flow every import shares.

An importer (the organisation here, the catalogue in `catalogue/`) says which columns
it reads and, for a table, what would change (`plan`) and how to write it (`apply`).
This module does the rest, the same for every kind: the file is stored, a Celery task
reads it and makes the plan without writing anything (the dry run), HR sees what
would be created, changed and deactivated and every problem by line and column, and
a second task applies it, all or nothing: it reads the file again and re-makes the
plan inside the transaction, so what is written is checked against the database as it
is at that moment, not as it was at the dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from kompetence.infra.background import WorkKind, work_retry
from kompetence.infra.tabular import Column, LimitError, Problem, Table, TableError, read_table
from kompetence.models import AuditEntry, ImportJob, Kommune, Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EXAMPLES_PER_CHANGE = 50  # lines of detail per kind of change on the dry-run page
RECENT_JOBS = 10  # on an importer's page

Progress = Callable[[int], None]  # percent done, 0–100


@dataclass
class Plan:
    """What an import would do (or did): changes counted by kind, with examples, or
    the problems that stop it. `work` is the importer's own data for `apply`; `actor`
    is who runs it (the job's uploader), for rows that record who entered them."""

    labels: Mapping[str, StrOrPromise]  # change kind → label, in display order
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    work: Any = None
    # Kinds listed for HR's information that change nothing ("findes allerede"): shown
    # with their examples, but not in the total, so the same file twice is "0 ændringer".
    unchanged: frozenset[str] = frozenset()
    actor: Person | None = None

    def add(self, kind: str, text: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        examples = self.examples.setdefault(kind, [])
        if len(examples) < EXAMPLES_PER_CHANGE:
            examples.append(text)

    def problem(self, message: str, line: int | None = None, column: str | None = None):
        self.problems.append(Problem(message, line, column))

    @property
    def total(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind not in self.unchanged)

    def as_dict(self) -> dict:
        return {
            "problems": [p.as_dict() for p in self.problems],
            "changes": [
                {
                    "kind": kind,
                    "label": str(label),
                    "change": kind not in self.unchanged,
                    "count": self.counts.get(kind, 0),
                    "examples": self.examples.get(kind, []),
                }
                for kind, label in self.labels.items()
            ],
            "total": self.total,
        }


class Importer(Protocol):
    # Read-only members: an importer may define them as class attributes or properties.
    @property
    def kind(self) -> str: ...  # also the URL slug
    @property
    def title(self) -> StrOrPromise: ...
    @property
    def description(self) -> StrOrPromise: ...
    @property
    def columns(self) -> list[Column]: ...
    @property
    def template_name(self) -> str: ...  # the page's extra documentation, or ""

    def allowed(self, person: Person) -> bool: ...

    def option_fields(self) -> dict:
        """Extra form fields for the upload form (name → field)."""

    def describe_options(self, options: dict) -> str:
        """One sentence on the chosen options, for the job's page."""

    def plan(self, *, kommune: Kommune, table: Table, options: dict, progress: Progress) -> Plan:
        """What would change; never writes."""

    def apply(self, *, kommune: Kommune, plan: Plan, progress: Progress) -> None:
        """Writes `plan` (which has no problems); runs inside the import's transaction."""


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


def importer_for(kind: str) -> Importer | None:
    return IMPORTERS.get(kind)


# --- Progress, shown on the page while a task runs --------------------------------------


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_of(job: ImportJob) -> int | None:
    return cache.get(_progress_key(job.pk)) if job.is_busy else None


def _reporter(job_id: int) -> Progress:
    last = [-1]

    def report(percent: int) -> None:
        # The cache, not the job row: during the apply the row is inside the
        # import's transaction, where no one else can see it change.
        if percent != last[0]:
            last[0] = percent
            cache.set(_progress_key(job_id), percent, 6 * 3600)

    return report


# --- The flow ------------------------------------------------------------------------


@transaction.atomic
def import_start(
    *, kommune: Kommune, importer: Importer, created_by: Person | None, upload, options: dict
) -> ImportJob:
    """Stores the uploaded file and sends it to be checked (the dry run)."""
    job = ImportJob(
        kommune=kommune,
        kind=importer.kind,
        created_by=created_by,
        filename=upload.name[:255],
        options=options,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    transaction.on_commit(partial(_send_job, job))
    return job


def recent_jobs(*, kommune: Kommune, importer: Importer) -> QuerySet[ImportJob]:
    """The kommune's latest jobs of the importer's kind, newest first, for its page."""
    return ImportJob.objects.filter(kommune=kommune, kind=importer.kind).select_related(
        "created_by"
    )[:RECENT_JOBS]


def _read(job: ImportJob, importer: Importer) -> Table:
    with job.file.open("rb") as stored:
        data = stored.read()
    return read_table(data, importer.columns)


def plan_table(
    *,
    kommune: Kommune,
    importer: Importer,
    data: bytes,
    options: dict,
    progress: Progress = lambda percent: None,
) -> Plan:
    """The dry run of a file's bytes (also what `manage.py import_org` prints)."""
    try:
        table = read_table(data, importer.columns)
    except TableError as error:
        return Plan(labels=_labels(importer), problems=error.problems)
    return _plan(importer, kommune, table, options, progress)


def _plan(importer: Importer, kommune: Kommune, table: Table, options: dict, progress) -> Plan:
    plan = importer.plan(kommune=kommune, table=table, options=options, progress=progress)
    plan.problems[:0] = table.problems
    return plan


@transaction.atomic
def import_run(
    *,
    kommune: Kommune,
    importer: Importer,
    data: bytes,
    options: dict,
    progress: Progress = lambda percent: None,
    actor: Person | None = None,
) -> Plan:
    """Plans and applies a file at once, all or nothing, without a job: for the command
    line (`manage.py import_org`) and the benchmark. A plan with problems writes nothing."""
    plan = plan_table(kommune=kommune, importer=importer, data=data, options=options)
    plan.actor = actor
    if not plan.problems:
        importer.apply(kommune=kommune, plan=plan, progress=progress)
    return plan


def _labels(importer: Importer) -> dict[str, StrOrPromise]:
    return dict(getattr(importer, "labels", {}))


def import_check(*, job: ImportJob) -> ImportJob:
    """The dry run: reads the file and stores what would change. Writes nothing else.
    A copy of the task sent again (by the sweeper) finds the check done and stops."""
    if job.status != ImportJob.Status.CHECKING:
        return job
    importer = IMPORTERS[job.kind]
    progress = _reporter(job.pk)
    update_fields = ["result", "status"]
    try:
        table = _read(job, importer)
    except TableError as error:
        plan = Plan(labels=_labels(importer), problems=error.problems)
        if isinstance(error, LimitError):
            # Over a limit: the job keeps the message naming it, not the file.
            job.file.delete(save=False)
            job.file.name = ""
            update_fields.append("file")
    else:
        plan = _plan(importer, job.kommune, table, job.options, progress)
    job.result = plan.as_dict()
    job.status = ImportJob.Status.REFUSED if plan.problems else ImportJob.Status.CHECKED
    job.save(update_fields=update_fields)
    return job


@transaction.atomic
def import_apply_request(*, job: ImportJob) -> ImportJob:
    """HR has read the dry run and says go: the apply task is sent."""
    if job.status != ImportJob.Status.CHECKED:
        return job
    job.status = ImportJob.Status.APPLYING
    job.attempts, job.queued_at = 1, timezone.now()
    job.save(update_fields=["status", "attempts", "queued_at"])
    transaction.on_commit(partial(_send_job, job))
    return job


class _Refused(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan


def import_apply(*, job_id: int) -> ImportJob:
    """Applies the file all or nothing. Safe to run twice (a redelivered task): the job
    row is locked first, and a job that is no longer waiting to be applied is left."""
    progress = _reporter(job_id)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.APPLYING:
                return job
            importer = IMPORTERS[job.kind]
            try:
                table = _read(job, importer)
            except TableError as error:
                raise _Refused(Plan(labels=_labels(importer), problems=error.problems)) from None
            plan = _plan(
                importer, job.kommune, table, job.options, lambda percent: progress(percent // 2)
            )
            if plan.problems:
                raise _Refused(plan)
            plan.actor = job.created_by
            importer.apply(kommune=job.kommune, plan=plan, progress=lambda p: progress(50 + p // 2))
            job.result = plan.as_dict()
            job.status = ImportJob.Status.APPLIED
            job.applied_at = timezone.now()
            job.save(update_fields=["result", "status", "applied_at"])
            AuditEntry.objects.create(
                kommune=job.kommune,
                actor=job.created_by,
                action=AuditEntry.Action.CHANGE,
                object_type=ImportJob._meta.label,
                object_id=str(job.pk),
                summary=f"{importer.title}: {job.filename} ({summary_text(job.result)})"[:300],
            )
            return job
    except _Refused as refused:
        # The database changed since the dry run (or the file did): nothing was written.
        job = ImportJob.objects.get(pk=job_id)
        job.result = refused.plan.as_dict()
        job.status = ImportJob.Status.REFUSED
        job.save(update_fields=["result", "status"])
        return job


def _send_job(job: ImportJob) -> None:
    """Queues the task the job waits for: the dry run, or the apply once HR said go."""
    # The tasks import this module at their top; this side imports them only here.
    from kompetence import tasks

    task = tasks.import_apply if job.status == ImportJob.Status.APPLYING else tasks.import_check
    task.delay(job.kommune_id, job.pk)


# A failed import starts again from the dry run: HR reads it before applying again.
IMPORT_WORK = WorkKind(
    name="import",
    model=ImportJob,
    pending={"status__in": [ImportJob.Status.CHECKING, ImportJob.Status.APPLYING]},
    failed={"status": ImportJob.Status.FAILED},
    restart={"status": ImportJob.Status.CHECKING, "result": {}},
    send=_send_job,
)


@transaction.atomic
def import_retry(*, job: ImportJob) -> bool:
    return work_retry(kind=IMPORT_WORK, row=job)


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def summary_text(result: dict) -> str:
    """ "3 ændringer" / "0 ændringer": the line the page and the command print first."""
    total = result.get("total", 0)
    return ngettext("%(count)s ændring", "%(count)s ændringer", total) % {"count": total}
