"""A worker killed (SIGKILL) in the middle of a gap report task: the broker delivers the
task again to another worker (late acknowledgement, re-delivery after the visibility
timeout), and the report is produced exactly once — one spreadsheet and one PDF."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from annualcycle.models import GapReport
from annualcycle.tasks import build_gap_report
from tests.workers import WorkerProcess, database_url_of_test_db

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def test_a_report_task_survives_its_worker_being_killed_mid_task(org_a, tmp_path, settings):
    from kompetence.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    queue = f"kill-{tmp_path.name}"
    env = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_RESTORE_INTERVAL": "1",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    first = WorkerProcess(queue, tmp_path / "first.log", env=env).start()
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    second = None
    lock = psycopg.connect(database_url_of_test_db())
    # A second connection to watch: statistics views stay the same within a transaction.
    watch = psycopg.connect(database_url_of_test_db(), autocommit=True)
    try:
        first.wait_until_ready()
        with org_a.scope():
            report = GapReport.objects.create(
                kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.root
            )
        # Hold the report's row: the task builds its files, then waits on this lock to
        # mark the report ready — the middle of the task, where we kill it.
        lock.execute("SELECT id FROM annualcycle_gapreport WHERE id = %s FOR UPDATE", [report.pk])
        build_gap_report.delay(org_a.kommune.pk, report.pk)

        def waiting_backend():
            row = watch.execute(
                # Only this test's database, not another parallel test's.
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() "
                "AND query LIKE 'UPDATE \"annualcycle_gapreport\"%%'"
            ).fetchone()
            return row[0] if row else None

        backend = wait_for(waiting_backend, 60, lambda: f"the task's last step:\n{first.log()}")
        first.kill()
        # PostgreSQL notices a dead client only when it next talks to it; end the killed
        # worker's statement as the server would, then let go of the row.
        watch.execute("SELECT pg_terminate_backend(%s)", [backend])
        lock.rollback()
        with org_a.scope():
            report.refresh_from_db()
        assert report.status == GapReport.Status.PENDING  # the task did not finish

        second = WorkerProcess(queue, tmp_path / "second.log", env=env).start()
        second.wait_until_ready()

        def built():
            with org_a.scope():
                report.refresh_from_db()
            return report.status == GapReport.Status.READY

        wait_for(built, 90, "the report to be built by the second worker")
    finally:
        app.conf.task_default_queue = previous_queue
        lock.close()
        watch.close()
        first.stop()
        if second is not None:
            second.stop()

    assert "annualcycle.build_gap_report[" in first.log()
    assert "annualcycle.build_gap_report[" in second.log(), second.log()
    files = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert files == [f"gap-report-{report.pk}.pdf", f"gap-report-{report.pk}.xlsx"]
    assert report.people > 0
