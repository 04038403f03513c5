"""Reads on the annual cycle: who has which role in it, the current phase, and what
each person must do now, with live status."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from annualcycle.models import ActionPlan, Cycle, CycleRole, Phase, Task
from kompetence.models import MEDCommittee, OrgUnit, Person, Position
from kompetence.permissions import is_hr_for_some_unit, is_kommune_hr, is_leader, persons_led_by
from mus.models import Conversation
from profiles.models import Evaluation, EvaluationRound
from profiles.selectors import open_evaluations_of

MED_ROLE: dict[str, str] = {
    MEDCommittee.Kind.HOVED: CycleRole.HOVED_MED,
    MEDCommittee.Kind.CENTER: CycleRole.CENTER_MED,
    MEDCommittee.Kind.LOKAL: CycleRole.LOKAL_MED,
}
LEADER_ROLE: dict[str, str] = {
    OrgUnit.Kind.DIREKTION: CycleRole.DIREKTION,
    OrgUnit.Kind.CENTER: CycleRole.CENTRE_MANAGEMENT,
    OrgUnit.Kind.AFDELING: CycleRole.LOCAL_LEADER,
    OrgUnit.Kind.TEAM: CycleRole.LOCAL_LEADER,
}


def cycle_roles(person: Person) -> set[str]:
    """The person's roles in the annual cycle: everyone is an employee; leaders by the
    kind of unit they lead; HR; and the MED committees they sit on."""
    roles: set[str] = {CycleRole.EMPLOYEE}
    for kind in (
        Position.objects.active()
        .filter(person=person, is_leader=True)
        .values_list("unit__kind", flat=True)
    ):
        roles.add(LEADER_ROLE[kind])
    if is_kommune_hr(person):
        roles.add(CycleRole.HR)
    for kind in person.med_memberships.filter(committee__closed_on__isnull=True).values_list(
        "committee__kind", flat=True
    ):
        roles.add(MED_ROLE[kind])
    return roles


def current_cycle(today: datetime.date | None = None) -> Cycle | None:
    today = today or timezone.localdate()
    return Cycle.objects.filter(starts_on__lte=today, ends_on__gte=today).first()


def cycles() -> QuerySet[Cycle]:
    """The kommune's cycles, for choosing one."""
    return Cycle.objects.all()


def first_cycle() -> Cycle | None:
    """The kommune's first cycle (the page's fallback when none covers today)."""
    return Cycle.objects.first()


def phases_of(cycle: Cycle) -> list[Phase]:
    """The cycle's phases with their tasks."""
    return list(cycle.phases.prefetch_related("tasks"))


def current_phases(today: datetime.date | None = None) -> list[Phase]:
    today = today or timezone.localdate()
    return list(
        Phase.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("cycle")
        .prefetch_related("tasks")
    )


# --- What each person must do now --------------------------------------------------------


@dataclass
class TaskStatus:
    task: Task
    text: str
    done: bool | None  # None: nothing to measure
    url: str | None


def cycle_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    cycle = current_cycle(today)
    if cycle is not None:
        return cycle.starts_on, cycle.ends_on
    return today - datetime.timedelta(days=365), today


def _self_evaluation(task, person, today) -> TaskStatus:
    evaluation = open_evaluations_of(person).first()
    if evaluation is None:
        return TaskStatus(task, _("Du har ingen åben selvevaluering."), None, None)
    return TaskStatus(
        task,
        _("Selvevaluering: %(answered)s af %(total)s besvaret")
        % {"answered": evaluation.answered, "total": evaluation.total},
        evaluation.is_submitted,
        reverse("evaluation_form", args=[evaluation.pk]),
    )


