"""Writes on the organisation core. `kommune` always comes from the object graph or the
active scope, never from user input."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetence.audit import audit_write
from kompetence.infra.extensions import kommune_created, positions_changed
from kompetence.infra.tenancy import kommune_scope
from kompetence.invitations import revoke_open
from kompetence.models import (
    AuditEntry,
    Kommune,
    MEDCommittee,
    MEDMembership,
    OrgUnit,
    OrgUnitUserObjectPermission,
    Person,
    Position,
    SsoIdentity,
    User,
)
from kompetence.permissions import is_kommune_hr
from kompetence.selectors import LoginLock

EMAIL_TAKEN = gettext_lazy("E-mailen bruges allerede af en anden person i kommunen.")
EMPLOYEE_NUMBER_TAKEN = gettext_lazy("Medarbejdernummeret bruges allerede af en anden person.")
LOGIN_TAKEN = gettext_lazy("Brugernavnet bruges allerede af et andet login i kommunen.")

# A keyword argument left out: the field keeps its value.
_UNCHANGED: Any = object()


@transaction.atomic
def unit_create(
    *,
    kommune: Kommune,
    name: str,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.AFDELING,
    external_id: str = "",
    actor: Person | None = None,
) -> OrgUnit:
    """A new unit under `parent`, or at the top. With an `actor` (HR on the unit pages),
    only HR for the whole kommune makes a unit at the top: an HR delegate makes units
    inside the subtree they are HR for."""
    if parent is not None and parent.kommune_id != kommune.pk:
        raise ValidationError(_("Overenheden hører til en anden kommune."))
    if parent is None and actor is not None and not is_kommune_hr(actor):
        raise ValidationError({"parent": _("Vælg en overenhed, du er HR for.")})
    unit = OrgUnit.objects.create(
        kommune=kommune,
        parent=parent,
        name=name,
        kind=kind,
        external_id=external_id,
        # The path needs the primary key; "~" lies under no subtree until it is set.
        path="~",
        depth=(parent.depth + 1) if parent else 1,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_update(*, unit: OrgUnit, name: str, kind: str, external_id: str, parent: OrgUnit | None):
    # The stored parent decides whether the unit moves: `unit` may be a bound form's
    # instance, which already carries the new parent.
    stored_parent_id = OrgUnit.objects.values_list("parent_id", flat=True).get(pk=unit.pk)
    unit.name, unit.kind, unit.external_id = name, kind, external_id
    unit.save(update_fields=["name", "kind", "external_id"])
    if (parent.pk if parent else None) != stored_parent_id:
        unit_move(unit=unit, new_parent=parent)
    return unit


@transaction.atomic
def unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Moves `unit` and its subtree under `new_parent` with two UPDATE statements."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError(_("En enhed kan ikke flyttes ind under sig selv."))
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    depth_change = ((new_parent.depth + 1) if new_parent else 1) - unit.depth
    OrgUnit.objects.filter(kommune=unit.kommune, path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    return unit


@transaction.atomic
def person_create(
    *,
    kommune: Kommune,
    employee_number: str,
    name: str,
    email: str = "",
    is_hr: bool = False,
    username: str | None = None,
    password: str | None = None,
    actor: Person | None = None,
) -> Person:
    """Creates the person and their login. Without a password the login cannot be used
    until a password is set through "glemt adgangskode" (or single sign-on). With an
    `actor` (HR on the person pages), the creation is written to the audit log."""
    user = User(
        kommune=kommune, username=(username or email or employee_number).lower(), email=email
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    # The form checks both rules first; these catch the same person sent twice at
    # once, so the second post gets the form's own field error, not a server error.
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        field = "email" if user.username == email.lower() else "username"
        raise ValidationError({field: EMAIL_TAKEN if field == "email" else LOGIN_TAKEN}) from error
    try:
        with transaction.atomic():
            person = Person.objects.create(
                kommune=kommune,
                user=user,
                employee_number=employee_number,
                name=name,
                email=email,
                is_hr=is_hr,
            )
    except IntegrityError as error:
        raise ValidationError({"employee_number": EMPLOYEE_NUMBER_TAKEN}) from error
    if actor is not None:
        _audit(actor, AuditEntry.Action.CREATE, subject=person, obj=person)
    return person


def _audit(
    actor: Person,
    action: str,
    *,
    subject: Person | None,
    obj: models.Model | None = None,
    summary: str = "",
) -> None:
    audit_write(
        kommune_id=actor.kommune_id,
        actor=actor,
        action=action,
        subject=subject,
        obj=obj,
        summary=summary,
    )


def person_view_log(*, viewer: Person, person: Person) -> None:
    """Writes to the audit log that `viewer` opened `person`'s page (their own is not
    logged)."""
    _audit(viewer, AuditEntry.Action.VIEW, subject=person, obj=person)


@transaction.atomic
def person_update(
    *,
    person: Person,
    name: str,
    email: str,
    employee_number: str,
    is_hr: bool,
    actor: Person | None = None,
):
    person.name, person.email, person.employee_number, person.is_hr = (
        name,
        email,
        employee_number,
        is_hr,
    )
    person.save(update_fields=["name", "email", "employee_number", "is_hr", "updated_at"])
    if person.user_id:
        User.objects.filter(pk=person.user_id).update(email=email)
    if actor is not None:
        _audit(actor, AuditEntry.Action.CHANGE, subject=person, obj=person)
    return person


@transaction.atomic
def person_deactivate(*, person: Person, actor: Person | None = None) -> Person:
    """A leaver: kept with all history, but can no longer sign in (their login and every
    open invitation stop working at once). The organisation import does this for people
    missing from the payroll file; HR does it by hand for someone who left in between."""
    if actor is not None and actor.pk == person.pk:
        raise ValidationError(_("Du kan ikke markere dig selv som fratrådt."))
    person.is_active = False
    person.left_on = person.left_on or timezone.localdate()
    person.save(update_fields=["is_active", "left_on", "updated_at"])
    if person.user_id:
        User.objects.filter(pk=person.user_id).update(is_active=False)
        revoke_open(user_ids=[person.user_id])
    _positions_changed(person.kommune_id, [person.pk])
    if actor is not None:
        _audit(actor, AuditEntry.Action.CHANGE, subject=person, obj=person, summary=_("Fratrådt"))
    return person


def _positions_changed(kommune_id: int, person_ids: list[int]) -> None:
    # Synchronous, inside the caller's transaction: figures derived from positions
    # change together with the positions or not at all.
    positions_changed.send(sender=Position, kommune_id=kommune_id, person_ids=person_ids)


@transaction.atomic
def position_create(
    *,
    person: Person,
    unit: OrgUnit,
    job_title: str,
    is_leader: bool = False,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    actor: Person | None = None,
) -> Position:
    if unit.kommune_id != person.kommune_id:
        raise ValidationError(_("Enheden hører til en anden kommune."))
    position = Position(
        kommune_id=person.kommune_id,
        person=person,
        unit=unit,
        job_title=job_title,
        is_leader=is_leader,
        end_date=end_date,
    )
    if start_date is not None:
        position.start_date = start_date
    position.full_clean(exclude=["kommune", "person"])
    position.save()
    _positions_changed(person.kommune_id, [person.pk])
    if actor is not None:
        _audit(actor, AuditEntry.Action.CHANGE, subject=person, obj=position)
    return position


@transaction.atomic
def position_update(
    *,
    position: Position,
    unit: OrgUnit = _UNCHANGED,
    job_title: str = _UNCHANGED,
    is_leader: bool = _UNCHANGED,
    start_date: datetime.date = _UNCHANGED,
    end_date: datetime.date | None = _UNCHANGED,
    actor: Person | None = None,
) -> Position:
    """Changes the fields given; a field left out keeps its value."""
    if unit is not _UNCHANGED and unit.kommune_id != position.kommune_id:
        raise ValidationError(_("Enheden hører til en anden kommune."))
    changes = {
        "unit": unit,
        "job_title": job_title,
        "is_leader": is_leader,
        "start_date": start_date,
        "end_date": end_date,
    }
    for name, value in changes.items():
        if value is not _UNCHANGED:
            setattr(position, name, value)
    position.full_clean(exclude=["kommune", "person"])
    position.save()
    _positions_changed(position.kommune_id, [position.person_id])
    if actor is not None:
        _audit(actor, AuditEntry.Action.CHANGE, subject=position.person, obj=position)
    return position


def unit_grant(*, user: User, unit: OrgUnit, codename: str) -> OrgUnitUserObjectPermission:
    """Grants `codename` (lead_orgunit or administer_orgunit) on `unit`'s subtree."""
    if user.kommune_id != unit.kommune_id:
        raise ValidationError(_("Brugeren hører til en anden kommune."))
    permission = Permission.objects.get(content_type__app_label="kompetence", codename=codename)
    grant, _created = OrgUnitUserObjectPermission.objects.get_or_create(
        kommune_id=unit.kommune_id, user=user, permission=permission, content_object=unit
    )
    return grant


