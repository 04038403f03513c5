"""Proof a person uploads for a requirement or a competence, and their leader's decision.

The file is checked by what it is, not by what it is called: its first bytes must be
those of a PDF, a PNG or a JPEG (a program renamed `certifikat.pdf` is refused), and it
must not be larger than `settings.EVIDENCE_MAX_BYTES`. It is kept through Django's
storage API under a random name (the name the person gave it is kept only in
`Evidence.filename`, cleaned, for display and the download's name), and served only by
`evidence_views.evidence_file` after an access check.

An approved proof for a requirement becomes a certificate (`Certificate.Source.EVIDENCE`)
that counts in the person's status from its issue date until its expiry, or the
requirement's validity when the proof names no expiry. A rejected proof stays with the
person, with the leader's reason.
"""

from __future__ import annotations

import datetime
import unicodedata
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import notifications
from catalogue.models import Certificate, Evidence, TrainingRequirement
from catalogue.training.evidence_access import may_decide_evidence_of
from catalogue.training.selectors import certificate_valid_until
from kompetence.audit import audit_write
from kompetence.models import AuditEntry, Person
from kompetence.selectors import nearest_leaders

# The content types accepted, with the file name extensions that fit each; the first is
# the one a stored file gets.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}
# filetype recognises every accepted type from the first few hundred bytes.
HEAD_BYTES = 2048
DEFAULT_FILENAME = "dokumentation"


def evidence_content_type(upload: UploadedFile) -> str:
    """The upload's content type read from its first bytes, if it is one we accept.
    Raises a ValidationError on the `file` field when it is empty, too large or not a
    PDF, PNG or JPEG (whatever its name says)."""
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if not upload.size:
        raise ValidationError({"file": _("Filen er tom.")})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                "file": _("Filen fylder %(size)s MB. Den må højst fylde %(max)s MB.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "max": max_bytes // (1024 * 1024),
                }
            }
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EXTENSIONS:
        raise ValidationError(
            {
                "file": _(
                    "Filen er hverken en PDF eller et billede (PNG eller JPEG). Det er "
                    "filens indhold, der tæller, ikke dens navn."
                )
            }
        )
    return kind.mime


