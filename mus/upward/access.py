"""Who may answer about, and see the aggregates of, which leader.

Security contract of every `get_*_or_404`: only people and statements of the active
kommune that the viewer is entitled to; anything else, existing or not, raises the
same Http404. No helper here ever gives anyone an answer: the aggregates are read only
through mus.upward.selectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from kompetence import permissions
from kompetence.models import Person
from mus.models import UpwardQuestion
from mus.upward import selectors

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def get_feedback_leader_or_404(
    viewer: Person, leader_id: int, *, period: int
) -> WithAnnotations[Person, selectors.AnsweredColumn]:
    """A leader the viewer may answer about in `period`: one they have a conversation
    with that year (`selectors.feedback_leaders`), with `answered` set."""
    leader = selectors.feedback_leaders(viewer, period).filter(pk=leader_id).first()
    if leader is None:
        raise Http404
    return leader


def get_feedback_subject_or_404(viewer: Person, leader_id: int) -> Person:
    """A leader whose aggregates the viewer may see: themself, someone they lead, or,
    as HR, someone they administer."""
    if leader_id == viewer.pk:
        return viewer
    leader = selectors.visible_leaders(viewer).filter(pk=leader_id).first()
    if leader is None:
        raise Http404
    return leader


def get_upward_question_or_404(viewer: Person, question_id: int) -> UpwardQuestion:
    """A statement of the viewer's kommune, for its HR only."""
    if not permissions.is_kommune_hr(viewer):
        raise Http404
    question = UpwardQuestion.objects.filter(kommune_id=viewer.kommune_id, pk=question_id).first()
    if question is None:
        raise Http404
    return question
