from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Kursuskatalog")

    def ready(self) -> None:
        from catalogue import catalogue_import, panels, personal_data
        from catalogue.training import certificate_import
        from catalogue.training import panels as training_panels
        from catalogue.training.evidence_panel import evidence_conversation_panel
        from kompetence.infra.extensions import (
            NavLink,
            register_data_decisions,
            register_home_panel,
            register_nav,
            register_person_panel,
            register_personal_data,
            register_personal_data_eraser,
        )
        from kompetence.infra.imports import register_importer
        from mus.extensions import register_conversation_panel
        from profiles.extensions import register_competence_link

        register_importer(catalogue_import.catalogue_importer)
        register_importer(certificate_import.certificate_importer)

        register_nav(
            NavLink(
                "catalogue", _("Kursuskatalog"), frozenset({"employee"}), order=50, group="courses"
            ),
            NavLink(
                "my_training", _("Mine krav"), frozenset({"employee"}), order=52, group="courses"
            ),
            NavLink(
                "approvals", _("Godkendelser"), frozenset({"leader"}), order=55, group="courses"
            ),
            NavLink(
                "course_manage", _("Kurser"), frozenset({"kommune_hr"}), order=70, group="courses"
            ),
            NavLink(
                "requirement_list",
                _("Uddannelseskrav"),
                frozenset({"kommune_hr"}),
                order=72,
                group="courses",
            ),
        )
        register_home_panel(panels.home_courses_panel)
        register_competence_link(panels.courses_for_competence_link)
        register_conversation_panel(training_panels.conversation_training_panel)
        register_person_panel(training_panels.person_training_panel)
        register_personal_data(
            personal_data.personal_data_files, description=personal_data.DESCRIPTION
        )
        register_personal_data_eraser(personal_data.erase, count=personal_data.erase_counts)
        register_personal_data(
            personal_data.training_files, description=personal_data.TRAINING_DESCRIPTION
        )
        register_conversation_panel(evidence_conversation_panel)
        register_data_decisions(personal_data.DECISIONS)
