from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualcycleConfig(AppConfig):
    name = "annualcycle"
    verbose_name = _("Årshjul og overblik")
