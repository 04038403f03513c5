"""Background work always finishes or says why: a failed task leaves its reason on the
page with "Prøv igen", and the sweeper sends again work whose task was lost, giving up
with a reason after a few tries (kompetence.infra.background)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from annualcycle.models import GapReport
from annualcycle.tasks import build_gap_report
from kompetence.infra import imports
from kompetence.infra.background import Failure
from kompetence.models import ImportJob
from kompetence.tasks import sweep_work_all
from mus.models import PlanPdf
from profiles import services as profile_services
from profiles.models import EvaluationRound
from tests.conftest import client_for
from tests.kompetence.test_org_import import ORGANISATION, csv_bytes, upload
from tests.mus.factories import build_plan, sign, version_of
from tests.mus.test_mus import PASSWORD
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

STORAGE_FAILURE = "Filen kunne ikke gemmes"


class ReadOnlyStorage(FileSystemStorage):
    """A file storage that cannot be written, like a read-only mount or a full disk."""

    def _save(self, name, content):
        raise PermissionError(30, "Read-only file system", name)


def read_only_storage(settings):
    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": f"{__name__}.ReadOnlyStorage"},
        }
    )


@pytest.fixture
def signed_version(org_a, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    return version_of(build_plan(org_a))


def sign_both(org, version, capture):
    with org.scope(), capture(execute=True):
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)


def test_a_pdf_that_cannot_be_stored_fails_with_a_danish_reason_and_can_be_tried_again(
    org_a, org_b, signed_version, settings, django_capture_on_commit_callbacks
):
    version = signed_version
    with read_only_storage(settings):
        sign_both(org_a, version, django_capture_on_commit_callbacks)
    with org_a.scope():
        pdf = PlanPdf.objects.get(version=version)
    assert pdf.status == PlanPdf.Status.FAILED
    assert pdf.failure == Failure.STORAGE
    assert "PermissionError" in pdf.error
    client = client_for(org_a.employee)
    page = client.get(reverse("plan_detail", args=[version.plan_id]))
    assert "en kunne ikke laves." in page.text
    assert STORAGE_FAILURE in page.text and "Prøv igen" in page.text
    assert "en bliver lavet" not in page.text

    retry_url = reverse("plan_pdf", args=[version.pk])
    assert client_for(org_b.hr).post(retry_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = client.get(retry_url)
    assert "Hent planen som PDF" in page.text
    with org_a.scope():
        pdf.refresh_from_db()
    assert pdf.status == PlanPdf.Status.READY and pdf.failure == "" and pdf.file


def test_a_pdf_whose_task_was_lost_is_sent_again_by_the_sweeper_and_finishes(
    org_a, signed_version, django_capture_on_commit_callbacks
):
    with org_a.scope():
        # Pending for ten minutes with no task on its way: the message went with Redis.
        pdf = PlanPdf.objects.create(
            kommune=org_a.kommune,
            version=signed_version,
            queued_at=timezone.now() - datetime.timedelta(minutes=10),
        )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_work_all.delay()
    with org_a.scope():
        pdf.refresh_from_db()
    assert pdf.status == PlanPdf.Status.READY
    assert pdf.attempts == 2


def test_the_sweeper_leaves_fresh_work_alone_and_gives_up_with_a_reason(
    org_a, signed_version, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    with org_a.scope():
        fresh = PlanPdf.objects.create(kommune=org_a.kommune, version=signed_version, language="en")
        tired = PlanPdf.objects.create(
            kommune=org_a.kommune, version=signed_version, attempts=3, queued_at=long_ago
        )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_work_all.delay()
    with org_a.scope():
        fresh.refresh_from_db()
        tired.refresh_from_db()
    assert fresh.status == PlanPdf.Status.PENDING and fresh.attempts == 1
    assert tired.status == PlanPdf.Status.FAILED and tired.failure == Failure.GAVE_UP
    page = client_for(org_a.employee).get(reverse("plan_pdf", args=[signed_version.pk]))
    assert "efter flere forsøg" in page.text and "Prøv igen" in page.text


def test_a_failed_gap_report_says_why_and_can_be_tried_again(
    org_a, org_b, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with org_a.scope():
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.root
        )
    with read_only_storage(settings):
        build_gap_report.delay(org_a.kommune.pk, report.pk)
    with org_a.scope():
        report.refresh_from_db()
    assert report.status == GapReport.Status.FAILED and report.failure == Failure.STORAGE
    client = client_for(org_a.hr)
    page = client.get(reverse("gap_report_list"))
    assert "Fejlede" in page.text and STORAGE_FAILURE in page.text and "Prøv igen" in page.text

    retry_url = reverse("gap_report_retry", args=[report.pk])
    assert client_for(org_b.hr).post(retry_url).status_code == 404
    assert client_for(org_a.employee).post(retry_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url, headers={"HX-Request": "true"})
    assert "Under udarbejdelse" in response.text and 'hx-trigger="every 2s"' in response.text
    page = client.get(reverse("gap_report_status", args=[report.pk]))
    assert "Regneark (XLSX)" in page.text
    with org_a.scope():
        report.refresh_from_db()
    assert report.status == GapReport.Status.READY and report.failure == ""


def test_a_failed_import_says_why_and_is_checked_again(
    org_a, org_b, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_for(org_a.hr)

    def broken(*args, **kwargs):
        raise RuntimeError("importer crashed")

    monkeypatch.setattr(imports, "_plan", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(ORGANISATION))
    with org_a.scope():
        job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.failure == Failure.ERROR
    page = client.get(response.url)
    assert "Importen fejlede" in page.text and "uventet fejl" in page.text
    assert "Prøv igen" in page.text

    monkeypatch.undo()
    retry_url = reverse("import_job_retry", args=[job.pk])
    assert client_for(org_b.hr).post(retry_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert "Kontrollen er færdig: 10 ændringer" in client.get(response.url).text


def test_a_round_that_could_not_open_says_why_and_opens_when_tried_again(
    org_a, org_b, monkeypatch, django_capture_on_commit_callbacks
):
    version = build_framework(org_a.kommune, by=org_a.hr)

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(profile_services.selectors, "version_structure", broken)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        round_ = profile_services.round_open_later(
            kommune=org_a.kommune,
            name="Runde 2027",
            version=version,
            unit=org_a.team,
            deadline=datetime.date(2099, 1, 31),
            opened_by=org_a.hr,
        )
    with org_a.scope():
        round_.refresh_from_db()
    assert round_.status == EvaluationRound.Status.FAILED
    client = client_for(org_a.hr)
    page = client.get(reverse("round_detail", args=[round_.pk]))
    assert "Runden kunne ikke åbnes." in page.text and "Prøv igen" in page.text

    monkeypatch.undo()
    retry_url = reverse("round_retry", args=[round_.pk])
    assert client_for(org_b.hr).post(retry_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url)
    with org_a.scope():
        round_.refresh_from_db()
        assert round_.status == EvaluationRound.Status.OPEN
        assert round_.evaluations.count() == 6
