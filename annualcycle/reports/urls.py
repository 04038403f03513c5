"""Gap reports and MUS evaluations: order one, follow it until it is ready, download it."""

from django.urls import path

from annualcycle.reports import views

urlpatterns = [
    path("rapporter/", views.gap_report_list, name="gap_report_list"),
    path("rapporter/<int:report_id>/status/", views.gap_report_status, name="gap_report_status"),
    path("rapporter/<int:report_id>/igen/", views.gap_report_retry, name="gap_report_retry"),
    path(
        "rapporter/<int:report_id>/<str:kind>/",
        views.gap_report_download,
        name="gap_report_download",
    ),
    path("mus-evaluering/", views.mus_evaluation_list, name="mus_evaluation_list"),
    path(
        "mus-evaluering/<int:mus_evaluation_id>/status/",
        views.mus_evaluation_status,
        name="mus_evaluation_status",
    ),
    path(
        "mus-evaluering/<int:mus_evaluation_id>/igen/",
        views.mus_evaluation_retry,
        name="mus_evaluation_retry",
    ),
    path(
        "mus-evaluering/<int:mus_evaluation_id>/<str:kind>/",
        views.mus_evaluation_download,
        name="mus_evaluation_download",
    ),
]
