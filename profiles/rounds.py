"""Filling an evaluation round with its evaluations and assessment rows.

The one write the round-opening task runs. It has its own module so that the import
graph goes one way: services import the task module (to send it), and the task module
imports this, never services."""

from __future__ import annotations

from django.db import transaction

from kompetence.infra.bulk import bulk_insert
from kompetence.models import Position
from kompetence.selectors import primary_positions
from profiles import selectors
from profiles.models import Assessment, Evaluation, EvaluationRound


@transaction.atomic
def round_populate(*, round_: EvaluationRound) -> EvaluationRound:
    """Creates the round's evaluations and assessment rows and opens it. Idempotent: a
    round that is no longer opening (a task delivered twice) is left as it is."""
    round_ = (
        EvaluationRound.objects.select_for_update()
        .select_related("kommune", "version", "unit")
        .get(pk=round_.pk)
    )
    if round_.status != EvaluationRound.Status.OPENING:
        return round_
    kommune, version, unit = round_.kommune, round_.version, round_.unit
    person_ids = sorted(
        set(
            Position.objects.active()
            .filter(unit__path__startswith=unit.path, person__is_active=True)
            .values_list("person_id", flat=True)
        )
    )
    structure = selectors.version_structure(version)
    roles = selectors.roles_of(person_ids)
    primary = primary_positions(person_ids)
    required = selectors.required_levels(person_ids, [version.framework_id])
    evaluations: list[Evaluation] = []
    assessments: list[tuple] = []
    for person_id in person_ids:
        rows = [c for c in structure.competences if c.applies_to(roles[person_id])]
        for kind in (Evaluation.Kind.SELF, Evaluation.Kind.LEADER):
            evaluations.append(
                Evaluation(
                    kommune=kommune,
                    round=round_,
                    version=version,
                    subject_id=person_id,
                    kind=kind,
                    role=roles[person_id],
                    rater_id=person_id if kind == Evaluation.Kind.SELF else None,
                    total=len(rows),
                )
            )
        levels = required[(person_id, version.framework_id)]
        unit_id = primary[person_id].unit_id
        assessments.extend(
            (kommune.pk, round_.pk, person_id, c.pk, c.group_id, unit_id, levels.get(c.key))
            for c in rows
        )
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    # 40 rows a person (a 45,000-person round is 1.8 million rows): in array batches.
    bulk_insert(
        Assessment,
        ["kommune_id", "round_id", "person_id", "competence_id", "group_id", "unit_id", "required"],
        assessments,
    )
    round_.status = EvaluationRound.Status.OPEN
    round_.save(update_fields=["status"])
    return round_
