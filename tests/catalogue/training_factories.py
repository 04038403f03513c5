"""Small builders for the mandatory-training tests: a requirement that applies to
someone, and a certificate. Call them inside the kommune's scope."""

from __future__ import annotations

import datetime

from catalogue.models import Certificate, RequirementAssignment, TrainingRequirement
from kompetence.models import Kommune, OrgUnit, Person


def requirement_for(
    kommune: Kommune, *, unit: OrgUnit | None = None, **fields
) -> TrainingRequirement:
    """A requirement for everyone (or for `unit`'s subtree), valid 24 months by default."""
    fields.setdefault("name", "Førstehjælp")
    fields.setdefault("validity_months", 24)
    requirement = TrainingRequirement.objects.create(kommune=kommune, **fields)
    if unit is None:
        RequirementAssignment.objects.create(
            kommune=kommune, requirement=requirement, kind=RequirementAssignment.Kind.EVERYONE
        )
    else:
        RequirementAssignment.objects.create(
            kommune=kommune,
            requirement=requirement,
            kind=RequirementAssignment.Kind.UNIT,
            unit=unit,
        )
    return requirement


def certificate(
    person: Person,
    requirement: TrainingRequirement,
    valid_until: datetime.date | None,
    *,
    completed_on: datetime.date | None = None,
) -> Certificate:
    """A certificate recorded by HR, completed two years before `valid_until`."""
    if completed_on is None:
        base = valid_until or datetime.date.today()
        completed_on = base - datetime.timedelta(days=730)
    return Certificate.objects.create(
        kommune=person.kommune,
        person=person,
        requirement=requirement,
        completed_on=completed_on,
        valid_until=valid_until,
        source=Certificate.Source.RECORDED,
    )