def _check_committee_parts(*, kommune_id: int, unit: OrgUnit, members) -> None:
    """The unit and every member belong to the committee's kommune (the forms offer
    nothing else; this is the second wall)."""
    if unit.kommune_id != kommune_id:
        raise ValidationError(_("Enheden hører til en anden kommune."))
    if any(person.kommune_id != kommune_id for person, _role in members):
        raise ValidationError(_("Et medlem hører til en anden kommune."))


def _describe(committee: MEDCommittee) -> str:
    return _("%(name)s (%(kind)s), dækker %(unit)s") % {
        "name": committee.name,
        "kind": committee.get_kind_display(),
        "unit": committee.unit.name,
    }


def _audit_committee(actor: Person, committee: MEDCommittee, changes: MembershipChanges) -> None:
    """One entry per person whose membership changed: it is their data (who sits on
    which committee), so it shows under their name in the audit log."""
    for people, text in (
        (changes.added, _("Medlem af MED-udvalget %(name)s")),
        (changes.removed, _("Ikke længere medlem af MED-udvalget %(name)s")),
        (changes.role_changed, _("Ny rolle i MED-udvalget %(name)s")),
    ):
        for person in people:
            _audit(
                actor,
                AuditEntry.Action.CHANGE,
                subject=person,
                obj=committee,
                summary=text % {"name": committee.name},
            )


