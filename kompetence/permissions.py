"""Who may see and change which person and unit: the one place these rules live.

Rights come from three sources:

* the hierarchy: the leader of a unit leads everyone in its subtree (positions);
* the HR role: HR sees and changes the whole kommune;
* django-guardian object grants on a unit, valid for its subtree: `lead_orgunit`
  (a substitute leader) and `administer_orgunit` (an HR delegate for one centre).

Every helper works inside the request's kommune scope, so an object of another kommune
is simply not found. Views load objects through `kompetence.access`, whose
`get_*_or_404` helpers apply these rules: "does not exist" and "not yours" give the
same 404, so outsiders learn nothing.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from kompetence.models import OrgUnit, OrgUnitUserObjectPermission, Person, Position

LEAD = "lead_orgunit"
ADMINISTER = "administer_orgunit"


def _granted_paths(viewer: Person, codename: str) -> list[str]:
    if viewer.user_id is None:
        return []
    return list(
        OrgUnitUserObjectPermission.objects.filter(
            user_id=viewer.user_id, permission__codename=codename
        ).values_list("content_object__path", flat=True)
    )


def led_unit_paths(viewer: Person) -> list[str]:
    """Paths of the units `viewer` leads, by position or by a substitute grant.

    Cached on the person object for the rest of the request."""
    cached = getattr(viewer, "_led_unit_paths", None)
    if cached is None:
        by_position = Position.objects.active().filter(person=viewer, is_leader=True)
        cached = sorted(
            set(by_position.values_list("unit__path", flat=True))
            | set(_granted_paths(viewer, LEAD))
        )
        viewer._led_unit_paths = cached
    return cached


def is_kommune_hr(viewer: Person) -> bool:
    """HR for the whole kommune: the person holds the HR role (`Person.is_hr`).

    The one test for "HR for the whole kommune"; an HR grant for one centre is not it
    (see `is_hr_for_some_unit`)."""
    return viewer.is_hr


def administered_unit_paths(viewer: Person) -> list[str]:
    """Paths under which `viewer` acts as HR; `[""]` (every path) for kommune HR.

    Cached on the person object for the rest of the request."""
    cached = getattr(viewer, "_administered_unit_paths", None)
    if cached is None:
        cached = [""] if is_kommune_hr(viewer) else sorted(set(_granted_paths(viewer, ADMINISTER)))
        viewer._administered_unit_paths = cached
    return cached


def is_leader(viewer: Person) -> bool:
    return bool(led_unit_paths(viewer))


def is_hr_for_some_unit(viewer: Person) -> bool:
    """HR for at least one unit: kommune HR, or an HR grant for one centre."""
    return bool(administered_unit_paths(viewer))


def _under(paths: list[str], field: str) -> Q:
    """Matches rows whose `field` (a unit path) lies in one of the subtrees `paths`."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def _led_positions_q(paths: list[str], prefix: str = "") -> Q:
    """Positions in the led subtrees, except fellow leaders of the very same unit:
    a co-leader is a peer, not a subordinate."""
    if not paths:
        return Q(pk__in=[])
    return reduce(
        or_,
        (
            Q(**{f"{prefix}unit__path__startswith": path})
            & ~Q(**{f"{prefix}unit__path": path, f"{prefix}is_leader": True})
            for path in paths
        ),
    )


def persons_led_by(viewer: Person) -> QuerySet[Person]:
    """Everyone with an active position in a subtree `viewer` leads (not viewer)."""
    positions = Position.objects.active().filter(_led_positions_q(led_unit_paths(viewer)))
    return Person.objects.filter(pk__in=positions.values("person_id")).exclude(pk=viewer.pk)


def persons_administered_by(viewer: Person) -> QuerySet[Person]:
    if is_kommune_hr(viewer):
        return Person.objects.all()
    positions = Position.objects.filter(_under(administered_unit_paths(viewer), "unit__path"))
    return Person.objects.filter(pk__in=positions.values("person_id"))


def visible_persons(viewer: Person) -> QuerySet[Person]:
    """Every person whose personal data `viewer` may read."""
    if is_kommune_hr(viewer):
        return Person.objects.all()
    return Person.objects.filter(
        Q(pk=viewer.pk)
        | Q(pk__in=persons_led_by(viewer).values("pk"))
        | Q(pk__in=persons_administered_by(viewer).values("pk"))
    )


def leads(viewer: Person, person: Person) -> bool:
    return persons_led_by(viewer).filter(pk=person.pk).exists()


def can_view_person(viewer: Person, person: Person) -> bool:
    return visible_persons(viewer).filter(pk=person.pk).exists()


def can_change_person(viewer: Person, person: Person) -> bool:
    """Master data (name, e-mail, positions) is HR's to change."""
    return persons_administered_by(viewer).filter(pk=person.pk).exists()


def visible_units(viewer: Person) -> QuerySet[OrgUnit]:
    """Units whose people and figures `viewer` may see: led or administered subtrees."""
    if is_kommune_hr(viewer):
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(
        _under(administered_unit_paths(viewer) + led_unit_paths(viewer), "path")
    )


def changeable_units(viewer: Person) -> QuerySet[OrgUnit]:
    if is_kommune_hr(viewer):
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(_under(administered_unit_paths(viewer), "path"))


def can_change_unit(viewer: Person, unit: OrgUnit) -> bool:
    return changeable_units(viewer).filter(pk=unit.pk).exists()
