"""The årshjul: the default Ballerup cycle, roles, "my tasks now" with live status,
HR's editing, and deadline reminders that are never sent twice."""

from __future__ import annotations

import datetime
import html
import itertools
import math
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from annualcycle.cycle import reminders, selectors, services
from annualcycle.models import Cycle, CycleRole, Phase, ReminderSent, Task
from kompetence import services as org_services
from kompetence.models import MEDMembership
from profiles import services as profile_services
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.mail_backends import DISCONNECTED, REFUSED
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2027, 1, 20)
FEBRUARY_DEADLINE = datetime.date(2027, 2, 15)


@pytest.fixture
def cycle(org_a):
    with org_a.scope():
        return services.cycle_create_default(kommune=org_a.kommune, start_year=2026)


def test_the_default_cycle_follows_ballerup(org_a, cycle):
    with org_a.scope():
        phases = list(cycle.phases.order_by("starts_on"))
        assert [p.starts_on.month for p in phases] == [10, 1, 4, 8]
        assert (cycle.starts_on, cycle.ends_on) == (
            datetime.date(2026, 10, 1),
            datetime.date(2027, 9, 30),
        )
        self_task = Task.objects.get(kind=Task.Kind.SELF_EVALUATION)
        assert self_task.roles == [CycleRole.EMPLOYEE]
        assert self_task.phase == phases[1]
        assert sum(CycleRole.HOVED_MED in t.roles for t in Task.objects.all()) >= 2
        # Creating it again changes nothing.
        assert services.cycle_create_default(kommune=org_a.kommune, start_year=2026) == cycle
        assert Cycle.objects.count() == 1


def test_a_new_kommune_gets_the_default_cycle(db):
    kommune, _hr = org_services.kommune_create(
        slug="gamma", name="Gamma Kommune", hr_name="HR", hr_email="hr@gamma.example"
    )
    from kompetence.infra.tenancy import kommune_scope

    with kommune_scope(kommune):
        assert Cycle.objects.filter(kommune=kommune).count() == 1
        assert selectors.current_cycle() is not None


def test_cycle_roles(org_a):
    with org_a.scope():
        org_services.med_committee_create(
            kommune=org_a.kommune,
            name="Lokal-MED Team Nord",
            kind="lokal",
            unit=org_a.team,
            members=[(org_a.colleague, MEDMembership.Role.MEMBER)],
        )
        assert selectors.cycle_roles(org_a.employee) == {CycleRole.EMPLOYEE}
        assert selectors.cycle_roles(org_a.leader) == {CycleRole.EMPLOYEE, CycleRole.LOCAL_LEADER}
        assert CycleRole.CENTRE_MANAGEMENT in selectors.cycle_roles(org_a.chef)
        assert CycleRole.DIREKTION in selectors.cycle_roles(org_a.director)
        assert CycleRole.HR in selectors.cycle_roles(org_a.hr)
        assert CycleRole.LOKAL_MED in selectors.cycle_roles(org_a.colleague)


