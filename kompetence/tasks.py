"""The base for every task that works on one kommune's data."""

from __future__ import annotations

from celery.contrib.django.task import DjangoTask

from kompetence.celery import app
from kompetence.models import Kommune
from kompetence.tenancy import kommune_scope


class KommuneTask(DjangoTask):
    """Takes `kommune_id` as its first argument, loads the kommune and runs the task
    body inside its scope, as a request would. The body receives the Kommune object."""

    abstract = True

    def __call__(self, kommune_id: int, *args, **kwargs):
        kommune = Kommune.objects.get(pk=kommune_id)
        with kommune_scope(kommune):
            return super().__call__(kommune, *args, **kwargs)


@app.task(base=KommuneTask, bind=True, name="kompetence.count_people")
def count_people(self, kommune: Kommune) -> int:
    """How many active people the kommune has: a small task the health page and the
    real-worker test use to prove that a worker runs tasks inside the right scope."""
    from kompetence.models import Person

    return Person.objects.filter(kommune=kommune, is_active=True).count()


@app.task(
    base=KommuneTask,
    bind=True,
    name="kompetence.import_check",
    acks_late=True,
    reject_on_worker_lost=True,
)
def import_check(self, kommune: Kommune, job_id: int) -> str:
    """The dry run of an uploaded file. Writes only the job's result: safe to repeat."""
    from kompetence import imports
    from kompetence.models import ImportJob

    job = ImportJob.objects.get(pk=job_id)
    try:
        return imports.import_check(job=job).status
    except Exception as error:
        imports.import_fail(job_id=job_id, error=error)
        raise


@app.task(
    base=KommuneTask,
    bind=True,
    name="kompetence.import_apply",
    acks_late=True,
    reject_on_worker_lost=True,
)
def import_apply(self, kommune: Kommune, job_id: int) -> str:
    """Applies a checked file all or nothing; a redelivered task finds it done."""
    from kompetence import imports

    try:
        return imports.import_apply(job_id=job_id).status
    except Exception as error:
        imports.import_fail(job_id=job_id, error=error)
        raise