@transaction.atomic
def med_committee_create(
    *,
    kommune: Kommune,
    name: str,
    kind: str,
    unit: OrgUnit,
    members: Iterable[tuple[Person, str]] = (),
    actor: Person | None = None,
) -> MEDCommittee:
    """A committee with its members, given as (person, role) pairs. Its members see its
    dashboard at once: access is read from the memberships on every request."""
    members = list(members)
    _check_committee_parts(kommune_id=kommune.pk, unit=unit, members=members)
    committee = MEDCommittee.objects.create(kommune=kommune, name=name, kind=kind, unit=unit)
    MEDMembership.objects.bulk_create(
        MEDMembership(kommune=kommune, committee=committee, person=person, role=role)
        for person, role in members
    )
    if actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CREATE,
            subject=None,
            obj=committee,
            summary=_("MED-udvalg oprettet: %(committee)s") % {"committee": _describe(committee)},
        )
        _audit_committee(actor, committee, MembershipChanges(added=[p for p, _r in members]))
    return committee


@dataclass
class MembershipChanges:
    added: list[Person] = field(default_factory=list)
    removed: list[Person] = field(default_factory=list)
    role_changed: list[Person] = field(default_factory=list)


@transaction.atomic
def med_committee_members_set(*, committee: MEDCommittee, members) -> MembershipChanges:
    """Makes the committee's members exactly `members`, (person, role) pairs. A person
    taken off the committee loses its dashboard at their next request."""
    members = list(members)
    _check_committee_parts(kommune_id=committee.kommune_id, unit=committee.unit, members=members)
    wanted = {person.pk: (person, role) for person, role in members}
    current = {m.person_id: m for m in committee.memberships.select_related("person")}
    changes = MembershipChanges()
    gone = [m for pk, m in current.items() if pk not in wanted]
    MEDMembership.objects.filter(pk__in=[m.pk for m in gone]).delete()
    changes.removed = [m.person for m in gone]
    changed = []
    for pk, (person, role) in wanted.items():
        membership = current.get(pk)
        if membership is None:
            changes.added.append(person)
        elif membership.role != role:
            membership.role = role
            changed.append(membership)
            changes.role_changed.append(person)
    MEDMembership.objects.bulk_update(changed, ["role"])
    MEDMembership.objects.bulk_create(
        MEDMembership(kommune_id=committee.kommune_id, committee=committee, person=p, role=r)
        for p, r in (wanted[person.pk] for person in changes.added)
    )
    return changes


