"""Demo årshjul: the default (Ballerup) cycle for the current year, with the demo's
evaluation round and MUS as tasks of whichever phase contains today.

The demo opens its round and books its MUS relative to the day it is seeded, but
Ballerup's phases put self-evaluations and MUS in January–March only. Seeded in
November, the employee and the leader would see an open self-evaluation and a MUS on
their home page and "no tasks now" beside it. So the demo keeps Ballerup's phases and
adds the round's tasks to the phase of the day (or, in the summer gap between
Ballerup's phases, a phase of its own), each with a deadline inside that phase. Real
kommuner get Ballerup's cycle unchanged (annualcycle.cycle.services.on_kommune_created).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from annualcycle.cycle import services
from annualcycle.models import Cycle, CycleRole, Phase, Task
from kompetence.demo import DemoOrg
from profiles.models import EvaluationRound

R = CycleRole
K = Task.Kind

# (title, roles, kind): what the demo's open round asks of each role. A kind the phase
# already has (January–March has the first three) is not added twice.
ROUND_TASKS = [
    ("Udfyld din selvevaluering", [R.EMPLOYEE], K.SELF_EVALUATION),
    ("Vurdér dine medarbejdere", [R.LOCAL_LEADER, R.CENTRE_MANAGEMENT], K.LEADER_EVALUATION),
    ("Hold MUS og skriv udviklingsplaner", [R.LOCAL_LEADER, R.LOKAL_MED], K.MUS),
    ("Følg evalueringsrunden", [R.HR], K.OPEN_ROUND),
    (
        "Følg selvevalueringer og MUS på overblikket",
        [R.DIREKTION, R.CENTRE_MANAGEMENT, R.HOVED_MED, R.CENTER_MED, R.LOKAL_MED],
        K.DASHBOARD,
    ),
]
GAP_PHASE = (
    "Sommer: Evalueringsrunde og MUS",
    "Demoens evalueringsrunde er åben i sommerpausen mellem årshjulets faser.",
)


def seed(org: DemoOrg) -> None:
    today = timezone.localdate()
    cycle = services.cycle_create_default(
        kommune=org.kommune, start_year=services.cycle_start_year(today)
    )
    phase = _phase_of(cycle, today)
    open_round = (
        EvaluationRound.objects.filter(kommune=org.kommune, status=EvaluationRound.Status.OPEN)
        .order_by("-deadline")
        .first()
    )
    wanted = open_round.deadline if open_round else today + datetime.timedelta(weeks=5)
    deadline = max(today, min(wanted, phase.ends_on))
    kinds = set(phase.tasks.values_list("kind", flat=True))
    for title, roles, kind in ROUND_TASKS:
        if kind not in kinds:
            services.task_save(
                phase=phase,
                task=None,
                title=title,
                roles=[str(role) for role in roles],
                kind=kind,
                deadline=deadline,
            )


def _phase_of(cycle: Cycle, today: datetime.date) -> Phase:
    """The phase containing today; in a gap between phases, a new one filling the gap."""
    phases = list(cycle.phases.order_by("starts_on"))
    for phase in phases:
        if phase.starts_on <= today <= phase.ends_on:
            return phase
    starts_on = max(
        (p.ends_on + datetime.timedelta(days=1) for p in phases if p.ends_on < today),
        default=cycle.starts_on,
    )
    ends_on = min(
        (p.starts_on - datetime.timedelta(days=1) for p in phases if p.starts_on > today),
        default=cycle.ends_on,
    )
    name, description = GAP_PHASE
    return services.phase_save(
        cycle=cycle,
        phase=None,
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
    )
