from django.urls import path

from mus.upward import views

urlpatterns = [
    path("ledelsesfeedback/", views.upward_results, name="upward_results"),
    path("ledelsesfeedback/giv/<int:leader_id>/", views.upward_answer, name="upward_answer"),
    path("ledelsesfeedback/leder/<int:leader_id>/", views.upward_leader, name="upward_leader"),
    path("ledelsesfeedback/udsagn/", views.upward_questions, name="upward_questions"),
    path(
        "ledelsesfeedback/udsagn/<int:statement_id>/",
        views.upward_question_edit,
        name="upward_question_edit",
    ),
]
