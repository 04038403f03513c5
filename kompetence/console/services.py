"""Every write the console makes, each with its line in the operators' log in the same
transaction: an action that is not logged did not happen."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kompetence import invitations
from kompetence import services as org_services
from kompetence.console.models import OperatorAction
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, User
from kompetence.selectors import email_taken
from kompetence.services import EMAIL_TAKEN


def _record(*, operator: User, kommune: Kommune, action: str, detail: str = "") -> None:
    OperatorAction.objects.create(
        operator=operator, target_kommune=kommune, action=action, detail=detail[:300]
    )


@transaction.atomic
def kommune_create(*, operator: User, slug: str, name: str) -> Kommune:
    """A new kommune with what a new kommune gets (kompetence.services.kommune_open:
    the default årshjul); its HR administrator is invited next."""
    kommune = org_services.kommune_open(slug=slug, name=name)
    _record(
        operator=operator,
        kommune=kommune,
        action=OperatorAction.Action.CREATE,
        detail=f"{name} ({slug})",
    )
    return kommune


@transaction.atomic
def kommune_deactivate(*, operator: User, kommune: Kommune) -> bool:
    """Closes the kommune: its host answers only that Kompetence is closed there, so
    nobody signs in and no one signed in gets further (kompetence.infra.tenancy), and the
    scheduled tasks leave it alone. Nothing is deleted. False if already closed."""
    if not kommune.is_active:
        return False
    kommune.is_active = False
    kommune.save(update_fields=["is_active"])
    _record(operator=operator, kommune=kommune, action=OperatorAction.Action.DEACTIVATE)
    return True


@transaction.atomic
def kommune_reactivate(*, operator: User, kommune: Kommune) -> bool:
    """Opens a closed kommune again, as it was. False if it is open."""
    if kommune.is_active:
        return False
    kommune.is_active = True
    kommune.save(update_fields=["is_active"])
    _record(operator=operator, kommune=kommune, action=OperatorAction.Action.REACTIVATE)
    return True


@transaction.atomic
def kommune_sso_update(
    *,
    operator: User,
    kommune: Kommune,
    sso_enabled: bool,
    sso_label: str,
    sso_discovery_url: str,
    sso_client_id: str,
    sso_client_secret: str,
    sso_claim: str,
    password_login: bool,
) -> None:
    """The kommune's single sign-on (kompetence.sso). An empty `sso_client_secret`
    keeps the stored one; the secret is never logged."""
    kommune.sso_enabled = sso_enabled
    kommune.sso_label = sso_label
    kommune.sso_discovery_url = sso_discovery_url
    kommune.sso_client_id = sso_client_id
    if sso_client_secret:
        kommune.sso_client_secret = sso_client_secret
    kommune.sso_claim = sso_claim
    kommune.password_login = password_login
    kommune.save(
        update_fields=[
            "sso_enabled",
            "sso_label",
            "sso_discovery_url",
            "sso_client_id",
            "sso_client_secret",
            "sso_claim",
            "password_login",
        ]
    )
    parts = [
        _("SSO slået til") if sso_enabled else _("SSO slået fra"),
        _("adgangskode slået til") if password_login else _("adgangskode slået fra"),
        _("klient-id %(client)s") % {"client": sso_client_id or "–"},
    ]
    if sso_client_secret:
        parts.append(_("ny klienthemmelighed"))
    detail = ", ".join(parts)
    _record(operator=operator, kommune=kommune, action=OperatorAction.Action.SSO, detail=detail)


@transaction.atomic
def kommune_accessibility_update(
    *, operator: User, kommune: Kommune, accessibility_statement_url: str
) -> None:
    org_services.kommune_settings_update(
        kommune=kommune,
        accessibility_statement_url=accessibility_statement_url,
        audit_retention_months=kommune.audit_retention_months,
    )
    _record(
        operator=operator,
        kommune=kommune,
        action=OperatorAction.Action.ACCESSIBILITY,
        detail=accessibility_statement_url or "–",
    )


@dataclass(frozen=True)
class HrInvitation:
    invited: bool  # False: the kommune signs in through SSO only, so no link was sent


@transaction.atomic
def hr_admin_invite(*, operator: User, kommune: Kommune, name: str, email: str) -> HrInvitation:
    """Creates an HR administrator for the whole kommune and sends them an invitation
    (kompetence.invitations: a one-time link that expires, to choose a password). In a
    kommune that signs in through SSO only, no link is sent: they sign in with SSO.

    Raises ValidationError (on `email`) when the address is already someone's in the
    kommune. The log names neither the person nor the address."""
    with kommune_scope(kommune):
        if email_taken(kommune=kommune, email=email):
            raise ValidationError({"email": EMAIL_TAKEN})
        person = org_services.kommune_hr_admin_create(kommune=kommune, name=name, email=email)
        invitation = invitations.invitation_send(person=person, sent_by=None)
    _record(operator=operator, kommune=kommune, action=OperatorAction.Action.INVITE_HR)
    return HrInvitation(invited=invitation is not None)
