"""The leader's team page ("Mit team"): evaluation, conversations, plan and follow-up
per person in one table, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from annualcycle.team import selectors
from annualcycle.team.selectors import EvaluationState, PlanState
from kompetence.models import Person
from mus import services as mus_services
from mus.models import Conversation, PlanCheckIn, PlanVersion
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.mus.factories import build_conversation, build_plan, sign, version_of
from tests.profiles.factories import build_framework, evaluation_of, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


@pytest.fixture
def round_a(org_a):
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def _in_the_past(org, conversation: Conversation, days: int) -> Conversation:
    """Conversations are booked ahead; move one back in time as if the days had passed."""
    with org.scope():
        Conversation.objects.filter(pk=conversation.pk).update(
            starts_at=timezone.now() - datetime.timedelta(days=days)
        )
        conversation.refresh_from_db()
    return conversation


def _row(org, person: Person, **kwargs) -> selectors.TeamRow:
    with org.scope():
        rows = selectors.team_overview(org.leader, **kwargs)
    return next(row for row in rows if row.person == person)


def test_the_team_page_lists_the_leaders_people_only_and_404s_elsewhere(org_a, org_b, round_a):
    page = client_for(org_a.leader).get(reverse("team_overview"))
    assert page.status_code == 200
    assert "Eva Medarbejder" in page.text and "Kim Kollega" in page.text
    assert "Ole Andensen" not in page.text
    # The leader is not one of their own team.
    assert page.text.count("Lise Leder") == 1  # the page header
    assert client_for(org_a.employee).get(reverse("team_overview")).status_code == 404
    other = client_for(org_b.leader, org_a.kommune).get(reverse("team_overview"))
    assert other.status_code == 404


def test_evaluation_status_runs_from_not_started_to_leader_rated(org_a, round_a):
    assert _row(org_a, org_a.employee).evaluation_state == EvaluationState.NOT_STARTED
    self_ev = evaluation_of(round_a, org_a.employee)
    with org_a.scope():
        self_ev.answered = 2
        self_ev.save(update_fields=["answered"])
    assert _row(org_a, org_a.employee).evaluation_state == EvaluationState.IN_PROGRESS
    with org_a.scope():
        self_ev.status = self_ev.Status.SUBMITTED
        self_ev.save(update_fields=["status"])
    assert _row(org_a, org_a.employee).evaluation_state == EvaluationState.SUBMITTED
    leader_ev = evaluation_of(round_a, org_a.employee, "leader")
    with org_a.scope():
        leader_ev.status = leader_ev.Status.SUBMITTED
        leader_ev.save(update_fields=["status"])
    assert _row(org_a, org_a.employee).evaluation_state == EvaluationState.LEADER_RATED
    page = client_for(org_a.leader).get(reverse("team_overview")).text
    assert "Vurderet af leder" in page
    assert reverse("person_comparison", args=[round_a.pk, org_a.employee.pk]) in page


def test_seneste_mus_never_shows_a_future_date_and_the_next_one_has_its_own_column(org_a, round_a):
    """Before, "Seneste MUS" showed the newest conversation, scheduled ones included."""
    held = _in_the_past(org_a, build_conversation(org_a), 30)
    row = _row(org_a, org_a.employee)
    assert row.last_held is None and row.next_conversation == held  # not marked held yet
    with org_a.scope():
        mus_services.conversation_mark_held(conversation=held)
        Conversation.objects.filter(pk=held.pk).update(kind="grus")
    upcoming = build_conversation(org_a, days=14)
    row = _row(org_a, org_a.employee)
    assert row.last_held == held and row.next_conversation == upcoming
    assert row.last_held_on is not None and row.last_held_on <= timezone.localdate()
    page = client_for(org_a.leader).get(reverse("team_overview")).text
    assert "Næste samtale" in page and "Seneste samtale" in page
    assert reverse("conversation_detail", args=[held.pk]) in page
    assert reverse("conversation_detail", args=[upcoming.pk]) in page
    assert "GRUS" in page


def test_a_scheduled_conversation_whose_time_passed_is_not_called_held(org_a, round_a):
    past = _in_the_past(org_a, build_conversation(org_a), 3)
    row = _row(org_a, org_a.employee)
    assert row.last_held is None and row.next_conversation == past and row.next_is_past
    assert (
        "Ikke markeret som afholdt" in client_for(org_a.leader).get(reverse("team_overview")).text
    )


def test_plan_status_and_follow_up_with_overdue_marker_and_last_check_in(org_a, round_a):
    assert _row(org_a, org_a.employee).plan_state == PlanState.NONE
    plan = build_plan(org_a)
    version = version_of(plan)
    assert _row(org_a, org_a.employee).plan_state == PlanState.DRAFT
    today = timezone.localdate()
    with org_a.scope():
        PlanVersion.objects.filter(pk=version.pk).update(
            follow_up_date=today - datetime.timedelta(days=5)
        )
        sign(version, org_a.employee, PASSWORD)
    assert _row(org_a, org_a.employee).plan_state == PlanState.AWAITING_LEADER
    with org_a.scope():
        sign(version, org_a.leader, PASSWORD)
    row = _row(org_a, org_a.employee)
    assert row.plan_state == PlanState.SIGNED
    assert row.follow_up_overdue and row.last_check_in is None
    assert (row.activities_done, row.activities_total) == (0, 3)
    page = client_for(org_a.leader).get(reverse("team_overview")).text
    assert "Underskrevet af begge" in page and "Overskredet" in page
    assert reverse("plan_detail", args=[plan.pk]) in page
    with org_a.scope():
        PlanCheckIn.objects.create(kommune=org_a.kommune, version=version, held_on=today)
    row = _row(org_a, org_a.employee)
    assert not row.follow_up_overdue and row.last_check_in == today


def test_sorting_by_follow_up_puts_the_overdue_first(org_a, round_a):
    plan = build_plan(org_a)
    with org_a.scope():
        PlanVersion.objects.filter(plan=plan).update(
            follow_up_date=timezone.localdate() - datetime.timedelta(days=1)
        )
        names = [r.person.name for r in selectors.team_overview(org_a.leader, sort="opfoelgning")]
        assert names[0] == org_a.employee.name
        by_name = [r.person.name for r in selectors.team_overview(org_a.leader)]
        assert by_name == sorted(by_name, key=str.casefold)
    page = client_for(org_a.leader).get(reverse("team_overview") + "?sortering=opfoelgning")
    assert page.status_code == 200 and 'aria-sort="ascending"' in page.text
    assert (
        client_for(org_a.leader).get(reverse("team_overview") + "?sortering=x").status_code == 200
    )


def _grow_team(org, size: int) -> None:
    """`size` more people in the team, each with a held MUS, a signed plan and a check-in."""
    for _ in range(size):
        person = PersonFactory(kommune=org.kommune)
        PositionFactory(person=person, unit=org.team)
        with org.scope():
            conversation = mus_services.conversation_schedule(
                employee=person,
                leader=org.leader,
                starts_at=timezone.now() + datetime.timedelta(days=1),
                duration_minutes=60,
                is_online=False,
                location="Mødelokale 2",
            )
            _in_the_past(org, conversation, 10)
            mus_services.conversation_mark_held(conversation=conversation)
            plan = mus_services.plan_get_or_create(conversation=conversation)
            version = plan.versions.get()
            PlanCheckIn.objects.create(kommune=org.kommune, version=version)
            mus_services.conversation_schedule(
                employee=person,
                leader=org.leader,
                starts_at=timezone.now() + datetime.timedelta(days=20),
                duration_minutes=60,
                is_online=False,
                location="Mødelokale 2",
            )


@pytest.mark.parametrize("size", [5, 30])
def test_the_team_page_takes_the_same_queries_for_5_and_30_people(
    org_a, round_a, size, django_assert_max_num_queries
):
    _grow_team(org_a, size)
    client = client_for(org_a.leader)
    client.get(reverse("team_overview"))  # warm the session and framework caches
    with django_assert_max_num_queries(17):
        page = client.get(reverse("team_overview"))
    assert page.status_code == 200
    assert page.text.count('data-label="Udviklingsplan"') == size + 2


def test_the_mus_page_sends_the_leader_to_the_team_page(org_a, round_a):
    page = client_for(org_a.leader).get(reverse("mus_overview")).text
    assert reverse("team_overview") in page
    assert "Seneste MUS" not in page
