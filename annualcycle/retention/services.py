"""GDPR retention: what the kommune keeps about a leaver, and for how long.

A kommune sets how many years after a person left their evaluations and development
plans are kept (`Kommune.retention_years`). HR first reads the dry run — who would be
made anonymous at the next run and how much would be deleted — and then switches the
daily run on (`retention_active`); Celery beat runs it every night.

Making a person anonymous runs every registered eraser (kompetence.personal_data.erasers:
each app's part next to its part of the export, the person record last), so this module
knows no app's models. Today that deletes their evaluations (every answer and the gap
rows), their MUS conversations with preparation notes, and their development plans with
every version, signature and stored PDF; it clears the free texts of their course
enrolments (the places and their cost stay, so the unit's figures for past years still
add up); it deletes their training certificates, the functions they held, their expiry
reminders and the proof they uploaded, with its files; it replaces their name, e-mail
and employee number and deletes their login. The audit entries about them stay, as the
record of who saw their data, now about an anonymous person; one more says that the
person was made anonymous, and under which rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kompetence.infra import figures
from kompetence.models import AuditEntry, Kommune, Person
from kompetence.personal_data import erasers


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due(kommune: Kommune, today: datetime.date | None = None):
    """The leavers whose data is due for deletion under the kommune's rule."""
    if not kommune.retention_years:
        return Person.objects.none()
    cutoff = _years_before(today or timezone.localdate(), kommune.retention_years)
    return Person.objects.filter(
        kommune=kommune, is_active=False, anonymised_at=None, left_on__lte=cutoff
    ).order_by("left_on", "name")


@dataclass
class Outcome:
    """What a run did (or, for the dry run, would do)."""

    people: list[Person] = field(default_factory=list)
    evaluations: int = 0
    conversations: int = 0
    plans: int = 0
    enrolments: int = 0
    certificates: int = 0
    evidence: int = 0


def _counts(person_ids: list[int]) -> dict:
    """What the erasers would delete, by the Outcome's field names."""
    counts: dict[str, int] = {}
    for eraser in erasers():
        if eraser.count is not None:
            for name, count in eraser.count(person_ids).items():
                counts[name] = counts.get(name, 0) + count
    return counts


def retention_dry_run(*, kommune: Kommune, today: datetime.date | None = None) -> Outcome:
    people = list(due(kommune, today))
    return Outcome(people=people, **_counts([p.pk for p in people]))


def _erase(person: Person, kommune: Kommune) -> None:
    left_on = person.left_on
    assert left_on is not None  # only leavers are anonymised
    for eraser in erasers():
        eraser.erase(person)
    AuditEntry.objects.create(
        kommune=kommune,
        actor=None,
        action=AuditEntry.Action.DELETE,
        subject=person,
        object_type=Person._meta.label,
        object_id=str(person.pk),
        summary=_("Anonymiseret %(years)s år efter fratrædelsen (%(left)s).")
        % {"years": kommune.retention_years, "left": formats.date_format(left_on)},
    )


def retention_apply(*, kommune: Kommune, today: datetime.date | None = None) -> Outcome:
    """Makes every leaver due under the rule anonymous, one transaction per person (a
    run that stops half way has finished some people and left the rest untouched)."""
    if not (kommune.retention_active and kommune.retention_years):
        return Outcome()
    outcome = Outcome()
    for person_id in list(due(kommune, today).values_list("pk", flat=True)):
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=person_id)
            if person.anonymised_at is not None:  # another run got there first
                continue
            counts = _counts([person.pk])
            figures.people_changed([person.pk])
            _erase(person, kommune)
        outcome.people.append(person)
        for name, count in counts.items():
            setattr(outcome, name, getattr(outcome, name) + count)
    return outcome


def retention_set(*, kommune: Kommune, years: int | None, active: bool) -> Kommune:
    kommune.retention_years = years
    kommune.retention_active = bool(active and years)
    kommune.save(update_fields=["retention_years", "retention_active"])
    return kommune
