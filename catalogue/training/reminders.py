"""Expiry reminders for mandatory training: Celery beat runs `reminders_send` every
morning for each kommune (`catalogue.tasks`).

For every active requirement and every person subject to it whose certificate expires
(the latest `valid_until`, as the status counts it):

* **before expiry**, the reminder for day D of the requirement's `reminder_days`
  (default 90 and 30) is due from D days before `valid_until` until the day itself, so a
  job that did not run for a few days sends it late rather than never. When several are
  due at once (the job was down across the 90-day mark and the 30-day mark, or the
  certificate was recorded with less than 90 days left), only the nearest is sent, and
  the farther ones are claimed as sent with it: a reminder is never sent out of order,
  and never after a nearer one.
* **after expiry**, one escalation (`days_before` 0) to the person and their leader.

Each goes to the person and to their nearest leader (the leaders of their main
position's unit, or, for a leader, of the nearest unit above with one), once. The rule
is `annualcycle.cycle.reminders`': before an e-mail is queued, the reminder is claimed
with a `RequirementReminder` under a unique constraint (requirement, person, recipient,
`valid_until`, days) in its own transaction, so a second run, or two runs at once, send
nothing again. A new certificate gives a new `valid_until`, and so new reminders. The
claim stays pending until the mail task (`reminder_deliver`, retried through a mail
server outage) has handed the e-mail over; a claim whose task was lost is queued again
by `reminders_requeue` while the reminder still means something.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalogue.models import RequirementReminder, TrainingRequirement
from catalogue.training.selectors import RequirementStatus, requirements, statuses_for
from kompetence.infra.mail import message_send, render_to_person
from kompetence.infra.tenancy import kommune_url
from kompetence.models import Kommune, Person, Position
from kompetence.selectors import primary_positions

logger = logging.getLogger(__name__)

ESCALATION = 0  # `days_before` of the reminder sent once the certificate has expired

# A pending claim not tried for this long has no task working on it any more (as
# `annualcycle.cycle.reminders.REQUEUE_AFTER`: the mail task retries at least every ten
# minutes).
REQUEUE_AFTER = datetime.timedelta(minutes=30)
# An escalation whose e-mail could not be sent is tried again for this long after the
# expiry; a reminder before expiry until the expiry itself.
ESCALATION_REQUEUE_DAYS = 14
# A certificate that expired longer ago than this when the job first sees it (one
# imported already expired, or a requirement set up today) is not escalated by e-mail:
# the overview lists it. Without the window, the first run after an import would send
# a leader one e-mail per old expiry at once.
ESCALATION_WITHIN_DAYS = 30


def reminder_days(requirement: TrainingRequirement) -> list[int]:
    """The requirement's reminder days, positive and each once, farthest first."""
    return sorted({int(d) for d in requirement.reminder_days or [] if int(d) > 0}, reverse=True)


def due_days(requirement: TrainingRequirement, days_left: int) -> list[int]:
    """The reminder days due with `days_left` days to expiry, nearest first: every day
    D with 0 <= days_left <= D; after expiry only the escalation, within
    ESCALATION_WITHIN_DAYS of the expiry."""
    if days_left < 0:
        return [ESCALATION] if -days_left <= ESCALATION_WITHIN_DAYS else []
    return sorted(d for d in reminder_days(requirement) if days_left <= d)