def display_filename(name: str, content_type: str) -> str:
    """The name the person's file is shown and downloaded as: the last part of the name
    they gave, without control characters or characters file systems refuse, ending in
    an extension that fits its content type."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char for char in name if unicodedata.category(char)[0] != "C" and char not in '"<>:|?*'
    )
    name = " ".join(name.split()).strip(". ")
    stem, dot, suffix = name.rpartition(".")
    extensions = EXTENSIONS[content_type]
    if not dot or suffix.lower() not in extensions:
        stem, suffix = name or DEFAULT_FILENAME, extensions[0]
    return f"{stem[:200]}.{suffix}"


def evidence_upload(
    *,
    person: Person,
    title: str,
    upload: UploadedFile,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
    requirement: TrainingRequirement | None = None,
    framework_id: int | None = None,
    competence_key: uuid.UUID | None = None,
) -> Evidence:
    """Stores the person's proof for `requirement` or for the competence
    (`framework_id`, `competence_key`), pending their leader's decision. The caller has
    checked that the requirement applies to the person or the competence is one of
    theirs. Nothing is stored when the file or the dates are refused. The person's
    nearest leaders get an e-mail."""
    if (requirement is None) == (competence_key is None) or (
        (competence_key is None) != (framework_id is None)
    ):
        raise ValidationError({"target": _("Vælg enten et krav eller en kompetence.")})
    if expires_on is not None and expires_on < issued_on:
        raise ValidationError({"expires_on": _("Udløbsdatoen ligger før udstedelsesdatoen.")})
    content_type = evidence_content_type(upload)
    evidence = Evidence(
        kommune_id=person.kommune_id,
        person=person,
        requirement=requirement,
        framework_id=framework_id,
        competence_key=competence_key,
        title=title.strip()[:200],
        filename=display_filename(upload.name or "", content_type),
        content_type=content_type,
        size=upload.size or 0,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    # A random name under evidence/<year>/<month>/: nothing of what the person called it
    # reaches the storage.
    evidence.file.save(f"{uuid.uuid4().hex}.{EXTENSIONS[content_type][0]}", upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
    except BaseException:
        evidence.file.storage.delete(str(evidence.file.name))
        raise
    notifications.evidence_uploaded(evidence, nearest_leaders(person))
    return evidence


def _pending_for(evidence: Evidence, leader: Person) -> Evidence:
    """The evidence locked for the decision, if `leader` may still make it."""
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("person__user", "requirement", "kommune", "decided_by")
        .get(pk=evidence.pk)
    )
    if not may_decide_evidence_of(leader, evidence.person):
        raise ValidationError(_("Kun medarbejderens leder eller HR kan godkende dokumentationen."))
    if evidence.status != Evidence.Status.PENDING:
        # Decided in another tab, or by another leader, since the page was loaded.
        raise ValidationError(
            _("Dokumentationen er allerede behandlet (%(status)s af %(name)s).")
            % {
                "status": evidence.get_status_display().lower(),
                "name": evidence.decided_by.name if evidence.decided_by else "?",
            }
        )
    return evidence


@transaction.atomic
def evidence_approve(*, evidence: Evidence, leader: Person) -> Evidence:
    """The leader accepts the proof. For a requirement it becomes a certificate from
    its issue date until its expiry (or the requirement's validity), once: a second
    decision, from another tab, is refused."""
    evidence = _pending_for(evidence, leader)
    evidence.status = Evidence.Status.APPROVED
    evidence.decided_by, evidence.decided_at = leader, timezone.now()
    evidence.decision_reason = ""
    evidence.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if evidence.requirement is not None:
        Certificate.objects.create(
            kommune_id=evidence.kommune_id,
            person_id=evidence.person_id,
            requirement=evidence.requirement,
            completed_on=evidence.issued_on,
            valid_until=evidence.expires_on
            or certificate_valid_until(evidence.requirement, evidence.issued_on),
            source=Certificate.Source.EVIDENCE,
            evidence=evidence,
            note=evidence.title[:300],
            recorded_by=leader,
        )
    _log(evidence, leader, _("Dokumentation godkendt: %(title)s"))
    notifications.evidence_decided(evidence)
    return evidence


@transaction.atomic
def evidence_reject(*, evidence: Evidence, leader: Person, reason: str) -> Evidence:
    """The leader refuses the proof with a reason the person reads; the file stays with
    the person."""
    reason = reason.strip()[:2000]
    if not reason:
        raise ValidationError({"reason": _("Skriv en begrundelse, når du afviser.")})
    evidence = _pending_for(evidence, leader)
    evidence.status = Evidence.Status.REJECTED
    evidence.decided_by, evidence.decided_at = leader, timezone.now()
    evidence.decision_reason = reason
    evidence.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _log(evidence, leader, _("Dokumentation afvist: %(title)s"))
    notifications.evidence_decided(evidence)
    return evidence


def _log(evidence: Evidence, leader: Person, summary: str) -> None:
    audit_write(
        kommune_id=evidence.kommune_id,
        actor=leader,
        action=AuditEntry.Action.CHANGE,
        subject=evidence.person,
        obj=evidence,
        summary=summary % {"title": evidence.title},
    )


def evidence_file_read_log(*, request, evidence: Evidence) -> None:
    """Someone other than the person downloaded their proof: the audit log says who."""
    audit_write(
        kommune_id=evidence.kommune_id,
        actor=request.person,
        action=AuditEntry.Action.VIEW,
        subject=evidence.person,
        obj=evidence,
        summary=_("Dokumentation: %(title)s") % {"title": evidence.title},
    )
