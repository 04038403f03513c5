"""Reads on the organisation core that pages and reports share."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from kompetence import permissions
from kompetence.auth import login_key_prefix
from kompetence.infra import login_locks as lock_rules
from kompetence.models import (
    AuditEntry,
    Kommune,
    MEDCommittee,
    MEDMembership,
    OrgUnit,
    Person,
    Position,
    SsoIdentity,
    User,
    unit_path_ids,
)


@dataclass
class TreeNode:
    unit: OrgUnit
    people: int = 0
    children: list[TreeNode] = field(default_factory=list)


def unit_subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and every unit below it: one indexed prefix query."""
    return OrgUnit.objects.filter(kommune_id=unit.kommune_id, path__startswith=unit.path)


def org_tree(units: QuerySet[OrgUnit]) -> list[TreeNode]:
    """`units` as nested nodes with head counts, in two queries whatever the size."""
    people = dict(
        Position.objects.active()
        .filter(unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    nodes: dict[int | None, TreeNode] = {
        u.pk: TreeNode(unit=u, people=people.get(u.pk, 0)) for u in units.order_by("path")
    }
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def unit_ancestors(units: QuerySet[OrgUnit], unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Those of `units` above `unit`, from the top down."""
    return units.filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth")


def unit_children(units: QuerySet[OrgUnit], unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Those of `units` directly below `unit`."""
    return units.filter(parent=unit)


def unit_among(units: QuerySet[OrgUnit], unit_id: str | int | None) -> OrgUnit | None:
    """The unit `unit_id` if it is one of `units`, else None (a choice to preselect,
    not a page to show: nothing to refuse)."""
    return units.filter(pk=unit_id or 0).first()


def active_positions(person: Person) -> QuerySet[Position]:
    """The person's active positions, with their units."""
    return Position.objects.active().filter(person=person).select_related("unit")


def positions_of(person: Person) -> QuerySet[Position]:
    """All the person's positions, past ones included, newest first, with their units."""
    return person.positions.select_related("unit").order_by("-start_date")


def med_memberships_of(person: Person) -> QuerySet[MEDMembership]:
    """The person's MED committee memberships, with their committees."""
    return person.med_memberships.select_related("committee")


def unit_people(unit: OrgUnit) -> QuerySet[Position]:
    """Active positions directly in `unit`, leaders first, with the person loaded."""
    return (
        Position.objects.active()
        .filter(unit=unit)
        .select_related("person")
        .order_by("-is_leader", "person__name")
    )


def leaders_of(person: Person) -> QuerySet[Person]:
    """The person's leader chain: leaders of every unit above or at their positions,
    except the person themselves."""
    unit_paths = (
        Position.objects.active().filter(person=person).values_list("unit__path", flat=True)
    )
    ancestor_ids = {pk for path in unit_paths for pk in unit_path_ids(path)}
    leader_positions = Position.objects.active().filter(unit_id__in=ancestor_ids, is_leader=True)
    return Person.objects.filter(pk__in=leader_positions.values("person_id")).exclude(pk=person.pk)


def nearest_leaders(person: Person) -> list[Person]:
    """The leaders closest above the person: the leaders of their own unit, or, for a
    leader, of the nearest unit above with a leader."""
    positions = list(Position.objects.active().filter(person=person).select_related("unit"))
    if not positions:
        return []
    candidate_unit_ids: set[int] = set()
    for position in positions:
        ids = position.unit.ancestor_ids
        # A leader's own unit is where they lead; their leader sits above it.
        candidate_unit_ids.update(ids[:-1] if position.is_leader else ids)
    leader_positions = list(
        Position.objects.active()
        .filter(unit_id__in=candidate_unit_ids, is_leader=True)
        .exclude(person=person)
        .select_related("person", "unit")
    )
    best: dict[int, Person] = {}
    deepest = 0
    for lp in leader_positions:
        depth = lp.unit.depth
        if depth > deepest:
            best, deepest = {}, depth
        if depth == deepest:
            best[lp.person_id] = lp.person
    return sorted(best.values(), key=lambda p: p.name)


def email_taken(*, kommune, email: str, person: Person | None = None) -> bool:
    """Whether another person or login of the kommune already has this e-mail, as its
    address or as its username (a new login takes its username from the e-mail).

    Only the kommune's own people and logins are compared: logins are unique per
    kommune (one person may work for two), and another kommune's addresses are not
    this kommune's to learn."""
    if not email:
        return False
    people = Person.objects.filter(kommune=kommune, email__iexact=email)
    logins = User.objects.filter(kommune=kommune).filter(
        Q(username__iexact=email) | Q(email__iexact=email)
    )
    if person is not None and person.pk:
        people = people.exclude(pk=person.pk)
        if person.user_id:
            logins = logins.exclude(pk=person.user_id)
    return people.exists() or logins.exists()


def person_search(queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__icontains=text) | Q(employee_number__iexact=text) | Q(email__icontains=text)
    )


def audit_entries(*, subject: Person | None = None, actor: Person | None = None):
    entries = AuditEntry.objects.select_related("actor", "subject")
    if subject is not None:
        entries = entries.filter(subject=subject)
    if actor is not None:
        entries = entries.filter(actor=actor)
    return entries


def audit_log(viewer: Person, *, subject_text: str = "", actor_text: str = "", action: str = ""):
    """The audit log HR reads: the entries about the people `viewer` is HR for, the
    entries about no one in particular (searches, exports of lists) written by them,
    and, for HR of the whole kommune, the entries of no one (API calls); narrowed to
    subjects and actors among them that match the texts
    (`person_search`) and to one action."""
    administered = permissions.persons_administered_by(viewer)
    if subject_text:
        # Entries about the matching people among those the viewer administers: every
        # one of them is among the entries below, and asked this way PostgreSQL starts
        # from those few people and the (kommune, subject, -at) index instead of
        # filtering the kommune's whole log (a much-read person: 136 against 5 ms).
        entries = audit_entries().filter(subject__in=person_search(administered, subject_text))
    else:
        about = Q(subject__in=administered) | Q(subject=None, actor__in=administered)
        if permissions.is_kommune_hr(viewer):
            # Entries by no one and about no one are the kommune's own: calls through
            # its API keys and the nightly deletion of old entries. HR of the whole
            # kommune issues the keys, so they answer for them.
            about |= Q(subject=None, actor=None)
        entries = audit_entries().filter(about)
    if actor_text:
        entries = entries.filter(actor__in=person_search(administered, actor_text))
    if action:
        entries = entries.filter(action=action)
    return entries


def kommune_copy(kommune: Kommune) -> Kommune:
    """A fresh copy of the kommune's row, for a form to write its values onto while
    the request's own copy keeps the stored ones."""
    return Kommune.objects.get(pk=kommune.pk)


def active_kommuner() -> QuerySet[Kommune]:
    """Every active kommune by name: their names are public, their data is not."""
    return Kommune.objects.filter(is_active=True).order_by("name")


def primary_positions(person_ids) -> dict[int, Position]:
    """Each person's main active position (a leadership first, then the oldest), with
    its unit loaded: one query for any number of people."""
    primary: dict[int, Position] = {}
    positions = (
        Position.objects.active()
        .filter(person_id__in=person_ids)
        .select_related("unit")
        .order_by("person_id", "-is_leader", "start_date", "pk")
    )
    for position in positions:
        primary.setdefault(position.person_id, position)
    return primary


@dataclass(frozen=True)
class LoginLock:
    """One login of the kommune locked from one address."""

    key: str  # django-axes' username: the kommune's prefix and the login
    login: str  # as typed at sign-in, lower-case
    address: str
    failures: int
    last_failure: datetime.datetime
    opens_at: datetime.datetime | None  # None: only HR reopens it
    person: Person | None  # None when no login of the kommune has this name


def login_locks(*, kommune: Kommune, login: str = "", address: str = "") -> list[LoginLock]:
    """The (login, address) pairs of `kommune`'s logins that are locked now, newest
    first; narrowed to one pair by `login` and `address`. Two queries.

    Only this kommune's logins: the login key starts with its slug, so another
    kommune's locks, and address locks (which belong to no kommune), never appear."""
    now = timezone.now()
    prefix = login_key_prefix(kommune)
    attempts = lock_rules.pair_attempts(now=now).filter(username__startswith=prefix)
    if login or address:
        attempts = attempts.filter(username=prefix + login, ip_address=address)
    pairs = list(
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_failure=Max("attempt_time"))
        .filter(failures__gte=lock_rules.pair_failure_limit())
        .order_by("-last_failure", "username", "ip_address")
    )
    logins = {pair["username"].removeprefix(prefix) for pair in pairs}
    users = (
        User.objects.filter(kommune=kommune)
        .annotate(login=Lower("username"))
        .filter(login__in=logins)
        .select_related("person")
    )
    person_of = {user.login: getattr(user, "person", None) for user in users}
    cool_off = lock_rules.pair_cool_off()
    return [
        LoginLock(
            key=pair["username"],
            login=(name := pair["username"].removeprefix(prefix)),
            address=pair["ip_address"],
            failures=pair["failures"],
            last_failure=pair["last_failure"],
            opens_at=None if cool_off is None else pair["last_failure"] + cool_off,
            person=person_of.get(name),
        )
        for pair in pairs
    ]


def login_lock_get(*, kommune: Kommune, login: str, address: str) -> LoginLock | None:
    """The lock of one of `kommune`'s logins from one address, if it is locked now."""
    locks = login_locks(kommune=kommune, login=login, address=address)
    return locks[0] if locks else None


def sso_identities(person: Person) -> list[SsoIdentity]:
    """The accounts at the kommune's identity provider that sign in to `person`."""
    if person.user_id is None:
        return []
    return list(SsoIdentity.objects.filter(kommune_id=person.kommune_id, user_id=person.user_id))


def med_committees() -> QuerySet[MEDCommittee]:
    """The kommune's MED committees, open ones first and closed ones kept as history,
    with the unit each covers and its members: three queries whatever the number."""
    return (
        MEDCommittee.objects.select_related("unit")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=MEDMembership.objects.select_related("person").order_by("person__name"),
            )
        )
        .order_by(F("closed_on").desc(nulls_first=True), "kind", "name")
    )
