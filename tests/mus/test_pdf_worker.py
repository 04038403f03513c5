"""On PostgreSQL with a real Celery worker process, signing produces the stored PDF, and
a PDF whose worker died or whose task was lost is finished after a sweep."""

from __future__ import annotations

import datetime
import time

import psycopg
import pytest

from kompetence.infra import background
from kompetence.infra.tenancy import kommune_scope
from mus import content, selectors, services
from mus.models import PlanPdf, Signature
from mus.tasks import render_plan_pdf
from tests.mus.factories import build_plan, sign, version_of
from tests.mus.test_mus import PASSWORD, pdf_text
from tests.profiles.factories import build_framework, open_round
from tests.workers import WorkerProcess, celery_worker, database_url_of_test_db

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_signing_makes_a_real_worker_store_the_pdf(org_a, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    plan = build_plan(org_a)
    version = version_of(plan)
    with celery_worker(tmp_path) as worker:
        with kommune_scope(org_a.kommune):
            sign(version, org_a.employee, PASSWORD)
            sign(version, org_a.leader, PASSWORD)
        deadline = time.monotonic() + 90
        with kommune_scope(org_a.kommune):
            while time.monotonic() < deadline:
                pdf = PlanPdf.objects.get(version=version)
                if pdf.status != PlanPdf.Status.PENDING:
                    break
                time.sleep(0.3)
        assert pdf.status == PlanPdf.Status.READY, worker.log()
        assert "mus.render_plan_pdf[" in worker.log()
    text = pdf_text(pdf.file.read(), tmp_path)
    assert org_a.employee.name in text and org_a.leader.name in text


def _wait_until_ready(org, pdf, worker, timeout: float = 90) -> PlanPdf:
    deadline = time.monotonic() + timeout
    with kommune_scope(org.kommune):
        while time.monotonic() < deadline:
            pdf.refresh_from_db()
            if pdf.status != PlanPdf.Status.PENDING:
                break
            time.sleep(0.3)
    assert pdf.status == PlanPdf.Status.READY, worker.log()
    return pdf


def _sweep_now(org) -> dict:
    """The beat job's sweep for one kommune, as if its patience had run out."""
    with kommune_scope(org.kommune):
        return background.work_sweep(stale_after=datetime.timedelta(0))


def test_a_pdf_whose_worker_was_killed_is_finished_by_a_fresh_one_after_a_sweep(
    org_a, tmp_path, settings
):
    """The broker keeps the killed worker's task unacknowledged for the one-hour
    visibility timeout; the sweeper does not wait for it."""
    from kompetence.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    version = version_of(build_plan(org_a))
    with kommune_scope(org_a.kommune):
        pdf = PlanPdf.objects.create(kommune=org_a.kommune, version=version)
    queue = f"pdf-kill-{tmp_path.name}"
    env = {"MEDIA_ROOT": settings.MEDIA_ROOT}
    first = WorkerProcess(queue, tmp_path / "first.log", env=env).start()
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    second = None
    lock = psycopg.connect(database_url_of_test_db())
    watch = psycopg.connect(database_url_of_test_db(), autocommit=True)
    try:
        first.wait_until_ready()
        # Hold the PDF's row: the task starts, then waits on it; there we kill it.
        lock.execute("SELECT id FROM mus_planpdf WHERE id = %s FOR UPDATE", [pdf.pk])
        render_plan_pdf.delay(org_a.kommune.pk, pdf.pk)
        backend = None
        deadline = time.monotonic() + 60
        while backend is None and time.monotonic() < deadline:
            row = watch.execute(
                # Only this test's database: in a parallel run another test's worker
                # may be waiting on the same table in its own database.
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() "
                "AND query LIKE 'UPDATE \"mus_planpdf\"%%'"
            ).fetchone()
            backend = row[0] if row else None
            time.sleep(0.2)
        assert backend is not None, first.log()
        first.kill()
        watch.execute("SELECT pg_terminate_backend(%s)", [backend])
        lock.rollback()
        with kommune_scope(org_a.kommune):
            pdf.refresh_from_db()
        assert pdf.status == PlanPdf.Status.PENDING

        second = WorkerProcess(queue, tmp_path / "second.log", env=env).start()
        second.wait_until_ready()
        swept = _sweep_now(org_a)
        with kommune_scope(org_a.kommune):
            pdf.refresh_from_db()
        assert swept == {"requeued": 1, "failed": 0}, (pdf.status, first.log(), second.log())
        pdf = _wait_until_ready(org_a, pdf, second)
    finally:
        app.conf.task_default_queue = previous_queue
        lock.close()
        watch.close()
        first.stop()
        if second is not None:
            second.stop()
    assert pdf.attempts == 2
    assert "mus.render_plan_pdf[" in second.log()


def test_the_next_versions_pdf_is_made_while_an_earlier_one_is_stuck(org_a, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    plan = build_plan(org_a)
    first_version = version_of(plan)
    with celery_worker(tmp_path) as worker:
        with kommune_scope(org_a.kommune):
            # Version 1 signed, its PDF pending with its task lost (Redis restarted).
            for signer in (org_a.employee, org_a.leader):
                Signature.objects.create(
                    kommune=org_a.kommune,
                    version=first_version,
                    signer=signer,
                    role="employee" if signer == org_a.employee else "leader",
                    content_hash=content.content_hash(first_version),
                )
            stuck = PlanPdf.objects.create(kommune=org_a.kommune, version=first_version)
            services.plan_texts_update(
                version=first_version,
                revision=first_version.revision,
                leader_support="Tid til kurset i foråret",
                other_agreements="",
                follow_up_date=None,
            )
            second_version = selectors.current_version(plan)
            assert second_version.number == 2
            sign(second_version, org_a.employee, PASSWORD)
            sign(second_version, org_a.leader, PASSWORD)
            newer = PlanPdf.objects.get(version=second_version)
        _wait_until_ready(org_a, newer, worker)
        with kommune_scope(org_a.kommune):
            stuck.refresh_from_db()
        assert stuck.status == PlanPdf.Status.PENDING
        assert _sweep_now(org_a) == {"requeued": 1, "failed": 0}
        _wait_until_ready(org_a, stuck, worker)
