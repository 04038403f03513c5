"""Who must have which training, and where each person stands.

A person is subject to a requirement when any of its assignments fits them today: every
one with a current position, a role (derived from what they lead), the job profile of a
current position, a current position in a unit's subtree, or a function they hold. Their
status comes from their certificates for the requirement, the latest expiry counting:

* **valid** — a certificate without expiry, or one valid beyond the reminder window;
* **expiring** — valid, but ending within the requirement's first reminder (90 days);
* **expired** — the latest certificate has ended;
* **due** — no certificate yet, but still within the newcomer's grace period, counted
  from the day they became subject (took the function, started in the position);
* **missing** — no certificate and the grace period is over.

Everything is computed here, on read, for a whole population in a fixed number of
queries (`statuses_for`); nothing about a status is stored.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import (
    Certificate,
    FunctionHolder,
    RequirementAssignment,
    TrainingRequirement,
)
from kompetence.models import Person, Position
from profiles.selectors import roles_of


class State:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    DUE = "due"
    MISSING = "missing"

    LABELS = {
        VALID: gettext_lazy("Gyldig"),
        EXPIRING: gettext_lazy("Udløber snart"),
        EXPIRED: gettext_lazy("Udløbet"),
        DUE: gettext_lazy("Skal opfyldes"),
        MISSING: gettext_lazy("Mangler"),
    }
    # Worst first: the order overviews sort by and "Mine opgaver nu" lists in.
    ORDER = (EXPIRED, MISSING, EXPIRING, DUE, VALID)
    # The states that ask the person (and their leader) to act.
    TO_ACT = (EXPIRED, MISSING, EXPIRING, DUE)


@dataclass(frozen=True)
class RequirementStatus:
    requirement: TrainingRequirement
    person_id: int
    state: str
    subject_since: datetime.date
    completed_on: datetime.date | None  # of the certificate that counts
    valid_until: datetime.date | None  # None with a certificate: without expiry
    due_by: datetime.date | None  # with no certificate: the end of the grace period

    @property
    def label(self) -> str:
        return str(State.LABELS[self.state])

    @property
    def detail(self) -> str:
        """The status as one Danish sentence with its date."""
        until = date_format(self.valid_until) if self.valid_until else ""
        due = date_format(self.due_by) if self.due_by else ""
        if self.state in (State.VALID, State.EXPIRING):
            if self.valid_until is None:
                return _("Gyldig uden udløb")
            return _("Gyldig til %(date)s") % {"date": until}
        if self.state == State.EXPIRED:
            return _("Udløb %(date)s") % {"date": until}
        if self.state == State.DUE:
            return _("Skal være opfyldt senest %(date)s") % {"date": due}
        return _("Skulle have været opfyldt %(date)s") % {"date": due}

    @property
    def needs_action(self) -> bool:
        return self.state in State.TO_ACT

    @property
    def sort_key(self) -> tuple:
        return (State.ORDER.index(self.state), self.valid_until or self.due_by or datetime.date.max)


def requirements() -> QuerySet[TrainingRequirement]:
    """The kommune's active requirements with what an overview shows of them."""
    return (
        TrainingRequirement.objects.filter(is_active=True)
        .prefetch_related("assignments", "courses")
        .order_by("name", "pk")
    )


def expiring_window(requirement: TrainingRequirement) -> int:
    """Days before expiry from which a certificate counts as expiring: the first reminder."""
    return max([int(d) for d in requirement.reminder_days or []] or [90])


def state_of(
    requirement: TrainingRequirement,
    *,
    valid_until: datetime.date | None,
    has_certificate: bool,
    due_by: datetime.date,
    today: datetime.date,
) -> str:
    if has_certificate:
        if valid_until is None:
            return State.VALID
        if valid_until < today:
            return State.EXPIRED
        if (valid_until - today).days <= expiring_window(requirement):
            return State.EXPIRING
        return State.VALID
    return State.DUE if due_by >= today else State.MISSING


@dataclass
class _Person:
    since: datetime.date
    unit_paths: list[str]
    job_profile_ids: set[int]
    role: str = ""


