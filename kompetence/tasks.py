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
