"""Who may see and fill which evaluation round and evaluation, on top of the
organisation core's rules (kompetence.permissions).

Security contract of every `get_*_or_404` here: it returns only objects of the active
kommune that the viewer is entitled to, and raises the same Http404 for objects that
do not exist, belong to another kommune, or are simply not the viewer's business.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from kompetence import access as org_access
from kompetence import permissions
from kompetence.models import Person, unit_path_ids
from profiles.models import Evaluation, EvaluationRound


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


def get_round_or_404(viewer: Person, round_id: int) -> EvaluationRound:
    round_ = visible_rounds(viewer).filter(pk=round_id).first()
    if round_ is None:
        raise Http404
    return round_


def may_edit(viewer: Person, evaluation: Evaluation) -> bool:
    """The subject fills their own self-evaluation; a leader of the subject fills the
    leader evaluation. Agreed levels are set in the MUS conversation, not here."""
    if evaluation.kind == Evaluation.Kind.SELF:
        return evaluation.subject_id == viewer.pk
    if evaluation.kind == Evaluation.Kind.LEADER:
        return permissions.leads(viewer, evaluation.subject)
    return False


def get_evaluation_or_404(viewer: Person, evaluation_id: int, *, edit: bool = False) -> Evaluation:
    """An evaluation the viewer may read (the subject, their leaders, HR) or, with
    `edit`, fill in. A colleague gets 404. A self- or leader evaluation that is not
    yet submitted is its author's draft: only those who may fill it read it, so the
    subject gets 404 on the leader's draft and a leader (or HR) on the subject's."""
    evaluation = (
        Evaluation.objects.select_related("round", "version__framework", "subject")
        .filter(pk=evaluation_id)
        .first()
    )
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


def get_subject_or_404(viewer: Person, person_id: int) -> Person:
    """A person whose evaluations the viewer may compare: a led person or, for HR,
    anyone."""
    if permissions.is_hr_for_some_unit(viewer):
        return org_access.get_person_or_404(viewer, person_id)
    person = permissions.persons_led_by(viewer).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person
