from django.urls import include, path

from catalogue.training import admin_views, views

urlpatterns = [
    path("krav/mine/", views.my_training, name="my_training"),
    # HR: requirements, functions and certificates.
    path("krav/", admin_views.requirement_list, name="requirement_list"),
    path("krav/ny/", admin_views.requirement_create, name="requirement_create"),
    path("krav/<int:requirement_id>/", admin_views.requirement_detail, name="requirement_detail"),
    path(
        "krav/<int:requirement_id>/rediger/",
        admin_views.requirement_edit,
        name="requirement_edit",
    ),
    path(
        "krav/<int:requirement_id>/tildel/",
        admin_views.requirement_assign,
        name="requirement_assign",
    ),
    path(
        "krav/tildelinger/<int:assignment_id>/fjern/",
        admin_views.assignment_remove,
        name="assignment_remove",
    ),
    path(
        "krav/<int:requirement_id>/personer/<int:person_id>/certifikat/",
        admin_views.certificate_record,
        name="certificate_record",
    ),
    path("krav/funktioner/", admin_views.function_list, name="function_list"),
    path(
        "krav/funktioner/<int:function_id>/",
        admin_views.function_detail,
        name="function_detail",
    ),
    path(
        "krav/funktioner/indehavere/<int:holder_id>/afslut/",
        admin_views.function_holder_end,
        name="function_holder_end",
    ),
    path("", include("catalogue.training.evidence_urls")),
]
