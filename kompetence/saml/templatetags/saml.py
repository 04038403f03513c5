from django import template
from django.template.context import Context

from kompetence.saml.services import saml_provider_for

register = template.Library()


@register.inclusion_tag("saml/login_button.html", takes_context=True)
def saml_login_button(context: Context) -> dict:
    """The login page's »Log ind med …« button when the kommune has SAML switched on."""
    kommune = context.get("kommune")
    provider = saml_provider_for(kommune) if kommune is not None else None
    return {
        "provider": provider if provider and provider.enabled and provider.idp_metadata else None,
        "next": context.get("next", ""),
    }
