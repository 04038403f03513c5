"""Evaluation rounds, the evaluation form, comparisons and gap pages."""

from django.urls import path

from profiles.views import evaluations as views

urlpatterns = [
    path("mine-kompetencer/", views.my_competences, name="my_competences"),
    path("evalueringer/", views.round_list, name="round_list"),
    path("evalueringer/ny/", views.round_create, name="round_create"),
    path("evalueringer/<int:round_id>/", views.round_detail, name="round_detail"),
    path("evalueringer/<int:round_id>/luk/", views.round_close, name="round_close"),
    path("evalueringer/<int:round_id>/igen/", views.round_retry, name="round_retry"),
    path(
        "evalueringer/<int:round_id>/personer/<int:person_id>/",
        views.person_comparison,
        name="person_comparison",
    ),
    path("evaluering/<int:evaluation_id>/", views.evaluation_form, name="evaluation_form"),
    path(
        "evaluering/<int:evaluation_id>/svar/<int:competence_id>/",
        views.evaluation_answer,
        name="evaluation_answer",
    ),
    path(
        "evaluering/<int:evaluation_id>/indsend/", views.evaluation_submit, name="evaluation_submit"
    ),
    path(
        "evaluering/<int:evaluation_id>/genaabn/", views.evaluation_reopen, name="evaluation_reopen"
    ),
    path("kompetencer/heatmap/", views.heatmap, name="heatmap"),
    path("kompetencer/heatmap/personer/", views.heatmap_people, name="heatmap_people"),
]
