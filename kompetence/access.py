"""What the organisation core's pages may load: the `get_*_or_404` helpers.

Security contract of every helper here: it works inside the request's kommune scope
and returns only objects of the viewer's own kommune that the viewer is entitled to
(the rules themselves live in `kompetence.permissions`). Anything else — an object
that does not exist, one of another kommune, or one that is simply not the viewer's
business — raises the same Http404, so an outsider learns nothing, not even that the
object exists. Every view that loads an object by id goes through one of these.
"""

from __future__ import annotations

from django.http import Http404

from kompetence import permissions, selectors
from kompetence.infra import imports
from kompetence.models import ImportJob, MEDCommittee, OrgUnit, Person, Position


def get_person_or_404(viewer: Person, person_id: int, *, change: bool = False) -> Person:
    """The person `person_id` if `viewer` may see them: themself, someone they lead,
    someone they are HR for. With `change=True`, only someone they are HR for (master
    data is HR's to change)."""
    people = permissions.persons_administered_by if change else permissions.visible_persons
    person = people(viewer).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def get_unit_or_404(viewer: Person, unit_id: int, *, change: bool = False) -> OrgUnit:
    """The unit `unit_id` if `viewer` leads or administers its subtree; with
    `change=True`, only if they administer it (HR for it)."""
    units = permissions.changeable_units if change else permissions.visible_units
    unit = units(viewer).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def get_position_or_404(viewer: Person, position_id: int) -> Position:
    """The position `position_id` if `viewer` is HR for its person (with the person
    and the unit loaded)."""
    position = (
        Position.objects.select_related("person", "unit")
        .filter(pk=position_id, person__in=permissions.persons_administered_by(viewer))
        .first()
    )
    if position is None:
        raise Http404
    return position


def get_med_committee_or_404(viewer: Person, committee_id: int) -> MEDCommittee:
    """The open MED committee `committee_id` (with its unit loaded), for HR for the
    whole kommune only: a committee may cover the whole kommune. A closed committee is
    history and is not found either."""
    if not permissions.is_kommune_hr(viewer):
        raise Http404
    committee = MEDCommittee.objects.open().filter(pk=committee_id).select_related("unit").first()
    if committee is None:
        raise Http404
    return committee


def get_importer_or_404(viewer: Person, kind: str) -> imports.Importer:
    """The importer of `kind` if `viewer` may use it: an unknown kind and one the
    viewer may not use are not found alike."""
    importer = imports.importer_for(kind)
    if importer is None or not importer.allowed(viewer):
        raise Http404
    return importer


def get_import_job_or_404(viewer: Person, job_id: int) -> ImportJob:
    """The import job `job_id` of the viewer's kommune, if the viewer may use its
    kind (`get_importer_or_404`). Filtered by the viewer's kommune as well as by the
    scope: an import job carries a whole file of another kommune's people."""
    job = ImportJob.objects.filter(kommune_id=viewer.kommune_id, pk=job_id).first()
    if job is None:
        raise Http404
    get_importer_or_404(viewer, job.kind)
    return job


def get_login_lock_or_404(viewer: Person, *, login: str, address: str) -> selectors.LoginLock:
    """The lock of one of the viewer's kommune's logins from one address, if it is
    locked now, for HR for the whole kommune only (the locks concern every login)."""
    if not permissions.is_kommune_hr(viewer):
        raise Http404
    lock = selectors.login_lock_get(kommune=viewer.kommune, login=login, address=address)
    if lock is None:
        raise Http404
    return lock
