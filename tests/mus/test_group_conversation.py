"""GRUS/TUS: a leader's group conversation with several employees. One conversation and
one invitation per participant, shared notes for the group, private preparation and an
individual plan per participant, and a participant's request for an individual MUS."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kompetence.infra.tenancy import kommune_scope
from mus import services
from mus.models import Conversation, ConversationGroup
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.invitations import ics_text
from tests.mus.factories import build_group, build_plan

pytestmark = pytest.mark.django_db


def _when(days: int = 10) -> str:
    starts = (timezone.localtime() + datetime.timedelta(days=days)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    return starts.strftime("%Y-%m-%dT%H:%M")


def _team(org, n: int) -> list:
    """`n` more employees in the leader's team."""
    people = []
    for index in range(n):
        person = PersonFactory(kommune=org.kommune, name=f"Team Medlem {index + 1}")
        PositionFactory(person=person, unit=org.team, job_title="Social- og sundhedsassistent")
        people.append(person)
    return people


def _uid(message) -> str:
    return str(Calendar.from_ical(ics_text(message)).walk("VEVENT")[0]["UID"])


def _leader_group(org, people=None):
    return build_group(org, leader=org.leader, participants=people or [org.employee, org.colleague])


# --- Scheduling -------------------------------------------------------------------------


def test_leader_schedules_a_grus_and_each_participant_gets_a_conversation_and_an_invitation(
    org_a, django_capture_on_commit_callbacks
):
    third = _team(org_a, 1)[0]
    people = [org_a.employee, org_a.colleague, third]
    client = client_for(org_a.leader)
    page = client.get(reverse("group_new"))
    assert page.status_code == 200
    assert org_a.other_employee.name not in page.text  # not one of the leader's employees
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("group_new"),
            {
                "title": "Team Nords GRUS",
                "participants": [p.pk for p in people],
                "starts_at": _when(),
                "duration_minutes": 120,
                "location": "Mødelokale 1",
            },
        )
    assert response.status_code == 302
    with org_a.scope():
        group = ConversationGroup.objects.get()
        conversations = list(group.conversations.all())
    assert response["Location"] == reverse("group_detail", args=[group.pk])
    assert (group.leader, group.title) == (org_a.leader, "Team Nords GRUS")
    assert sorted(c.employee_id for c in conversations) == sorted(p.pk for p in people)
    assert {(c.kind, c.leader_id, c.status) for c in conversations} == {
        ("grus", org_a.leader.pk, "scheduled")
    }
    # Each participant: one invitation, their own UID; the leader gets each as well.
    to_participants = [m for m in mail.outbox if m.to[0] != org_a.leader.email]
    assert sorted(m.to[0] for m in to_participants) == sorted(p.email for p in people)
    assert len(mail.outbox) == 2 * len(people)
    assert len({_uid(m) for m in to_participants}) == len(people)
    assert all(m.subject.startswith("Invitation: GRUS/TUS") for m in mail.outbox)
    assert "Gruppesamtale: Team Nords GRUS" in to_participants[0].body
    summary = Calendar.from_ical(ics_text(to_participants[0])).walk("VEVENT")[0]
    assert str(summary["SUMMARY"]).startswith("GRUS/TUS: ")
    assert "Gruppeudviklingssamtale (GRUS/TUS): Team Nords GRUS" in str(summary["DESCRIPTION"])


def test_a_participant_who_is_not_the_leaders_employee_is_refused_by_name(org_a):
    with pytest.raises(ValidationError) as error:
        _leader_group(org_a, [org_a.employee, org_a.other_employee])
    assert "Ole Andensen er ikke din medarbejder." in error.value.messages
    with org_a.scope():
        assert not Conversation.objects.exists() and not ConversationGroup.objects.exists()


def test_a_participant_with_an_open_conversation_is_refused_by_name(
    org_a, django_capture_on_commit_callbacks
):
    with kommune_scope(org_a.kommune):
        services.conversation_schedule(
            employee=org_a.employee,
            leader=org_a.leader,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            is_online=False,
            location="X",
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_a.leader).post(
            reverse("group_new"),
            {
                "participants": [org_a.employee.pk, org_a.colleague.pk],
                "starts_at": _when(),
                "duration_minutes": 90,
                "location": "Mødelokale 1",
            },
        )
    assert response.status_code == 200
    assert "Eva Medarbejder har allerede en planlagt samtale." in response.text
    assert mail.outbox == []
    with org_a.scope():
        assert not ConversationGroup.objects.exists()


def test_a_group_needs_two_participants(org_a):
    response = client_for(org_a.leader).post(
        reverse("group_new"),
        {
            "participants": [org_a.employee.pk],
            "starts_at": _when(),
            "duration_minutes": 90,
            "location": "Mødelokale 1",
        },
    )
    assert "Vælg mindst to medarbejdere til en gruppesamtale." in response.text


