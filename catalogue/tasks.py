"""Celery entry points of the catalogue: load by id, call a service.

Imports run one way, as in `annualcycle.tasks`: this module imports the code its tasks
run, at the top. The one exception is `catalogue.training.reminders`, whose daily run (a
task here) queues a task here for each reminder: it imports the task inside the
function that queues it."""

from __future__ import annotations

from catalogue.training.reminders import reminder_deliver, reminders_requeue, reminders_send
from kompetence.celery import app
from kompetence.models import Kommune
from kompetence.tasks import MAIL_RETRY, KommuneMailTask, KommuneTask, each_kommune


@app.task(name="catalogue.send_training_reminders_all")
def send_training_reminders_all() -> int:
    """Celery beat's daily entry point: one expiry reminder run per kommune."""
    return each_kommune(send_training_reminders)


@app.task(base=KommuneTask, bind=True, name="catalogue.send_training_reminders", acks_late=True)
def send_training_reminders(self, kommune: Kommune) -> int:
    return reminders_send(kommune=kommune)


@app.task(base=KommuneMailTask, bind=True, name="catalogue.send_training_reminder", **MAIL_RETRY)
def send_training_reminder(self, kommune: Kommune, reminder_id: int) -> bool:
    """One claimed expiry reminder to the mail server; retried through an outage, never
    sent twice (catalogue.training.reminders)."""
    return reminder_deliver(kommune=kommune, reminder_id=reminder_id)


@app.task(name="catalogue.requeue_training_reminders_all")
def requeue_training_reminders_all() -> int:
    """Celery beat, every ten minutes: in each kommune, expiry reminders claimed but not
    sent whose task was lost are queued again."""
    return each_kommune(requeue_training_reminders)


@app.task(base=KommuneTask, bind=True, name="catalogue.requeue_training_reminders", acks_late=True)
def requeue_training_reminders(self, kommune: Kommune) -> int:
    return reminders_requeue()
