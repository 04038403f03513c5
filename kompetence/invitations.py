"""Accounts for real people: invitations, and each person's account state.

People made by *Ny person*, by the organisation import or by the operator get a login
with an unusable password. HR invites them: an e-mail with a one-time link that expires
after `VALID_FOR`, where the person chooses a password (Django's validators) and is
signed in. Only a SHA-256 of the link's secret is stored. A login has at most one open
invitation: a new one (a resend) revokes the old, and so does setting a password or
leaving. A link is honoured only while the person and the login are active and the
kommune uses passwords (`Kommune.sso_only` turns invitations off).

The account state is worked out in SQL (`with_account_state`), so the person list can
show and filter it in a constant number of queries.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kompetence.audit import audit_write
from kompetence.auth import login_key_prefix
from kompetence.infra import login_locks
from kompetence.infra.mail import send_to_person
from kompetence.infra.tenancy import kommune_url
from kompetence.models import (
    AuditEntry,
    Invitation,
    Kommune,
    OrgUnit,
    Person,
    Position,
    SsoIdentity,
    User,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

VALID_FOR = datetime.timedelta(days=14)


class AccountState:
    """What a person's login can do now. The first that holds wins, in this order."""

    NO_ACCESS = "ingen-adgang"  # a leaver, or no login at all
    LOCKED = "laast"  # locked after failed sign-ins (kompetence.infra.login_locks)
    SSO = "sso"  # signs in through the kommune's own login
    ACTIVE = "aktiv"  # has chosen a password
    INVITED = "inviteret"  # an invitation is open
    NOT_INVITED = "ikke-inviteret"

    choices = [
        (NOT_INVITED, _("Ikke inviteret")),
        (INVITED, _("Inviteret")),
        (ACTIVE, _("Aktiv")),
        (LOCKED, _("Låst")),
        (SSO, _("Kommunens login (SSO)")),
        (NO_ACCESS, _("Ingen adgang")),
    ]
    labels = dict(choices)


def _open_invitations(now: datetime.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(used_at=None, revoked_at=None, expires_at__gt=now)


def _locked_q(kommune: Kommune) -> Exists:
    """A (login, address) pair of the person's login is locked now. django-axes keys a
    login by what was typed, so both the username and the e-mail count."""
    prefix = Value(login_key_prefix(kommune))
    typed = Q(username=Concat(prefix, Lower(OuterRef("user__username")))) | Q(
        username=Concat(prefix, Lower(OuterRef("user__email")))
    )
    return Exists(
        login_locks.pair_attempts(now=timezone.now())
        .filter(typed)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=login_locks.pair_failure_limit())
    )


class AccountStateColumn(TypedDict):
    account_state: str


def with_account_state(
    people: QuerySet[Person], *, kommune: Kommune
) -> QuerySet[WithAnnotations[Person, AccountStateColumn]]:
    """`people` annotated with `account_state` (an `AccountState` value), in SQL."""
    now = timezone.now()
    usable = Q(user__password__gt="") & ~Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    sso = (
        Q(pk__isnull=False)
        if kommune.sso_only
        else Exists(SsoIdentity.objects.filter(user_id=OuterRef("user_id")))
    )
    return people.annotate(
        account_state=Case(
            When(
                Q(user__isnull=True) | Q(is_active=False) | Q(user__is_active=False),
                then=Value(AccountState.NO_ACCESS),
            ),
            When(_locked_q(kommune), then=Value(AccountState.LOCKED)),
            When(sso, then=Value(AccountState.SSO)),
            When(usable, then=Value(AccountState.ACTIVE)),
            When(
                Exists(_open_invitations(now).filter(user_id=OuterRef("user_id"))),
                then=Value(AccountState.INVITED),
            ),
            default=Value(AccountState.NOT_INVITED),
            output_field=CharField(),
        )
    )


def account_state(person: Person) -> str:
    return (
        with_account_state(Person.objects.filter(pk=person.pk), kommune=person.kommune)
        .values_list("account_state", flat=True)
        .get()
    )


