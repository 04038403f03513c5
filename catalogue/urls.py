from django.urls import include, path

from catalogue.views import admin, browse

urlpatterns = [
    path("", include("catalogue.training.urls")),
    path("katalog/", browse.catalogue, name="catalogue"),
    path("katalog/mine/", browse.my_courses, name="my_courses"),
    path("katalog/godkendelser/", browse.approvals, name="approvals"),
    path("katalog/godkendelser/godkend/", browse.enrolments_approve, name="enrolments_approve"),
    path("katalog/godkendelser/afvis/", browse.enrolments_decline, name="enrolments_decline"),
    path("katalog/<int:course_id>/", browse.course_detail, name="course_detail"),
    path("katalog/hold/<int:session_id>/tilmeld/", browse.enrol, name="enrol"),
    path(
        "katalog/tilmeldinger/<int:enrolment_id>/afmeld/",
        browse.enrolment_cancel,
        name="enrolment_cancel",
    ),
    path(
        "katalog/tilmeldinger/<int:enrolment_id>/godkend/",
        browse.enrolment_approve,
        name="enrolment_approve",
    ),
    path(
        "katalog/tilmeldinger/<int:enrolment_id>/afvis/",
        browse.enrolment_decline,
        name="enrolment_decline",
    ),
    # HR (and leaders proposing a course).
    path("katalog/administration/", admin.course_manage, name="course_manage"),
    path("katalog/administration/ny/", admin.course_create, name="course_create"),
    path("katalog/administration/<int:course_id>/", admin.course_edit, name="course_edit"),
    path(
        "katalog/administration/<int:course_id>/offentliggoer/",
        admin.course_publish,
        name="course_publish",
    ),
    path(
        "katalog/administration/<int:course_id>/arkiver/",
        admin.course_archive,
        name="course_archive",
    ),
    path(
        "katalog/administration/<int:course_id>/hold/ny/",
        admin.session_create,
        name="session_create",
    ),
    path("katalog/hold/<int:session_id>/rediger/", admin.session_edit, name="session_edit"),
    path(
        "katalog/hold/<int:session_id>/deltagere/",
        admin.session_roster,
        name="session_roster",
    ),
    path("katalog/overblik/", admin.catalogue_overview, name="catalogue_overview"),
    path("katalog/omkostninger/", admin.catalogue_costs, name="catalogue_costs"),
    path("katalog/omkostninger.xlsx", admin.catalogue_costs_xlsx, name="catalogue_costs_xlsx"),
    path("katalog/kursuskatalog.csv", admin.catalogue_export_csv, name="catalogue_export_csv"),
    path(
        "katalog/kursuskatalog.xlsx",
        admin.catalogue_export_xlsx,
        name="catalogue_export_xlsx",
    ),
]
