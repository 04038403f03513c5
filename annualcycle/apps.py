from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualcycleConfig(AppConfig):
    name = "annualcycle"
    verbose_name = _("Årshjul og overblik")

    def ready(self) -> None:
        from annualcycle import personal_data
        from annualcycle.cycle import panels, services
        from annualcycle.dashboards import invalidation
        from annualcycle.reports.services import GAP_REPORT_WORK, MUS_EVALUATION_WORK
        from kompetence.infra.background import register_work

        register_work(GAP_REPORT_WORK)
        register_work(MUS_EVALUATION_WORK)
        from kompetence.infra.extensions import (
            NavLink,
            kommune_created,
            register_data_decisions,
            register_home_panel,
            register_nav,
            register_setup_step,
        )

        register_nav(
            # Under the competences: the page began as the team's evaluations.
            NavLink(
                "team_overview", _("Mit team"), frozenset({"leader"}), order=20, group="competences"
            ),
            NavLink("cycle", _("Årshjul"), frozenset({"employee"}), order=85, group="overview"),
            NavLink(
                "dashboard",
                _("Overblik"),
                frozenset({"leader", "hr", "med"}),
                order=75,
                group="overview",
            ),
            NavLink(
                "gap_report_list",
                _("Rapporter"),
                frozenset({"leader", "hr"}),
                order=77,
                group="overview",
            ),
            NavLink(
                "mus_evaluation_list",
                _("MUS-evaluering"),
                frozenset({"hr", "med"}),
                order=77,
                group="overview",
            ),
            NavLink(
                "training_overview",
                _("Certifikater"),
                frozenset({"leader", "hr", "med"}),
                order=76,
                group="overview",
            ),
            NavLink(
                "action_plan_list",
                _("Handlingsplaner"),
                frozenset({"leader", "hr", "med"}),
                order=78,
                group="overview",
            ),
        )
        # "Mine opgaver nu" comes first on the home page.
        register_home_panel(panels.home_tasks_panel, first=True)
        register_setup_step(*panels.SETUP_STEPS)
        invalidation.connect()
        register_data_decisions(personal_data.DECISIONS)
        kommune_created.connect(
            services.on_kommune_created, dispatch_uid="annualcycle-default-cycle"
        )
