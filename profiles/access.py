"""Who may see and change which framework, scale, job profile, evaluation round and
evaluation, on top of the organisation core's rules (kompetence.permissions).

Security contract of every `get_*_or_404` here: it returns only objects of the viewer's
kommune that the viewer is entitled to, and raises the same Http404 for objects that
do not exist, belong to another kommune, or are simply not the viewer's business.

What the whole kommune shares — frameworks with their versions, groups and
competences, rating scales, job profiles — is HR's alone to read and edit here: only a
person with the HR role for the whole kommune (`permissions.is_kommune_hr`) gets it.
An HR grant for one unit is not enough. Whether a frozen (published or retired)
framework version may change is not an access question: the services refuse that
with `FrameworkLocked`.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404

from kompetence import access as org_access
from kompetence import permissions
from kompetence.models import OrgUnit, Person, unit_path_ids
from profiles import selectors
from profiles.models import (
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    FrameworkVersion,
    JobProfile,
    RatingScale,
    ScaleLevel,
)

# --- What the whole kommune shares: kommune HR only --------------------------------


def _shared_or_404[M: Model](viewer: Person, queryset: QuerySet[M], pk: int) -> M:
    """`pk` from `queryset`, filtered explicitly on the viewer's kommune on top of the
    scope the middleware opened, for kommune HR; anything else is 404."""
    if not permissions.is_kommune_hr(viewer):
        raise Http404
    obj = queryset.filter(kommune_id=viewer.kommune_id, pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def get_version_or_404(viewer: Person, version_id: int) -> FrameworkVersion:
    """The framework version `version_id`, with its framework and scale, for kommune
    HR. Draft or frozen alike: the services decide what may change."""
    return _shared_or_404(
        viewer, FrameworkVersion.objects.select_related("framework__scale"), version_id
    )


def get_group_or_404(viewer: Person, group_id: int) -> CompetenceGroup:
    """The competence group `group_id`, with its version, for kommune HR."""
    return _shared_or_404(
        viewer, CompetenceGroup.objects.select_related("version__framework__scale"), group_id
    )


def get_competence_or_404(viewer: Person, competence_id: int) -> Competence:
    """The competence `competence_id`, with its version and group, for kommune HR."""
    return _shared_or_404(
        viewer,
        Competence.objects.select_related("version__framework__scale", "group"),
        competence_id,
    )


def get_scale_or_404(viewer: Person, scale_id: int) -> RatingScale:
    """The rating scale `scale_id`, for kommune HR."""
    return _shared_or_404(viewer, RatingScale.objects.all(), scale_id)


def get_level_or_404(viewer: Person, level_id: int) -> ScaleLevel:
    """The scale level `level_id`, with its scale, for kommune HR."""
    return _shared_or_404(viewer, ScaleLevel.objects.select_related("scale"), level_id)


def get_job_profile_or_404(viewer: Person, job_profile_id: int) -> JobProfile:
    """The job profile `job_profile_id`, with its framework and `position_count`, for
    kommune HR."""
    return _shared_or_404(
        viewer,
        JobProfile.objects.select_related("framework__scale").annotate(
            position_count=Count("assignments")
        ),
        job_profile_id,
    )


# --- Evaluation rounds and evaluations ------------------------------------------------


def visible_rounds(viewer: Person) -> QuerySet[EvaluationRound]:
    """HR sees every round; a leader the rounds that cover any unit they lead (opened
    on that unit, above it or inside it)."""
    rounds = EvaluationRound.objects.select_related("version__framework", "unit")
    if permissions.is_kommune_hr(viewer):
        return rounds
    paths = permissions.led_unit_paths(viewer) + permissions.administered_unit_paths(viewer)
    if not paths:
        return rounds.none()
    ancestor_ids = {pk for path in paths for pk in unit_path_ids(path)}
    inside = reduce(or_, (Q(unit__path__startswith=path) for path in paths))
    return rounds.filter(Q(unit_id__in=ancestor_ids) | inside)


def get_round_or_404(viewer: Person, round_id: int, *, manage: bool = False) -> EvaluationRound:
    """A round the viewer sees (`visible_rounds`) or, with `manage`, may also close
    and retry: HR (for any unit) or whoever opened it."""
    round_ = visible_rounds(viewer).filter(pk=round_id).first()
    if round_ is None or (manage and not may_manage_round(viewer, round_)):
        raise Http404
    return round_


def may_manage_round(viewer: Person, round_: EvaluationRound) -> bool:
    return permissions.is_hr_for_some_unit(viewer) or round_.opened_by_id == viewer.pk


def may_edit(viewer: Person, evaluation: Evaluation) -> bool:
    """The subject fills their own self-evaluation; a leader of the subject fills the
    leader evaluation. Agreed levels are set in the MUS conversation, not here."""
    if evaluation.kind == Evaluation.Kind.SELF:
        return evaluation.subject_id == viewer.pk
    if evaluation.kind == Evaluation.Kind.LEADER:
        return permissions.leads(viewer, evaluation.subject)
    return False


def get_evaluation_or_404(
    viewer: Person, evaluation_id: int, *, edit: bool = False, lock: bool = False
) -> Evaluation:
    """An evaluation the viewer may read (the subject, their leaders, HR) or, with
    `edit`, fill in. A colleague gets 404. A self- or leader evaluation that is not
    yet submitted is its author's draft: only those who may fill it read it, so the
    subject gets 404 on the leader's draft and a leader (or HR) on the subject's.

    With `lock` (inside a transaction), the evaluation's row is locked as it is read, so
    a write that goes on from it (`services.rating_save(locked=True)`) needs no second
    read."""
    evaluations = Evaluation.objects.select_related("round", "version__framework", "subject")
    if lock:
        evaluations = evaluations.select_for_update(of=("self",))
    evaluation = evaluations.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404
    if edit or not evaluation.is_published:
        allowed = may_edit(viewer, evaluation)
    elif evaluation.subject_id == viewer.pk:
        allowed = True
    else:
        allowed = permissions.can_view_person(viewer, evaluation.subject)
    if not allowed:
        raise Http404
    return evaluation


def get_evaluation_competence_or_404(
    viewer: Person, competence_id: int, *, evaluation: Evaluation
) -> Competence:
    """A competence of `evaluation`'s own framework version, for an `evaluation` the
    caller got from `get_evaluation_or_404` for this viewer; a competence of any other
    version is 404. Read from the version's structure, which a published version keeps
    in the cache."""
    structure = selectors.version_structure(evaluation.version)
    competence = next((c for c in structure.competences if c.pk == competence_id), None)
    if competence is None:
        raise Http404
    return competence


def get_subject_or_404(viewer: Person, person_id: int) -> Person:
    """A person whose evaluations the viewer may compare: a led person or, for HR,
    anyone."""
    if permissions.is_hr_for_some_unit(viewer):
        return org_access.get_person_or_404(viewer, person_id)
    person = permissions.persons_led_by(viewer).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def get_led_heatmap_unit_or_404(viewer: Person, unit_id: int) -> OrgUnit:
    """A unit in a subtree `viewer` leads (by position or a substitute grant), for the
    heat-map's drill-down to the people behind a cell. Only a leader in the line sees
    those people: HR, MED members and leaders elsewhere get the same 404 as for a
    unit of another kommune or one that does not exist."""
    unit = OrgUnit.objects.filter(kommune_id=viewer.kommune_id, pk=unit_id).first()
    if unit is None or not leads_unit(viewer, unit):
        raise Http404
    return unit


def leads_unit(viewer: Person, unit: OrgUnit) -> bool:
    """Whether `unit` lies in a subtree `viewer` leads."""
    return any(unit.path.startswith(path) for path in permissions.led_unit_paths(viewer))


def get_unit_round_competence_or_404(
    unit: OrgUnit, round_id: int, competence_id: int
) -> tuple[EvaluationRound, Competence]:
    """A round that covers `unit` and one of that round's competences (404 otherwise):
    `unit` has already passed an access helper."""
    round_ = (
        EvaluationRound.objects.filter(pk=round_id, unit_id__in=unit.ancestor_ids)
        .select_related("version__framework")
        .first()
    )
    competence = (
        Competence.objects.filter(pk=competence_id, version_id=round_.version_id).first()
        if round_
        else None
    )
    if round_ is None or competence is None:
        raise Http404
    return round_, competence
