from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Kompetenceprofiler")

    def ready(self) -> None:
        from kompetence.infra.background import register_work
        from kompetence.infra.extensions import (
            NavLink,
            positions_changed,
            register_data_decisions,
            register_home_panel,
            register_nav,
            register_person_panel,
            register_personal_data,
            register_personal_data_eraser,
            register_position_attribute,
            register_setup_step,
        )
        from profiles import org_columns, panels, personal_data, services

        register_work(services.ROUND_WORK)
        positions_changed.connect(services.on_positions_changed, dispatch_uid="profiles-positions")
        register_nav(
            NavLink(
                "my_competences",
                _("Mine kompetencer"),
                frozenset({"employee"}),
                order=10,
                group="competences",
            ),
            NavLink(
                "round_list",
                _("Evalueringer"),
                frozenset({"leader", "hr"}),
                order=30,
                group="competences",
            ),
            NavLink(
                "framework_list",
                _("Kompetencerammer"),
                frozenset({"kommune_hr"}),
                order=60,
                group="competences",
            ),
            NavLink(
                "job_profile_list",
                _("Jobprofiler"),
                frozenset({"kommune_hr"}),
                order=65,
                group="competences",
            ),
        )
        register_home_panel(panels.home_evaluations_panel)
        register_setup_step(*panels.SETUP_STEPS)
        register_person_panel(panels.person_job_profiles_panel)
        register_position_attribute(org_columns.JOB_PROFILE_COLUMN)
        register_personal_data(
            personal_data.personal_data_files, description=personal_data.DESCRIPTION
        )
        register_personal_data_eraser(personal_data.erase, count=personal_data.erase_counts)
        register_data_decisions(personal_data.DECISIONS)
