from django.urls import path

from mus import views

urlpatterns = [
    path("mus/", views.mus_overview, name="mus_overview"),
    path("mus/dagsorden/", views.agenda, name="agenda"),
    path(
        "mus/dagsorden/skabeloner/<slug:slug>/",
        views.agenda_starter_use,
        name="agenda_starter_use",
    ),
    path(
        "mus/dagsorden/<int:question_id>/", views.agenda_question_edit, name="agenda_question_edit"
    ),
    path(
        "mus/planlaeg/<int:person_id>/", views.conversation_schedule, name="conversation_schedule"
    ),
    path("mus/<int:conversation_id>/", views.conversation_detail, name="conversation_detail"),
    path("mus/<int:conversation_id>/flyt/", views.conversation_edit, name="conversation_edit"),
    path("mus/<int:conversation_id>/aflys/", views.conversation_cancel, name="conversation_cancel"),
    path("mus/<int:conversation_id>/forberedelse/", views.preparation, name="preparation"),
    path(
        "mus/<int:conversation_id>/samtale/", views.conversation_screen, name="conversation_screen"
    ),
    path(
        "mus/<int:conversation_id>/aftalt/<int:competence_id>/",
        views.agreed_level_save,
        name="agreed_level_save",
    ),
    path("udviklingsplaner/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("udviklingsplaner/<int:plan_id>/fuldmagt/", views.plan_delegation, name="plan_delegation"),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/",
        views.plan_version_detail,
        name="plan_version_detail",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/tekster/",
        views.plan_texts_edit,
        name="plan_texts_edit",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/maal/ny/", views.goal_add, name="goal_add"
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/aktiviteter/ny/",
        views.activity_add,
        name="activity_add",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/underskriv/",
        views.plan_sign,
        name="plan_sign",
    ),
    path("udviklingsplaner/versioner/<int:plan_version_id>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("udviklingsplaner/maal/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("udviklingsplaner/maal/<int:goal_id>/slet/", views.goal_delete, name="goal_delete"),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/", views.activity_edit, name="activity_edit"
    ),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/slet/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/gennemfoert/",
        views.activity_done,
        name="activity_done",
    ),
    path("udviklingsplaner/pdf/<int:pdf_id>/", views.plan_pdf_download, name="plan_pdf_download"),
]
