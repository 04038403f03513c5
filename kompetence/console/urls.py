"""The platform console's pages, under /platform/ on the bare domain."""

from django.urls import path

from kompetence.console import views

app_name = "console"

urlpatterns = [
    path("", views.kommune_list, name="kommune_list"),
    path("kommuner/ny/", views.kommune_create, name="kommune_create"),
    path("kommuner/<int:kommune_id>/", views.kommune_detail, name="kommune_detail"),
    path("kommuner/<int:kommune_id>/luk/", views.kommune_deactivate, name="kommune_deactivate"),
    path("kommuner/<int:kommune_id>/genaabn/", views.kommune_reactivate, name="kommune_reactivate"),
    path("kommuner/<int:kommune_id>/sso/", views.kommune_sso, name="kommune_sso"),
    path(
        "kommuner/<int:kommune_id>/tilgaengelighed/",
        views.kommune_accessibility,
        name="kommune_accessibility",
    ),
    path(
        "kommuner/<int:kommune_id>/inviter-hr/", views.kommune_invite_hr, name="kommune_invite_hr"
    ),
    path("log/", views.operator_log, name="operator_log"),
]
