"""Opening a round writes its rows in SQL (`profiles.rounds`): the same rows the
selectors say, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from kompetence.infra.tenancy import kommune_scope
from kompetence.models import OrgUnit, Position
from kompetence.selectors import primary_positions
from profiles import rounds, selectors, services
from profiles.models import (
    Assessment,
    Evaluation,
    EvaluationRound,
    JobProfile,
    JobProfileAssignment,
    JobRequirement,
    Role,
    UnitProfileLevel,
)
from tests.factories import PersonFactory, PositionFactory
from tests.profiles.factories import build_framework, competence

pytestmark = pytest.mark.django_db


def _expected(round_: EvaluationRound) -> tuple[set, set]:
    """The evaluations and assessment rows as the selectors give them (what
    `round_populate` built in Python before it wrote them in SQL)."""
    version = round_.version
    person_ids = sorted(
        set(
            Position.objects.active()
            .filter(unit__path__startswith=round_.unit.path, person__is_active=True)
            .values_list("person_id", flat=True)
        )
    )
    structure = selectors.version_structure(version)
    roles = selectors.roles_of(person_ids)
    primary = primary_positions(person_ids)
    required = selectors.required_levels(person_ids, [version.framework_id])
    evaluations, assessments = set(), set()
    for person_id in person_ids:
        rows = [c for c in structure.competences if c.applies_to(roles[person_id])]
        for kind in (Evaluation.Kind.SELF, Evaluation.Kind.LEADER):
            rater = person_id if kind == Evaluation.Kind.SELF else None
            evaluations.add(
                (person_id, kind, roles[person_id], rater, len(rows), 0, Evaluation.Status.OPEN)
            )
        levels = required[(person_id, version.framework_id)]
        unit_id = primary[person_id].unit_id
        assessments |= {
            (person_id, c.pk, c.group_id, unit_id, levels.get(c.key), None, None, None, None)
            for c in rows
        }
    return evaluations, assessments


def _written(round_: EvaluationRound) -> tuple[set, set]:
    evaluations = set(
        Evaluation.objects.filter(round=round_).values_list(
            "subject_id", "kind", "role", "rater_id", "total", "answered", "status"
        )
    )
    assessments = set(
        Assessment.objects.filter(round=round_).values_list(
            "person_id",
            "competence_id",
            "group_id",
            "unit_id",
            "required",
            "self_level",
            "leader_level",
            "assessed",
            "gap",
        )
    )
    return evaluations, assessments


def _check_rows_match_the_selectors(org) -> None:
    kommune = org.kommune
    wheel = build_framework(
        kommune,
        by=org.hr,
        roles={"Ledelse": [Role.LEDER_AF_MEDARBEJDERE, Role.CENTERCHEF, Role.DIREKTION]},
        groups={"Faglighed": ["Faglig viden", "Dokumentation"], "Ledelse": ["Ledelse"]},
    )
    with kommune_scope(kommune):
        # Required levels from a job profile (the employee) and from unit profiles (the
        # centre's, overridden in the team); a second position elsewhere (the colleague).
        profile = JobProfile.objects.create(
            kommune=kommune, framework=wheel.framework, name="Socialrådgiver"
        )
        viden = competence(wheel, "Faglig viden")
        JobRequirement.objects.create(
            kommune=kommune, job_profile=profile, competence_key=viden.key, level=4
        )
        position = Position.objects.get(person=org.employee)
        JobProfileAssignment.objects.create(kommune=kommune, position=position, job_profile=profile)
        dokumentation = competence(wheel, "Dokumentation")
        for unit, level in ((org.centre, 2), (org.team, 3)):
            UnitProfileLevel.objects.create(
                kommune=kommune,
                unit=unit,
                framework=wheel.framework,
                competence_key=dokumentation.key,
                level=level,
            )
        PositionFactory(person=org.colleague, unit=org.sibling_team, job_title="Vikar")
        gone = PersonFactory(kommune=kommune)
        PositionFactory(person=gone, unit=org.team, job_title="Fratrådt")
        type(gone).objects.filter(pk=gone.pk).update(is_active=False)
        versions = dict(
            OrgUnit.objects.filter(kommune=kommune).values_list("pk", "figures_version")
        )
        round_ = services._round_create(
            kommune=kommune,
            name="Hele kommunen 2027",
            version=wheel,
            unit=org.root,
            deadline=datetime.date(2099, 1, 31),
            opened_by=org.hr,
            status=EvaluationRound.Status.OPENING,
        )
        expected = _expected(round_)
        rounds.round_populate(round_=round_)
        rounds.round_populate(round_=round_)  # delivered twice: nothing more
        round_.refresh_from_db()
        assert round_.status == EvaluationRound.Status.OPEN
        assert _written(round_) == expected
        evaluations, assessments = expected
        assert len(evaluations) == 2 * 7 and len(assessments) > 7
        # Leaders answer the leadership row, employees do not; levels come through.
        assert (org.leader.pk, competence(wheel, "Ledelse").pk) in {a[:2] for a in assessments}
        assert (org.employee.pk, viden.pk, viden.group_id, org.team.pk, 4) in {
            a[:5] for a in assessments
        }
        # The dashboards' stored figures of the people's units are recomputed.
        after = dict(OrgUnit.objects.filter(kommune=kommune).values_list("pk", "figures_version"))
        assert after[org.team.pk] > versions[org.team.pk]
        assert after[org.sibling_team.pk] > versions[org.sibling_team.pk]
        # A second round in the same transaction (its temporary tables were dropped).
        second = services.round_open(
            kommune=kommune,
            name="Teamet 2027",
            version=wheel,
            unit=org.team,
            deadline=datetime.date(2099, 1, 31),
        )
        assert Evaluation.objects.filter(round=second).count() == 2 * 3


def test_round_rows_match_the_selectors(org_a):
    _check_rows_match_the_selectors(org_a)


@pytest.mark.postgres
def test_round_rows_match_the_selectors_on_postgresql(org_a):
    _check_rows_match_the_selectors(org_a)
