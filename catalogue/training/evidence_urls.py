from django.urls import path

from catalogue.training import evidence_views as views

urlpatterns = [
    path("krav/dokumentation/ny/", views.evidence_upload, name="evidence_upload"),
    path("krav/dokumentation/godkendelse/", views.evidence_review, name="evidence_review"),
    path("krav/dokumentation/<int:evidence_id>/fil/", views.evidence_file, name="evidence_file"),
    path(
        "krav/dokumentation/<int:evidence_id>/godkend/",
        views.evidence_approve,
        name="evidence_approve",
    ),
    path(
        "krav/dokumentation/<int:evidence_id>/afvis/",
        views.evidence_reject,
        name="evidence_reject",
    ),
]
