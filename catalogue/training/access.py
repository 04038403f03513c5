"""Who may load which requirement, assignment, function, holding and person on HR's
mandatory-training pages.

Security contract of every `get_*_or_404`: only for HR of the whole kommune
(`permissions.is_kommune_hr`), and only objects of the viewer's kommune (on top of the
scope the middleware opened). Anything else — an id that does not exist, another
kommune's object, or a viewer who is not kommune HR — raises the same Http404, so a
404 never tells which of them it was.
"""

from __future__ import annotations

from django.http import Http404

from catalogue.models import (
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from kompetence import permissions
from kompetence.models import Person


def _check(viewer: Person) -> None:
    if not permissions.is_kommune_hr(viewer):
        raise Http404


def get_requirement_or_404(viewer: Person, requirement_id: int) -> TrainingRequirement:
    """The requirement `requirement_id`, for kommune HR only; else Http404."""
    _check(viewer)
    requirement = TrainingRequirement.objects.filter(
        kommune=viewer.kommune_id, pk=requirement_id
    ).first()
    if requirement is None:
        raise Http404
    return requirement


def get_assignment_or_404(viewer: Person, assignment_id: int) -> RequirementAssignment:
    """The assignment `assignment_id` with its requirement, for kommune HR only; else
    Http404."""
    _check(viewer)
    assignment = (
        RequirementAssignment.objects.select_related(
            "requirement", "job_profile", "unit", "function"
        )
        .filter(kommune=viewer.kommune_id, pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def get_function_or_404(viewer: Person, function_id: int) -> TrainingFunction:
    """The function `function_id`, for kommune HR only; else Http404."""
    _check(viewer)
    function = TrainingFunction.objects.filter(kommune=viewer.kommune_id, pk=function_id).first()
    if function is None:
        raise Http404
    return function


def get_holder_or_404(viewer: Person, holder_id: int) -> FunctionHolder:
    """The holding `holder_id` with its function and person, for kommune HR only; else
    Http404."""
    _check(viewer)
    holder = (
        FunctionHolder.objects.select_related("function", "person")
        .filter(kommune=viewer.kommune_id, pk=holder_id)
        .first()
    )
    if holder is None:
        raise Http404
    return holder


def get_person_or_404(viewer: Person, person_id: int) -> Person:
    """A person of the viewer's kommune HR records a certificate for, for kommune HR
    only; else Http404."""
    _check(viewer)
    person = Person.objects.filter(kommune=viewer.kommune_id, pk=person_id).first()
    if person is None:
        raise Http404
    return person
