from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KompetenceConfig(AppConfig):
    name = "kompetence"
    verbose_name = _("Organisation")
