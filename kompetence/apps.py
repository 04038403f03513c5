from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KompetenceConfig(AppConfig):
    name = "kompetence"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kompetence import getting_started, org_import, personal_data
        from kompetence.infra.background import register_work
        from kompetence.infra.extensions import (
            NavGroup,
            NavLink,
            register_data_decisions,
            register_nav,
            register_nav_group,
            register_setup_step,
        )
        from kompetence.infra.imports import IMPORT_WORK, register_importer

        register_importer(org_import.organisation_importer)
        register_work(IMPORT_WORK)

        # The groups of a long menu (HR's); each app puts its links in one of them.
        register_nav_group(
            NavGroup("organisation", _("Organisation"), order=10),
            NavGroup("competences", _("Kompetencer"), order=20),
            NavGroup("mus", _("MUS"), order=30),
            NavGroup("courses", _("Kurser"), order=40),
            NavGroup("overview", _("Overblik"), order=50),
            NavGroup("settings", _("Indstillinger"), order=60),
        )
        register_nav(
            NavLink(
                "org_tree",
                _("Organisation"),
                frozenset({"leader", "hr"}),
                order=80,
                group="organisation",
            ),
            NavLink(
                "person_list", _("Personer"), frozenset({"hr"}), order=90, group="organisation"
            ),
            NavLink("audit_log", _("Adgangslog"), frozenset({"hr"}), order=95, group="settings"),
            NavLink(
                "med_committee_list",
                _("MED-udvalg"),
                frozenset({"kommune_hr"}),
                order=96,
                group="organisation",
            ),
            NavLink(
                "kommune_settings",
                _("Indstillinger"),
                frozenset({"kommune_hr"}),
                order=99,
                group="settings",
            ),
        )
        # The core's part of the export and of the deletion is built in, not registered
        # (personal_data.sections() and erasers()); its models' decisions are.
        register_data_decisions(personal_data.CORE_DECISIONS)
        register_setup_step(*getting_started.CORE_STEPS)
