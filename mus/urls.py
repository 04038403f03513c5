from django.urls import include, path

from mus.views import agenda, conversations, groups, pdfs, plans, signing

urlpatterns = [
    path("mus/", conversations.mus_overview, name="mus_overview"),
    path("mus/", include("mus.upward.urls")),
    path("mus/dagsorden/", agenda.agenda, name="agenda"),
    path(
        "mus/dagsorden/skabeloner/<slug:slug>/",
        agenda.agenda_starter_use,
        name="agenda_starter_use",
    ),
    path(
        "mus/dagsorden/<int:question_id>/", agenda.agenda_question_edit, name="agenda_question_edit"
    ),
    path(
        "mus/planlaeg/<int:person_id>/",
        conversations.conversation_schedule,
        name="conversation_schedule",
    ),
    path("mus/gruppe/ny/", groups.group_new, name="group_new"),
    path("mus/gruppe/<int:conversation_group_id>/", groups.group_detail, name="group_detail"),
    path(
        "mus/gruppe/<int:conversation_group_id>/noter/",
        groups.group_notes_save,
        name="group_notes_save",
    ),
    path(
        "mus/<int:conversation_id>/individuel/",
        conversations.conversation_individual_request,
        name="conversation_individual_request",
    ),
    path(
        "mus/<int:conversation_id>/",
        conversations.conversation_detail,
        name="conversation_detail",
    ),
    path(
        "mus/<int:conversation_id>/flyt/", conversations.conversation_edit, name="conversation_edit"
    ),
    path(
        "mus/<int:conversation_id>/aflys/",
        conversations.conversation_cancel,
        name="conversation_cancel",
    ),
    path("mus/<int:conversation_id>/forberedelse/", conversations.preparation, name="preparation"),
    path(
        "mus/<int:conversation_id>/samtale/",
        conversations.conversation_screen,
        name="conversation_screen",
    ),
    path(
        "mus/<int:conversation_id>/samtale/noter/",
        conversations.conversation_notes_save,
        name="conversation_notes_save",
    ),
    path(
        "mus/<int:conversation_id>/samtale/afholdt/",
        conversations.conversation_held,
        name="conversation_held",
    ),
    path(
        "mus/<int:conversation_id>/samtale/udviklingsplan/",
        conversations.conversation_plan_start,
        name="conversation_plan_start",
    ),
    path(
        "mus/<int:conversation_id>/aftalt/<int:competence_id>/",
        conversations.agreed_level_save,
        name="agreed_level_save",
    ),
    path("udviklingsplaner/<int:plan_id>/", plans.plan_detail, name="plan_detail"),
    path(
        "udviklingsplaner/<int:plan_id>/fuldmagt/", signing.plan_delegation, name="plan_delegation"
    ),
    path(
        "udviklingsplaner/<int:plan_id>/fuldmagt/tilbagekald/",
        signing.plan_delegation_revoke,
        name="plan_delegation_revoke",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/",
        plans.plan_version_detail,
        name="plan_version_detail",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/tekster/",
        plans.plan_texts_edit,
        name="plan_texts_edit",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/maal/ny/", plans.goal_add, name="goal_add"
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/aktiviteter/ny/",
        plans.activity_add,
        name="activity_add",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/underskriv/",
        signing.plan_sign,
        name="plan_sign",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/ny-version/",
        plans.plan_version_new,
        name="plan_version_new",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/opfoelgning/",
        plans.plan_check_in,
        name="plan_check_in",
    ),
    path("udviklingsplaner/versioner/<int:plan_version_id>/pdf/", pdfs.plan_pdf, name="plan_pdf"),
    path("udviklingsplaner/maal/<int:goal_id>/", plans.goal_edit, name="goal_edit"),
    path("udviklingsplaner/maal/<int:goal_id>/slet/", plans.goal_delete, name="goal_delete"),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/", plans.activity_edit, name="activity_edit"
    ),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/slet/",
        plans.activity_delete,
        name="activity_delete",
    ),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/gennemfoert/",
        plans.activity_done,
        name="activity_done",
    ),
    path(
        "udviklingsplaner/aktiviteter/<int:activity_id>/tilmeld/",
        plans.activity_enrol,
        name="activity_enrol",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/kurser/",
        plans.plan_course_search,
        name="plan_course_search",
    ),
    path(
        "udviklingsplaner/versioner/<int:plan_version_id>/kurser/hold/",
        plans.plan_course_sessions,
        name="plan_course_sessions",
    ),
    path("udviklingsplaner/pdf/<int:pdf_id>/", pdfs.plan_pdf_download, name="plan_pdf_download"),
]
