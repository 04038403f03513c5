"""E-mail never breaks a request: with the mail server down (the embedded mode, tasks
in-process), a booking or an enrolment is stored once and answered normally, and the
lost e-mail is logged; with the server up, every e-mail goes out through the task."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Enrolment
from mus.models import Conversation
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.mail_backends import DISCONNECTED, REFUSED

pytestmark = pytest.mark.django_db


def _schedule_data() -> dict:
    starts = (timezone.localtime() + datetime.timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "location": "Rådhuset, lokale 3",
    }


@pytest.mark.parametrize("backend", [REFUSED, DISCONNECTED])
def test_scheduling_a_mus_while_the_mail_server_is_down_books_it_once(
    org_a, org_b, settings, backend, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": backend}}
    url = reverse("conversation_schedule", args=[org_a.employee.pk])
    assert client_for(org_b.leader).post(url, _schedule_data()).status_code == 404
    client = client_for(org_a.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _schedule_data())
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    with org_a.scope():
        assert Conversation.objects.filter(employee=org_a.employee).count() == 1
    assert mail.outbox == []
    assert f"E-mail to {org_a.employee.email} neither sent nor queued" in caplog.text


def test_an_enrolment_while_the_mail_server_is_down_is_stored_and_answered(
    org_a, org_b, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": REFUSED}}
    session = build_session(build_course(org_a.kommune))
    url = reverse("enrol", args=[session.pk])
    assert client_for(org_b.employee).post(url, {"motivation": "x"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_a.employee).post(url, {"motivation": "Til nye sager"})
    assert response.status_code == 302
    with org_a.scope():
        assert Enrolment.objects.filter(person=org_a.employee, session=session).count() == 1


def test_the_task_gets_the_invitation_as_json_in_the_recipients_language(
    org_a, monkeypatch, django_capture_on_commit_callbacks
):
    from kompetence import tasks

    org_a.leader.user.language = "en"
    org_a.leader.user.save(update_fields=["language"])
    queued = []
    real_delay = tasks.send_email.delay
    monkeypatch.setattr(
        tasks.send_email, "delay", lambda message: queued.append(message) or real_delay(message)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(org_a.leader).post(
            reverse("conversation_schedule", args=[org_a.employee.pk]), _schedule_data()
        )
    by_person = {message["to"][0]: message for message in json.loads(json.dumps(queued))}
    assert by_person[org_a.employee.email]["subject"].startswith("Invitation: MUS")
    assert "Kalenderinvitationen er vedhæftet." in by_person[org_a.employee.email]["body"]
    assert "The calendar invitation is attached." in by_person[org_a.leader.email]["body"]
    invitation = by_person[org_a.leader.email]["invitation"]
    assert invitation["method"] == "REQUEST" and "BEGIN:VCALENDAR" in invitation["ics"]
    # In the embedded mode the task ran at once: both e-mails went out.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(by_person)
