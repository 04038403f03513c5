"""Signing a development plan, and delegating the leader's signature:

* a signature stores the SHA-256 of the version's canonical content
  (`mus.content`); when employee and leader have both signed, the PDF is asked for;
* a signature binds what the signer read: the sign form carries the revision and hash
  its page showed, and signing is refused (under the version's row lock) when the plan
  has changed since;
* the leader signature is the conversation's own leader's, or the person's that leader
  or HR has delegated it to (a recorded `SignatureDelegation`), never a higher-up's by
  rank.

Signing builds on the plan's writes (`mus.services`), never the other way round."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetence import permissions
from kompetence.audit import audit_record
from kompetence.models import AuditEntry, Person
from mus.content import (
    content_hash,
    content_lines,
    content_text,
    diff_lines,
    level_names,
    version_diff,
)
from mus.models import Plan, PlanVersion, Signature, SignatureDelegation
from mus.selectors import current_version
from mus.services import pdf_request


def signature_is_valid(signature: Signature) -> bool:
    """Does the version still have exactly the content this signature covered?"""
    return signature.content_hash == content_hash(signature.version)


def is_locked(version: PlanVersion) -> bool:
    """Both have signed: the version changes only through a new version
    (`mus.services.plan_version_new`)."""
    return version.signatures.count() >= 2


class PlanChangedSinceRead(ValidationError):
    """The signer's screen showed other content than the plan has now."""


def leader_delegation_for(plan: Plan, person: Person) -> SignatureDelegation | None:
    """The active delegation that lets `person` sign `plan` as its leader, if any."""
    return (
        SignatureDelegation.objects.filter(
            conversation_id=plan.conversation_id, to_person=person, revoked_at__isnull=True
        )
        .order_by("-granted_at", "-pk")
        .first()
    )


def signer_role(plan: Plan, person: Person) -> str | None:
    """The role in which `person` signs: the employee, or the conversation's own leader,
    or whoever that leader's signature is explicitly delegated to. A leader higher up
    the chain reads and edits the plan but does not sign it by rank alone."""
    if person.pk == plan.employee_id:
        return Signature.Role.EMPLOYEE
    if person.pk == plan.leader_id or leader_delegation_for(plan, person) is not None:
        return Signature.Role.LEADER
    return None


@transaction.atomic
def plan_sign(
    *,
    version: PlanVersion,
    signer: Person,
    password: str,
    seen_revision: int,
    seen_hash: str,
    request=None,
) -> Signature:
    """Signs the version with the signer's password as confirmation, bound to what the
    signer read: `seen_revision` and `seen_hash` are the revision and content hash
    their screen showed (the sign form carries them).

    The version's row is locked first, and the comparison with the stored content is
    made inside the same transaction that stores the signature: an edit either
    committed before (then the hashes differ and signing is refused) or waits for
    this transaction and then goes into a new version. A signature is never stored on
    content the signer did not see."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    plan = version.plan
    if signer.user is None or not signer.user.check_password(password):
        raise ValidationError({"password": _("Adgangskoden er forkert.")})
    role = signer_role(plan, signer)
    if role is None:
        if permissions.leads(signer, plan.employee):
            raise ValidationError(
                _(
                    "Kun samtalens egen leder, %(leader)s, kan underskrive som leder, "
                    "medmindre lederen eller HR har givet dig fuldmagt til det."
                )
                % {"leader": plan.leader.name}
            )
        raise ValidationError(_("Du er ikke part i denne plan."))
    stale = version.pk != current_version(plan).pk or version.revision != seen_revision
    if stale or content_hash(version) != seen_hash:
        raise PlanChangedSinceRead(
            _(
                "Planen er ændret, siden du åbnede den, så din underskrift er ikke gemt. "
                "Læs ændringerne, og underskriv igen, hvis du er enig."
            )
        )
    if version.signatures.filter(role=role).exists():
        raise ValidationError(_("Planen er allerede underskrevet af dig."))
    if not version.goals.exists():
        raise ValidationError(_("En plan uden mål kan ikke underskrives."))
    delegation = None
    if role == Signature.Role.LEADER and signer.pk != plan.leader_id:
        delegation = leader_delegation_for(plan, signer)
    signature = Signature.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        signer=signer,
        role=role,
        content_hash=seen_hash,
        delegation=delegation,
    )
    if request is not None:
        summary = ""
        if delegation is not None:
            summary = _("Som leder efter fuldmagt fra %(granter)s på vegne af %(leader)s") % {
                "granter": delegation.granted_by.name,
                "leader": delegation.from_leader.name,
            }
        audit_record(
            request,
            action=AuditEntry.Action.SIGN,
            subject=plan.employee,
            obj=version,
            summary=summary,
        )
    if version.signatures.count() == 2:
        pdf_request(
            version=version, language=plan.employee.user.language if plan.employee.user else "da"
        )
    return signature


def changes_since_read(
    *, version: PlanVersion, seen_content: str, seen_hash: str
) -> list[tuple[str, str]] | None:
    """What changed between the content a signer read and the plan's newest version,
    as `version_diff` pairs; None when what was read cannot be recovered.

    The sign form carries the content it showed; it is trusted only when it hashes to
    the hash the form also carried, i.e. when it is exactly the content read."""
    current = current_version(version.plan)
    data = seen_content.encode("utf-8")
    if seen_content and hashlib.sha256(data).hexdigest() == seen_hash:
        try:
            older = content_lines(json.loads(data), levels=level_names(current))
        except (ValueError, KeyError, TypeError):
            older = None
        if older is not None:
            return diff_lines(older, content_text(current))
    if version.pk != current.pk:
        # A version with a newer one after it is frozen: it still holds what was read.
        return version_diff(version, current)
    return None


# --- Signature delegations -------------------------------------------------------------


def may_delegate_signature(person: Person, plan: Plan) -> bool:
    """The conversation's own leader and HR of the employee may delegate."""
    return person.pk == plan.leader_id or (
        permissions.persons_administered_by(person).filter(pk=plan.employee_id).exists()
    )


