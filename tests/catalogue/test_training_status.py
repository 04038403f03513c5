"""Where a person stands on a requirement: computed from assignments and certificates."""

from __future__ import annotations

import datetime

from catalogue.models import (
    Certificate,
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training.selectors import State, certificate_valid_until, statuses_for, statuses_of

TODAY = datetime.date.today()  # the fixtures' positions start today
DAY = datetime.timedelta(days=1)


def _requirement(kommune, **fields):
    fields.setdefault("name", "Førstehjælp")
    fields.setdefault("validity_months", 24)
    return TrainingRequirement.objects.create(kommune=kommune, **fields)


def _certificate(org, person, requirement, completed_on, valid_until):
    return Certificate.objects.create(
        kommune=org.kommune,
        person=person,
        requirement=requirement,
        completed_on=completed_on,
        valid_until=valid_until,
        source=Certificate.Source.RECORDED,
    )


def test_a_unit_assignment_reaches_the_subtree_and_not_beyond(org_a):
    with org_a.scope():
        requirement = _requirement(org_a.kommune, grace_days=0)
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="unit", unit=org_a.team
        )
        # The positions start today: with no grace, tomorrow it is missing.
        people = [p.pk for p in _all(org_a)]
        states = {s.person_id: s.state for s in statuses_for(people, today=TODAY + DAY)}
    assert set(states) == {org_a.leader.pk, org_a.employee.pk, org_a.colleague.pk}
    assert set(states.values()) == {State.MISSING}


def test_the_latest_certificate_decides_valid_expiring_and_expired(org_a):
    with org_a.scope():
        requirement = _requirement(org_a.kommune)
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="everyone"
        )
        _certificate(org_a, org_a.employee, requirement, TODAY - 900 * DAY, TODAY)
        _certificate(org_a, org_a.employee, requirement, TODAY - 600 * DAY, TODAY + 60 * DAY)
        _certificate(org_a, org_a.colleague, requirement, TODAY - 800 * DAY, TODAY - DAY)
        _certificate(org_a, org_a.leader, requirement, TODAY - 100 * DAY, None)
        states = {s.person_id: s for s in statuses_for([p.pk for p in _all(org_a)], today=TODAY)}
    assert states[org_a.employee.pk].state == State.EXPIRING
    assert states[org_a.employee.pk].valid_until == TODAY + 60 * DAY
    assert states[org_a.colleague.pk].state == State.EXPIRED
    assert states[org_a.leader.pk].state == State.VALID
    assert states[org_a.leader.pk].valid_until is None


def test_a_new_function_holder_is_due_within_the_grace_period_then_missing(org_a):
    with org_a.scope():
        function = TrainingFunction.objects.create(
            kommune=org_a.kommune, name="Arbejdsmiljørepræsentant"
        )
        requirement = _requirement(org_a.kommune, name="AMR-uddannelse", grace_days=90)
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="function", function=function
        )
        FunctionHolder.objects.create(
            kommune=org_a.kommune, function=function, person=org_a.employee, since=TODAY
        )
        [due] = statuses_of(org_a.employee, today=TODAY)
        [missing] = statuses_of(org_a.employee, today=TODAY + 91 * DAY)
        assert statuses_of(org_a.colleague, today=TODAY) == []
    assert due.state == State.DUE
    assert due.due_by == TODAY + 90 * DAY
    assert missing.state == State.MISSING


def test_validity_counts_calendar_months_to_the_last_day():
    requirement = TrainingRequirement(validity_months=1)
    assert certificate_valid_until(requirement, datetime.date(2027, 1, 31)) == datetime.date(
        2027, 2, 28
    )
    assert certificate_valid_until(TrainingRequirement(validity_months=None), TODAY) is None


def test_statuses_for_many_people_take_a_fixed_number_of_queries(
    org_a, django_assert_max_num_queries
):
    with org_a.scope():
        requirement = _requirement(org_a.kommune)
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="everyone"
        )
        with django_assert_max_num_queries(8):
            statuses = statuses_for([p.pk for p in _all(org_a)])
    assert len(statuses) == 7


def _all(org):
    return [
        org.director,
        org.chef,
        org.leader,
        org.employee,
        org.colleague,
        org.other_employee,
        org.hr,
    ]
