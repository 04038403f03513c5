"""URLs on the bare domain: the front page, health, and the platform operators' admin."""

from django.contrib import admin
from django.urls import path

from kompetence import accounts, health
from kompetence.views import public

urlpatterns = [
    path("", public.landing, name="landing"),
    path("healthz/", health.healthz, name="healthz"),
    path("sprog/", accounts.set_language, name="set_language"),
    path("tilgaengelighed/", public.accessibility, name="accessibility"),
    path("platform/", admin.site.urls),
]

handler500 = "kompetence.http.server_error"
