"""The units' action plans (handlingsplaner)."""

from django.urls import path

from annualcycle.action_plans import views

urlpatterns = [
    path("handlingsplaner/", views.action_plan_list, name="action_plan_list"),
    path("handlingsplaner/ny/", views.action_plan_create, name="action_plan_create"),
    path(
        "handlingsplaner/<int:action_plan_id>/",
        views.action_plan_detail,
        name="action_plan_detail",
    ),
    path(
        "handlingsplaner/<int:action_plan_id>/prioriteter/",
        views.action_plan_update,
        name="action_plan_update",
    ),
    path(
        "handlingsplaner/<int:action_plan_id>/punkter/ny/",
        views.action_plan_item_add,
        name="action_plan_item_add",
    ),
    path(
        "handlingsplaner/<int:action_plan_id>/kommentar/",
        views.action_plan_comment,
        name="action_plan_comment",
    ),
    path(
        "handlingsplaner/punkter/<int:item_id>/",
        views.action_plan_item_edit,
        name="action_plan_item_edit",
    ),
    path(
        "handlingsplaner/punkter/<int:item_id>/slet/",
        views.action_plan_item_delete,
        name="action_plan_item_delete",
    ),
]
