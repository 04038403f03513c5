"""Celery entry points of the annual cycle: load by id, call a service.

Imports run one way: this module imports the code its tasks run, at the top; the
services that queue a task import it from here (`annualcycle.reports.services`), and
what this module imports never imports it back at module level. The one exception is
`annualcycle.cycle.reminders`, whose daily run (a task here) queues a task here for
each reminder: it imports the task inside the function that queues it."""

from __future__ import annotations

from django.utils import timezone

from annualcycle.cycle.reminders import reminder_deliver, reminders_requeue, reminders_send
from annualcycle.reports.build import gap_report_build, mus_evaluation_build
from annualcycle.retention.services import retention_apply
from kompetence.celery import app
from kompetence.infra.figures import positions_turning
from kompetence.models import Kommune
from kompetence.tasks import MAIL_RETRY, KommuneMailTask, KommuneTask, WorkTask, each_kommune


@app.task(name="annualcycle.send_reminders_all")
def send_reminders_all() -> int:
    """Celery beat's daily entry point: one reminder task per kommune."""
    return each_kommune(send_reminders)


@app.task(base=KommuneTask, bind=True, name="annualcycle.send_reminders", acks_late=True)
def send_reminders(self, kommune: Kommune) -> int:
    return reminders_send(kommune=kommune)


@app.task(base=KommuneMailTask, bind=True, name="annualcycle.send_reminder", **MAIL_RETRY)
def send_reminder(self, kommune: Kommune, reminder_id: int) -> bool:
    """One claimed reminder to the mail server; retried through an outage, never sent
    twice (annualcycle.cycle.reminders)."""
    return reminder_deliver(kommune=kommune, reminder_id=reminder_id)


@app.task(name="annualcycle.requeue_reminders_all")
def requeue_reminders_all() -> int:
    """Celery beat, every ten minutes: in each kommune, reminders claimed but not sent
    whose task was lost are queued again."""
    return each_kommune(requeue_reminders)


@app.task(base=KommuneTask, bind=True, name="annualcycle.requeue_reminders", acks_late=True)
def requeue_reminders(self, kommune: Kommune) -> int:
    return reminders_requeue()


@app.task(
    base=WorkTask,
    bind=True,
    name="annualcycle.build_gap_report",
    acks_late=True,
    reject_on_worker_lost=True,
    work="gap_report",
)
def build_gap_report(self, kommune: Kommune, report_id: int) -> str:
    return gap_report_build(report_id=report_id).status


@app.task(
    base=WorkTask,
    bind=True,
    name="annualcycle.build_mus_evaluation",
    acks_late=True,
    reject_on_worker_lost=True,
    work="mus_evaluation",
)
def build_mus_evaluation(self, kommune: Kommune, report_id: int) -> str:
    return mus_evaluation_build(report_id=report_id).status


@app.task(name="annualcycle.figures_for_today_all")
def figures_for_today_all() -> int:
    """Celery beat, just after midnight: positions that start or end today change the
    dashboards' people counts without any write; mark their units in every kommune."""
    return each_kommune(figures_for_today)


@app.task(base=KommuneTask, bind=True, name="annualcycle.figures_for_today", acks_late=True)
def figures_for_today(self, kommune: Kommune) -> None:
    positions_turning(timezone.localdate())


@app.task(name="annualcycle.apply_retention_all")
def apply_retention_all() -> int:
    """Celery beat's nightly entry point: one retention run per kommune that has one."""
    return each_kommune(apply_retention, retention_active=True)


@app.task(base=KommuneTask, bind=True, name="annualcycle.apply_retention", acks_late=True)
def apply_retention(self, kommune: Kommune) -> int:
    return len(retention_apply(kommune=kommune).people)
