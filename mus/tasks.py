"""Celery entry points of the MUS app: load by id, call a service."""

from __future__ import annotations

from kompetence.celery import app
from kompetence.models import Kommune
from kompetence.tasks import KommuneTask, WorkTask, each_kommune
from mus.pdf import pdf_render
from mus.reminders import follow_up_reminders_send


# A render that hangs is stopped rather than holding a worker (and the PDFs queued
# behind it) for good; the sweeper sends it again, and gives up after a few tries.
@app.task(
    base=WorkTask,
    bind=True,
    name="mus.render_plan_pdf",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
    work="plan_pdf",
)
def render_plan_pdf(self, kommune: Kommune, pdf_id: int) -> str:
    return pdf_render(pdf_id=pdf_id).status


@app.task(name="mus.send_follow_up_reminders_all")
def send_follow_up_reminders_all() -> int:
    """Celery beat's daily entry point: one follow-up reminder run per kommune."""
    return each_kommune(send_follow_up_reminders)


@app.task(base=KommuneTask, bind=True, name="mus.send_follow_up_reminders", acks_late=True)
def send_follow_up_reminders(self, kommune: Kommune) -> int:
    return follow_up_reminders_send(kommune=kommune)
