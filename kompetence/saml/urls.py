from django.urls import path

from kompetence.saml import views

urlpatterns = [
    path("log-ind/saml/", views.saml_login, name="saml_login"),
    path("saml/acs/", views.saml_acs, name="saml_acs"),
    path("saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("indstillinger/saml/", views.saml_settings, name="saml_settings"),
]
