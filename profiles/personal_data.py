"""The profiles app's part of the personal data export (see kompetence.personal_data):
the person's evaluations with their ratings, and the job profiles of their positions.
Four queries whatever the number of rounds, evaluations and ratings.

And its part of the GDPR deletion (annualcycle.retention): a leaver's evaluations
with every answer and the assessment rows computed from them are deleted."""

from __future__ import annotations

from django.db.models import Model, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from kompetence.infra.extensions import DataDecision, Reason, not_personal_data
from kompetence.models import Person
from kompetence.personal_data import json_bytes, person_ref
from profiles.models import (
    Assessment,
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    JobProfile,
    JobProfileAssignment,
    JobRequirement,
    Rating,
    RatingScale,
    ScaleLevel,
    UnitProfileLevel,
)

DESCRIPTION = _(
    "evalueringer.json: dine selvevalueringer, lederens vurderinger af dig og de niveauer, "
    "I har aftalt i MUS, med hvert svar (niveau, skalaens betegnelse og kommentar), "
    "kompetencerammen og dens version og skalaens trin. jobprofiler.json: jobprofilen "
    "for hver af dine stillinger."
)


def _evaluations(person: Person) -> list[dict]:
    evaluations = (
        Evaluation.objects.filter(subject=person)
        # A leader's evaluation still being written is the leader's draft; the person
        # sees it once it is submitted, here as on the evaluation pages.
        .exclude(Q(kind=Evaluation.Kind.LEADER) & ~Q(status=Evaluation.Status.SUBMITTED))
        .select_related("round__unit", "version__framework__scale", "rater")
        .prefetch_related(
            "version__framework__scale__levels",
            Prefetch(
                "ratings",
                queryset=Rating.objects.select_related("competence__group").order_by(
                    "competence__group__order", "competence__order", "competence_id"
                ),
            ),
        )
        .order_by("round__opened_at", "round_id", "kind")
    )
    result = []
    for evaluation in evaluations:
        scale = evaluation.version.framework.scale
        levels = list(scale.levels.all())
        by_value = {level.value: level for level in levels}
        result.append(
            {
                "round": {
                    "name": evaluation.round.name,
                    "unit": evaluation.round.unit.name,
                    "deadline": evaluation.round.deadline,
                    "status": evaluation.round.get_status_display(),
                },
                "kind": evaluation.kind,
                "kind_label": evaluation.get_kind_display(),
                "role": evaluation.get_role_display(),
                "rater": person_ref(evaluation.rater),
                "status": evaluation.get_status_display(),
                "answered": evaluation.answered,
                "total": evaluation.total,
                "submitted_at": evaluation.submitted_at,
                "updated_at": evaluation.updated_at,
                "framework": {
                    "name": evaluation.version.framework.name,
                    "version": evaluation.version.number,
                },
                "scale": {
                    "name": scale.name,
                    "levels": [
                        {
                            "value": level.value,
                            "label_da": level.label_da,
                            "label_en": level.label_en,
                            "not_applicable": level.is_not_applicable,
                        }
                        for level in levels
                    ],
                },
                "ratings": [
                    {
                        "group": rating.competence.group.name,
                        "competence": rating.competence.name,
                        "level": rating.level,
                        "level_label": (
                            by_value[rating.level].label_da if rating.level in by_value else None
                        ),
                        "comment": rating.comment,
                        "updated_at": rating.updated_at,
                    }
                    for rating in evaluation.ratings.all()
                ],
            }
        )
    return result


def _job_profiles(person: Person) -> list[dict]:
    assignments = (
        JobProfileAssignment.objects.filter(position__person=person)
        .select_related("position__unit", "job_profile__framework")
        .order_by("position__start_date", "position_id")
    )
    return [
        {
            "job_title": assignment.position.job_title,
            "unit": assignment.position.unit.name,
            "job_profile": assignment.job_profile.name,
            "framework": assignment.job_profile.framework.name,
        }
        for assignment in assignments
    ]


def personal_data_files(person: Person) -> dict[str, bytes]:
    return {
        "evalueringer.json": json_bytes(_evaluations(person)),
        "jobprofiler.json": json_bytes(_job_profiles(person)),
    }


def erase(person: Person) -> None:
    Rating.objects.filter(evaluation__subject=person).delete()
    Assessment.objects.filter(person=person).delete()
    Evaluation.objects.filter(subject=person).delete()


def erase_counts(person_ids: list[int]) -> dict[str, int]:
    return {"evaluations": Evaluation.objects.filter(subject_id__in=person_ids).count()}


FRAMEWORK = "the kommune's competence frameworks, scales and job profiles"

DECISIONS: dict[type[Model], DataDecision] = {
    Evaluation: DataDecision(export=personal_data_files, erase=erase),
    Rating: DataDecision(export=personal_data_files, erase=erase),
    # The levels of the evaluations above, side by side per competence.
    Assessment: DataDecision(export=personal_data_files, erase=erase),
    JobProfileAssignment: DataDecision(
        export=personal_data_files,
        erase=Reason("kept: the job profile of a position, which is kept (kompetence.Position)"),
    ),
    EvaluationRound: not_personal_data("a unit's round; who opened it is kept as its author"),
    FrameworkVersion: not_personal_data(f"{FRAMEWORK}; who published it is kept as its author"),
    **{
        model: not_personal_data(FRAMEWORK)
        for model in (
            RatingScale,
            ScaleLevel,
            Framework,
            CompetenceGroup,
            Competence,
            JobProfile,
            JobRequirement,
            UnitProfileLevel,
        )
    },
}
