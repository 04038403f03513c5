"""On PostgreSQL with a real Celery worker process, signing produces the stored PDF."""

from __future__ import annotations

import time

import pytest

from kompetence.tenancy import kommune_scope
from mus.models import PlanPdf
from tests.mus.factories import build_plan, sign, version_of
from tests.mus.test_mus import PASSWORD, pdf_text
from tests.profiles.factories import build_framework, open_round
from tests.workers import celery_worker

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
