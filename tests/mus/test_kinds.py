"""Conversation kinds: MUS, seniorsamtale and LUS scheduled one by one (GRUS/TUS in
test_group_conversation.py), each with its own agenda, and the kind shown on the
invitation, the overview, the conversation pages, the plan and its PDF."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kompetence.infra.tenancy import kommune_scope
from mus import selectors, services
from mus.models import AgendaQuestion, Conversation, ConversationKind
from mus.pdf import plan_pdf_bytes
from tests.conftest import client_for
from tests.invitations import ics_text
from tests.mus.factories import build_plan, sign, version_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def _when(days: int = 10) -> str:
    starts = (timezone.localtime() + datetime.timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return starts.strftime("%Y-%m-%dT%H:%M")


def _schedule(client, person, kind: str | None, capture):
    data = {"starts_at": _when(), "duration_minutes": 60, "location": "Lokale 4"}
    if kind is not None:
        data["kind"] = kind
    with capture(execute=True):
        return client.post(reverse("conversation_schedule", args=[person.pk]), data)


def _event(message):
    calendar = Calendar.from_ical(ics_text(message))
    return calendar.walk("VEVENT")[0]


def _schedule_service(org, *, employee, leader, kind) -> Conversation:
    with kommune_scope(org.kommune):
        return services.conversation_schedule(
            employee=employee,
            leader=leader,
            starts_at=timezone.now() + datetime.timedelta(days=5),
            duration_minutes=60,
            is_online=False,
            location="Lokale 4",
            kind=kind,
        )


# --- Scheduling each kind ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "subject", "summary", "description"),
    [
        ("mus", "Invitation: MUS", "MUS: Eva Medarbejder og Lise Leder", "(MUS)"),
        (
            "senior",
            "Invitation: Seniorsamtale",
            "Seniorsamtale: Eva Medarbejder og Lise Leder",
            "Seniorsamtale",
        ),
    ],
)
def test_leader_schedules_a_mus_or_seniorsamtale_and_the_invitation_names_the_kind(
    org_a, kind, subject, summary, description, django_capture_on_commit_callbacks
):
    response = _schedule(
        client_for(org_a.leader), org_a.employee, kind, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    with org_a.scope():
        conversation = Conversation.objects.get(employee=org_a.employee)
    assert conversation.kind == kind
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith(subject) for m in mail.outbox)
    event = _event(mail.outbox[0])
    assert str(event["SUMMARY"]) == summary
    assert description in str(event["DESCRIPTION"])
    if kind == "senior":
        assert "Samtaletype: Seniorsamtale" in mail.outbox[0].body


def test_chef_schedules_an_lus_with_a_leader_in_their_line_and_both_sign_the_plan(
    org_a, django_capture_on_commit_callbacks
):
    """LUS: the leader's leader (the chef of the centre above the team) with the team's
    leader; the plan's employee is the leader and its leader the chef."""
    page = client_for(org_a.chef).get(reverse("conversation_schedule", args=[org_a.leader.pk]))
    assert '<option value="lus" selected>LUS</option>' in page.text
    response = _schedule(
        client_for(org_a.chef), org_a.leader, "lus", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    with org_a.scope():
        conversation = Conversation.objects.get(employee=org_a.leader)
    assert (conversation.kind, conversation.leader) == ("lus", org_a.chef)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org_a.leader.email, org_a.chef.email])
    assert mail.outbox[0].subject.startswith("Invitation: LUS")
    assert str(_event(mail.outbox[0])["SUMMARY"]) == "LUS: Lise Leder og Carl Centerchef"

    client_for(org_a.chef).post(reverse("conversation_plan_start", args=[conversation.pk]))
    plan = build_plan(org_a, conversation)
    assert (plan.employee, plan.leader) == (org_a.leader, org_a.chef)
    with org_a.scope():
        sign(version_of(plan), org_a.leader, PASSWORD)
        sign(version_of(plan), org_a.chef, PASSWORD)
        assert selectors.current_version(plan).signatures.count() == 2
    page = client_for(org_a.leader).get(reverse("plan_detail", args=[plan.pk]))
    assert "Samtaletype" in page.text and ">LUS</span>" in page.text


