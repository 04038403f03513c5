"""Expiry reminders for mandatory training: before expiry at the requirement's reminder
days (90 and 30), the nearest only when several are due, an escalation once expired;
each to the person and their leader, once, in each one's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from catalogue import tasks
from catalogue.models import RequirementReminder
from catalogue.training import reminders
from tests.catalogue.training_factories import certificate, requirement_for
from tests.mail_backends import REFUSED

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
VALID_UNTIL = TODAY + 120 * DAY


@pytest.fixture
def first_aid(org_a):
    """A requirement for everyone; only the employee holds a certificate that expires."""
    with org_a.scope():
        requirement = requirement_for(org_a.kommune)
        certificate(org_a.employee, requirement, VALID_UNTIL)
    return requirement


def _run(org, today):
    return reminders.reminders_send(kommune=org.kommune, today=today)


def _sent_to():
    return sorted(message.to[0] for message in mail.outbox)


def test_the_90_day_reminder_goes_once_to_the_person_and_their_leader(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL - 91 * DAY) == 0  # not yet
        assert _run(org_a, VALID_UNTIL - 90 * DAY) == 2
        assert _run(org_a, VALID_UNTIL - 90 * DAY) == 0
        assert _run(org_a, VALID_UNTIL - 89 * DAY) == 0
    assert _sent_to() == sorted([org_a.employee.email, org_a.leader.email])
    to_person = next(m for m in mail.outbox if m.to == [org_a.employee.email])
    to_leader = next(m for m in mail.outbox if m.to == [org_a.leader.email])
    assert "Førstehjælp" in to_person.subject and "Påmindelse" in to_person.subject
    assert "alfa.localhost" in to_person.body and "/krav/mine/" in to_person.body
    assert org_a.employee.name in to_leader.subject
    assert "/certifikater/" in to_leader.body
    with org_a.scope():
        assert not RequirementReminder.objects.filter(sent_at=None).exists()
        assert set(RequirementReminder.objects.values_list("recipient_id", "days_before")) == {
            (org_a.employee.pk, 90),
            (org_a.leader.pk, 90),
        }


def test_a_missed_run_sends_the_reminder_late_not_never(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL - 85 * DAY) == 2
        # Then the 30-day mark.
        assert _run(org_a, VALID_UNTIL - 29 * DAY) == 2
        assert _run(org_a, VALID_UNTIL - 28 * DAY) == 0
    assert len(mail.outbox) == 4


def test_when_several_are_due_only_the_nearest_is_sent_and_the_farther_never_later(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL - 20 * DAY) == 2
        assert _run(org_a, VALID_UNTIL - 10 * DAY) == 0
    with org_a.scope():
        claims = set(
            RequirementReminder.objects.values_list("recipient_id", "days_before", "sent_at")
        )
    assert len(mail.outbox) == 2
    assert {(r, d) for r, d, _at in claims} == {
        (org_a.employee.pk, 90),
        (org_a.employee.pk, 30),
        (org_a.leader.pk, 90),
        (org_a.leader.pk, 30),
    }
    assert all(at is not None for _r, _d, at in claims)


def test_an_expired_certificate_escalates_once_to_the_leader_and_the_person(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL) == 2  # the last day: still the 30-day reminder
        assert _run(org_a, VALID_UNTIL + DAY) == 2
        assert _run(org_a, VALID_UNTIL + DAY) == 0
        assert _run(org_a, VALID_UNTIL + 40 * DAY) == 0
    with org_a.scope():
        escalations = RequirementReminder.objects.filter(days_before=reminders.ESCALATION)
        assert set(escalations.values_list("recipient_id", flat=True)) == {
            org_a.employee.pk,
            org_a.leader.pk,
        }
    escalated = mail.outbox[2:]
    assert sorted(m.to[0] for m in escalated) == sorted([org_a.employee.email, org_a.leader.email])
    to_leader = next(m for m in escalated if m.to == [org_a.leader.email])
    assert to_leader.subject.startswith("Udløbet") and org_a.employee.name in to_leader.subject
    assert "ikke længere opfyldt" in to_leader.body


def test_an_expiry_long_past_when_first_seen_is_listed_not_escalated(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    """An imported certificate that ended two months ago: no e-mail to anyone."""
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL + 60 * DAY) == 0
        assert not RequirementReminder.objects.exists()
    assert mail.outbox == []


def test_a_new_certificate_is_reminded_of_again_when_it_in_turn_expires(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    renewed_until = VALID_UNTIL + 730 * DAY
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, VALID_UNTIL - 90 * DAY) == 2
        certificate(org_a.employee, first_aid, renewed_until, completed_on=VALID_UNTIL - 60 * DAY)
        # Renewed: the 30-day reminder of the old one is not sent.
        assert _run(org_a, VALID_UNTIL - 30 * DAY) == 0
        assert _run(org_a, VALID_UNTIL + DAY) == 0
        assert _run(org_a, renewed_until - 90 * DAY) == 2
    assert len(mail.outbox) == 4


def test_a_leaders_certificate_reminds_their_own_leader(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        certificate(org_a.leader, first_aid, VALID_UNTIL)
        assert _run(org_a, VALID_UNTIL - 90 * DAY) == 4
    # The team leader's leader is the centre's chef.
    assert _sent_to() == sorted(
        [org_a.employee.email, org_a.leader.email, org_a.leader.email, org_a.chef.email]
    )


def test_each_recipient_reads_it_in_their_own_language(
    org_a, first_aid, django_capture_on_commit_callbacks
):
    org_a.employee.user.language = "en"
    org_a.employee.user.save(update_fields=["language"])
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        _run(org_a, VALID_UNTIL - 90 * DAY)
    to_person = next(m for m in mail.outbox if m.to == [org_a.employee.email])
    to_leader = next(m for m in mail.outbox if m.to == [org_a.leader.email])
    assert to_person.subject.startswith("Reminder") and "Dear" in to_person.body
    assert to_leader.subject.startswith("Påmindelse") and "Kære" in to_leader.body


def test_other_kommuners_certificates_are_not_reminded_of(
    org_a, org_b, first_aid, django_capture_on_commit_callbacks
):
    with org_b.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_b, VALID_UNTIL - 90 * DAY) == 0
    assert mail.outbox == []


def test_reminders_claimed_while_the_mail_server_is_down_arrive_once_when_it_is_back(
    org_a, first_aid, settings, django_capture_on_commit_callbacks
):
    day = VALID_UNTIL - 90 * DAY
    settings.MAILERS = {"default": {"BACKEND": REFUSED}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert _run(org_a, day) == 2
        assert _run(org_a, day) == 0
    assert mail.outbox == []
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_requeue(today=day) == 0  # maybe still trying
        RequirementReminder.objects.update(
            attempted_at=timezone.now() - datetime.timedelta(minutes=31)
        )
        assert reminders.reminders_requeue(today=day) == 2
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert not RequirementReminder.objects.filter(sent_at=None).exists()
        for reminder in RequirementReminder.objects.all():
            assert not reminders.reminder_deliver(kommune=org_a.kommune, reminder_id=reminder.pk)
    assert _sent_to() == sorted([org_a.employee.email, org_a.leader.email])


def test_a_pending_reminder_is_not_queued_again_after_the_expiry(
    org_a, first_aid, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": REFUSED}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        _run(org_a, VALID_UNTIL - 10 * DAY)
        RequirementReminder.objects.update(
            attempted_at=timezone.now() - datetime.timedelta(minutes=31)
        )
        assert reminders.reminders_requeue(today=VALID_UNTIL + DAY) == 0


def test_the_daily_task_runs_in_each_kommunes_scope(
    org_a, org_b, first_aid, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from kompetence.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["training-expiry-reminders"]
    assert app.tasks[entry["task"]].name == tasks.send_training_reminders_all.name
    pending = settings.CELERY_BEAT_SCHEDULE["pending-training-reminders"]
    assert app.tasks[pending["task"]].name == tasks.requeue_training_reminders_all.name
    assert (
        reminders.REQUEUE_AFTER.total_seconds() > 2 * tasks.send_training_reminder.retry_backoff_max
    )
    monkeypatch.setattr(timezone, "localdate", lambda *a: VALID_UNTIL - 90 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_training_reminders_all.delay().get() == 2
    assert _sent_to() == sorted([org_a.employee.email, org_a.leader.email])
