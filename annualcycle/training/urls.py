"""The mandatory-training overview and its spreadsheet."""

from django.urls import path

from annualcycle.training import views

urlpatterns = [
    path("certifikater/", views.training_overview, name="training_overview"),
    path("certifikater/regneark/", views.training_overview_export, name="training_overview_export"),
]