@transaction.atomic
def med_committee_update(
    *,
    committee: MEDCommittee,
    name: str,
    kind: str,
    unit: OrgUnit,
    members: Iterable[tuple[Person, str]],
    actor: Person | None = None,
) -> MembershipChanges:
    # The row is locked and its closing read again: `committee` may be a bound form's
    # instance, loaded before another request closed the committee.
    closed_on = (
        MEDCommittee.objects.select_for_update()
        .values_list("closed_on", flat=True)
        .get(pk=committee.pk)
    )
    if committee.closed_on is not None or closed_on is not None:
        raise ValidationError(_("Udvalget er lukket og kan ikke ændres."))
    _check_committee_parts(kommune_id=committee.kommune_id, unit=unit, members=[])
    committee.name, committee.kind, committee.unit = name, kind, unit
    committee.save(update_fields=["name", "kind", "unit"])
    changes = med_committee_members_set(committee=committee, members=members)
    if actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CHANGE,
            subject=None,
            obj=committee,
            summary=_("MED-udvalg ændret: %(committee)s") % {"committee": _describe(committee)},
        )
        _audit_committee(actor, committee, changes)
    return changes


@transaction.atomic
def med_committee_close(
    *, committee: MEDCommittee, on: datetime.date | None = None, actor: Person | None = None
) -> bool:
    """Closes the committee: it and its memberships stay as history, but it shows no
    dashboard and gives its members no access from now on. False if already closed."""
    if committee.closed_on is not None:
        return False
    committee.closed_on = on or timezone.localdate()
    committee.save(update_fields=["closed_on"])
    if actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CHANGE,
            subject=None,
            obj=committee,
            summary=_("MED-udvalg lukket: %(committee)s") % {"committee": _describe(committee)},
        )
    return True


@transaction.atomic
def kommune_settings_update(
    *,
    kommune: Kommune,
    accessibility_statement_url: str,
    audit_retention_months: int | None,
    actor: Person | None = None,
) -> None:
    """The settings the kommune's HR keeps for the kommune itself."""
    kommune.accessibility_statement_url = accessibility_statement_url
    kommune.audit_retention_months = audit_retention_months
    kommune.save(update_fields=["accessibility_statement_url", "audit_retention_months"])
    if actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CHANGE,
            subject=None,
            obj=kommune,
            summary=_("Tilgængelighedserklæring: %(url)s. Adgangsloggen gemmes: %(months)s")
            % {
                "url": kommune.accessibility_statement_url or "–",
                "months": _("%(n)s måneder") % {"n": audit_retention_months}
                if audit_retention_months
                else _("altid"),
            },
        )


@transaction.atomic
def kommune_open(*, slug: str, name: str) -> Kommune:
    """A new tenant, with what every app gives a new kommune (the default årshjul, sent
    through `kommune_created`). Platform-level: the platform console calls it."""
    kommune = Kommune.objects.create(slug=slug, name=name)
    with kommune_scope(kommune):
        kommune_created.send(sender=Kommune, kommune=kommune)
    return kommune


@transaction.atomic
def kommune_hr_admin_create(*, kommune: Kommune, name: str, email: str) -> Person:
    """A kommune's HR administrator for the whole kommune (`Person.is_hr`), with a login
    named by the e-mail and no password: they choose one from an invitation.

    The employee number is the first free "HR-<n>", which no payroll file uses, so the
    organisation import never takes the person over or ends them."""
    with kommune_scope(kommune):
        taken = set(
            Person.objects.filter(kommune=kommune, employee_number__startswith="HR-").values_list(
                "employee_number", flat=True
            )
        )
        number = next(f"HR-{n}" for n in range(1, len(taken) + 2) if f"HR-{n}" not in taken)
        return person_create(
            kommune=kommune, employee_number=number, name=name, email=email, is_hr=True
        )


@transaction.atomic
def kommune_create(*, slug: str, name: str, hr_name: str, hr_email: str) -> tuple[Kommune, Person]:
    """A new tenant with its first HR administrator, in one go (the benchmark data and
    tests; the platform console opens the kommune and invites HR as two steps).

    The operator never sees the kommune's data: the HR administrator chooses their own
    password through an invitation or "glemt adgangskode" on the kommune's host."""
    kommune = kommune_open(slug=slug, name=name)
    return kommune, kommune_hr_admin_create(kommune=kommune, name=hr_name, email=hr_email)


@transaction.atomic
def login_lock_lift(*, lock: LoginLock, actor: Person | None = None) -> None:
    """Reopens one login from one address: its failure count starts again from zero
    (and these failures no longer count towards the address's limit). Locks of the
    same login from other addresses stay."""
    AccessAttempt.objects.filter(username=lock.key, ip_address=lock.address).delete()
    if actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CHANGE,
            subject=lock.person,
            summary=_("Låst login åbnet igen: %(login)s fra %(address)s")
            % {"login": lock.login, "address": lock.address},
        )