def test_lus_only_with_a_leader(org_a, django_capture_on_commit_callbacks):
    page = client_for(org_a.leader).get(reverse("conversation_schedule", args=[org_a.employee.pk]))
    assert 'value="lus"' not in page.text
    assert '<option value="mus" selected>MUS</option>' in page.text
    response = _schedule(
        client_for(org_a.leader), org_a.employee, "lus", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.text
    with pytest.raises(Exception, match="Eva Medarbejder er ikke leder"):
        _schedule_service(org_a, employee=org_a.employee, leader=org_a.chef, kind="lus")
    with org_a.scope():
        assert not Conversation.objects.filter(employee=org_a.employee).exists()
    assert mail.outbox == []


def test_a_form_without_a_kind_schedules_a_mus(org_a, django_capture_on_commit_callbacks):
    _schedule(client_for(org_a.leader), org_a.employee, None, django_capture_on_commit_callbacks)
    with org_a.scope():
        assert Conversation.objects.get(employee=org_a.employee).kind == "mus"


def test_grus_is_not_scheduled_one_by_one(org_a):
    with pytest.raises(Exception, match="Vælg en samtaletype"):
        _schedule_service(org_a, employee=org_a.employee, leader=org_a.leader, kind="grus")


def test_schedule_page_of_another_kommune_or_not_led_is_404(org_a, org_b):
    url = reverse("conversation_schedule", args=[org_a.leader.pk])
    assert client_for(org_b.chef, org_a.kommune).get(url).status_code == 404
    # A leader does not schedule their own LUS, nor a peer's.
    assert client_for(org_a.leader).get(url).status_code == 404
    assert client_for(org_a.employee).get(url).status_code == 404


# --- The kind on every page ----------------------------------------------------------------


def test_the_kind_shows_on_overview_conversation_preparation_screen_plan_and_pdf(org_a, tmp_path):
    conversation = _schedule_service(
        org_a, employee=org_a.employee, leader=org_a.leader, kind="senior"
    )
    plan = build_plan(org_a, conversation)
    leader, employee = client_for(org_a.leader), client_for(org_a.employee)
    team = leader.get(reverse("team_overview")).text
    assert '<span class="muted">Seniorsamtale</span>' in team
    assert "<td>Seniorsamtale</td>" in employee.get(reverse("mus_overview")).text
    for name in ("conversation_detail", "preparation", "conversation_screen"):
        text = employee.get(reverse(name, args=[conversation.pk])).text
        assert '<span class="badge">Seniorsamtale</span>' in text, name
    assert '<span class="badge">Seniorsamtale</span>' in (
        employee.get(reverse("plan_detail", args=[plan.pk])).text
    )
    with org_a.scope():
        version = version_of(plan)
        data = plan_pdf_bytes(version, language="da", context=selectors.plan_document(version))
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Samtaletype" in text and "Seniorsamtale" in text


# --- An agenda per kind --------------------------------------------------------------------


def test_each_kind_has_its_own_default_agenda(org_a):
    with org_a.scope():
        agendas = {
            kind: [q.text for q in services.agenda_questions(kommune=org_a.kommune, kind=kind)]
            for kind in ConversationKind.values
        }
    assert "Hvordan arbejder vi sammen?" in agendas["grus"]
    assert "Hvilken støtte har du brug for fra mig som din leder?" in agendas["lus"]
    assert "Hvilke tanker har du om din tilbagetrækning?" in agendas["senior"]
    assert "Hvad har du brug for fra din leder?" in agendas["mus"]
    assert len({tuple(texts) for texts in agendas.values()}) == 4


def test_hr_edits_the_agenda_of_one_kind_and_preparation_uses_it(org_a, org_b):
    hr = client_for(org_a.hr)
    page = hr.get(reverse("agenda") + "?samtaletype=lus")
    assert page.status_code == 200
    assert "Hvordan oplever du din rolle som leder?" in page.text
    assert "Hvad har du brug for fra din leder?" not in page.text
    assert 'aria-current="page">LUS</a>' in page.text
    assert "Start med en skabelon" not in page.text  # starter agendas are for MUS
    response = hr.post(
        reverse("agenda") + "?samtaletype=lus",
        {"text": "Hvordan går det med dit lederteam?", "help_text": "", "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?samtaletype=lus")
    with org_a.scope():
        added = AgendaQuestion.objects.get(text="Hvordan går det med dit lederteam?")
        assert added.kind == "lus"
    assert "Hvordan går det med dit lederteam?" not in hr.get(reverse("agenda")).text
    edit = hr.post(
        reverse("agenda_question_edit", args=[added.pk]),
        {"text": "Hvordan går det med dit lederteam nu?", "help_text": ""},
    )
    assert edit["Location"].endswith("?samtaletype=lus")

    lus = _schedule_service(org_a, employee=org_a.leader, leader=org_a.chef, kind="lus")
    preparation = client_for(org_a.leader).get(reverse("preparation", args=[lus.pk])).text
    assert "Hvordan oplever du din rolle som leder?" in preparation
    assert "Hvad har du brug for fra din leder?" not in preparation
    mus = _schedule_service(org_a, employee=org_a.employee, leader=org_a.leader, kind="mus")
    preparation = client_for(org_a.employee).get(reverse("preparation", args=[mus.pk])).text
    assert "Hvad har du brug for fra din leder?" in preparation
    assert "Hvordan oplever du din rolle som leder?" not in preparation

    assert hr.get(reverse("agenda") + "?samtaletype=x").status_code == 404
    assert client_for(org_b.hr, org_a.kommune).get(reverse("agenda")).status_code == 404
    assert client_for(org_a.leader).get(reverse("agenda")).status_code == 404


def test_a_starter_agenda_replaces_only_the_mus_agenda(org_a):
    hr = client_for(org_a.hr)
    hr.get(reverse("agenda") + "?samtaletype=senior")
    hr.get(reverse("agenda"))
    page = hr.get(reverse("agenda")).text
    slug = re.search(r"/mus/dagsorden/skabeloner/([\w-]+)/", page).group(1)
    hr.post(reverse("agenda_starter_use", args=[slug]), {"confirmed": "1"})
    with org_a.scope():
        senior = AgendaQuestion.objects.filter(kommune=org_a.kommune, kind="senior")
        assert senior.exists() and not senior.filter(is_active=False).exists()
        assert AgendaQuestion.objects.filter(kind="mus", is_active=False).exists()


# --- Dashboards: conversations held per kind ------------------------------------------------


def test_dashboards_count_conversations_held_per_kind_and_med_hides_small_rows(org_a):
    """Team Nord (nine people): a MUS, a seniorsamtale, a GRUS of two and the leader's
    LUS held; Team Syd (one person): a MUS, which a MED committee never sees."""
    from annualcycle.dashboards import selectors as dashboards
    from tests.annualcycle.test_dashboards import add_people, committee_for

    extra = add_people(org_a, org_a.team, 5)
    held = [
        _schedule_service(org_a, employee=org_a.employee, leader=org_a.leader, kind="mus"),
        _schedule_service(org_a, employee=extra[0], leader=org_a.leader, kind="senior"),
        _schedule_service(org_a, employee=org_a.leader, leader=org_a.chef, kind="lus"),
        _schedule_service(org_a, employee=org_a.other_employee, leader=org_a.chef, kind="mus"),
    ]
    group = build_group_of(org_a, [org_a.colleague, extra[1]])
    with org_a.scope():
        held += list(group.conversations.all())
        for conversation in held:
            services.conversation_mark_held(conversation=conversation)
        centre = type(org_a.centre).objects.get(pk=org_a.centre.pk)
        period = dashboards.dashboard_period()
        board = dashboards.unit_dashboard(centre, None, period)
        rows = {row.label: row for row in board.rows}
        nord, syd = rows["Team Nord"], rows["Team Syd"]
        assert [
            nord.held_mus.value,
            nord.held_grus.value,
            nord.held_lus.value,
            nord.held_senior.value,
        ] == [1, 2, 1, 1]
        assert syd.held_mus.value == 1
        assert board.total.held_mus.value == 2 and board.total.mus.value == 6
        med = dashboards.unit_dashboard(centre, None, period, k=5)
        med_rows = {row.label: row for row in med.rows}
        assert med_rows["Team Nord"].held_grus.hidden == ""
        assert med_rows["Team Nord"].held_grus.value == 2
        assert med_rows["Team Syd"].held_mus.hidden == dashboards.SMALL
        assert med.total.held_mus.hidden == dashboards.COMPLEMENTARY

    page = client_for(org_a.chef).get(reverse("dashboard")).text
    assert "Samtaler holdt pr. type i Center for Omsorg" in page
    committee = committee_for(org_a, org_a.centre, [extra[2]])
    med_page = client_for(extra[2]).get(reverse("med_dashboard", args=[committee.pk])).text
    assert "Samtaler holdt pr. type i Center for Omsorg" in med_page


def build_group_of(org, participants):
    from tests.mus.factories import build_group

    return build_group(org, leader=org.leader, participants=participants, days=2)
