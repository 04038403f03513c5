"""The leader's team page."""

from django.urls import path

from annualcycle.team import views

urlpatterns = [
    path("mit-team/", views.team_overview, name="team_overview"),
]