# --- Who may see what ---------------------------------------------------------------------


def test_outsider_and_not_the_leader_get_404_on_every_group_page(org_a, org_b):
    group = _leader_group(org_a)
    with org_a.scope():
        conversation = group.conversations.get(employee=org_a.employee)
    detail = reverse("group_detail", args=[group.pk])
    notes = reverse("group_notes_save", args=[group.pk])
    request = reverse("conversation_individual_request", args=[conversation.pk])
    outsider = client_for(org_b.leader, org_a.kommune)
    assert outsider.get(reverse("group_new")).status_code == 404
    assert outsider.get(detail).status_code == 404
    assert outsider.post(notes, {"shared_notes": "x"}).status_code == 404
    assert outsider.post(request, {"reason": ""}).status_code == 404
    # The other kommune's own leader on their own host does not reach this group either.
    assert client_for(org_b.leader).get(detail).status_code == 404
    for person in (org_a.employee, org_a.colleague, org_a.chef, org_a.hr, org_a.director):
        client = client_for(person)
        assert client.get(detail).status_code == 404, person
        assert client.post(notes, {"shared_notes": "x"}).status_code == 404, person
    # Only the participant asks for themself, not a colleague in the group.
    assert client_for(org_a.other_employee).post(request).status_code == 404
    assert client_for(org_a.employee).get(reverse("group_new")).status_code == 404
    with org_a.scope():
        assert ConversationGroup.objects.get().shared_notes == ""
    assert client_for(org_a.leader).get(detail).status_code == 200


def test_participants_see_neither_each_others_preparation_nor_plans(org_a):
    group = _leader_group(org_a)
    with org_a.scope():
        mine = group.conversations.get(employee=org_a.employee)
        theirs = group.conversations.get(employee=org_a.colleague)
        question = services.agenda_questions(kommune=org_a.kommune, kind="grus")[0]
        services.preparation_note_save(
            conversation=mine, author=org_a.employee, question=question, text="Evas egen tanke"
        )
        services.preparation_note_save(
            conversation=theirs, author=org_a.colleague, question=None, text="Kims egen tanke"
        )
    plan = build_plan(org_a, theirs)
    eva, kim = client_for(org_a.employee), client_for(org_a.colleague)
    for name in ("conversation_detail", "preparation", "conversation_screen"):
        assert eva.get(reverse(name, args=[theirs.pk])).status_code == 404, name
        assert kim.get(reverse(name, args=[mine.pk])).status_code == 404, name
    assert eva.get(reverse("plan_detail", args=[plan.pk])).status_code == 404
    own = eva.get(reverse("preparation", args=[mine.pk])).text
    assert "Evas egen tanke" in own and "Kims egen tanke" not in own
    assert "Evas egen tanke" not in kim.get(reverse("preparation", args=[theirs.pk])).text
    # The leader's group page shows no one's private preparation.
    page = client_for(org_a.leader).get(reverse("group_detail", args=[group.pk])).text
    assert "Evas egen tanke" not in page and "Kims egen tanke" not in page
    # The preparation of a GRUS uses the GRUS agenda.
    assert "Hvordan arbejder vi sammen?" in own


# --- Shared notes -----------------------------------------------------------------------


def test_leader_writes_the_group_notes_and_every_participant_reads_them(org_a):
    group = _leader_group(org_a)
    leader = client_for(org_a.leader)
    page = leader.get(reverse("group_detail", args=[group.pk])).text
    seen = page.split('name="seen_hash" value="')[1].split('"')[0]
    response = leader.post(
        reverse("group_notes_save", args=[group.pk]),
        {"shared_notes": "Vi deler vagtplanen bedre.", "seen_hash": seen},
        HTTP_HX_REQUEST="true",
    )
    assert ">Gemt<" in response.text and 'hx-swap-oob="true"' in response.text
    with org_a.scope():
        conversation = group.conversations.get(employee=org_a.employee)
    plan = build_plan(org_a, conversation)
    employee = client_for(org_a.employee)
    for url in (
        reverse("conversation_detail", args=[conversation.pk]),
        reverse("conversation_screen", args=[conversation.pk]),
        reverse("plan_detail", args=[plan.pk]),
    ):
        assert "Vi deler vagtplanen bedre." in employee.get(url).text, url


def test_notes_changed_elsewhere_are_not_overwritten(org_a):
    group = _leader_group(org_a)
    url = reverse("group_notes_save", args=[group.pk])
    leader = client_for(org_a.leader)
    seen = services.notes_hash("")
    leader.post(url, {"shared_notes": "Fra det første vindue", "seen_hash": seen})
    response = leader.post(
        url,
        {"shared_notes": "Fra det andet vindue", "seen_hash": seen},
        HTTP_HX_REQUEST="true",
    )
    assert "Noterne er ændret et andet sted" in response.text
    assert "Gemt" not in response.text and "hx-swap-oob" not in response.text
    with org_a.scope():
        assert ConversationGroup.objects.get().shared_notes == "Fra det første vindue"


