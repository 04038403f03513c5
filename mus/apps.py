from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MusConfig(AppConfig):
    name = "mus"
    verbose_name = _("MUS og udviklingsplaner")
