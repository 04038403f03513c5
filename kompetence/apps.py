from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KompetenceConfig(AppConfig):
    name = "kompetence"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kompetence import org_import
        from kompetence.background import register_work
        from kompetence.extensions import NavLink, register_nav
        from kompetence.imports import IMPORT_WORK, register_importer

        register_importer(org_import.organisation_importer)
        register_work(IMPORT_WORK)

        register_nav(
            NavLink("org_tree", _("Organisation"), frozenset({"leader", "hr"}), order=80),
            NavLink("person_list", _("Personer"), frozenset({"hr"}), order=90),
            NavLink("audit_log", _("Adgangslog"), frozenset({"hr"}), order=95),
        )
