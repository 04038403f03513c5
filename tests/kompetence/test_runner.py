"""The embedded mode (no broker) does not make people wait for background work: in the
web process a task runs on a background thread after the response, the page polls the
row as with a real worker, and a task that fails leaves its row failed with a reason
(kompetence.infra.runner)."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from kompetence.infra import runner
from kompetence.infra.background import Failure
from mus.models import PlanPdf
from tests.conftest import client_for
from tests.kompetence.test_background import STORAGE_FAILURE, read_only_storage
from tests.mus.factories import build_plan, sign, sign_form_fields, version_of
from tests.mus.test_mus import PASSWORD
from tests.profiles.factories import build_framework, open_round

# The background thread has its own database connection: it sees committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)


class _Gate:
    """A job that holds the background thread until the test opens the gate, so the
    test sees the request's answer before any work sent after it has started."""

    name = "test.gate"

    def __init__(self) -> None:
        self.open = threading.Event()
        self.ran = False

    def apply(self, *args, **kwargs) -> None:
        assert self.open.wait(30)
        self.ran = True


class Background:
    def __init__(self) -> None:
        self.gate = _Gate()

    def hold(self) -> None:
        """From now on, as in the web process: work runs on the background thread,
        which waits for `release`."""
        runner.run_after_response()
        runner.submit(self.gate, (), {}, {})

    def release(self) -> None:
        self.gate.open.set()
        runner.drain()


@pytest.fixture
def background():
    held = Background()
    yield held
    held.release()
    runner.run_after_response(False)


@pytest.fixture
def half_signed(org_a, tmp_path, settings):
    """A plan the employee has signed; the leader's signature completes it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        sign(version, org_a.employee, PASSWORD)
    return version


def _leader_signs(org, version):
    leader = client_for(org.leader)
    seen = sign_form_fields(leader.get(reverse("plan_detail", args=[version.plan_id])).text)
    response = leader.post(
        reverse("plan_sign", args=[version.pk]), {**seen, "password": PASSWORD}, follow=True
    )
    assert "Planen er underskrevet." in response.text
    return leader, response


def _pdf(org, version) -> PlanPdf:
    with org.scope():
        return PlanPdf.objects.get(version=version)


def test_the_signature_that_completes_a_plan_answers_before_its_pdf_is_made(
    org_a, half_signed, background
):
    version = half_signed
    background.hold()

    leader, response = _leader_signs(org_a, version)

    # The answer is there while the PDF is still to be made, and the page polls for it.
    assert _pdf(org_a, version).status == PlanPdf.Status.PENDING
    assert "en bliver lavet" in response.text and 'hx-trigger="every 2s"' in response.text
    background.release()
    pdf = _pdf(org_a, version)
    assert pdf.status == PlanPdf.Status.READY and pdf.file
    poll = leader.get(reverse("plan_pdf", args=[version.pk]), headers={"HX-Request": "true"})
    assert "Hent planen som PDF" in poll.text and "every 2s" not in poll.text


def test_work_that_fails_on_the_background_thread_leaves_its_row_failed_with_a_reason(
    org_a, half_signed, background, settings
):
    version = half_signed
    with read_only_storage(settings):
        background.hold()
        leader, _response = _leader_signs(org_a, version)
        assert _pdf(org_a, version).status == PlanPdf.Status.PENDING
        background.release()

    pdf = _pdf(org_a, version)
    assert pdf.status == PlanPdf.Status.FAILED and pdf.failure == Failure.STORAGE
    page = leader.get(reverse("plan_pdf", args=[version.pk]))
    assert STORAGE_FAILURE in page.text and "Prøv igen" in page.text


def test_a_task_that_raises_on_the_background_thread_is_logged_and_the_next_one_runs(
    org_a, background, caplog
):
    from kompetence.tasks import count_people

    background.hold()
    count_people.delay(999_999)  # no such kommune: the task raises
    later = _Gate()
    later.open.set()
    runner.submit(later, (), {}, {})
    background.release()

    assert "Background task kompetence.count_people failed" in caplog.text
    assert later.ran


def test_work_left_pending_when_the_server_stopped_is_made_when_it_starts_again(
    org_a, half_signed, background
):
    with org_a.scope():
        # Its background thread stopped with the server before it got to it.
        lost = PlanPdf.objects.create(kommune=org_a.kommune, version=half_signed, language="en")

    runner.start()
    runner.drain()

    with org_a.scope():
        lost.refresh_from_db()
    assert lost.status == PlanPdf.Status.READY and lost.attempts == 2
