from django.urls import include, path

from annualcycle import views, views_retention

urlpatterns = [
    path("aarshjul/", views.cycle_view, name="cycle"),
    path("aarshjul/<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("aarshjul/<int:cycle_id>/rediger/", views.cycle_edit, name="cycle_edit"),
    path("aarshjul/<int:cycle_id>/gennemgaaet/", views.cycle_review, name="cycle_review"),
    path("aarshjul/<int:cycle_id>/faser/ny/", views.phase_create, name="phase_create"),
    path("aarshjul/faser/<int:phase_id>/", views.phase_edit, name="phase_edit"),
    path("aarshjul/faser/<int:phase_id>/opgaver/ny/", views.task_create, name="task_create"),
    path("aarshjul/opgaver/<int:task_id>/", views.task_edit, name="task_edit"),
    path("aarshjul/opgaver/<int:task_id>/slet/", views.task_delete, name="task_delete"),
    path("persondata/sletning/", views_retention.retention_settings, name="retention_settings"),
    path("", include("annualcycle.urls_dashboards")),
    path("", include("annualcycle.urls_reports")),
]
