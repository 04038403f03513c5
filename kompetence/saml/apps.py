from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamlConfig(AppConfig):
    name = "kompetence.saml"
    label = "saml"
    verbose_name = _("SAML-login")

    def ready(self) -> None:
        from kompetence.infra.extensions import not_personal_data, register_data_decisions
        from kompetence.saml.models import SamlProvider

        register_data_decisions(
            {
                SamlProvider: not_personal_data(
                    "the kommune's SAML configuration: the identity provider's public "
                    "metadata, the lowest NSIS level and which privileges mean HR and "
                    "leader; it names no person"
                )
            }
        )
