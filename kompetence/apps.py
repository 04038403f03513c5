from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KompetenceConfig(AppConfig):
    name = "kompetence"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kompetence import org_import
        from kompetence.extensions import NavLink, register_nav
        from kompetence.imports import register_importer

        register_importer(org_import.organisation_importer)

        register_nav(
            NavLink("org_tree", _("Organisation"), frozenset({"leader", "hr"}), order=80),
            NavLink("person_list", _("Personer"), frozenset({"hr"}), order=90),
            NavLink("audit_log", _("Adgangslog"), frozenset({"hr"}), order=95),
        )