def _leader_evaluations(task, person, today) -> TaskStatus:
    evaluations = Evaluation.objects.filter(
        kind=Evaluation.Kind.LEADER,
        round__status=EvaluationRound.Status.OPEN,
        subject__in=persons_led_by(person),
    ).aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(status=Evaluation.Status.SUBMITTED))
    )
    total, submitted = evaluations["total"], evaluations["submitted"]
    return TaskStatus(
        task,
        _("Ledervurderinger: %(submitted)s af %(total)s indsendt")
        % {"submitted": submitted, "total": total},
        submitted == total if total else None,
        reverse("team_overview"),
    )


def _mus(task, person, today) -> TaskStatus:
    start, end = cycle_period(today)
    led = persons_led_by(person).filter(is_active=True)
    total = led.count()
    held = (
        Conversation.objects.filter(
            employee__in=led, status=Conversation.Status.HELD, starts_at__date__range=(start, end)
        )
        .values("employee_id")
        .distinct()
        .count()
    )
    return TaskStatus(
        task,
        _("MUS med %(held)s af %(total)s medarbejdere afholdt") % {"held": held, "total": total},
        held >= total if total else None,
        reverse("mus_overview"),
    )


def _action_plan(task, person, today) -> TaskStatus:
    units = [
        p.unit
        for p in Position.objects.active()
        .filter(person=person, is_leader=True)
        .select_related("unit")
    ]
    written = set(
        ActionPlan.objects.filter(unit__in=units, year=task.deadline.year).values_list(
            "unit_id", flat=True
        )
    )
    missing = [unit.name for unit in units if unit.pk not in written]
    if not units:
        return TaskStatus(task, task.title, None, reverse("action_plan_list"))
    text = (
        _("Handlingsplan %(year)s er skrevet") % {"year": task.deadline.year}
        if not missing
        else _("Mangler handlingsplan %(year)s for: %(units)s")
        % {"year": task.deadline.year, "units": ", ".join(missing)}
    )
    return TaskStatus(task, text, not missing, reverse("action_plan_list"))


def _open_round(task, person, today) -> TaskStatus:
    open_round = EvaluationRound.objects.filter(status=EvaluationRound.Status.OPEN).first()
    if open_round is None:
        return TaskStatus(
            task, _("Der er ingen åben evalueringsrunde."), False, reverse("round_create")
        )
    return TaskStatus(
        task,
        _("Evalueringsrunden »%(name)s« er åben") % {"name": open_round.name},
        True,
        reverse("round_detail", args=[open_round.pk]),
    )


def _plans_collected(task, person, today) -> TaskStatus:
    # Gap reports are for leaders and HR; a MED member follows up on the committee's
    # dashboard (the reports page would answer 404).
    url_name = (
        "gap_report_list" if is_hr_for_some_unit(person) or is_leader(person) else "dashboard"
    )
    return TaskStatus(task, task.title, None, reverse(url_name))


def _link_only(url_name: str):
    def status(task, person, today) -> TaskStatus:
        return TaskStatus(task, task.title, None, reverse(url_name))

    return status


STATUS: dict[str, Callable] = {
    Task.Kind.OPEN_ROUND: _open_round,
    Task.Kind.SELF_EVALUATION: _self_evaluation,
    Task.Kind.LEADER_EVALUATION: _leader_evaluations,
    Task.Kind.MUS: _mus,
    Task.Kind.ACTION_PLAN: _action_plan,
    Task.Kind.PLANS_COLLECTED: _plans_collected,
    Task.Kind.DASHBOARD: _link_only("dashboard"),
}


def my_tasks(person: Person, today: datetime.date | None = None) -> list[TaskStatus]:
    """The tasks of the current phase(s) for the person's roles, each with its live
    status and a link to where it is done; soonest deadline first."""
    today = today or timezone.localdate()
    roles = cycle_roles(person)
    tasks = [
        task
        for phase in current_phases(today)
        for task in phase.tasks.all()
        if roles & set(task.roles)
    ]
    result = []
    for task in sorted(tasks, key=lambda t: (t.deadline, t.pk)):
        status = STATUS.get(task.kind)
        result.append(
            status(task, person, today) if status else TaskStatus(task, task.title, None, None)
        )
    return result
