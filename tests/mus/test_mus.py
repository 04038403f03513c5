"""MUS: scheduling with calendar invitations, private preparation, agreed levels,
development plans with versions, conflicts, signatures and PDFs."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kompetence.models import AuditEntry
from mus import content, selectors, services, signing
from mus.models import Conversation, PlanActivity, PlanPdf, PlanVersion, PreparationNote, Signature
from mus.pdf import offline_url_fetcher
from profiles.models import Assessment
from tests.conftest import client_for
from tests.invitations import ics_text
from tests.mus.factories import (
    build_conversation,
    build_plan,
    sign,
    sign_form_fields,
    version_of,
)
from tests.profiles.factories import build_framework, competence, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


@pytest.fixture
def round_a(org_a):
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def _ics(message) -> Calendar:
    return Calendar.from_ical(ics_text(message))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# --- Scheduling ---------------------------------------------------------------------------


def test_leader_schedules_and_both_get_a_danish_invitation_with_ics(
    org_a, round_a, django_capture_on_commit_callbacks
):
    client = client_for(org_a.leader)
    starts = (timezone.localtime() + datetime.timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("conversation_schedule", args=[org_a.employee.pk]),
            {
                "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": 60,
                "location": "Rådhuset, lokale 3",
            },
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [org_a.employee.email, org_a.leader.email]
    )
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation: MUS")
    assert "medarbejderudviklingssamtale (MUS)" in message.body
    event = _ics(message).walk("VEVENT")[0]
    assert _ics(message)["METHOD"] == "REQUEST"
    assert event["LOCATION"] == "Rådhuset, lokale 3"
    assert int(event["SEQUENCE"]) == 0
    uid = str(event["UID"])
    with org_a.scope():
        conversation = Conversation.objects.get(employee=org_a.employee)
        assert conversation.round == round_a

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("conversation_edit", args=[conversation.pk]),
            {
                "starts_at": (starts + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": 90,
                "location": "Online",
                "is_online": "on",
            },
        )
    update = _ics(mail.outbox[0]).walk("VEVENT")[0]
    assert mail.outbox[0].subject.startswith("Flyttet: MUS")
    assert str(update["UID"]) == uid and int(update["SEQUENCE"]) == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conversation_cancel", args=[conversation.pk]))
    assert _ics(mail.outbox[0])["METHOD"] == "CANCEL"
    assert str(_ics(mail.outbox[0]).walk("VEVENT")[0]["UID"]) == uid


def test_only_the_employees_leader_schedules(org_a, org_b):
    url = reverse("conversation_schedule", args=[org_a.employee.pk])
    assert client_for(org_a.colleague).get(url).status_code == 404
    assert client_for(org_a.employee).get(url).status_code == 404
    assert client_for(org_b.hr).get(url).status_code == 404
    assert client_for(org_a.chef).get(url).status_code == 200
    response = client_for(org_a.leader).post(
        url, {"starts_at": "2001-01-01T10:00", "duration_minutes": 60, "location": "X"}
    )
    assert "Tidspunktet ligger i fortiden." in response.text


def _schedule(client, employee, days: int = 12):
    starts = (timezone.localtime() + datetime.timedelta(days=days)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return client.post(
        reverse("conversation_schedule", args=[employee.pk]),
        {"starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60, "location": "B"},
    )


@pytest.mark.parametrize("who", ["leader", "chef"])
def test_a_second_open_mus_is_refused_and_the_planned_one_offered(
    org_a, org_b, who, django_capture_on_commit_callbacks
):
    """Planning MUS for someone who has one planned already (a double click, or their
    chef not knowing): refused in Danish, no invitation sent, and the planned
    conversation offered to move."""
    planned = build_conversation(org_a, days=7)
    client = client_for(getattr(org_a, who))
    client.raise_request_exception = False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _schedule(client, org_a.employee)
    assert response.status_code == 200
    assert "Eva Medarbejder har allerede en planlagt MUS." in response.text
    assert reverse("conversation_edit", args=[planned.pk]) in response.text
    assert "Flyt den planlagte samtale" in response.text
    assert mail.outbox == []
    with org_a.scope():
        assert list(Conversation.objects.filter(employee=org_a.employee)) == [planned]
    # Another kommune's leader neither plans nor learns of the planned conversation.
    outsider = client_for(org_b.leader, org_a.kommune)
    assert _schedule(outsider, org_a.employee).status_code == 404
    assert outsider.get(reverse("conversation_edit", args=[planned.pk])).status_code == 404


def test_a_new_mus_is_planned_once_the_open_one_is_held_or_cancelled(
    org_a, django_capture_on_commit_callbacks
):
    planned = build_conversation(org_a)
    client = client_for(org_a.leader)
    with org_a.scope():
        services.conversation_mark_held(conversation=planned)
    with django_capture_on_commit_callbacks(execute=True):
        assert _schedule(client, org_a.employee).status_code == 302
    with org_a.scope():
        second = Conversation.objects.get(employee=org_a.employee, status="scheduled")
        services.conversation_cancel(conversation=second)
    assert _schedule(client, org_a.employee, days=20).status_code == 302
    with org_a.scope():
        assert Conversation.objects.filter(employee=org_a.employee).count() == 3


# --- Preparation and the conversation ----------------------------------------------------


def test_preparation_notes_are_private(org_a, round_a):
    conversation = build_conversation(org_a)
    with org_a.scope():
        question = services.agenda_questions(kommune=org_a.kommune)[0]
    url = reverse("preparation", args=[conversation.pk])
    employee = client_for(org_a.employee)
    employee.post(
        url, {f"note-{question.pk}": "Vil gerne lære Excel", "note-general": "Arbejdstid"}
    )
    assert "Vil gerne lære Excel" in employee.get(url).text
    leader_page = client_for(org_a.leader).get(url)
    assert leader_page.status_code == 200
    assert "Vil gerne lære Excel" not in leader_page.text and "Arbejdstid" not in leader_page.text
    assert client_for(org_a.chef).get(url).status_code == 404  # not a party
    assert client_for(org_a.colleague).get(url).status_code == 404
    with org_a.scope():
        assert PreparationNote.objects.filter(conversation=conversation).count() == 2


def test_agreed_level_is_recorded_by_the_leader_and_counts_in_the_gap(org_a, round_a):
    conversation = build_conversation(org_a)
    faglig = competence(round_a.version, "Faglig kompetence")
    url = reverse("agreed_level_save", args=[conversation.pk, faglig.pk])
    assert client_for(org_a.employee).post(url, {f"agreed-{faglig.pk}": "4"}).status_code == 404
    response = client_for(org_a.leader).post(
        url, {f"agreed-{faglig.pk}": "4"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Gemt" in response.text
    assert client_for(org_a.leader).post(url, {f"agreed-{faglig.pk}": "8"}).status_code == 422
    with org_a.scope():
        row = Assessment.objects.get(round=round_a, person=org_a.employee, competence=faglig)
        assert (row.agreed_level, row.assessed) == (4, 4)
    page = client_for(org_a.employee).get(reverse("conversation_screen", args=[conversation.pk]))
    assert "Faglig kompetence" in page.text and "Kyndig" in page.text


def test_the_conversation_screens_actions_are_the_leaders(org_a, round_a):
    """Shared notes, "held" and starting the plan each have their own URL; the employee
    reads the screen but none of them answers the employee, HR or a colleague."""
    conversation = build_conversation(org_a)
    notes = reverse("conversation_notes_save", args=[conversation.pk])
    held = reverse("conversation_held", args=[conversation.pk])
    start = reverse("conversation_plan_start", args=[conversation.pk])
    for person in (org_a.employee, org_a.hr, org_a.colleague):
        client = client_for(person)
        for url in (notes, held, start):
            assert client.post(url, {"shared_notes": "x"}).status_code == 404, (person, url)
    leader = client_for(org_a.leader)
    response = leader.post(notes, {"shared_notes": "Aftalt: kursus"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Gemt" in response.text
    assert leader.post(held).status_code == 302
    response = leader.post(start)
    with org_a.scope():
        conversation.refresh_from_db()
        assert conversation.shared_notes == "Aftalt: kursus"
        assert conversation.status == Conversation.Status.HELD
        assert response.url == reverse("plan_detail", args=[conversation.plan.pk])
    assert leader.post(start).url == response.url  # the same plan, not a second
    screen = reverse("conversation_screen", args=[conversation.pk])
    assert leader.post(screen, {"action": "held"}).status_code == 405


# --- Plans, versions and conflicts --------------------------------------------------------


def test_editing_a_signed_plan_makes_version_2_and_leaves_version_1(org_a, round_a):
    plan = build_plan(org_a)
    v1 = version_of(plan)
    with org_a.scope():
        sign(v1, org_a.employee, PASSWORD)
        sign(v1, org_a.leader, PASSWORD)
        hash_v1 = content.content_hash(v1)
        v2_goal = services.goal_add(
            version=v1, revision=v1.revision, text="Nyt mål efter underskrift"
        )
        v2 = v2_goal.version
        assert (v2.number, v2.signatures.count()) == (2, 0)
        assert selectors.current_version(plan) == v2
        v1.refresh_from_db()
        assert content.content_hash(v1) == hash_v1
        assert v1.goals.count() == 2 and v2.goals.count() == 3
        assert all(signing.signature_is_valid(s) for s in v1.signatures.all())
        assert {a.key for a in v1.activities.all()} == {a.key for a in v2.activities.all()}


def test_a_tampered_plan_no_longer_matches_its_signature(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        signature = sign(version, org_a.employee, PASSWORD)
        assert signing.signature_is_valid(signature)
        # Someone changes the signed content behind the service's back.
        version.goals.filter(order=1).update(text="Et andet mål")
        signature = Signature.objects.get(pk=signature.pk)
        assert not signing.signature_is_valid(signature)
    page = client_for(org_a.employee).get(reverse("plan_detail", args=[plan.pk]))
    assert "indholdet er ændret efter underskriften" in page.text


def test_a_concurrent_edit_gets_the_conflict_message_not_an_overwrite(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    seen = version.revision  # both tabs load the plan at this revision
    url = reverse("plan_texts_edit", args=[version.pk])
    first = client_for(org_a.employee).post(
        url, {"revision": seen, "leader_support": "Fra fane 1", "other_agreements": ""}, follow=True
    )
    assert "Planen er gemt." in first.text
    second = client_for(org_a.leader).post(
        url, {"revision": seen, "leader_support": "Fra fane 2", "other_agreements": ""}, follow=True
    )
    assert "Planen er blevet ændret af en anden" in second.text
    with org_a.scope():
        assert PlanVersion.objects.get(pk=version.pk).leader_support == "Fra fane 1"


def test_signing_needs_the_right_password_and_a_party(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    url = reverse("plan_sign", args=[version.pk])
    employee = client_for(org_a.employee)
    seen = sign_form_fields(employee.get(reverse("plan_detail", args=[plan.pk])).text)
    response = employee.post(url, {**seen, "password": "forkert"}, follow=True)
    assert "Adgangskoden er forkert." in response.text
    assert client_for(org_a.colleague).post(url, {**seen, "password": PASSWORD}).status_code == 404
    response = employee.post(url, {**seen, "password": PASSWORD}, follow=True)
    assert "Planen er underskrevet." in response.text
    response = employee.post(url, {**seen, "password": PASSWORD}, follow=True)
    assert "allerede underskrevet af dig" in response.text
    with org_a.scope():
        assert AuditEntry.objects.filter(subject=org_a.employee, action="sign").exists()


def test_both_signatures_make_the_pdf_with_names_goals_and_hash(
    org_a, round_a, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        sign(version, org_a.employee, PASSWORD)
        sign(version, org_a.leader, PASSWORD)
    with org_a.scope():
        pdf = PlanPdf.objects.get(version=version)
        assert pdf.status == PlanPdf.Status.READY
        data = pdf.file.read()
        expected_hash = content.content_hash(version)
    assert pdf.content_hash == expected_hash
    text = pdf_text(data, tmp_path)
    for expected in (
        org_a.employee.name,
        org_a.leader.name,
        "Bliver tryg i nye sagstyper",
        "Deler viden i teamet",
        "Alfa Kommune",
        "Side 1 af",
    ):
        assert expected in text
    assert expected_hash[:32] in text.replace("\n", "").replace(" ", "")
    download = client_for(org_a.employee).get(reverse("plan_pdf_download", args=[pdf.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == data


def test_pdf_and_plan_are_only_for_the_parties_their_leaders_and_hr(
    org_a, org_b, round_a, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        pdf = services.pdf_request(version=version)
    plan_url = reverse("plan_detail", args=[plan.pk])
    pdf_url = reverse("plan_pdf_download", args=[pdf.pk])
    for person, status in [
        (org_a.employee, 200),
        (org_a.leader, 200),
        (org_a.chef, 200),
        (org_a.director, 200),
        (org_a.hr, 200),
        (org_a.colleague, 404),
        (org_a.other_employee, 404),
        (org_b.hr, 404),
    ]:
        client = client_for(person)
        assert client.get(plan_url).status_code == status, person.name
        assert client.get(pdf_url).status_code == status, person.name


def test_text_typed_into_a_plan_is_escaped_in_the_pdf(
    org_a, round_a, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = build_plan(org_a, activities=0)
    version = version_of(plan)
    with org_a.scope():
        services.plan_texts_update(
            version=version,
            revision=version.revision,
            leader_support='<b>fed</b> <img src="http://example.invalid/x.png">',
            other_agreements="",
            follow_up_date=None,
        )
        with django_capture_on_commit_callbacks(execute=True):
            pdf = services.pdf_request(version=version)
        pdf.refresh_from_db()
        text = pdf_text(pdf.file.read(), tmp_path)
    assert "<b>fed</b>" in text


def test_weasyprint_may_not_fetch_urls():
    fetcher = offline_url_fetcher()
    for url in ("http://example.invalid/x.png", "https://example.invalid/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)


def test_the_employee_follows_up_without_a_new_version(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        sign(version, org_a.employee, PASSWORD)
        sign(version, org_a.leader, PASSWORD)
        activity = version.activities.first()
    response = client_for(org_a.employee).post(
        reverse("activity_done", args=[activity.pk]),
        {"done_on": timezone.localdate().isoformat(), "done_note": "Kurset var godt"},
        follow=True,
    )
    assert "Aktiviteten er markeret som gennemført." in response.text
    with org_a.scope():
        activity.refresh_from_db()
        assert activity.status == PlanActivity.Status.DONE
        assert plan.versions.count() == 1
        assert all(signing.signature_is_valid(s) for s in version.signatures.all())
    overview = client_for(org_a.leader).get(reverse("team_overview"))
    assert "1 af 3 aktiviteter gennemført" in overview.text


def test_an_older_version_shows_what_changed_in_the_next(org_a, round_a):
    plan = build_plan(org_a)
    v1 = version_of(plan)
    with org_a.scope():
        sign(v1, org_a.employee, PASSWORD)
        services.goal_add(version=v1, revision=v1.revision, text="Lærer at holde oplæg")
    page = client_for(org_a.leader).get(reverse("plan_version_detail", args=[v1.pk]))
    assert page.status_code == 200
    assert "Lærer at holde oplæg" in page.text and "diff-added" in page.text


def test_hr_edits_the_agenda(org_a):
    client = client_for(org_a.hr)
    response = client.post(reverse("agenda"), {"text": "Hvordan trives du?", "is_active": "on"})
    assert response.status_code == 302
    assert "Hvordan trives du?" in client.get(reverse("agenda")).text
    assert client_for(org_a.leader).get(reverse("agenda")).status_code == 404


def test_a_cancelled_conversation_cannot_be_marked_held_and_says_why(org_a, round_a):
    """Before, "afholdt" on a cancelled conversation answered 500."""
    conversation = build_conversation(org_a)
    with org_a.scope():
        conversation.status = Conversation.Status.CANCELLED
        conversation.save(update_fields=["status"])
    leader = client_for(org_a.leader)
    response = leader.post(reverse("conversation_held", args=[conversation.pk]), follow=True)
    assert response.status_code == 200
    assert "Samtalen er aflyst." in response.text
    with org_a.scope():
        conversation.refresh_from_db()
        assert conversation.status == Conversation.Status.CANCELLED