def latest_invitation(person: Person) -> Invitation | None:
    if person.user_id is None:
        return None
    return Invitation.objects.filter(user_id=person.user_id).select_related("sent_by").first()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_be_invited(person: Person) -> bool:
    """Whether an invitation to `person` can work at all: passwords are in use, and the
    person is active with an active login and an e-mail address."""
    return bool(
        not person.kommune.sso_only
        and person.is_active
        and person.email
        and person.user is not None
        and person.user.is_active
    )


def revoke_open(*, user_ids) -> int:
    """Every open invitation of these logins stops working (a leaver, a password set)."""
    return Invitation.objects.filter(user_id__in=user_ids, used_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def _send(person: Person, token: str, invitation: Invitation) -> bool:
    assert person.user is not None  # only people who can be invited are sent a link
    return send_to_person(
        person,
        subject_template="kompetence/email/invitation_subject.txt",
        body_template="kompetence/email/invitation_body.txt",
        context={
            "kommune": person.kommune,
            "link": kommune_url(person.kommune, f"/invitation/{token}/"),
            "username": person.user.username,
            "expires_at": invitation.expires_at,
        },
    )


@transaction.atomic
def invitation_send(*, person: Person, sent_by: Person | None) -> Invitation | None:
    """Invites one person, or invites them again: any earlier link stops working.
    None when the person cannot be invited (`can_be_invited`). An invitation HR sends
    (`sent_by`) is written to the audit log."""
    if not can_be_invited(person):
        return None
    assert person.user_id is not None  # can_be_invited: the person has a login
    # The login row is locked so two resends at once leave one open invitation.
    User.objects.select_for_update().filter(pk=person.user_id).first()
    revoke_open(user_ids=[person.user_id])
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        kommune_id=person.kommune_id,
        user_id=person.user_id,
        token_hash=_hash(token),
        sent_by=sent_by,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    _send(person, token, invitation)
    if sent_by is not None:
        audit_write(
            kommune_id=person.kommune_id,
            actor=sent_by,
            action=AuditEntry.Action.CHANGE,
            subject=person,
            obj=person,
            summary=gettext("Invitation sendt til %(email)s") % {"email": person.email},
        )
    return invitation


@dataclass(frozen=True)
class BulkResult:
    invited: int  # sent now
    already_invited: int  # an invitation is open: not sent again
    active: int  # has a password or signs in with SSO
    without_email: int  # no address to send to
    without_access: int  # leavers and people without a login


@transaction.atomic
def invitations_send_bulk(
    *, people: QuerySet[Person], kommune: Kommune, sent_by: Person | None
) -> BulkResult:
    """Invites everyone in `people` who is not yet invited and has an e-mail address;
    everyone else is counted, not invited again. Running it twice sends nothing new."""
    counts = {state: 0 for state, _label in AccountState.choices}
    without_email = 0
    to_invite: dict[int, Person] = {}  # by their login's id
    rows = with_account_state(people, kommune=kommune).select_related("user", "kommune")
    for person in rows:
        if person.account_state == AccountState.NOT_INVITED and not person.email:
            without_email += 1
        elif person.account_state == AccountState.NOT_INVITED:
            assert person.user_id is not None  # without a login the state is NO_ACCESS
            to_invite[person.user_id] = person
        else:
            counts[person.account_state] += 1
    if kommune.sso_only:
        to_invite = {}
    user_ids = list(to_invite)
    # Expired links still count as open for the one-open-per-login rule; retire them.
    revoke_open(user_ids=user_ids)
    now = timezone.now()
    tokens = {user_id: secrets.token_urlsafe(32) for user_id in to_invite}
    Invitation.objects.bulk_create(
        [
            Invitation(
                kommune=kommune,
                user_id=user_id,
                token_hash=_hash(token),
                sent_by=sent_by,
                created_at=now,
                expires_at=now + VALID_FOR,
            )
            for user_id, token in tokens.items()
        ],
        batch_size=1000,
        # A bulk run at the same moment may have invited some of them first: those keep
        # the other run's link and are not sent a second one.
        ignore_conflicts=True,
    )
    created = {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(
            token_hash__in=[_hash(token) for token in tokens.values()]
        )
    }
    for user_id, invitee in to_invite.items():
        if user_id in created:
            _send(invitee, tokens[user_id], created[user_id])
    return BulkResult(
        invited=len(created),
        already_invited=counts[AccountState.INVITED] + len(to_invite) - len(created),
        active=counts[AccountState.ACTIVE] + counts[AccountState.SSO] + counts[AccountState.LOCKED],
        without_email=without_email,
        without_access=counts[AccountState.NO_ACCESS],
    )


@transaction.atomic
def invitations_send_to_unit(
    *, people: QuerySet[Person], unit: OrgUnit | None, kommune: Kommune, sent_by: Person
) -> BulkResult:
    """HR's bulk invitation: those of `people` in `unit`'s subtree (all of them without
    a unit) who are not yet invited (`invitations_send_bulk`), written to the audit log."""
    chosen = people_in_subtree(people, unit) if unit else people
    result = invitations_send_bulk(people=chosen, kommune=kommune, sent_by=sent_by)
    audit_write(
        kommune_id=kommune.pk,
        actor=sent_by,
        action=AuditEntry.Action.CHANGE,
        subject=None,
        summary=gettext("Invitationer sendt til %(count)s personer i %(where)s")
        % {"count": result.invited, "where": unit.name if unit else gettext("hele kommunen")},
    )
    return result


def account_state_counts(people: QuerySet[Person], *, kommune: Kommune) -> dict[str, int]:
    """How many of `people` are in each account state (states with none left out)."""
    return dict(
        with_account_state(people, kommune=kommune)
        .order_by()
        .values_list("account_state")
        .annotate(n=Count("pk"))
    )


def people_by_account_state(
    people: QuerySet[Person], *, kommune: Kommune, state: str
) -> QuerySet[WithAnnotations[Person, AccountStateColumn]]:
    """`people` with their account state, by name, narrowed to `state` if it is one."""
    rows = with_account_state(people, kommune=kommune).order_by("name", "pk")
    if state in AccountState.labels:
        rows = rows.filter(account_state=state)
    return rows


def people_in_subtree(people: QuerySet[Person], unit: OrgUnit) -> QuerySet[Person]:
    """Those of `people` with an active position in `unit` or below it."""
    positions = Position.objects.active().filter(
        kommune_id=unit.kommune_id, unit__path__startswith=unit.path
    )
    return people.filter(pk__in=positions.values("person_id"))


class InvitationProblem:
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"  # expired, replaced by a newer link, or the person has left


def invitation_for_token(token: str) -> tuple[Invitation | None, str | None]:
    """The invitation the link's secret names in the active kommune, and what is wrong
    with it (an `InvitationProblem`), if anything."""
    invitation = (
        Invitation.objects.filter(token_hash=_hash(token))
        .select_related("user__person", "kommune")
        .first()
    )
    if invitation is None:
        return None, InvitationProblem.UNKNOWN
    if invitation.used_at is not None:
        return invitation, InvitationProblem.USED
    person = getattr(invitation.user, "person", None)
    if (
        invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
        or person is None
        or not can_be_invited(person)
    ):
        return invitation, InvitationProblem.EXPIRED
    return invitation, None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User | None:
    """Sets the chosen password and uses the invitation up. None when the link was used
    or revoked meanwhile (a second tab, a resend): the row is locked and read again."""
    current = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if current is None or current.used_at is not None or current.revoked_at is not None:
        return None
    if current.expires_at <= timezone.now():
        return None
    user = User.objects.get(pk=current.user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    current.used_at = timezone.now()
    current.save(update_fields=["used_at"])
    return user
