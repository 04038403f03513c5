"""On PostgreSQL with a real Celery worker process, the gap report for the demo
kommune is built and stored."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command

from annualcycle.models import GapReport
from annualcycle.reports import selectors as report_selectors
from annualcycle.reports import services as reports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, OrgUnit, Person
from tests.annualcycle.test_reports import SHEETS
from tests.workers import celery_worker

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_gap_report_for_the_demo_kommune(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with celery_worker(tmp_path) as worker:
        # Inside the worker's lifetime: the demo's own tasks (plan PDFs) go to this
        # test's queue, not to a queue no one empties.
        call_command("seed_demo", stdout=io.StringIO())
        kommune = Kommune.objects.get(slug="fredericia")
        with kommune_scope(kommune):
            hr = Person.objects.get(user__username="hr")
            root = OrgUnit.objects.filter(parent=None).order_by("pk").first()
            expected_people = report_selectors.scope_people(unit=root).count()
            report = reports.gap_report_request(kommune=kommune, requested_by=hr, unit=root)
        deadline = time.monotonic() + 180
        with kommune_scope(kommune):
            while time.monotonic() < deadline:
                report.refresh_from_db()
                if report.status != GapReport.Status.PENDING:
                    break
                time.sleep(0.5)
        assert report.status == GapReport.Status.READY, worker.log()
        assert "annualcycle.build_gap_report[" in worker.log()
    cache.clear()
    assert report.people == expected_people > 100
    book = openpyxl.load_workbook(report.xlsx.path)
    assert book.sheetnames == SHEETS
    summary = {row[0]: row[1] for row in book["Oversigt"].iter_rows(values_only=True) if row[0]}
    assert summary["Personer i rapporten"] == expected_people
    assert summary["Personer med vurderinger"] > 0
    assert len(list(book["Pr. enhed"].iter_rows())) > 5
    assert len(list(book["Pr. kompetence"].iter_rows())) > 5
    assert len(list(book["Udviklingsplaner"].iter_rows())) > 1
    assert report.pdf.read().startswith(b"%PDF")
