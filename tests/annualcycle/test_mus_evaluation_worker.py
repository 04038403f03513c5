"""On PostgreSQL with a real Celery worker process, the demo's MED member orders the MUS
evaluation for their committee's centre, and it is built, k-anonymous, and stored."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command

from annualcycle.models import MusEvaluationReport
from annualcycle.reports import mus_evaluation
from annualcycle.reports import services as reports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, Person
from tests.annualcycle.test_mus_evaluation import HIDDEN, SHEETS
from tests.workers import celery_worker

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_demo_med_members_evaluation(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with celery_worker(tmp_path) as worker:
        call_command("seed_demo", stdout=io.StringIO())
        kommune = Kommune.objects.get(slug="fredericia")
        with kommune_scope(kommune):
            med = Person.objects.get(user__username="med")
            committee = mus_evaluation.committees_of(med).get()
            start, end = mus_evaluation.default_period()
            report = reports.mus_evaluation_request(
                kommune=kommune,
                requested_by=med,
                unit=committee.unit,
                period_start=start,
                period_end=end,
            )
        deadline = time.monotonic() + 180
        with kommune_scope(kommune):
            while time.monotonic() < deadline:
                report.refresh_from_db()
                if report.status != MusEvaluationReport.Status.PENDING:
                    break
                time.sleep(0.5)
        assert report.status == MusEvaluationReport.Status.READY, worker.log()
        assert "annualcycle.build_mus_evaluation[" in worker.log()
    cache.clear()
    # The centre's own total would give away the few people directly in it (the
    # dashboards hide it too), so the summary is the sum of the rows shown.
    assert report.people is None or report.people >= kommune.med_min_group_size
    book = openpyxl.load_workbook(report.xlsx.path)
    assert book.sheetnames == SHEETS
    summary = {row[0]: row[1] for row in book["Oversigt"].iter_rows(values_only=True) if row[0]}
    # The demo leader's team held two MUS with plans both signed, in this årshjul year.
    assert "Personer" in summary and summary["Personer"] != HIDDEN
    assert summary["MUS"] >= 2 and summary["Planer underskrevet"] >= 2
    units = list(book["Pr. enhed"].iter_rows(values_only=True))[1:]
    assert units and all(row[2] == HIDDEN or row[2] > 0 for row in units)
    assert report.pdf.read().startswith(b"%PDF")
