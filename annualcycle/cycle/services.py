"""Writes on the annual cycle: the default (Ballerup) cycle, and HR's edits of
phases and tasks."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from annualcycle.models import Cycle, CycleRole, Phase, Task
from kompetence.models import Kommune, Person

R = CycleRole
K = Task.Kind
# A new task's reminder, as the model's default.
DEFAULT_REMIND_DAYS_BEFORE = 7

# Ballerup's guideline, in our own words: (phase name, description, start month/day,
# end month/day, year offset, tasks). Each task: (title, roles, kind, deadline
# month/day, deadline year offset). Year offset 0 is the year the cycle starts (October).
DEFAULT_CYCLE = [
    (
        "Oktober–december: Retning og behov",
        "Budgettet er vedtaget. Direktion og Hoved-MED bekræfter eller justerer målene for "
        "kompetenceudviklingen; centrene vurderer, hvilke nye kompetencer de får brug for.",
        (10, 1, 0),
        (12, 31, 0),
        [
            (
                "Bekræft eller justér målene for kompetenceudvikling",
                [R.DIREKTION, R.HOVED_MED],
                K.DASHBOARD,
                (11, 30, 0),
            ),
            (
                "Vurdér centrets nye kompetencebehov",
                [R.CENTRE_MANAGEMENT, R.CENTER_MED],
                K.DASHBOARD,
                (12, 15, 0),
            ),
            ("Åbn årets evalueringsrunde", [R.HR], K.OPEN_ROUND, (12, 20, 0)),
        ],
    ),
    (
        "Januar–marts: Selvevaluering, MUS og udviklingsplaner",
        "Målene bringes ud på arbejdspladserne. Medarbejdere og ledere udfylder "
        "evalueringerne, holder MUS og skriver udviklingsplaner. Lokal-MED følger med.",
        (1, 1, 1),
        (3, 31, 1),
        [
            ("Udfyld din selvevaluering", [R.EMPLOYEE], K.SELF_EVALUATION, (2, 15, 1)),
            (
                "Vurdér dine medarbejdere",
                [R.LOCAL_LEADER, R.CENTRE_MANAGEMENT],
                K.LEADER_EVALUATION,
                (2, 28, 1),
            ),
            (
                "Hold MUS og skriv udviklingsplaner",
                [R.LOCAL_LEADER, R.LOKAL_MED],
                K.MUS,
                (3, 31, 1),
            ),
        ],
    ),
    (
        "April–juni: Saml op på udviklingsplanerne",
        "Centerledelser og Center-MED samler op på udviklingsplanerne og afklarer behov; "
        "direktion og Hoved-MED får status på retningen. Enhederne skriver handlingsplaner.",
        (4, 1, 1),
        (6, 30, 1),
        [
            ("Skriv enhedens handlingsplan", [R.LOCAL_LEADER], K.ACTION_PLAN, (5, 31, 1)),
            (
                "Saml op på centrets udviklingsplaner",
                [R.CENTRE_MANAGEMENT, R.CENTER_MED, R.HR],
                K.PLANS_COLLECTED,
                (6, 15, 1),
            ),
            ("Status på retningen", [R.DIREKTION, R.HOVED_MED], K.DASHBOARD, (6, 30, 1)),
        ],
    ),
    (
        "August–september: Status og behov for næste år",
        "Status på aktiviteterne i udviklingsplanerne og behovene for næste år, lokalt, i "
        "centrene og for hele kommunen. Kompetencebehov drøftes i MED mindst én gang om året.",
        (8, 1, 1),
        (9, 30, 1),
        [
            (
                "Følg op på udviklingsplanernes aktiviteter",
                [R.LOCAL_LEADER, R.LOKAL_MED],
                K.DASHBOARD,
                (9, 15, 1),
            ),
            (
                "Behov for næste år",
                [R.CENTRE_MANAGEMENT, R.CENTER_MED, R.DIREKTION, R.HOVED_MED],
                K.DASHBOARD,
                (9, 30, 1),
            ),
        ],
    ),
]


def _date(start_year: int, spec: tuple[int, int, int]) -> datetime.date:
    month, day, offset = spec
    return datetime.date(start_year + offset, month, day)


@transaction.atomic
def cycle_create_default(*, kommune: Kommune, start_year: int) -> Cycle:
    """The Ballerup cycle from 1 October `start_year` to 30 September the year after.
    Returns the existing cycle if the kommune already has one starting then."""
    starts_on = datetime.date(start_year, 10, 1)
    existing = Cycle.objects.filter(kommune=kommune, starts_on=starts_on).first()
    if existing is not None:
        return existing
    cycle = Cycle.objects.create(
        kommune=kommune,
        name=_("Årshjul %(start)s–%(end)s") % {"start": start_year, "end": start_year + 1},
        starts_on=starts_on,
        ends_on=datetime.date(start_year + 1, 9, 30),
    )
    for name, description, start, end, tasks in DEFAULT_CYCLE:
        phase = Phase.objects.create(
            kommune=kommune,
            cycle=cycle,
            name=name,
            description=description,
            starts_on=_date(start_year, start),
            ends_on=_date(start_year, end),
        )
        Task.objects.bulk_create(
            Task(
                kommune=kommune,
                phase=phase,
                title=title,
                roles=[str(role) for role in roles],
                kind=kind,
                deadline=_date(start_year, deadline),
            )
            for title, roles, kind, deadline in tasks
        )
    return cycle


@transaction.atomic
def cycle_copy_to_next_year(*, cycle: Cycle) -> Cycle:
    """Next year's cycle: the same phases and tasks, every date one year later."""

    def shift(day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year + 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year + 1, day=28)

    existing = Cycle.objects.filter(
        kommune_id=cycle.kommune_id, starts_on=shift(cycle.starts_on)
    ).first()
    if existing is not None:
        return existing
    new = Cycle.objects.create(
        kommune_id=cycle.kommune_id,
        name=_("Årshjul %(start)s–%(end)s")
        % {"start": cycle.starts_on.year + 1, "end": cycle.ends_on.year + 1},
        starts_on=shift(cycle.starts_on),
        ends_on=shift(cycle.ends_on),
    )
    for phase in cycle.phases.prefetch_related("tasks"):
        tasks = list(phase.tasks.all())
        phase.pk, phase.cycle = None, new
        phase.starts_on, phase.ends_on = shift(phase.starts_on), shift(phase.ends_on)
        phase.save()
        for task in tasks:
            task.pk, task.phase, task.deadline = None, phase, shift(task.deadline)
        Task.objects.bulk_create(tasks)
    return new


