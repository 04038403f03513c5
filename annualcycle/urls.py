"""The app's jobs, each a package with its own pages: the årshjul (`cycle`), the
dashboards (`dashboards`), the leader's team page (`team`), gap reports (`reports`)
with the units' action plans (`action_plans`), the mandatory-training overview
(`training`) and GDPR retention (`retention`)."""

from django.urls import include, path

urlpatterns = [
    path("", include("annualcycle.cycle.urls")),
    path("", include("annualcycle.retention.urls")),
    path("", include("annualcycle.dashboards.urls")),
    path("", include("annualcycle.team.urls")),
    path("", include("annualcycle.reports.urls")),
    path("", include("annualcycle.action_plans.urls")),
    path("", include("annualcycle.training.urls")),
]
