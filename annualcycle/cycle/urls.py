"""The årshjul: the wheel and list for everyone, HR's editing of phases and tasks."""

from django.urls import path

from annualcycle.cycle import views

urlpatterns = [
    path("aarshjul/", views.cycle_view, name="cycle"),
    path("aarshjul/<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("aarshjul/<int:cycle_id>/naeste-aar/", views.cycle_copy_next, name="cycle_copy_next"),
    path("aarshjul/<int:cycle_id>/gennemgaaet/", views.cycle_review, name="cycle_review"),
    path("aarshjul/<int:cycle_id>/faser/ny/", views.phase_create, name="phase_create"),
    path("aarshjul/faser/<int:phase_id>/", views.phase_edit, name="phase_edit"),
    path("aarshjul/faser/<int:phase_id>/opgaver/ny/", views.task_create, name="task_create"),
    path("aarshjul/opgaver/<int:task_id>/", views.task_edit, name="task_edit"),
    path("aarshjul/opgaver/<int:task_id>/slet/", views.task_delete, name="task_delete"),
]
