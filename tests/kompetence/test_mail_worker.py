"""A real SMTP outage on the production shape: PostgreSQL, Redis and a real Celery
worker process that talks SMTP to a server this test starts only after the e-mails
were queued. What was queued while the server was down arrives once it is back,
exactly once."""

from __future__ import annotations

import datetime
import email
import socket
import time
from contextlib import contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from annualcycle.cycle import reminders
from annualcycle.models import ReminderSent
from mus import services as mus_services
from mus.models import Conversation
from tests.annualcycle.test_cycle import FEBRUARY_DEADLINE, _reminder_setup, cycle  # noqa: F401
from tests.workers import celery_worker

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


class Inbox:
    """What the SMTP server received, one parsed message per DATA."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int, inbox: Inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def tries(worker, task: str) -> int:
    """How many times the worker received `task`: the first try and every retry."""
    return sum(f"Task {task}[" in line and "received" in line for line in worker.log_lines())


def smtp_at(port: int) -> dict:
    """MAILERS for talking SMTP to the test's server, in the worker and in the test
    process alike (the test process must never need it)."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


def wait_for(condition, timeout: float, explain) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(explain())


def test_an_invitation_queued_while_smtp_is_down_arrives_once_it_is_back(org_a, tmp_path, settings):
    port, inbox = free_port(), Inbox()
    settings.MAILERS = smtp_at(port)
    with celery_worker(tmp_path, env={"TEST_SMTP_PORT": str(port)}) as worker:
        started = time.monotonic()
        with org_a.scope():
            conversation = mus_services.conversation_schedule(
                employee=org_a.employee,
                leader=org_a.leader,
                starts_at=timezone.now() + datetime.timedelta(days=7),
                duration_minutes=60,
                is_online=False,
                location="Rådhuset, lokale 3",
            )
        assert time.monotonic() - started < 5  # the booking did not wait for the server
        # The worker tries, finds no server, and waits to try again.
        wait_for(lambda: tries(worker, "kompetence.send_email") >= 6, 60, worker.log)
        assert inbox.messages == []

        with smtp_server(port, inbox):
            wait_for(lambda: len(inbox.messages) >= 2, 120, worker.log)
            time.sleep(3)  # time for a double to show up, were there one
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [org_a.employee.email, org_a.leader.email]
    )
    for message in inbox.messages:
        assert message["Subject"].startswith("Invitation: MUS")
        alternative = next(p for p in message.walk() if p.get_content_subtype() == "alternative")
        ics = list(alternative.iter_parts())[-1]
        assert ics.get_content_type() == "text/calendar"
        assert ics.get_param("method") == "REQUEST"
        assert f"{conversation.ical_uid}@kompetence" in ics.get_content()
    with org_a.scope():
        assert Conversation.objects.filter(employee=org_a.employee).count() == 1


def test_reminders_claimed_while_smtp_is_down_arrive_once_it_is_back(
    org_a,
    cycle,  # noqa: F811
    tmp_path,
    settings,
):
    _reminder_setup(org_a, cycle)
    reminder_day = FEBRUARY_DEADLINE - datetime.timedelta(days=3)
    port, inbox = free_port(), Inbox()
    settings.MAILERS = smtp_at(port)
    with celery_worker(tmp_path, env={"TEST_SMTP_PORT": str(port)}) as worker:
        with org_a.scope():
            claimed = reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
        assert claimed > 2
        wait_for(lambda: tries(worker, "annualcycle.send_reminder") >= 2 * claimed, 90, worker.log)
        with org_a.scope():
            assert ReminderSent.objects.filter(sent_at=None).count() == claimed
            # Another run while the server is down claims nothing new; the sweeper, told
            # the tasks are lost, queues a second copy of each next to the retrying one.
            assert reminders.reminders_send(kommune=org_a.kommune, today=reminder_day) == 0
            ReminderSent.objects.update(
                attempted_at=timezone.now() - datetime.timedelta(minutes=31)
            )
            assert reminders.reminders_requeue(today=reminder_day) == claimed
        assert inbox.messages == []

        with smtp_server(port, inbox):
            with org_a.scope():
                wait_for(
                    lambda: not ReminderSent.objects.filter(sent_at=None).exists(),
                    180,
                    worker.log,
                )
                # A redelivered task for a sent reminder sends nothing.
                from annualcycle.tasks import send_reminder

                for pk in ReminderSent.objects.values_list("pk", flat=True):
                    send_reminder.delay(org_a.kommune.pk, pk)
            time.sleep(5)
    pairs = [(m["To"], m["Subject"]) for m in inbox.messages]
    assert len(pairs) == len(set(pairs)) == claimed, worker.log()
