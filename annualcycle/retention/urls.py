"""GDPR retention: HR's rule, dry run and switch."""

from django.urls import path

from annualcycle.retention import views

urlpatterns = [
    path("persondata/sletning/", views.retention_settings, name="retention_settings"),
]
