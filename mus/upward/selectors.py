"""Reads of the upward feedback: whom a person may answer about, and the aggregates
the pages show, through the rules in mus.upward.rules. Only the released copy of the
counters (`published`) is ever read for a page; the live counters are read by the
service that releases them, and nowhere else."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kompetence import permissions
from kompetence.models import Kommune, Person
from mus.models import Conversation, UpwardAnswerCount, UpwardQuestion, UpwardSubmission
from mus.upward.rules import Figure, hidden_rows, is_shown

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class AnsweredColumn(TypedDict):
    answered: bool


def current_period(today: datetime.date | None = None) -> int:
    """The period of the feedback: the calendar year."""
    return (today or timezone.localdate()).year


def conversation_period(conversation: Conversation) -> int:
    return timezone.localtime(conversation.starts_at).year


def _year_range(period: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(period, 1, 1, tzinfo=tz),
        datetime.datetime(period + 1, 1, 1, tzinfo=tz),
    )


def feedback_leaders(
    respondent: Person, period: int
) -> QuerySet[WithAnnotations[Person, AnsweredColumn]]:
    """The leaders `respondent` may answer about in `period`: those they have a
    conversation (any kind, not cancelled) with that year, each with `answered`."""
    start, end = _year_range(period)
    conversations = (
        Conversation.objects.filter(employee=respondent, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Conversation.Status.CANCELLED)
        .exclude(leader=respondent)
    )
    return (
        Person.objects.filter(pk__in=conversations.values("leader_id"))
        .annotate(
            answered=Exists(
                UpwardSubmission.objects.filter(
                    respondent=respondent, leader=OuterRef("pk"), period=period
                )
            )
        )
        .order_by("name", "pk")
    )


def pending_feedback(
    respondent: Person, period: int
) -> list[WithAnnotations[Person, AnsweredColumn]]:
    """The leaders `respondent` may still answer about in `period`."""
    return [leader for leader in feedback_leaders(respondent, period) if not leader.answered]


def feedback_offer(conversation: Conversation, viewer: Person) -> Person | None:
    """The conversation's leader, when the viewer is its employee and may still answer
    about them for the current year (offered on the preparation page)."""
    if viewer.pk != conversation.employee_id or conversation.leader_id == viewer.pk:
        return None
    if conversation.status == Conversation.Status.CANCELLED:
        return None
    period = conversation_period(conversation)
    if period != current_period():
        return None
    if UpwardSubmission.objects.filter(
        respondent=viewer, leader_id=conversation.leader_id, period=period
    ).exists():
        return None
    return conversation.leader


def questions_of(kommune: Kommune) -> list[UpwardQuestion]:
    return list(UpwardQuestion.objects.filter(kommune=kommune))


# --- Aggregates ------------------------------------------------------------------------


@dataclass
class StatementFigure:
    question: UpwardQuestion
    figure: Figure
    shown: bool


@dataclass
class LeaderFeedback:
    """One leader's aggregates for a period: per statement, shown or not."""

    leader: Person
    statements: list[StatementFigure] = field(default_factory=list)

    @property
    def n(self) -> int:
        """The answers the shown figures are built from (the largest shown copy)."""
        return max((s.figure.n for s in self.statements if s.shown), default=0)

    @property
    def any_shown(self) -> bool:
        return any(s.shown for s in self.statements)


def _published(leaders: QuerySet[Person] | list[Person], period: int) -> dict:
    """(leader id, question id) → {value: published count}, in one query."""
    counts: dict = defaultdict(dict)
    rows = UpwardAnswerCount.objects.filter(
        leader__in=leaders, period=period, published__gt=0
    ).values_list("leader_id", "question_id", "value", "published")
    for leader_id, question_id, value, published in rows:
        counts[(leader_id, question_id)][value] = published
    return counts


def _included(questions: list[UpwardQuestion], counts: dict) -> list[UpwardQuestion]:
    """The active statements and, so that what was answered stays visible, those HR has
    made inactive since that have released figures in `counts`."""
    answered = {question_id for (_leader_id, question_id) in counts}
    return [q for q in questions if q.is_active or q.pk in answered]