@transaction.atomic
def signature_delegation_grant(
    *, plan: Plan, to_person: Person, granted_by: Person, reason: str, request=None
) -> SignatureDelegation:
    """Lets `to_person` sign `plan` as leader on behalf of the conversation's leader.
    With the request of the person granting it, the grant is written to the audit log."""
    if not may_delegate_signature(granted_by, plan):
        raise ValidationError(
            _("Kun samtalens leder eller HR kan give fuldmagt til at underskrive.")
        )
    if to_person.kommune_id != plan.kommune_id or not to_person.is_active:
        raise ValidationError({"to_person": _("Vælg en aktiv person i kommunen.")})
    if to_person.pk in (plan.employee_id, plan.leader_id):
        raise ValidationError(
            {"to_person": _("Medarbejderen og samtalens leder kan ikke få fuldmagt.")}
        )
    if to_person.user_id is None:
        raise ValidationError(
            {"to_person": _("Personen har intet login og kan derfor ikke underskrive.")}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv hvorfor fuldmagten gives.")})
    delegation = SignatureDelegation.objects.create(
        kommune_id=plan.kommune_id,
        conversation_id=plan.conversation_id,
        from_leader_id=plan.leader_id,
        to_person=to_person,
        granted_by=granted_by,
        reason=reason[:500],
    )
    if request is not None:
        audit_record(
            request,
            action=AuditEntry.Action.CREATE,
            subject=plan.employee,
            obj=delegation,
            summary=_("Fuldmagt til %(name)s til at underskrive som leder")
            % {"name": to_person.name},
        )
    return delegation


def signature_delegation_revoke(
    *, delegation: SignatureDelegation, revoked_by: Person, request=None
) -> SignatureDelegation:
    """Ends a delegation. The record stays, and signatures made under it stay valid.
    With the request of the person revoking it, the revocation is written to the audit
    log (about the plan's employee, `subject`)."""
    if delegation.revoked_at is None:
        delegation.revoked_at, delegation.revoked_by = timezone.now(), revoked_by
        delegation.save(update_fields=["revoked_at", "revoked_by"])
    if request is not None:
        audit_record(
            request,
            action=AuditEntry.Action.CHANGE,
            subject=delegation.conversation.employee,
            obj=delegation,
            summary=_("Fuldmagt til at underskrive som leder tilbagekaldt"),
        )
    return delegation
