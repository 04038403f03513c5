"""Reads for HR's mandatory-training pages and the panels on people's and MUS pages.
Each issues a fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalogue.models import (
    Course,
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training.selectors import RequirementStatus, State, statuses_for
from kompetence.models import Kommune, OrgUnit, Person
from profiles.models import JobProfile, Role

# The columns of the overview, in the order HR reads them.
COUNTED_STATES = (State.VALID, State.EXPIRING, State.EXPIRED, State.MISSING, State.DUE)


def _with_targets(requirements: QuerySet[TrainingRequirement]) -> QuerySet[TrainingRequirement]:
    return requirements.prefetch_related(
        "courses",
        Prefetch(
            "assignments",
            queryset=RequirementAssignment.objects.select_related(
                "job_profile", "unit", "function"
            ).order_by("kind", "pk"),
        ),
    )


def describe_assignment(assignment: RequirementAssignment) -> str:
    """Whom the assignment names, in Danish: "Alle", "Rolle: Medarbejder", …"""
    kind = assignment.get_kind_display()
    if assignment.kind == RequirementAssignment.Kind.EVERYONE:
        return str(kind)
    if assignment.kind == RequirementAssignment.Kind.ROLE:
        target = Role(assignment.role).label if assignment.role in Role.values else assignment.role
    else:
        target = str(assignment.job_profile or assignment.unit or assignment.function)
    return f"{kind}: {target}"


@dataclass
class RequirementRow:
    requirement: TrainingRequirement
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def subject(self) -> int:
        return sum(self.counts.values())

    @property
    def targets(self) -> list[str]:
        return [describe_assignment(a) for a in self.requirement.assignments.all()]

    @property
    def cells(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many) in the overview's column order."""
        return [(state, str(State.LABELS[state]), self.counts[state]) for state in COUNTED_STATES]


def requirement_rows(
    kommune: Kommune, *, today: datetime.date | None = None
) -> list[RequirementRow]:
    """Every requirement of the kommune with how many of its people stand where on it
    (active requirements only: an inactive one applies to no one)."""
    requirements = list(
        _with_targets(TrainingRequirement.objects.filter(kommune=kommune)).order_by("name", "pk")
    )
    active = [r for r in requirements if r.is_active]
    counts: Counter = Counter()
    if active:
        people = Person.objects.filter(kommune=kommune).values("pk")
        for status in statuses_for(people, today=today, requirement_list=active):
            counts[status.requirement.pk, status.state] += 1
    return [
        RequirementRow(
            requirement=requirement,
            counts={state: counts[requirement.pk, state] for state in COUNTED_STATES},
        )
        for requirement in requirements
    ]


def requirement_with_targets(requirement: TrainingRequirement) -> TrainingRequirement:
    """The requirement again, with its courses and assignments (and their targets)."""
    return _with_targets(TrainingRequirement.objects.filter(pk=requirement.pk)).get()


@dataclass
class PersonStatus:
    person: Person
    status: RequirementStatus


def requirement_people(
    requirement: TrainingRequirement,
    *,
    state: str = "",
    today: datetime.date | None = None,
) -> list[RequirementStatus]:
    """Everyone the requirement applies to, worst first; only those in `state` if given."""
    if not requirement.is_active:
        return []
    people = Person.objects.filter(kommune=requirement.kommune_id).values("pk")
    statuses = statuses_for(people, today=today, requirement_list=[requirement])
    if state:
        statuses = [s for s in statuses if s.state == state]
    return sorted(statuses, key=lambda s: s.sort_key)


def with_people(statuses: list[RequirementStatus]) -> list[PersonStatus]:
    """The statuses (one page of them) with their people, by one query."""
    people = Person.objects.in_bulk([s.person_id for s in statuses])
    return [PersonStatus(person=people[s.person_id], status=s) for s in statuses]


def course_choices(requirement: TrainingRequirement | None = None) -> QuerySet[Course]:
    """Published courses, and those already on the requirement's list whatever their
    status now (an archived course stays until HR takes it off)."""
    chosen = Q(status=Course.Status.PUBLISHED)
    if requirement is not None and requirement.pk:
        chosen |= Q(requirements=requirement)
    return Course.objects.filter(chosen).distinct().order_by("title", "pk")


def function_rows(kommune: Kommune, *, today: datetime.date | None = None) -> QuerySet:
    """The kommune's functions with how many hold each today."""
    today = today or timezone.localdate()
    current = Q(holders__since__lte=today) & (Q(holders__until=None) | Q(holders__until__gte=today))
    return (
        TrainingFunction.objects.filter(kommune=kommune)
        .annotate(holder_count=Count("holders", filter=current))
        .order_by("name", "pk")
    )


def function_holders(function: TrainingFunction) -> dict[str, list[FunctionHolder]]:
    """The function's holders: those who hold it now (or from a coming date) and those
    who did."""
    today = timezone.localdate()
    holders = list(
        FunctionHolder.objects.filter(function=function)
        .select_related("person")
        .order_by("person__name", "-since", "pk")
    )
    return {
        "current": [h for h in holders if h.until is None or h.until >= today],
        "past": [h for h in holders if h.until is not None and h.until < today],
    }


def functions_held(person: Person, *, today: datetime.date | None = None) -> list[FunctionHolder]:
    """The functions the person holds today (or from a coming date), with their names."""
    today = today or timezone.localdate()
    return list(
        FunctionHolder.objects.filter(person=person)
        .filter(Q(until=None) | Q(until__gte=today))
        .select_related("function")
        .order_by("function__name", "pk")
    )


def function_choices() -> QuerySet[TrainingFunction]:
    return TrainingFunction.objects.order_by("name", "pk")


def unit_choices() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.order_by("path")


def job_profile_choices() -> QuerySet[JobProfile]:
    return JobProfile.objects.order_by("name", "pk")


def requirements_of_function(function: TrainingFunction) -> QuerySet[TrainingRequirement]:
    """The requirements that follow the function."""
    return (
        TrainingRequirement.objects.filter(assignments__function=function)
        .distinct()
        .order_by("name", "pk")
    )


def today() -> datetime.date:
    return timezone.localdate()
