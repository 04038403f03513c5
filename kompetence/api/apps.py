from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kompetence.api"
    label = "api"
    verbose_name = _("API til BI")

    def ready(self) -> None:
        from kompetence.api.models import ApiToken
        from kompetence.infra.extensions import DataDecision, Reason, register_data_decisions

        register_data_decisions(
            {
                ApiToken: DataDecision(
                    export=Reason(
                        "an API token HR issued for the kommune's BI tools: the kommune's "
                        "integration settings, not about its creator; shown to HR"
                    ),
                    erase=Reason(
                        "kept: the token belongs to the kommune; its creator is anonymised "
                        "with the person, and a deleted person leaves it without a creator"
                    ),
                )
            }
        )