def cycle_review(*, cycle: Cycle, by: Person) -> None:
    """Records that kommune HR went through the cycle's phases, tasks and deadlines."""
    cycle.reviewed_at, cycle.reviewed_by = timezone.now(), by
    cycle.save(update_fields=["reviewed_at", "reviewed_by"])


def _check_dates(cycle: Cycle, starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Fasen slutter, før den starter.")})
    if starts_on < cycle.starts_on or ends_on > cycle.ends_on:
        raise ValidationError(
            _("Fasen skal ligge inden for årshjulet (%(start)s–%(end)s).")
            % {
                "start": formats.date_format(cycle.starts_on),
                "end": formats.date_format(cycle.ends_on),
            }
        )


def phase_save(
    *, cycle: Cycle, phase: Phase | None, name: str, description: str, starts_on, ends_on
) -> Phase:
    _check_dates(cycle, starts_on, ends_on)
    if phase is None:
        phase = Phase(kommune_id=cycle.kommune_id, cycle=cycle)
    phase.name, phase.description, phase.starts_on, phase.ends_on = (
        name,
        description,
        starts_on,
        ends_on,
    )
    phase.save()
    return phase


def task_save(
    *,
    phase: Phase,
    task: Task | None,
    title: str,
    roles: list[str],
    kind: str,
    deadline: datetime.date,
    description: str = "",
    remind_days_before: int = DEFAULT_REMIND_DAYS_BEFORE,
) -> Task:
    """Creates a task in `phase` (`task` None) or sets every field of `task`."""
    unknown = [r for r in roles if r not in CycleRole.values]
    if unknown:
        raise ValidationError({"roles": _("Ukendt rolle.")})
    if not phase.cycle.starts_on <= deadline <= phase.cycle.ends_on:
        raise ValidationError({"deadline": _("Fristen skal ligge inden for årshjulet.")})
    if task is None:
        task = Task(kommune_id=phase.kommune_id, phase=phase)
    task.title, task.description, task.roles, task.kind = title, description, roles, kind
    task.deadline, task.remind_days_before = deadline, remind_days_before
    task.save()
    return task


def task_delete(*, task: Task) -> None:
    task.delete()


def cycle_start_year(today: datetime.date) -> int:
    """The year the cycle covering `today` starts (cycles start on 1 October)."""
    return today.year if today.month >= 10 else today.year - 1


def on_kommune_created(sender, *, kommune: Kommune, **kwargs) -> None:
    """A new kommune starts with the default (Ballerup) årshjul for the current year."""
    cycle_create_default(kommune=kommune, start_year=cycle_start_year(timezone.localdate()))
