"""Issuing and revoking API tokens (HR for the whole kommune, kompetence.api.views)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from kompetence.api.models import ApiToken
from kompetence.audit import audit_write
from kompetence.models import AuditEntry, Person

# The secret: "kbi_" then 43 URL-safe characters (256 bits). The prefix shown in lists
# is the marker and the first eight characters of the random part.
MARKER = "kbi_"
PREFIX_LENGTH = len(MARKER) + 8


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def api_token_create(
    *, actor: Person, name: str, expires_at: datetime.datetime | None = None
) -> IssuedToken:
    """A new token for `actor`'s kommune. The secret is in the answer only."""
    secret = MARKER + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        kommune_id=actor.kommune_id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=token_hash(secret),
        created_by=actor,
        expires_at=expires_at,
    )
    audit_write(
        kommune_id=actor.kommune_id,
        actor=actor,
        action=AuditEntry.Action.CREATE,
        subject=None,
        obj=token,
        summary=f"API-nøgle oprettet: {token}",
    )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: Person, token: ApiToken) -> None:
    """Revokes `token` at once; a revoked token stays listed, as the audit log names it."""
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_write(
        kommune_id=actor.kommune_id,
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        subject=None,
        obj=token,
        summary=f"API-nøgle tilbagekaldt: {token}",
    )


def api_token_authenticate(*, kommune_id: int, secret: str) -> ApiToken | None:
    """The usable token of `kommune_id` whose secret is `secret`, else None: a token
    of another kommune, a revoked, an expired and an unknown one are all None."""
    token = (
        ApiToken.objects.usable()
        .filter(kommune_id=kommune_id, token_hash=token_hash(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute: a BI refresh makes many calls in a row.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
