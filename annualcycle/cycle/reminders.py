"""Deadline reminders: Celery beat runs `reminders_send` every morning for each
kommune. A task is due for reminders from `remind_days_before` days before its
deadline until the deadline; each person who has not done it gets one e-mail.

Never the same reminder twice, and never one lost: before an e-mail is queued, the
(task, person) pair is claimed with a row under a unique constraint, in its own
transaction. Running the job twice finds the claims; two runs at once collide on the
constraint and only one wins. The claim is pending until the mail task has handed the
e-mail to the mail server (`reminder_deliver`), and only then marked sent: the task
locks the claim while it sends and sends nothing for a claim already sent, so a retry,
a redelivered message or a second copy queued by the sweeper cannot send it again.
A send that fails is tried again by the task with growing pauses; a claim whose task
was lost (a worker that died before queueing it, a broker that lost the message, an
outage longer than the task's retries) is queued again by `reminders_requeue` every few
minutes while its deadline has not passed. (The one window left: a worker killed
between the mail server's "250 OK" and the commit of `sent_at` sends that reminder a
second time; it can no longer be lost.)
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from annualcycle.cycle.selectors import LEADER_ROLE, cycle_period
from annualcycle.models import ActionPlan, CycleRole, ReminderSent, Task
from kompetence.infra.mail import message_send, render_to_person
from kompetence.infra.tenancy import kommune_url
from kompetence.models import Kommune, OrgUnit, Person, Position
from kompetence.selectors import primary_positions
from mus.models import Conversation
from profiles.models import Evaluation, EvaluationRound

logger = logging.getLogger(__name__)

# A pending claim not tried for this long has no task working on it any more: a task
# that retries tries at least every ten minutes (kompetence.tasks.MAIL_RETRY).
REQUEUE_AFTER = datetime.timedelta(minutes=30)


def due_tasks(today: datetime.date) -> list[Task]:
    tasks = Task.objects.filter(deadline__gte=today).select_related("phase__cycle")
    return [t for t in tasks if t.deadline - datetime.timedelta(days=t.remind_days_before) <= today]


class _Leaders:
    """Who leads whom, loaded once per run: the nearest leaders above each person."""

    def __init__(self):
        self.by_unit: dict[int, set[int]] = defaultdict(set)
        self.kind_of: dict[int, str] = {}
        for position in Position.objects.active().filter(is_leader=True).select_related("unit"):
            self.by_unit[position.unit_id].add(position.person_id)
            self.kind_of[position.person_id] = LEADER_ROLE[position.unit.kind]

    def nearest(self, person_ids) -> set[int]:
        found: set[int] = set()
        for person_id, position in primary_positions(person_ids).items():
            ids = position.unit.ancestor_ids
            if position.is_leader:
                ids = ids[:-1]
            for unit_id in reversed(ids):
                leaders = self.by_unit.get(unit_id, set()) - {person_id}
                if leaders:
                    found |= leaders
                    break
        return found


def recipients(task: Task, today: datetime.date, leaders: _Leaders) -> set[int]:
    """Ids of the people in the task's roles who have not done it yet."""
    roles = set(task.roles)
    if task.kind == Task.Kind.SELF_EVALUATION and CycleRole.EMPLOYEE in roles:
        return set(
            Evaluation.objects.filter(
                kind=Evaluation.Kind.SELF,
                status=Evaluation.Status.OPEN,
                round__status=EvaluationRound.Status.OPEN,
                subject__is_active=True,
            ).values_list("subject_id", flat=True)
        )
    if task.kind == Task.Kind.LEADER_EVALUATION:
        subjects = Evaluation.objects.filter(
            kind=Evaluation.Kind.LEADER,
            status=Evaluation.Status.OPEN,
            round__status=EvaluationRound.Status.OPEN,
            subject__is_active=True,
        ).values_list("subject_id", flat=True)
        found = leaders.nearest(set(subjects))
    elif task.kind == Task.Kind.MUS:
        start, end = cycle_period(today)
        held = Conversation.objects.filter(
            status=Conversation.Status.HELD, starts_at__date__range=(start, end)
        ).values("employee_id")
        waiting = (
            Person.objects.filter(is_active=True).exclude(pk__in=held).values_list("pk", flat=True)
        )
        found = leaders.nearest(set(waiting))
    elif task.kind == Task.Kind.ACTION_PLAN:
        written = ActionPlan.objects.filter(year=task.deadline.year).values("unit_id")
        found = set(
            Position.objects.active()
            .filter(is_leader=True, unit__kind__in=[OrgUnit.Kind.AFDELING, OrgUnit.Kind.TEAM])
            .exclude(unit_id__in=written)
            .values_list("person_id", flat=True)
        )
    elif task.kind == Task.Kind.OPEN_ROUND and CycleRole.HR in roles:
        if EvaluationRound.objects.filter(status=EvaluationRound.Status.OPEN).exists():
            return set()
        return set(Person.objects.filter(is_hr=True, is_active=True).values_list("pk", flat=True))
    else:
        return set()  # nothing to measure: no reminder
    return {person_id for person_id in found if leaders.kind_of.get(person_id) in roles}


