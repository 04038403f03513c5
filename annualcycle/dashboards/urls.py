"""The dashboards: /overblik/ routes each person to theirs."""

from django.urls import path

from annualcycle.dashboards import views

urlpatterns = [
    path("overblik/", views.dashboard, name="dashboard"),
    path(
        "overblik/med/<int:committee_id>/",
        views.med_dashboard,
        name="med_dashboard",
    ),
]