def _round_with_answers(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        profile_services.rating_save(
            evaluation=evaluation_of(round_, org_a.employee),
            competence=competence(version, "Faglig kompetence"),
            level=3,
        )
    return round_


def test_my_tasks_show_live_status_for_employee_and_leader(org_a, cycle):
    _round_with_answers(org_a)
    with org_a.scope():
        employee_tasks = selectors.my_tasks(org_a.employee, JANUARY)
        leader_tasks = {t.task.kind: t for t in selectors.my_tasks(org_a.leader, JANUARY)}
    assert [t.task.title for t in employee_tasks] == ["Udfyld din selvevaluering"]
    assert employee_tasks[0].text == "Selvevaluering: 1 af 5 besvaret"
    assert employee_tasks[0].done is False
    assert leader_tasks[Task.Kind.LEADER_EVALUATION].text == "Ledervurderinger: 0 af 2 indsendt"
    assert leader_tasks[Task.Kind.MUS].text == "MUS med 0 af 2 medarbejdere afholdt"
    # In October the employee has nothing to do; HR must open the round.
    with org_a.scope():
        assert selectors.my_tasks(org_a.employee, datetime.date(2026, 10, 20)) == []
        hr_tasks = selectors.my_tasks(org_a.hr, datetime.date(2026, 10, 20))
    assert [t.task.kind for t in hr_tasks] == [Task.Kind.OPEN_ROUND]
    assert hr_tasks[0].done is True  # a round is open


def test_home_page_shows_the_current_phases_tasks(org_a, cycle):
    _round_with_answers(org_a)
    with org_a.scope():
        # A phase around today, so the page shows it whatever the date the tests run.
        phase = Phase.objects.create(
            kommune=org_a.kommune,
            cycle=cycle,
            name="Selvevaluering nu",
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
        )
        Task.objects.create(
            kommune=org_a.kommune,
            phase=phase,
            title="Udfyld din selvevaluering",
            roles=["employee"],
            kind=Task.Kind.SELF_EVALUATION,
            deadline=cycle.ends_on,
        )
    page = client_for(org_a.employee).get(reverse("home"))
    assert "Mine opgaver nu" in page.text
    assert "Selvevaluering: 1 af 5 besvaret" in page.text


def test_the_cycle_page_draws_the_wheel_with_today(org_a, cycle):
    page = client_for(org_a.employee).get(reverse("cycle"))
    assert page.status_code == 200
    assert 'class="today-marker"' in page.text
    assert "Januar–marts: Selvevaluering, MUS og udviklingsplaner" in page.text
    assert "Rediger fasen" not in page.text


def test_hr_edits_phases_and_tasks_and_others_cannot(org_a, org_b, cycle):
    with org_a.scope():
        phase = cycle.phases.order_by("starts_on").first()
        task = phase.tasks.first()
    client = client_for(org_a.hr)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "title": "Drøft behov på chefmødet",
            "description": "",
            "roles": ["direktion", "hoved_med"],
            "kind": "dashboard",
            "deadline": "2026-11-20",
            "remind_days_before": 5,
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("task_create", args=[phase.pk]),
        {
            "title": "Uden for året",
            "roles": ["hr"],
            "kind": "other",
            "deadline": "2030-01-01",
            "remind_days_before": 7,
        },
    )
    assert "Fristen skal ligge inden for årshjulet." in response.text
    response = client.post(
        reverse("phase_edit", args=[phase.pk]),
        {"name": phase.name, "description": "", "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
    )
    assert "Fasen slutter, før den starter." in response.text
    with org_a.scope():
        assert Task.objects.get(pk=task.pk).title == "Drøft behov på chefmødet"
    for person in (org_a.leader, org_a.employee, org_b.hr):
        other = client_for(person)
        assert other.get(reverse("task_edit", args=[task.pk])).status_code == 404
        assert other.post(reverse("task_delete", args=[task.pk])).status_code == 404
    response = client.post(reverse("cycle_copy_next", args=[cycle.pk]))
    assert response.status_code == 302
    with org_a.scope():
        assert Cycle.objects.filter(starts_on=datetime.date(2027, 10, 1)).exists()


# --- Reminders ------------------------------------------------------------------------------


def _reminder_setup(org_a, cycle):
    round_ = _round_with_answers(org_a)
    extra = []
    for _ in range(3):
        person = PersonFactory(kommune=org_a.kommune)
        PositionFactory(person=person, unit=org_a.sibling_team)
        extra.append(person)
    round_.refresh_from_db()
    from profiles.models import EvaluationRound

    with org_a.scope():
        EvaluationRound.objects.filter(pk=round_.pk).update(status="closed")
    round_ = open_round(round_.version, org_a.root, by=org_a.hr)
    return round_, extra


def _outbox_by_person():
    counts = {}
    for message in mail.outbox:
        counts[message.to[0]] = counts.get(message.to[0], 0) + 1
    return counts


def test_reminders_go_once_to_those_who_have_not_done_the_task(
    org_a, cycle, django_capture_on_commit_callbacks
):
    _round, _extra = _reminder_setup(org_a, cycle)
    reminder_day = FEBRUARY_DEADLINE - datetime.timedelta(days=3)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        first = reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
        again = reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
        later = reminders.reminders_send(
            kommune=org_a.kommune, today=reminder_day + datetime.timedelta(days=1)
        )
    assert first > 0 and again == 0 and later == 0
    counts = _outbox_by_person()
    assert max(counts.values()) <= 3  # one per task; no task twice
    assert sum(counts.values()) == first
    self_reminders = [m for m in mail.outbox if "Udfyld din selvevaluering" in m.subject]
    assert len(self_reminders) == len({m.to[0] for m in self_reminders})
    assert org_a.employee.email in {m.to[0] for m in self_reminders}
    assert "frist" in self_reminders[0].subject and "alfa.localhost" in self_reminders[0].body
    with org_a.scope():
        assert not ReminderSent.objects.filter(sent_at=None).exists()
        # Someone who submitted gets no self-evaluation reminder.
        assert not ReminderSent.objects.filter(
            task__kind="self_evaluation", person__is_active=False
        ).exists()


def test_no_reminders_before_the_reminder_window(org_a, cycle):
    _reminder_setup(org_a, cycle)
    with org_a.scope():
        assert reminders.reminders_send(kommune=org_a.kommune, today=datetime.date(2027, 1, 2)) == 0
    assert mail.outbox == []


def _as_if_minutes_passed(minutes: int) -> None:
    """The sweeper looks at when a claim was last tried; move that back in time."""
    ReminderSent.objects.update(attempted_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_a_run_that_dies_half_way_is_finished_by_the_next_without_doubles(
    org_a, cycle, monkeypatch, django_capture_on_commit_callbacks
):
    _reminder_setup(org_a, cycle)
    reminder_day = FEBRUARY_DEADLINE - datetime.timedelta(days=2)
    real_queue = reminders._queue
    queued = []

    def dying_queue(reminder):
        if len(queued) == 2:
            raise SystemExit("worker killed")  # after the claim, before its task
        queued.append(reminder.pk)
        real_queue(reminder)

    monkeypatch.setattr(reminders, "_queue", dying_queue)
    with org_a.scope(), pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
    monkeypatch.setattr(reminders, "_queue", real_queue)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        # The claim whose task was never queued is pending until the sweeper finds it.
        assert ReminderSent.objects.filter(sent_at=None).count() == 1
        assert reminders.reminders_requeue(today=reminder_day) == 0  # maybe still trying
        _as_if_minutes_passed(31)
        assert reminders.reminders_requeue(today=reminder_day) == 1
    with org_a.scope():
        claimed = ReminderSent.objects.count()
        assert not ReminderSent.objects.filter(sent_at=None).exists()
    pairs = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(pairs) == len(set(pairs))  # never the same reminder twice
    assert len(pairs) == claimed  # and none lost


@pytest.mark.parametrize("backend", [REFUSED, DISCONNECTED])
def test_reminders_while_the_mail_server_is_down_arrive_once_when_it_is_back(
    org_a, cycle, settings, backend, django_capture_on_commit_callbacks
):
    _reminder_setup(org_a, cycle)
    reminder_day = FEBRUARY_DEADLINE - datetime.timedelta(days=3)
    settings.MAILERS = {"default": {"BACKEND": backend}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        claimed = reminders.reminders_send(kommune=org_a.kommune, today=reminder_day)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        # Tomorrow's run, still down: the claims stand, nothing new is claimed.
        assert reminders.reminders_send(kommune=org_a.kommune, today=reminder_day) == 0
        _as_if_minutes_passed(31)
        assert reminders.reminders_requeue(today=reminder_day) == claimed
    assert claimed > 0 and mail.outbox == []
    with org_a.scope():
        assert ReminderSent.objects.filter(sent_at=None).count() == claimed

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        _as_if_minutes_passed(31)
        assert reminders.reminders_requeue(today=reminder_day) == claimed
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        assert not ReminderSent.objects.filter(sent_at=None).exists()
        # A second copy of a task (a retry, a redelivery, the sweeper) sends nothing again.
        for reminder in ReminderSent.objects.all():
            assert not reminders.reminder_deliver(kommune=org_a.kommune, reminder_id=reminder.pk)
        _as_if_minutes_passed(31)
        assert reminders.reminders_requeue(today=reminder_day) == 0
        assert reminders.reminders_send(kommune=org_a.kommune, today=reminder_day) == 0
    pairs = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(pairs) == len(set(pairs)) == claimed


def test_a_reminder_past_its_deadline_is_not_queued_again(
    org_a, cycle, settings, django_capture_on_commit_callbacks
):
    _reminder_setup(org_a, cycle)
    settings.MAILERS = {"default": {"BACKEND": REFUSED}}
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(
            kommune=org_a.kommune, today=FEBRUARY_DEADLINE - datetime.timedelta(days=1)
        )
        _as_if_minutes_passed(31)
        after = FEBRUARY_DEADLINE + datetime.timedelta(days=1)
        assert reminders.reminders_requeue(today=after) == 0


def test_beat_sweeps_pending_reminders_every_ten_minutes(settings):
    from annualcycle import tasks
    from kompetence.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["pending-reminders"]
    assert app.tasks[entry["task"]].name == tasks.requeue_reminders_all.name
    assert entry["schedule"].minute == set(range(0, 60, 10))
    # A task still retrying tries again well before the sweeper takes it for lost.
    assert reminders.REQUEUE_AFTER.total_seconds() > 2 * tasks.send_reminder.retry_backoff_max


def test_the_wheel_marks_every_deadline_clustered_by_week(org_a, cycle):
    from annualcycle.cycle.wheel import MARKER_RADIUS, deadlines

    page = client_for(org_a.employee).get(reverse("cycle")).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    markers = re.findall(r'<g class="deadline-marker[^"]*"><title>([^<]*)</title>', svg)
    with org_a.scope():
        tasks = list(Task.objects.filter(phase__cycle=cycle))
    assert len(tasks) == 11
    for task in tasks:
        when = f"{task.deadline.day}. {MONTHS[task.deadline.month - 1]} {task.deadline.year}"
        assert sum(f"{when}: {html.escape(task.title)}" in m for m in markers) == 1, task.title
    # 15 and 20 December 2026 are less than a week apart: one marker, said to hold two.
    assert len(markers) == 10
    assert any("2 frister: 15. december 2026: Vurdér" in m for m in markers)
    # The text alternative lists them, and each links to its row in the table.
    assert 'aria-describedby="wheel-deadlines"' in svg
    for task in tasks:
        assert f'href="#task-{task.pk}"' in page and f'id="task-{task.pk}"' in page

    # Deadlines a week apart still get markers that do not overlap, also where the
    # ring's end meets its start.
    class Due:
        def __init__(self, pk, day):
            self.pk, self.deadline, self.title = pk, day, f"Opgave {pk}"

    start, end = cycle.starts_on, cycle.ends_on
    weekly = [Due(i, start + datetime.timedelta(days=7 * i)) for i in range(6)]
    weekly.append(Due(6, end))
    with org_a.scope():
        placed = deadlines(weekly, start, end, today=start + datetime.timedelta(days=8))
    assert [m.number for m in placed] == [1, 2, 3, 4, 5, 6, 7]
    # The next deadline to come is marked, in words too.
    assert [m.is_next for m in placed] == [False, False, True, False, False, False, False]
    assert placed[2].label == "Næste: 1 frist: 15. oktober 2026: Opgave 2"
    for one, other in itertools.combinations(placed, 2):
        assert math.dist((one.x, one.y), (other.x, other.y)) > 2 * MARKER_RADIUS


MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