def _claim(task: Task, person_id: int) -> ReminderSent | None:
    try:
        with transaction.atomic():
            reminder, created = ReminderSent.objects.get_or_create(
                task=task, person_id=person_id, defaults={"kommune_id": task.kommune_id}
            )
    except IntegrityError:  # another run claimed it between our read and write
        return None
    return reminder if created else None


def _queue(reminder: ReminderSent) -> None:
    """The mail task for a claim, once the claim has committed. A claim whose task
    cannot be queued (or, in the embedded mode, whose one try failed) stays pending for
    `reminders_requeue`."""
    # The one import of annualcycle.tasks inside a function: the tasks that run
    # `reminders_send` and `reminders_requeue` live there, so a module-level import
    # here would close a cycle (see annualcycle.tasks).
    from annualcycle.tasks import send_reminder

    def queue() -> None:
        try:
            send_reminder.delay(reminder.kommune_id, reminder.pk)
        except Exception:
            logger.exception("Reminder %s not sent; it stays pending", reminder.pk)

    transaction.on_commit(queue)


def reminders_send(*, kommune: Kommune, today: datetime.date | None = None) -> int:
    """Claims and queues the day's reminders for one kommune. Returns how many."""
    today = today or timezone.localdate()
    tasks = due_tasks(today)
    if not tasks:
        return 0
    leaders = _Leaders()
    sent = 0
    for task in tasks:
        ids = recipients(task, today, leaders)
        people = Person.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
        for person_id in people:
            reminder = _claim(task, person_id)
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
    ReminderSent.objects.filter(pk=reminder_id, sent_at=None).update(attempted_at=now)
    with transaction.atomic():
        reminder = (
            ReminderSent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=reminder_id, sent_at=None)
            .select_related("task", "person__user")
            .first()
        )
        if reminder is None:
            return False  # sent already, or another task is sending it right now
        message = render_to_person(
            reminder.person,
            subject_template="annualcycle/email/reminder_subject.txt",
            body_template="annualcycle/email/reminder_body.txt",
            context={"task": reminder.task, "kommune": kommune, "link": kommune_url(kommune)},
        )
        sends = message is not None and reminder.person.is_active
        if message is not None and sends:
            message_send(message)
        # Also without an address or after leaving: nothing left to send for good.
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return sends


def reminders_requeue(*, today: datetime.date | None = None) -> int:
    """Queues again the pending claims no task is working on (see REQUEUE_AFTER), as
    long as their deadline has not passed. Returns how many."""
    now = timezone.now()
    today = today or timezone.localdate()
    stale = ReminderSent.objects.filter(
        sent_at=None, attempted_at__lt=now - REQUEUE_AFTER, task__deadline__gte=today
    )
    reminders = list(stale.only("pk", "kommune_id"))
    ReminderSent.objects.filter(pk__in=[r.pk for r in reminders]).update(attempted_at=now)
    for reminder in reminders:
        _queue(reminder)
    return len(reminders)