def _population(person_ids: Iterable[int] | QuerySet, today: datetime.date) -> dict[int, _Person]:
    """The people among `person_ids` who work here today, with what assignments match on."""
    current = Q(positions__start_date__lte=today) & (
        Q(positions__end_date=None) | Q(positions__end_date__gte=today)
    )
    people = {
        pk: _Person(since=since, unit_paths=[], job_profile_ids=set())
        for pk, since in Person.objects.filter(pk__in=person_ids, is_active=True)
        .annotate(since=Min("positions__start_date", filter=current))
        .filter(since__isnull=False)
        .values_list("pk", "since")
    }
    for person_id, path, job_profile_id in (
        Position.objects.active(today)
        .filter(person_id__in=person_ids, person__is_active=True)
        .values_list("person_id", "unit__path", "job_profile_assignment__job_profile_id")
    ):
        if person_id in people:
            people[person_id].unit_paths.append(path)
            if job_profile_id:
                people[person_id].job_profile_ids.add(job_profile_id)
    for person_id, role in roles_of(people).items():
        people[person_id].role = role
    return people


def _subject_since(
    assignment: RequirementAssignment,
    person: _Person,
    functions: dict[int, datetime.date],
) -> datetime.date | None:
    """From when the assignment makes the person subject, or None if it does not."""
    kind = assignment.kind
    if kind == RequirementAssignment.Kind.EVERYONE:
        return person.since
    if kind == RequirementAssignment.Kind.ROLE:
        return person.since if person.role == assignment.role else None
    if kind == RequirementAssignment.Kind.JOB_PROFILE:
        return person.since if assignment.job_profile_id in person.job_profile_ids else None
    if kind == RequirementAssignment.Kind.UNIT:
        unit_path = assignment.unit.path  # type: ignore[union-attr]
        return person.since if any(p.startswith(unit_path) for p in person.unit_paths) else None
    return functions.get(assignment.function_id)  # type: ignore[arg-type]


def statuses_for(
    person_ids: Iterable[int] | QuerySet,
    *,
    today: datetime.date | None = None,
    requirement_list: list[TrainingRequirement] | None = None,
) -> list[RequirementStatus]:
    """Every (person, requirement) pair that applies among `person_ids` (ids or a
    subquery of them), with its status. Seven queries whatever the number of people."""
    today = today or timezone.localdate()
    if requirement_list is None:
        requirement_list = list(requirements().prefetch_related("assignments__unit"))
    if not requirement_list:
        return []
    people = _population(person_ids, today)
    functions: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    for person_id, function_id, since in (
        FunctionHolder.objects.filter(person_id__in=people, since__lte=today)
        .filter(Q(until=None) | Q(until__gte=today))
        .values_list("person_id", "function_id", "since")
    ):
        functions[person_id][function_id] = since
    certificates = {
        (row["person_id"], row["requirement_id"]): row
        for row in Certificate.objects.filter(
            person_id__in=people, requirement__in=requirement_list
        )
        .values("person_id", "requirement_id")
        .annotate(
            last_completed_on=Max("completed_on"),
            last_valid_until=Max("valid_until"),
            without_expiry=Count("pk", filter=Q(valid_until=None)),
        )
    }
    statuses = []
    for requirement in requirement_list:
        assignments = list(requirement.assignments.all())
        for person_id, person in people.items():
            starts = [
                start
                for assignment in assignments
                if (start := _subject_since(assignment, person, functions[person_id]))
            ]
            if not starts:
                continue
            since = min(starts)
            certificate = certificates.get((person_id, requirement.pk))
            valid_until = None
            if certificate and not certificate["without_expiry"]:
                valid_until = certificate["last_valid_until"]
            due_by = since + datetime.timedelta(days=requirement.grace_days)
            statuses.append(
                RequirementStatus(
                    requirement=requirement,
                    person_id=person_id,
                    state=state_of(
                        requirement,
                        valid_until=valid_until,
                        has_certificate=certificate is not None,
                        due_by=due_by,
                        today=today,
                    ),
                    subject_since=since,
                    completed_on=certificate["last_completed_on"] if certificate else None,
                    valid_until=valid_until,
                    due_by=None if certificate else due_by,
                )
            )
    return statuses


def statuses_of(person: Person, *, today: datetime.date | None = None) -> list[RequirementStatus]:
    """One person's requirements, worst first."""
    return sorted(statuses_for([person.pk], today=today), key=lambda s: s.sort_key)


def certificate_valid_until(
    requirement: TrainingRequirement, completed_on: datetime.date
) -> datetime.date | None:
    """The expiry a completion on `completed_on` gets from the requirement's validity."""
    if requirement.validity_months is None:
        return None
    # The same day of the month, or the month's last (31 January + 1 month = 28 February).
    return completed_on + relativedelta(months=requirement.validity_months)
