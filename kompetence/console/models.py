"""The operators' log. Platform-level, not a tenant model: an operator works on no
kommune's behalf, and creating a kommune concerns one that did
not exist a moment before. The kommune an action was about is `target_kommune`, not
`kommune`, so the tenant-model rules (scoped manager, `kommune_id` policy) do not apply;
on PostgreSQL the row still sits behind the wall through its operator's login, which is
visible only outside every kommune's scope (kompetence.infra.rls, `dependent_tables`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetence.models import Kommune, User


class OperatorAction(models.Model):
    """Who (an operator) did what to which kommune, when. Never a kommune's personal
    data: an invitation is logged without the invited person's name or address."""

    class Action(models.TextChoices):
        CREATE = "create", _("Oprettede kommunen")
        DEACTIVATE = "deactivate", _("Lukkede kommunen")
        REACTIVATE = "reactivate", _("Genåbnede kommunen")
        SSO = "sso", _("Ændrede SSO-indstillinger")
        ACCESSIBILITY = "accessibility", _("Ændrede tilgængelighedserklæring")
        INVITE_HR = "invite_hr", _("Inviterede en HR-administrator")

    operator = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("operatør")
    )
    target_kommune = models.ForeignKey(
        Kommune, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    action = models.CharField(_("handling"), max_length=16, choices=Action.choices)
    detail = models.CharField(_("detaljer"), max_length=300, blank=True)
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("operatørhandling")
        verbose_name_plural = _("operatørlog")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.operator_id} {self.action}"