def _statements(
    questions: list[UpwardQuestion], counts: dict, leader_id: int, k: int
) -> list[StatementFigure]:
    result = []
    for question in questions:
        figure = Figure(counts=counts.get((leader_id, question.pk), {}))
        result.append(StatementFigure(question, figure, is_shown(figure.n, k)))
    return result


def leader_feedback(leader: Person, period: int, k: int) -> LeaderFeedback:
    """`leader`'s aggregates for `period`: three queries."""
    counts = _published([leader], period)
    questions = _included(questions_of(leader.kommune), counts)
    return LeaderFeedback(leader, _statements(questions, counts, leader.pk, k))


@dataclass
class FeedbackTable:
    """The leaders below a viewer (their leader, or HR), one row each, and the total of
    the rows shown."""

    questions: list[UpwardQuestion]
    rows: list[LeaderFeedback]
    total: list[StatementFigure]


def visible_leaders(viewer: Person) -> QuerySet[Person]:
    """The leaders whose aggregates the viewer sees besides their own: the people they
    lead and, as HR, the people they administer."""
    return Person.objects.filter(
        Q(pk__in=permissions.persons_led_by(viewer).values("pk"))
        | Q(pk__in=permissions.persons_administered_by(viewer).values("pk"))
    ).exclude(pk=viewer.pk)


def feedback_table(viewer: Person, period: int, k: int) -> FeedbackTable:
    """The aggregates of every leader the viewer sees (`visible_leaders`) who has been
    answered about in `period` (a row of dashes until k have answered). A row is hidden
    where `hidden_rows` says so; the total adds up only the rows shown, statement by
    statement."""
    leaders = list(
        visible_leaders(viewer)
        .filter(Exists(UpwardAnswerCount.objects.filter(leader=OuterRef("pk"), period=period)))
        .order_by("name", "pk")
    )
    counts = _published(leaders, period)
    questions = _included(questions_of(viewer.kommune), counts) if leaders else []
    rows = [
        LeaderFeedback(leader, _statements(questions, counts, leader.pk, k)) for leader in leaders
    ]
    total: list[StatementFigure] = []
    for index, question in enumerate(questions):
        hidden = hidden_rows([(row.leader.pk, row.statements[index].figure.n) for row in rows], k)
        for row in rows:
            if row.leader.pk in hidden:
                row.statements[index].shown = False
        figure = Figure.sum(
            row.statements[index].figure for row in rows if row.statements[index].shown
        )
        total.append(StatementFigure(question, figure, is_shown(figure.n, k)))
    return FeedbackTable(questions=questions, rows=rows, total=total)


def periods_with_feedback(viewer: Person) -> list[int]:
    """The years with released figures about the viewer or the leaders they see, and
    the current year, newest first."""
    years = set(
        UpwardAnswerCount.objects.filter(
            Q(leader=viewer) | Q(leader__in=visible_leaders(viewer)), published__gt=0
        )
        .values_list("period", flat=True)
        .distinct()
    )
    years.add(current_period())
    return sorted(years, reverse=True)


def leader_files_feedback(leader: Person, k: int) -> list[dict]:
    """What `leader`'s own page shows for every year: their export (two queries)."""
    questions = questions_of(leader.kommune)
    rows = UpwardAnswerCount.objects.filter(leader=leader, published__gt=0).values_list(
        "period", "question_id", "value", "published"
    )
    by_period: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for period, question_id, value, published in rows:
        by_period[period][(leader.pk, question_id)][value] = published
    result = []
    for period in sorted(by_period):
        counts = by_period[period]
        for statement in _statements(_included(questions, counts), counts, leader.pk, k):
            if statement.shown:
                result.append(
                    {
                        "year": period,
                        "statement": statement.question.text,
                        "answers": statement.figure.n,
                        "average": statement.figure.average,
                        "per_value": {
                            str(v): c for v, _l, c, _p in statement.figure.distribution()
                        },
                    }
                )
    return result
