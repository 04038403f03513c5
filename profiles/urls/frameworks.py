"""Framework editor, scales, job profiles and unit profiles (HR pages)."""

from django.urls import path

from profiles.views import frameworks as views

urlpatterns = [
    path("rammer/", views.framework_list, name="framework_list"),
    path("rammer/ny/", views.framework_create, name="framework_create"),
    path("rammer/importer/", views.framework_import, name="framework_import"),
    path("rammer/skabeloner/", views.framework_starters, name="framework_starters"),
    path(
        "rammer/skabeloner/<slug:slug>/brug/",
        views.framework_starter_use,
        name="framework_starter_use",
    ),
    path("rammer/versioner/<int:version_id>/", views.framework_version, name="framework_version"),
    path(
        "rammer/versioner/<int:version_id>/grupper/ny/",
        views.group_create,
        name="group_create",
    ),
    path(
        "rammer/versioner/<int:version_id>/forhaandsvisning/",
        views.framework_preview,
        name="framework_preview",
    ),
    path(
        "rammer/versioner/<int:version_id>/offentliggoer/",
        views.framework_publish,
        name="framework_publish",
    ),
    path(
        "rammer/versioner/<int:version_id>/ny-version/",
        views.framework_new_version,
        name="framework_new_version",
    ),
    path(
        "rammer/versioner/<int:version_id>/eksport/json/",
        views.framework_export_json,
        name="framework_export_json",
    ),
    path(
        "rammer/versioner/<int:version_id>/eksport/moodle-csv/",
        views.framework_export_moodle_csv,
        name="framework_export_moodle_csv",
    ),
    path(
        "rammer/versioner/<int:version_id>/udgaa/",
        views.framework_retire,
        name="framework_retire",
    ),
    path("rammer/grupper/<int:group_id>/", views.group_edit, name="group_edit"),
    path("rammer/grupper/<int:group_id>/slet/", views.group_delete, name="group_delete"),
    path("rammer/grupper/<int:group_id>/flyt/", views.group_move, name="group_move"),
    path(
        "rammer/grupper/<int:group_id>/kompetencer/ny/",
        views.competence_create,
        name="competence_create",
    ),
    path(
        "rammer/kompetencer/<int:competence_id>/",
        views.competence_edit,
        name="competence_edit",
    ),
    path(
        "rammer/kompetencer/<int:competence_id>/slet/",
        views.competence_delete,
        name="competence_delete",
    ),
    path(
        "rammer/kompetencer/<int:competence_id>/flyt/",
        views.competence_move,
        name="competence_move",
    ),
    path("skalaer/<int:scale_id>/", views.scale_detail, name="scale_detail"),
    path("skalaer/trin/<int:level_id>/", views.scale_level_edit, name="scale_level_edit"),
    path("jobprofiler/", views.job_profile_list, name="job_profile_list"),
    path("jobprofiler/ny/", views.job_profile_create, name="job_profile_create"),
    path(
        "jobprofiler/<int:job_profile_id>/",
        views.job_profile_detail,
        name="job_profile_detail",
    ),
    path("organisation/<int:unit_id>/profil/", views.unit_profile, name="unit_profile"),
    path(
        "stillinger/<int:position_id>/jobprofil/",
        views.position_job_profile,
        name="position_job_profile",
    ),
]
