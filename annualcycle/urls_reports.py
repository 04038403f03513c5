"""Gap reports and the units' action plans (handlingsplaner)."""

from django.urls import path

from annualcycle import views_action_plans, views_reports

urlpatterns = [
    path("rapporter/", views_reports.gap_report_list, name="gap_report_list"),
    path(
        "rapporter/<int:report_id>/status/",
        views_reports.gap_report_status,
        name="gap_report_status",
    ),
    path(
        "rapporter/<int:report_id>/igen/",
        views_reports.gap_report_retry,
        name="gap_report_retry",
    ),
    path(
        "rapporter/<int:report_id>/<str:kind>/",
        views_reports.gap_report_download,
        name="gap_report_download",
    ),
    path("handlingsplaner/", views_action_plans.action_plan_list, name="action_plan_list"),
    path("handlingsplaner/ny/", views_action_plans.action_plan_create, name="action_plan_create"),
    path(
        "handlingsplaner/<int:action_plan_id>/",
        views_action_plans.action_plan_detail,
        name="action_plan_detail",
    ),
    path(
        "handlingsplaner/<int:action_plan_id>/kommentar/",
        views_action_plans.action_plan_comment,
        name="action_plan_comment",
    ),
    path(
        "handlingsplaner/punkter/<int:item_id>/",
        views_action_plans.action_plan_item_edit,
        name="action_plan_item_edit",
    ),
    path(
        "handlingsplaner/punkter/<int:item_id>/slet/",
        views_action_plans.action_plan_item_delete,
        name="action_plan_item_delete",
    ),
]
