"""Writes of the upward feedback: HR's statements, and an employee's answers, counted
so that they cannot be linked to the employee (see mus.upward for why each step is
as it is)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetence.audit import audit_write
from kompetence.models import AuditEntry, Kommune, Person
from mus.models import UpwardAnswerCount, UpwardQuestion, UpwardSubmission
from mus.upward import selectors
from mus.upward.rules import SCALE, released_statements

DEFAULT_QUESTIONS = (
    gettext_lazy("Min leder giver mig en tydelig retning for mit arbejde."),
    gettext_lazy("Min leder lægger mærke til og anerkender det arbejde, jeg gør."),
    gettext_lazy("Min leder er til at få fat på, når jeg har brug for det."),
    gettext_lazy("Min leder støtter min faglige udvikling."),
    gettext_lazy("Min leder lytter til mine idéer og forslag og tager dem alvorligt."),
)


class AlreadyAnswered(Exception):
    """The respondent has already answered about this leader this year."""


def upward_questions(*, kommune: Kommune) -> list[UpwardQuestion]:
    """The kommune's active statements; the defaults the first time."""
    questions = list(UpwardQuestion.objects.filter(kommune=kommune, is_active=True))
    if questions or UpwardQuestion.objects.filter(kommune=kommune).exists():
        return questions
    UpwardQuestion.objects.bulk_create(
        UpwardQuestion(kommune=kommune, text=str(text), order=index)
        for index, text in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    return list(UpwardQuestion.objects.filter(kommune=kommune, is_active=True))


def upward_question_save(
    *, kommune: Kommune, question: UpwardQuestion | None, text: str, is_active: bool
) -> UpwardQuestion:
    if question is None:
        order = (
            UpwardQuestion.objects.filter(kommune=kommune).aggregate(m=Max("order"))["m"] or 0
        ) + 1
        return UpwardQuestion.objects.create(
            kommune=kommune, text=text, order=order, is_active=is_active
        )
    question.text, question.is_active = text, is_active
    question.save(update_fields=["text", "is_active"])
    return question


@transaction.atomic
def upward_feedback_submit(
    *,
    respondent: Person,
    leader: Person,
    answers: Mapping[int, int],
    today: datetime.date | None = None,
) -> UpwardSubmission:
    """Records that `respondent` answered about `leader` this year and counts the
    `answers` (statement id → 1..5) without them. Raises AlreadyAnswered for a second
    answer, ValidationError if the respondent may not answer about the leader or an
    active statement is unanswered."""
    period = selectors.current_period(today)
    kommune = respondent.kommune
    if not selectors.feedback_leaders(respondent, period).filter(pk=leader.pk).exists():
        raise ValidationError(_("Du kan kun give feedback til en leder, du har MUS med i år."))
    active = {q.pk for q in UpwardQuestion.objects.filter(kommune=kommune, is_active=True)}
    if set(answers) != active or any(value not in SCALE for value in answers.values()):
        raise ValidationError(_("Svar på alle udsagn med et tal fra 1 til 5."))
    try:
        with transaction.atomic():
            submission = UpwardSubmission.objects.create(
                kommune=kommune, respondent=respondent, leader=leader, period=period
            )
    except IntegrityError:
        raise AlreadyAnswered from None
    upward_answers_count(kommune=kommune, leader=leader, period=period, answers=answers)
    audit_write(
        kommune_id=kommune.pk,
        actor=respondent,
        action=AuditEntry.Action.CREATE,
        subject=respondent,
        obj=submission,
        summary=_("Anonym feedback på sin leder (uden svarene)"),
    )
    return submission


def upward_answers_count(
    *, kommune: Kommune, leader: Person, period: int, answers: Mapping[int, int]
) -> None:
    """Adds one answer per statement to the counters of `leader` and `period`, then
    copies to the pages each statement that has k new answers since its last copy.
    Call inside the transaction that records the submission."""
    # Every value's row of every statement answered, created together in a fixed order
    # before any is counted: the ids say nothing about the values chosen.
    UpwardAnswerCount.objects.bulk_create(
        [
            UpwardAnswerCount(
                kommune=kommune, leader=leader, period=period, question_id=question_id, value=value
            )
            for question_id in sorted(answers)
            for value in SCALE
        ],
        ignore_conflicts=True,
    )
    chosen = Q()
    for question_id, value in answers.items():
        chosen |= Q(question_id=question_id, value=value)
    counters = UpwardAnswerCount.objects.filter(kommune=kommune, leader=leader, period=period)
    # Every row of the leader and period is written, the chosen ones +1 and the others
    # +0, so no row's version tells which this submission changed; the row locks this
    # takes make the next submission about the leader wait for this one.
    counters.update(count=F("count") + Case(When(chosen, then=Value(1)), default=Value(0)))
    totals = {
        row["question_id"]: (row["counted"], row["copied"])
        for row in counters.values("question_id").annotate(
            counted=Sum("count"), copied=Sum("published")
        )
    }
    released = released_statements(totals, kommune.med_min_group_size)
    if released:
        counters.filter(question_id__in=released).update(published=F("count"))
