"""The dashboards: /overblik/ routes each person to theirs."""

from django.urls import path

from annualcycle import views_dashboards

urlpatterns = [
    path("overblik/", views_dashboards.dashboard, name="dashboard"),
    path(
        "overblik/med/<int:committee_id>/",
        views_dashboards.med_dashboard,
        name="med_dashboard",
    ),
]