def nearest_leaders(person_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each person's nearest leaders: of the unit of their main position, or, for a
    leader, of the nearest unit above with a leader. Two queries for any number."""
    by_unit: dict[int, set[int]] = defaultdict(set)
    for unit_id, leader_id in (
        Position.objects.active()
        .filter(is_leader=True, person__is_active=True)
        .values_list("unit_id", "person_id")
    ):
        by_unit[unit_id].add(leader_id)
    found: dict[int, set[int]] = {}
    for person_id, position in primary_positions(list(person_ids)).items():
        ids = position.unit.ancestor_ids
        if position.is_leader:
            ids = ids[:-1]
        for unit_id in reversed(ids):
            leaders = by_unit.get(unit_id, set()) - {person_id}
            if leaders:
                found[person_id] = leaders
                break
    return found


def _claim(
    status: RequirementStatus, recipient_id: int, days: list[int]
) -> RequirementReminder | None:
    """Claims the nearest of `days` for one recipient, and the farther ones as sent with
    it, in one transaction. None if another run has claimed the nearest already."""
    requirement = status.requirement
    assert status.valid_until is not None  # only expiring certificates are reminded of
    key = {
        "requirement": requirement,
        "person_id": status.person_id,
        "recipient_id": recipient_id,
        "valid_until": status.valid_until,
    }
    nearest, *farther = days
    try:
        with transaction.atomic():
            reminder, created = RequirementReminder.objects.get_or_create(
                days_before=nearest, defaults={"kommune_id": requirement.kommune_id}, **key
            )
            if created and farther:
                now = timezone.now()
                RequirementReminder.objects.bulk_create(
                    [
                        RequirementReminder(
                            kommune_id=requirement.kommune_id, days_before=d, sent_at=now, **key
                        )
                        for d in farther
                    ],
                    ignore_conflicts=True,
                )
    except IntegrityError:  # another run claimed it between our read and write
        return None
    return reminder if created else None


def _queue(reminder: RequirementReminder) -> None:
    """The mail task for a claim, once the claim has committed. A claim whose task
    cannot be queued stays pending for `reminders_requeue`."""
    # The one import of catalogue.tasks inside a function: the tasks that run
    # `reminders_send` and `reminders_requeue` live there, so a module-level import
    # here would close a cycle (as in annualcycle.cycle.reminders).
    from catalogue.tasks import send_training_reminder

    def queue() -> None:
        try:
            send_training_reminder.delay(reminder.kommune_id, reminder.pk)
        except Exception:
            logger.exception("Training reminder %s not sent; it stays pending", reminder.pk)

    transaction.on_commit(queue)


def reminders_send(*, kommune: Kommune, today: datetime.date | None = None) -> int:
    """Claims and queues the day's expiry reminders for one kommune. Returns how many
    e-mails were queued."""
    today = today or timezone.localdate()
    requirement_list = list(
        requirements().filter(kommune=kommune).prefetch_related("assignments__unit")
    )
    if not requirement_list:
        return 0
    people = Person.objects.filter(kommune=kommune, is_active=True).values("pk")
    due: list[tuple[RequirementStatus, list[int]]] = []
    for status in statuses_for(people, today=today, requirement_list=requirement_list):
        if status.valid_until is None:
            continue  # no certificate, or one without expiry: nothing expires
        days = due_days(status.requirement, (status.valid_until - today).days)
        if days:
            due.append((status, days))
    if not due:
        return 0
    leaders = nearest_leaders({status.person_id for status, _days in due})
    sent = 0
    for status, days in due:
        for recipient_id in [status.person_id, *sorted(leaders.get(status.person_id, ()))]:
            reminder = _claim(status, recipient_id, days)
            if reminder is None:
                continue
            _queue(reminder)
            sent += 1
    return sent


def reminder_deliver(*, kommune: Kommune, reminder_id: int) -> bool:
    """Sends one claimed reminder unless it is sent already, and marks it sent once the
    mail server has taken it. Raises what the mail backend raises, with the claim still
    pending, for the task to retry. Returns whether this call sent it."""
    now = timezone.now()
    # Outside the transaction below, so that it stays recorded when the send fails:
    # the sweeper leaves a claim alone while its task is still trying.
    RequirementReminder.objects.filter(pk=reminder_id, sent_at=None).update(attempted_at=now)
    with transaction.atomic():
        reminder = (
            RequirementReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=reminder_id, sent_at=None)
            .select_related("requirement", "person", "recipient__user")
            .first()
        )
        if reminder is None:
            return False  # sent already, or another task is sending it right now
        recipient = reminder.recipient
        to_leader = recipient.pk != reminder.person_id
        link = kommune_url(kommune, reverse("training_overview" if to_leader else "my_training"))
        message = render_to_person(
            recipient,
            subject_template="catalogue/email/training_reminder_subject.txt",
            body_template="catalogue/email/training_reminder_body.txt",
            context={
                "requirement": reminder.requirement,
                "person": reminder.person,
                "valid_until": reminder.valid_until,
                "expired": reminder.days_before == ESCALATION,
                "to_leader": to_leader,
                "kommune": kommune,
                "link": link,
            },
        )
        sends = message is not None and recipient.is_active
        if message is not None and sends:
            message_send(message)
        # Also without an address or after leaving: nothing left to send for good.
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return sends


def reminders_requeue(*, today: datetime.date | None = None) -> int:
    """Queues again the pending claims no task is working on (see REQUEUE_AFTER), as
    long as they still mean something: a reminder until the expiry, an escalation for
    `ESCALATION_REQUEUE_DAYS` after it. Returns how many."""
    now = timezone.now()
    today = today or timezone.localdate()
    stale = RequirementReminder.objects.filter(
        sent_at=None, attempted_at__lt=now - REQUEUE_AFTER
    ).filter(
        Q(days_before__gt=ESCALATION, valid_until__gte=today)
        | Q(
            days_before=ESCALATION,
            valid_until__gte=today - datetime.timedelta(days=ESCALATION_REQUEUE_DAYS),
        )
    )
    reminders = list(stale.only("pk", "kommune_id"))
    RequirementReminder.objects.filter(pk__in=[r.pk for r in reminders]).update(attempted_at=now)
    for reminder in reminders:
        _queue(reminder)
    return len(reminders)
