"""Writes for SAML login: the kommune's settings, and the sign-in of a checked assertion.

Roles from the assertion (decided here, documented in docs/security.md):

* HR: when the kommune names an HR privilege, the identity provider is the authority
  for the HR role: each SAML sign-in grants `Person.is_hr` when the privilege is there
  and takes it away when it is not, and writes the change to the audit log. That is
  what a kommune that assigns roles in its role catalogue (KOMBIT's administration
  module, OS2rollekatalog) expects: taking the role away there takes it away here at
  the next sign-in. Without an HR privilege the role is kept in Kompetence only.
* Leader of a unit: never granted from the assertion. Leadership is a position in a
  unit, imported from the kommune's organisation and payroll data, and decides whose
  MUS and evaluations a person sees; one login's privilege must not move that. A
  leader privilege naming a unit where the person holds no active leader position is
  reported to the person (and logged) so that HR can correct one of the two sources.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetence.audit import audit_write
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person, Position, User
from kompetence.saml.attributes import EMAIL, Privilege
from kompetence.saml.models import SamlProvider
from kompetence.services import SsoRefused, sso_user_for

logger = logging.getLogger(__name__)


def saml_provider_for(kommune: Kommune) -> SamlProvider | None:
    return SamlProvider.objects.filter(kommune=kommune).first()


@transaction.atomic
def saml_provider_save(
    *,
    kommune: Kommune,
    actor: Person,
    enabled: bool,
    label: str,
    min_level: str,
    hr_privilege: str,
    leader_privilege: str,
    idp_metadata: str | None = None,
    idp_entity_id: str = "",
) -> SamlProvider:
    """The kommune's SAML settings; new metadata (already checked by the form) replaces
    the old only when given."""
    provider = saml_provider_for(kommune) or SamlProvider(kommune=kommune)
    provider.enabled = enabled
    provider.label = label
    provider.min_level = min_level
    provider.hr_privilege = hr_privilege
    provider.leader_privilege = leader_privilege
    if idp_metadata is not None:
        provider.idp_metadata = idp_metadata
        provider.idp_entity_id = idp_entity_id
    provider.save()
    audit_write(
        kommune_id=kommune.pk,
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        subject=None,
        obj=provider,
        summary=_("SAML-login: %(state)s, identitetsudbyder %(idp)s")
        % {
            "state": _("slået til") if provider.enabled else _("slået fra"),
            "idp": provider.idp_entity_id or "–",
        },
    )
    return provider


@dataclass
class SignIn:
    user: User
    # Danish notes for the person: a leader privilege that Kompetence's positions do
    # not back up.
    notes: list[str] = field(default_factory=list)


def saml_sign_in(
    *,
    provider: SamlProvider,
    issuer: str,
    subject: str,
    email: str,
    privileges: list[Privilege],
) -> SignIn:
    """The login a checked assertion signs in to (or SsoRefused), with the roles it
    carries applied as the module docstring says."""
    kommune = provider.kommune

    def claims() -> dict[str, str]:
        # Asked only at the first sign-in, when the person is found by the e-mail.
        if not email:
            raise SsoRefused(
                _(
                    "Kommunens login sendte ingen e-mailadresse (attributten %(name)s), så "
                    "Kompetence kan ikke finde dig første gang. Kontakt kommunens IT."
                )
                % {"name": EMAIL}
            )
        return {kommune.sso_claim: email}

    user = sso_user_for(kommune=kommune, issuer=issuer, subject=subject, claims=claims)
    person = user.person
    names = {privilege.name for privilege in privileges}
    if provider.hr_privilege:
        _hr_follow(person, provider.hr_privilege in names)
    notes = []
    if provider.leader_privilege:
        claimed = set().union(*(p.units for p in privileges if p.name == provider.leader_privilege))
        notes = _leadership_not_backed(person, claimed)
    return SignIn(user=user, notes=notes)


def _hr_follow(person: Person, has_privilege: bool) -> None:
    if person.is_hr == has_privilege:
        return
    person.is_hr = has_privilege
    person.save(update_fields=["is_hr", "updated_at"])
    audit_write(
        kommune_id=person.kommune_id,
        actor=None,
        action=AuditEntry.Action.CHANGE,
        subject=person,
        obj=person,
        summary=_("HR-rollen givet af kommunens SAML-login")
        if has_privilege
        else _("HR-rollen fjernet af kommunens SAML-login"),
    )


def _leadership_not_backed(person: Person, unit_ids: set[str]) -> list[str]:
    if not unit_ids:
        return []
    today = timezone.localdate()
    units = {
        unit.external_id: unit
        for unit in OrgUnit.objects.filter(kommune_id=person.kommune_id, external_id__in=unit_ids)
    }
    led = set(
        Position.objects.filter(
            kommune_id=person.kommune_id,
            person=person,
            is_leader=True,
            unit__in=units.values(),
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("unit__external_id", flat=True)
    )
    notes = []
    for unit_id in sorted(unit_ids - led):
        unit = units.get(unit_id)
        logger.warning(
            "SAML leader privilege for unit %s not backed by a position (person %s)",
            unit_id,
            person.pk,
        )
        notes.append(
            _(
                "Kommunens login siger, at du er leder af %(unit)s, men det står ikke i "
                "Kompetence. Du ser det, dine stillinger giver adgang til. Kontakt HR."
            )
            % {"unit": unit.name if unit else unit_id}
        )
    return notes