class SsoRefused(Exception):
    """A sign-in through the kommune's identity provider that is refused; the message
    says in Danish what was missing, for the person and for the kommune's IT."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _says_false(value: object) -> bool:
    # Some providers send JSON booleans as strings.
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def sso_user_for(
    *,
    kommune: Kommune,
    issuer: str,
    subject: str,
    claims: Callable[[], Mapping[str, object]],
) -> User:
    """The login that the provider's account (`issuer`, `subject`, from a checked ID
    token) signs in to, or SsoRefused.

    A linked account signs in to its own login and to no other, whatever e-mail the
    provider sends now. An account not yet linked is matched once by the claim the
    kommune chose (`sso_claim`, usually the e-mail) among the kommune's active logins,
    and linked; `claims()` is called only then (it may ask the UserInfo endpoint). An
    e-mail the provider says is not verified matches no one, and a login already linked
    to another account of the same provider is not taken over by whoever has its e-mail
    now."""
    identity = (
        SsoIdentity.objects.filter(kommune=kommune, issuer=issuer, subject=subject)
        .select_related("user__person")
        .first()
    )
    if identity is not None:
        user = identity.user
        person = getattr(user, "person", None)
        if not (user.is_active and person is not None and person.is_active):
            raise SsoRefused(
                _(
                    "Din konto hos kommunens login hører til en person, der ikke længere er "
                    "aktiv i Kompetence hos %(kommune)s. Kontakt HR."
                )
                % {"kommune": kommune.name}
            )
        return user

    found = claims()
    value = str(found.get(kommune.sso_claim) or "").strip()
    if not value:
        raise SsoRefused(
            _(
                "Din identitetsudbyder sendte ingen e-mailadresse (feltet »%(claim)s«) – "
                "hverken i ID-tokenet eller fra sit UserInfo-endpoint. Kontakt kommunens IT."
            )
            % {"claim": kommune.sso_claim}
        )
    if kommune.sso_claim == "email" and _says_false(found.get("email_verified")):
        raise SsoRefused(
            _(
                "Din identitetsudbyder oplyser, at e-mailadressen %(email)s ikke er "
                "bekræftet. Bekræft den hos udbyderen, eller kontakt kommunens IT."
            )
            % {"email": value}
        )
    matches = list(
        User.objects.filter(
            kommune=kommune, is_active=True, person__is_active=True, email__iexact=value
        )[:2]
    )
    if len(matches) != 1:
        message = (
            _(
                "Du er logget ind hos kommunen som %(who)s, men der er ingen aktiv person "
                "med den e-mail i Kompetence hos %(kommune)s. Kontakt HR."
            )
            if not matches
            else _(
                "Flere aktive personer i Kompetence hos %(kommune)s har e-mailen %(who)s, "
                "så Kompetence ved ikke, hvem du er. Kontakt HR."
            )
        )
        raise SsoRefused(message % {"who": value, "kommune": kommune.name})
    user = matches[0]
    taken = _(
        "Personen med e-mailen %(who)s i Kompetence er allerede knyttet til en anden konto "
        "hos kommunens login. Kontakt HR."
    ) % {"who": value}
    if SsoIdentity.objects.filter(kommune=kommune, issuer=issuer, user=user).exists():
        raise SsoRefused(taken)
    try:
        with transaction.atomic():
            SsoIdentity.objects.create(kommune=kommune, user=user, issuer=issuer, subject=subject)
    except IntegrityError:
        # A first sign-in at the same moment (two tabs, or two accounts with this
        # e-mail): whichever was linked first stands.
        linked = SsoIdentity.objects.filter(
            kommune=kommune, issuer=issuer, subject=subject, user=user
        ).exists()
        if not linked:
            raise SsoRefused(taken) from None
    return user


@transaction.atomic
def sso_identity_unlink(*, person: Person, actor: Person | None = None) -> int:
    """HR frees a person's login from its account at the kommune's identity provider
    (the account was replaced there): the next SSO sign-in links again, by e-mail.
    Returns how many links were removed."""
    if person.user_id is None:
        return 0
    deleted, _by_model = SsoIdentity.objects.filter(
        kommune_id=person.kommune_id, user_id=person.user_id
    ).delete()
    if deleted and actor is not None:
        _audit(
            actor,
            AuditEntry.Action.CHANGE,
            subject=person,
            obj=person,
            summary=_("Koblingen til kommunens login fjernet"),
        )
    return deleted
