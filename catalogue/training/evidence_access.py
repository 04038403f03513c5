"""Who may see and decide the proof people upload for their mandatory training.

Security contract of every helper: only evidence of the active kommune, and only for
the person it is about, their leader chain (the person is in the subtree of a unit the
viewer leads, by position or as a substitute) and HR of the whole kommune. Everyone else
— a colleague, a MED member, HR for another centre, a login of another kommune — gets
the same Http404 as for an id that does not exist, so a 404 never tells which it was.

The file itself is served only through `evidence_views.evidence_file`, which loads it
through `get_evidence_or_404`; the storage is never reachable by a public media URL.
"""

from __future__ import annotations

from django.http import Http404

from catalogue.models import Evidence
from kompetence import permissions
from kompetence.models import Person


def may_see_evidence_of(viewer: Person, person: Person) -> bool:
    """The viewer is the person, leads them or is HR of the whole kommune."""
    return (
        viewer.pk == person.pk
        or permissions.is_kommune_hr(viewer)
        or permissions.leads(viewer, person)
    )


def may_decide_evidence_of(viewer: Person, person: Person) -> bool:
    """The viewer leads the person or is HR of the whole kommune; never the person
    themselves, not even a leader or HR approving their own proof."""
    if viewer.pk == person.pk:
        return False
    return permissions.is_kommune_hr(viewer) or permissions.leads(viewer, person)


def get_evidence_or_404(viewer: Person, evidence_id: int, *, deciding: bool = False) -> Evidence:
    """The evidence `evidence_id` with its person and requirement, for those who may
    see it (`may_see_evidence_of`). `deciding`: only those who may approve or reject it
    (`may_decide_evidence_of`); the person themselves gets a 404 then."""
    evidence = (
        Evidence.objects.select_related("person__user", "requirement", "kommune")
        .filter(kommune=viewer.kommune_id, pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise Http404
    allowed = (
        may_decide_evidence_of(viewer, evidence.person)
        if deciding
        else may_see_evidence_of(viewer, evidence.person)
    )
    if not allowed:
        raise Http404
    return evidence