# --- Asking for an individual MUS ---------------------------------------------------------


def test_participant_asks_for_an_individual_mus_and_the_leader_schedules_it(
    org_a, django_capture_on_commit_callbacks
):
    group = _leader_group(org_a)
    with org_a.scope():
        grus = group.conversations.get(employee=org_a.employee)
    employee = client_for(org_a.employee)
    page = employee.get(reverse("conversation_detail", args=[grus.pk])).text
    assert "Bed om en MUS alene" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = employee.post(
            reverse("conversation_individual_request", args=[grus.pk]),
            {"reason": "Jeg vil gerne tale om min arbejdstid."},
        )
    assert response.status_code == 302
    grus.refresh_from_db()
    assert grus.individual_requested_at is not None
    assert grus.individual_request_reason == "Jeg vil gerne tale om min arbejdstid."
    assert [m.to[0] for m in mail.outbox] == [org_a.leader.email]
    assert "Eva Medarbejder ønsker en MUS alene" in mail.outbox[0].subject
    assert f"/mus/gruppe/{group.pk}/" in mail.outbox[0].body
    assert (
        "Du har bedt om en MUS alene"
        in employee.get(reverse("conversation_detail", args=[grus.pk])).text
    )

    leader = client_for(org_a.leader)
    group_page = leader.get(reverse("group_detail", args=[group.pk])).text
    assert "Jeg vil gerne tale om min arbejdstid." in group_page
    schedule_url = reverse("conversation_schedule", args=[org_a.employee.pk])
    assert schedule_url + "?samtaletype=mus" in group_page
    form = leader.get(schedule_url + "?samtaletype=mus").text
    assert '<option value="mus" selected>MUS</option>' in form
    assert "Ønsker MUS alene" in leader.get(reverse("team_overview")).text
    assert "1 ønsker MUS alene" in leader.get(reverse("mus_overview")).text
    # The other participant does not see the request.
    with org_a.scope():
        kims = group.conversations.get(employee=org_a.colleague)
    assert (
        "arbejdstid"
        not in client_for(org_a.colleague).get(reverse("conversation_detail", args=[kims.pk])).text
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(
            schedule_url,
            {"kind": "mus", "starts_at": _when(20), "duration_minutes": 60, "location": "X"},
        )
    assert response.status_code == 302
    grus.refresh_from_db()
    assert grus.status == Conversation.Status.CANCELLED
    with org_a.scope():
        individual = Conversation.objects.get(employee=org_a.employee, kind="mus")
    assert individual.group_id is None
    subjects = sorted(m.subject.split(" ")[0] for m in mail.outbox)
    assert subjects == ["Aflyst:", "Aflyst:", "Invitation:", "Invitation:"]
    assert "Taget ud af gruppen" in leader.get(reverse("group_detail", args=[group.pk])).text


def test_only_a_scheduled_group_participant_can_ask(org_a):
    with kommune_scope(org_a.kommune):
        mus = services.conversation_schedule(
            employee=org_a.employee,
            leader=org_a.leader,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            duration_minutes=60,
            is_online=False,
            location="X",
        )
    response = client_for(org_a.employee).post(
        reverse("conversation_individual_request", args=[mus.pk]), follow=True
    )
    assert "Kun en deltager i en gruppesamtale" in response.text
    mus.refresh_from_db()
    assert mus.individual_requested_at is None
    # The leader is a party of the group conversation but not the one who asks.
    group = build_group(org_a, leader=org_a.chef, participants=[org_a.colleague, org_a.leader])
    with org_a.scope():
        leaders = group.conversations.get(employee=org_a.colleague)
    client_for(org_a.chef).post(reverse("conversation_individual_request", args=[leaders.pk]))
    leaders.refresh_from_db()
    assert leaders.individual_requested_at is None


# --- Query counts -------------------------------------------------------------------------


def test_group_page_issues_the_same_queries_for_two_or_six_participants(
    org_a, django_assert_max_num_queries
):
    small = _leader_group(org_a)
    with org_a.scope():
        build_plan(org_a, small.conversations.first())
    client = client_for(org_a.leader)
    url = reverse("group_detail", args=[small.pk])
    client.get(url)
    with django_assert_max_num_queries(22) as small_queries:
        assert client.get(url).status_code == 200
    big = build_group(org_a, leader=org_a.leader, participants=_team(org_a, 6), days=14)
    with org_a.scope():
        for conversation in big.conversations.all()[:3]:
            build_plan(org_a, conversation)
    url = reverse("group_detail", args=[big.pk])
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert client.get(url).status_code == 200
