"""Tasks run inside the scope of the kommune they are given."""

from __future__ import annotations

import pytest
from django.conf import settings

from kompetence.tasks import count_people
from tests.workers import celery_worker


@pytest.mark.django_db
def test_a_task_counts_only_its_own_kommune(org_a, org_b):
    with org_a.scope():
        from kompetence import services

        services.person_deactivate(person=org_a.colleague)
    assert count_people.apply(args=[org_a.kommune.pk]).get() == 6
    assert count_people.apply(args=[org_b.kommune.pk]).get() == 7


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_a_task_against_postgresql(org_a, org_b, tmp_path):
    assert settings.REDIS_URL, "make test-pg sets REDIS_URL"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with celery_worker(tmp_path) as worker:
        result = count_people.apply_async(args=[org_a.kommune.pk], queue=worker.queue)
        assert result.get(timeout=60) == 7, worker.log()
