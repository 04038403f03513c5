from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MusConfig(AppConfig):
    name = "mus"
    verbose_name = _("MUS og udviklingsplaner")

    def ready(self) -> None:
        from kompetence.infra.background import register_work
        from kompetence.infra.extensions import (
            NavLink,
            register_data_decisions,
            register_home_panel,
            register_nav,
            register_person_panel,
            register_personal_data,
            register_personal_data_eraser,
        )
        from mus import panels, personal_data
        from mus.services import PDF_WORK
        from mus.upward import panels as upward_panels
        from mus.upward import personal_data as upward_personal_data

        register_work(PDF_WORK)

        register_nav(
            NavLink(
                "mus_overview", _("MUS"), frozenset({"employee", "leader"}), order=40, group="mus"
            )
        )
        register_home_panel(panels.home_mus_panel)
        register_home_panel(panels.home_follow_up_panel)
        register_home_panel(upward_panels.home_upward_panel)
        register_person_panel(panels.person_mus_panel)
        register_personal_data(
            personal_data.personal_data_files, description=personal_data.DESCRIPTION
        )
        register_personal_data(
            personal_data.private_files,
            description=personal_data.PRIVATE_DESCRIPTION,
            private=True,
        )
        register_personal_data_eraser(personal_data.erase, count=personal_data.erase_counts)
        register_data_decisions(personal_data.DECISIONS)
        register_personal_data(
            upward_personal_data.personal_data_files,
            description=upward_personal_data.DESCRIPTION,
        )
        register_personal_data_eraser(upward_personal_data.erase)
        register_data_decisions(upward_personal_data.DECISIONS)
