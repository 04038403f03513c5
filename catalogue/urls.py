from django.urls import path

from catalogue import views, views_admin

urlpatterns = [
    path("katalog/", views.catalogue, name="catalogue"),
    path("katalog/mine/", views.my_courses, name="my_courses"),
    path("katalog/godkendelser/", views.approvals, name="approvals"),
    path("katalog/<int:course_id>/", views.course_detail, name="course_detail"),
    path("katalog/hold/<int:session_id>/tilmeld/", views.enrol, name="enrol"),
    path(
        "katalog/tilmeldinger/<int:enrolment_id>/afmeld/",
        views.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path(
        "katalog/tilmeldinger/<int:enrolment_id>/afgoer/",
        views.enrolment_decide,
        name="enrolment_decide",
    ),
    # HR (and leaders proposing a course).
    path("katalog/administration/", views_admin.course_manage, name="course_manage"),
    path("katalog/administration/ny/", views_admin.course_create, name="course_create"),
    path("katalog/administration/<int:course_id>/", views_admin.course_edit, name="course_edit"),
    path(
        "katalog/administration/<int:course_id>/status/",
        views_admin.course_status,
        name="course_status",
    ),
    path(
        "katalog/administration/<int:course_id>/hold/ny/",
        views_admin.session_create,
        name="session_create",
    ),
    path("katalog/hold/<int:session_id>/rediger/", views_admin.session_edit, name="session_edit"),
    path(
        "katalog/hold/<int:session_id>/deltagere/",
        views_admin.session_roster,
        name="session_roster",
    ),
    path("katalog/overblik/", views_admin.catalogue_overview, name="catalogue_overview"),
    path("katalog/omkostninger/", views_admin.catalogue_costs, name="catalogue_costs"),
    path(
        "katalog/omkostninger.xlsx", views_admin.catalogue_costs_xlsx, name="catalogue_costs_xlsx"
    ),
    path(
        "katalog/kursuskatalog.csv", views_admin.catalogue_export_csv, name="catalogue_export_csv"
    ),
    path(
        "katalog/kursuskatalog.xlsx",
        views_admin.catalogue_export_xlsx,
        name="catalogue_export_xlsx",
    ),
]
