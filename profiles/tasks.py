"""Celery entry points of the profiles: load by id, call a service."""

from __future__ import annotations

from kompetence.celery import app
from kompetence.models import Kommune
from kompetence.tasks import WorkTask
from profiles.models import EvaluationRound
from profiles.rounds import round_populate


@app.task(
    base=WorkTask,
    bind=True,
    name="profiles.populate_round",
    acks_late=True,
    reject_on_worker_lost=True,
    work="round_opening",
)
def populate_round(self, kommune: Kommune, round_id: int) -> str:
    return round_populate(round_=EvaluationRound.objects.get(pk=round_id)).status
