"""API tokens: per-kommune keys for the read-only BI API (kompetence.api)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune, Person


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(Q(expires_at=None) | Q(expires_at__gt=now), revoked_at=None)


class ApiToken(models.Model):
    """A key that HR issues for one of the kommune's BI tools. Only a SHA-256 of the
    secret is stored (as for invitation links), so reading the table lets no one in;
    the secret is shown once, when the token is made. The prefix (the secret's first
    characters) names the token in lists and the audit log without giving it away."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("navn"), max_length=200, help_text=_("Hvad nøglen bruges til, fx »Power BI, HR-stab«.")
    )
    prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)

    objects = TenantManager(ApiTokenQuerySet)

    class Meta:
        verbose_name = _("API-nøgle")
        verbose_name_plural = _("API-nøgler")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
