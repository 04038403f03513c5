"""Follow-up reminders: the follow-up date agreed in a development plan reminds both
the employee and the leader. Celery beat runs `follow_up_reminders_send` every
morning for each kommune (`mus.tasks`).

Two reminders per agreed plan (its newest version both have signed), each sent once:

* a notice a week before the follow-up date ("om en uge"), from `NOTICE_DAYS` days
  before until the day before;
* a reminder on the day, sent on the day or, if the morning run was missed, on one of
  the `LATE_DAYS` days after it. A date further in the past (set after the fact, or a
  plan signed long after its follow-up date) sends nothing.

Each reminder is claimed on the version's row (`follow_up_notice_sent_at`,
`follow_up_reminded_at`) by a conditional update in the same transaction that queues
its e-mails, so a second run, or two runs at once, find it claimed and send nothing
again. The e-mails leave by the ordinary mail task after the commit
(`kompetence.infra.mail`), which retries through a mail-server outage. A new version
keeps the stamps of the version it copies; changing the date clears them, so a new
date is reminded of anew.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kompetence.infra.mail import send_to_person
from kompetence.infra.tenancy import kommune_url
from kompetence.models import Kommune
from mus.models import PlanVersion
from mus.selectors import agreed_versions

NOTICE_DAYS = 7
LATE_DAYS = 3


def _send(version: PlanVersion, kommune: Kommune, *, stage: str) -> None:
    plan = version.plan
    link = kommune_url(kommune, reverse("plan_detail", args=[plan.pk]))
    for person in (plan.employee, plan.leader):
        send_to_person(
            person,
            subject_template="mus/email/follow_up_subject.txt",
            body_template="mus/email/follow_up_body.txt",
            context={"version": version, "plan": plan, "stage": stage, "link": link},
        )


def _claim(version: PlanVersion, field: str, now: datetime.datetime) -> bool:
    """Marks the reminder sent unless it is already; True for the one run that did."""
    return bool(PlanVersion.objects.filter(pk=version.pk, **{field: None}).update(**{field: now}))


def follow_up_reminders_send(*, kommune: Kommune, today: datetime.date | None = None) -> int:
    """Claims and queues the day's follow-up reminders for one kommune. Returns how many
    plans were reminded of (each reminder goes to both parties)."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = (
        agreed_versions()
        .filter(
            kommune=kommune,
            follow_up_date__gte=today - datetime.timedelta(days=LATE_DAYS),
            follow_up_date__lte=today + datetime.timedelta(days=NOTICE_DAYS),
        )
        .filter(plan__employee__is_active=True)
        .select_related("plan__employee__user", "plan__leader__user")
        .order_by("follow_up_date", "pk")
    )
    sent = 0
    for version in due:
        assert version.follow_up_date is not None  # filtered on it above
        on_the_day = version.follow_up_date <= today
        field = "follow_up_reminded_at" if on_the_day else "follow_up_notice_sent_at"
        with transaction.atomic():
            if not _claim(version, field, now):
                continue
            if on_the_day:
                # The day's reminder replaces a notice that was never sent.
                _claim(version, "follow_up_notice_sent_at", now)
            _send(version, kommune, stage="due" if on_the_day else "notice")
        sent += 1
    return sent
