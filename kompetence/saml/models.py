"""The kommune's SAML 2.0 identity provider (OIOSAML 3, e.g. KOMBIT's Context Handler).

One per kommune: the identity provider's metadata as the kommune uploaded it, the lowest
NSIS assurance level it accepts, and which privileges (OIO Basic Privilege Profile) mean
Kompetence's HR role and leadership of a unit. It holds no personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune


class SamlProvider(models.Model):
    class Level(models.TextChoices):
        # The values are the ones OIOSAML 3 sends in the NSIS level attribute.
        LOW = "Low", _("Lav")
        SUBSTANTIAL = "Substantial", _("Betydelig")
        HIGH = "High", _("Høj")

    kommune = models.OneToOneField(Kommune, on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField(_("log ind med SAML"), default=False)
    label = models.CharField(
        _("tekst på knappen"),
        max_length=100,
        blank=True,
        help_text=_("F.eks. »Log ind med KOMBIT«. Står feltet tomt: »Log ind med SAML«."),
    )
    idp_metadata = models.TextField(_("identitetsudbyderens metadata"), blank=True)
    idp_entity_id = models.CharField(_("identitetsudbyderens entity ID"), max_length=500)
    min_level = models.CharField(
        _("laveste NSIS-sikringsniveau"),
        max_length=12,
        choices=Level.choices,
        default=Level.SUBSTANTIAL,
    )
    hr_privilege = models.CharField(
        _("privilegie for HR-rollen"),
        max_length=500,
        blank=True,
        help_text=_(
            "Brugersystemrollens entity ID, f.eks. http://kompetence.dk/roles/usersystemrole/hr/1. "
            "Står feltet tomt, ændrer SAML-login ikke HR-rollen."
        ),
    )
    leader_privilege = models.CharField(
        _("privilegie for leder af en enhed"),
        max_length=500,
        blank=True,
        help_text=_(
            "Enheden står i privilegiets dataafgrænsning (organisationsenhed) som "
            "enhedens eksterne id."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("SAML-identitetsudbyder")
        verbose_name_plural = _("SAML-identitetsudbydere")

    def __str__(self) -> str:
        return self.idp_entity_id

    @property
    def button_label(self) -> str:
        return self.label or str(_("Log ind med SAML"))

    def level_rank(self, level: str) -> int:
        """Low < Substantial < High; anything else ranks below them all."""
        order = [choice.value for choice in self.Level]
        return order.index(level) if level in order else -1
