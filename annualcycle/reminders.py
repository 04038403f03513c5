"""Deadline reminders: Celery beat runs `reminders_send` every morning for each
kommune. A task is due for reminders from `remind_days_before` days before its
deadline until the deadline; each person who has not done it gets one e-mail.

Never the same reminder twice: before an e-mail is sent, the (task, person) pair is
claimed with a row under a unique constraint, in its own transaction, and the e-mail
goes out only after that claim has committed. Running the job twice finds the claims;
two runs at once collide on the constraint and only one wins. If a worker dies half
way, the claims made so far stand and the next run carries on with the rest. (The one
reminder being sent at the instant of a crash can be lost; it can never be doubled.)
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from annualcycle.models import ActionPlan, CycleRole, ReminderSent, Task
from annualcycle.selectors import LEADER_ROLE, cycle_period
from kompetence.mail import send_to_person
from kompetence.models import Kommune, OrgUnit, Person, Position
from kompetence.selectors import primary_positions
from kompetence.tenancy import kommune_url
from mus.models import Conversation
from profiles.models import Evaluation, EvaluationRound


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


def _claim(task: Task, person_id: int) -> bool:
    try:
        with transaction.atomic():
            _reminder, created = ReminderSent.objects.get_or_create(
                task=task, person_id=person_id, defaults={"kommune_id": task.kommune_id}
            )
    except IntegrityError:  # another run claimed it between our read and write
        return False
    return created


def reminders_send(*, kommune: Kommune, today: datetime.date | None = None) -> int:
    """Sends the day's reminders for one kommune. Returns how many were sent."""
    today = today or timezone.localdate()
    tasks = due_tasks(today)
    if not tasks:
        return 0
    leaders = _Leaders()
    sent = 0
    for task in tasks:
        ids = recipients(task, today, leaders)
        people = Person.objects.filter(pk__in=ids, is_active=True).select_related("user")
        for person in people:
            if not _claim(task, person.pk):
                continue
            send_to_person(
                person,
                subject_template="annualcycle/email/reminder_subject.txt",
                body_template="annualcycle/email/reminder_body.txt",
                context={"task": task, "kommune": kommune, "link": kommune_url(kommune)},
            )
            sent += 1
    return sent
