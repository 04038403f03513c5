"""URLs on the bare domain: the front page, health, and the platform console."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from kompetence import accounts
from kompetence.console import views as console_views
from kompetence.infra import health
from kompetence.views import public

urlpatterns = [
    path("", public.landing, name="landing"),
    path("healthz/", health.healthz, name="healthz"),
    path("sprog/", accounts.set_language, name="set_language"),
    path("tilgaengelighed/", public.accessibility, name="accessibility"),
    # "login" and "logout" here, as on a kommune host, so LOGIN_URL and
    # LOGOUT_REDIRECT_URL lead to the operators' login on the bare domain.
    path("platform/log-ind/", console_views.LoginView.as_view(), name="login"),
    path("platform/log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("platform/", include("kompetence.console.urls")),
]

handler500 = "kompetence.infra.http.server_error"
