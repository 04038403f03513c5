"""The leader's team in one table ("Mit team"): per person the evaluation in the
current round, the last held and the next conversation, the development plan and its
follow-up. It reads evaluations (profiles) and conversations and plans (mus), which is
why it lives here, in the app that builds on both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Count, Max, Q
from django.utils import timezone

from kompetence import permissions
from kompetence.models import Person
from mus.models import Conversation, Plan, PlanActivity, PlanCheckIn, PlanVersion, Signature
from profiles.models import Evaluation, EvaluationRound


class EvaluationState(IntEnum):
    """How far a person's evaluation in the current round has come, in the order a
    leader works through them."""

    NO_ROUND = 0
    NOT_STARTED = 1
    IN_PROGRESS = 2
    SUBMITTED = 3  # the self-evaluation; the leader's rating is still to come
    LEADER_RATED = 4


class PlanState(IntEnum):
    NONE = 0
    DRAFT = 1
    AWAITING_EMPLOYEE = 2
    AWAITING_LEADER = 3
    SIGNED = 4


@dataclass
class TeamRow:
    person: Person
    round: EvaluationRound | None
    self_evaluation: Evaluation | None
    leader_evaluation: Evaluation | None
    evaluation_state: EvaluationState
    last_held: Conversation | None
    last_held_on: datetime.date | None
    next_conversation: Conversation | None
    plan: Plan | None
    plan_state: PlanState
    follow_up_date: datetime.date | None
    follow_up_overdue: bool
    last_check_in: datetime.date | None
    activities_done: int
    activities_total: int

    @property
    def next_is_past(self) -> bool:
        """A scheduled conversation whose time has passed but is not marked held."""
        return (
            self.next_conversation is not None and self.next_conversation.starts_at < timezone.now()
        )


def _evaluation_state(self_ev: Evaluation | None, leader_ev: Evaluation | None) -> EvaluationState:
    if leader_ev is not None and leader_ev.is_submitted:
        return EvaluationState.LEADER_RATED
    if self_ev is None and leader_ev is None:
        return EvaluationState.NO_ROUND
    if self_ev is not None and self_ev.is_submitted:
        return EvaluationState.SUBMITTED
    if (self_ev and self_ev.answered) or (leader_ev and leader_ev.answered):
        return EvaluationState.IN_PROGRESS
    return EvaluationState.NOT_STARTED


def _plan_state(version: PlanVersion | None) -> PlanState:
    if version is None:
        return PlanState.NONE
    employee, leader = version.employee_signed, version.leader_signed  # type: ignore[attr-defined]
    if employee and leader:
        return PlanState.SIGNED
    if leader:
        return PlanState.AWAITING_EMPLOYEE
    if employee:
        return PlanState.AWAITING_LEADER
    return PlanState.DRAFT


def _current_evaluations(people_ids: list[int]) -> dict[int, dict[str, Evaluation]]:
    """Per person, the self- and leader evaluation of the newest open round they are in."""
    current: dict[int, dict[str, Evaluation]] = {}
    newest_round: dict[int, int] = {}
    for evaluation in (
        Evaluation.objects.filter(
            subject_id__in=people_ids,
            kind__in=[Evaluation.Kind.SELF, Evaluation.Kind.LEADER],
            round__status=EvaluationRound.Status.OPEN,
        )
        .select_related("round")
        .order_by("subject_id", "-round__opened_at", "-round_id")
    ):
        round_id = newest_round.setdefault(evaluation.subject_id, evaluation.round_id)
        if evaluation.round_id == round_id:
            current.setdefault(evaluation.subject_id, {})[evaluation.kind] = evaluation
    return current


def _conversations(people_ids: list[int], now: datetime.datetime) -> tuple[dict, dict, dict]:
    """Per person: the last held conversation, the next scheduled one (the earliest
    still scheduled, even if its time has passed without it being marked held) and
    the newest plan."""
    last_held: dict[int, Conversation] = {}
    upcoming: dict[int, Conversation] = {}
    plans: dict[int, Plan] = {}
    for conversation in (
        Conversation.objects.filter(employee_id__in=people_ids)
        .exclude(status=Conversation.Status.CANCELLED)
        .select_related("plan")
        .order_by("employee_id", "-starts_at", "-pk")
    ):
        person_id = conversation.employee_id
        plan = getattr(conversation, "plan", None)
        if plan is not None:
            plans.setdefault(person_id, plan)
        if conversation.status == Conversation.Status.HELD:
            # A conversation marked held before its booked time counts from when it
            # was held; "Seneste MUS" never shows a date still to come.
            held_on = conversation.held_at or conversation.starts_at
            if held_on <= now:
                last_held.setdefault(person_id, conversation)
        elif conversation.status == Conversation.Status.SCHEDULED:
            upcoming[person_id] = conversation  # newest first: the earliest one wins
    return last_held, upcoming, plans


def _current_versions(plan_ids: list[int]) -> dict[int, PlanVersion]:
    versions: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(plan_id__in=plan_ids)
        .annotate(
            employee_signed=Count(
                "signatures",
                filter=Q(signatures__role=Signature.Role.EMPLOYEE),
                distinct=True,
            ),
            leader_signed=Count(
                "signatures", filter=Q(signatures__role=Signature.Role.LEADER), distinct=True
            ),
            total=Count(
                "activities",
                filter=~Q(activities__status=PlanActivity.Status.CANCELLED),
                distinct=True,
            ),
            done=Count(
                "activities",
                filter=Q(activities__status=PlanActivity.Status.DONE),
                distinct=True,
            ),
        )
        .order_by("plan_id", "-number")
    ):
        versions.setdefault(version.plan_id, version)
    return versions


def _last_check_ins(plan_ids: list[int]) -> dict[int, datetime.date]:
    return dict(
        PlanCheckIn.objects.filter(version__plan_id__in=plan_ids)
        .values("version__plan_id")
        .annotate(last=Max("held_on"))
        .values_list("version__plan_id", "last")
    )


SORT_KEYS = {
    "navn": lambda row: (row.person.name.casefold(),),
    # Least far first: the ones the leader must chase.
    "evaluering": lambda row: (int(row.evaluation_state), row.person.name.casefold()),
    # Longest since the last conversation first; never held comes before all.
    "samtale": lambda row: (row.last_held_on or datetime.date.min, row.person.name.casefold()),
    "plan": lambda row: (int(row.plan_state), row.person.name.casefold()),
    # Overdue first, then by the follow-up date; no follow-up date last.
    "opfoelgning": lambda row: (
        not row.follow_up_overdue,
        row.follow_up_date or datetime.date.max,
        row.person.name.casefold(),
    ),
}


def team_overview(
    leader: Person, *, sort: str = "navn", today: datetime.date | None = None
) -> list[TeamRow]:
    """One row per active person `leader` leads, sorted by `sort` (a key of
    `SORT_KEYS`; by name otherwise). A fixed number of queries whatever the team's size."""
    now = timezone.now()
    today = today or timezone.localdate()
    people = list(permissions.persons_led_by(leader).filter(is_active=True).order_by("name", "pk"))
    ids = [person.pk for person in people]
    evaluations = _current_evaluations(ids)
    last_held, upcoming, plans = _conversations(ids, now)
    plan_ids = [plan.pk for plan in plans.values()]
    versions = _current_versions(plan_ids)
    check_ins = _last_check_ins(plan_ids)
    rows = []
    for person in people:
        evaluation = evaluations.get(person.pk, {})
        self_ev, leader_ev = evaluation.get("self"), evaluation.get("leader")
        either = self_ev or leader_ev
        held = last_held.get(person.pk)
        plan = plans.get(person.pk)
        version = versions.get(plan.pk) if plan else None
        follow_up = version.follow_up_date if version else None
        last_check_in = check_ins.get(plan.pk) if plan else None
        rows.append(
            TeamRow(
                person=person,
                round=either.round if either else None,
                self_evaluation=self_ev,
                leader_evaluation=leader_ev,
                evaluation_state=_evaluation_state(self_ev, leader_ev),
                last_held=held,
                last_held_on=timezone.localdate(held.held_at or held.starts_at) if held else None,
                next_conversation=upcoming.get(person.pk),
                plan=plan,
                plan_state=_plan_state(version),
                follow_up_date=follow_up,
                # Overdue: the date has passed with no check-in on or after it.
                follow_up_overdue=bool(
                    follow_up
                    and follow_up < today
                    and (last_check_in is None or last_check_in < follow_up)
                ),
                last_check_in=last_check_in,
                activities_done=version.done if version else 0,  # type: ignore[attr-defined]
                activities_total=version.total if version else 0,  # type: ignore[attr-defined]
            )
        )
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["navn"]))
    return rows
