"""The upward feedback's part of the personal data export and of the GDPR deletion.

* The submission marker is the respondent's personal data: their export says that they
  answered the feedback about leader X in year Y, and nothing about what (the answers
  are stored without them and cannot be found again).
* The counters are not the respondent's data: nothing links an answer to who gave it
  (see mus.upward). They are about the leader, whose export holds what their own page
  shows: the released figures of at least k answers, never the live counters.

When a respondent leaves, their markers go and their answers stay in the counters,
which do not point to them. When a leader leaves, the markers and counters about them
go: the feedback was about them alone."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kompetence.infra.extensions import DataDecision, not_personal_data
from kompetence.models import Person
from kompetence.personal_data import json_bytes, person_ref
from mus.models import UpwardAnswerCount, UpwardQuestion, UpwardSubmission
from mus.upward.selectors import leader_files_feedback

DESCRIPTION = _(
    "ledelsesfeedback.json: hvilke ledere du har givet anonym feedback, og hvilket år "
    "(dine svar er gemt uden dit navn og kan ikke findes frem), og, hvis du er leder, de "
    "samlede tal fra feedbacken på din ledelse, som du selv kan se dem."
)


def personal_data_files(person: Person) -> dict[str, bytes]:
    """Three queries: the person's markers, the statements and their released figures."""
    answered = [
        {
            "leader": person_ref(submission.leader),
            "year": submission.period,
            "answers": str(
                _("Gemt uden dit navn: kan ikke findes frem og er ikke en del af udtrækket.")
            ),
        }
        for submission in UpwardSubmission.objects.filter(respondent=person)
        .select_related("leader")
        .order_by("period", "leader__name", "pk")
    ]
    data = {
        "feedback_i_have_given": answered,
        "feedback_on_my_leadership": leader_files_feedback(
            person, person.kommune.med_min_group_size
        ),
    }
    return {"ledelsesfeedback.json": json_bytes(data)}


def erase(person: Person) -> None:
    UpwardSubmission.objects.filter(respondent=person).delete()
    UpwardSubmission.objects.filter(leader=person).delete()
    UpwardAnswerCount.objects.filter(leader=person).delete()


DECISIONS = {
    UpwardSubmission: DataDecision(export=personal_data_files, erase=erase),
    UpwardAnswerCount: DataDecision(
        # The leader's released figures; the live counters and the answers in them are
        # no one's: nothing links them to a respondent.
        export=personal_data_files,
        erase=erase,
    ),
    UpwardQuestion: not_personal_data("the kommune's feedback statements, the same for everyone"),
}
