"""Calendar invitations as Outlook and Gmail read them (RFC 5545 iCalendar, RFC 5546
iTIP, RFC 6047 iMIP): every kind of invitation taken from the sent e-mail and parsed with
vobject, not with the icalendar library that writes them."""

from __future__ import annotations

import datetime
import zoneinfo
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.validators import validate_email
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Enrolment
from kompetence.infra.calendar import sender_address
from mus import services as mus_services
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.invitations import calendar_part, mime, vcalendar

pytestmark = pytest.mark.django_db

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def _address(value: str) -> str:
    """The e-mail address of a `mailto:` calendar address, checked to be one."""
    assert value.lower().startswith("mailto:"), value
    address = value[len("mailto:") :]
    assert parseaddr(address) == ("", address)
    validate_email(address)
    return address


def check_invitation(message, *, method: str, kommune) -> dict:
    """Checks one sent invitation the way a calendar client reads it and returns what
    the caller compares between invitations."""
    assert mime(message).get_content_type() == "multipart/mixed"
    part = calendar_part(message)
    assert part.get_param("method") == method
    assert part.get_content_charset() == "utf-8"
    assert part["Content-Transfer-Encoding"] == "quoted-printable"
    attachment = next(p for p in mime(message).iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "application/ics"

    calendar = vcalendar(message)
    assert calendar.method.value == method
    event = calendar.vevent
    assert event.status.value == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")

    # vobject turns TZID into the value's tzinfo and keeps the name it was given.
    tzid = event.dtstart.params["X-VOBJ-ORIGINAL-TZID"][0]
    assert [zone.tzid.value for zone in calendar.vtimezone_list] == [tzid]
    assert event.dtend.params["X-VOBJ-ORIGINAL-TZID"] == [tzid]
    # vobject computes the offset from our VTIMEZONE; it must agree with the tz database.
    starts = event.dtstart.value
    assert starts.utcoffset() == starts.replace(tzinfo=COPENHAGEN).utcoffset()
    assert event.dtstamp.value.utcoffset() == datetime.timedelta(0)
    assert event.dtstamp.serialize().strip().endswith("Z")

    organizer = event.organizer
    _address(organizer.value)
    assert organizer.params["CN"][0]
    if "SENT-BY" in organizer.params:
        assert _address(organizer.params["SENT-BY"][0]) == sender_address()
    for attendee in event.attendee_list:
        _address(attendee.value)
        assert attendee.params["RSVP"] == ["TRUE"]
        assert attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
        assert attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
        assert attendee.params["CN"][0]

    url = event.url.value
    assert url in event.description.value
    assert url in message.body
    link = urlsplit(url)
    assert link.scheme == "https" and link.netloc == f"{kommune.slug}.localhost"
    return {
        "uid": event.uid.value,
        "sequence": int(event.sequence.value),
        "url": url,
        "organizer": organizer,
        "attendees": [a.value for a in event.attendee_list],
        "starts": starts,
        "location": event.location.value,
    }


def _opens_for(url: str, person) -> None:
    """The link in the e-mail opens the page for the person it was sent to."""
    link = urlsplit(url)
    client = client_for(person)
    response = client.get(link.path, secure=link.scheme == "https")
    assert response.status_code == 200, url


def test_mus_invitation_change_and_cancellation(org_a, django_capture_on_commit_callbacks):
    starts = (timezone.localtime() + datetime.timedelta(days=10)).replace(
        month=7, day=1, hour=10, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=366)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        conversation = mus_services.conversation_schedule(
            employee=org_a.employee,
            leader=org_a.leader,
            starts_at=starts,
            duration_minutes=60,
            is_online=False,
            location="Rådhuset, lokale 3",
        )
    seen = []
    for method, change in (("REQUEST", None), ("REQUEST", "move"), ("CANCEL", "cancel")):
        if change == "move":
            mail.outbox.clear()
            with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
                mus_services.conversation_reschedule(
                    conversation=conversation,
                    starts_at=starts.replace(month=12),  # winter time this time
                    duration_minutes=90,
                    is_online=False,
                    location="Rådhuset, lokale 4",
                )
        elif change == "cancel":
            mail.outbox.clear()
            with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
                mus_services.conversation_cancel(conversation=conversation)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [org_a.employee.email, org_a.leader.email]
        )
        found = [check_invitation(m, method=method, kommune=org_a.kommune) for m in mail.outbox]
        for invitation in found:
            assert _address(invitation["organizer"].value) == org_a.leader.email
            assert invitation["organizer"].params["CN"] == [org_a.leader.name]
            assert _address(invitation["organizer"].params["SENT-BY"][0]) == sender_address()
            assert sorted(invitation["attendees"]) == sorted(
                f"mailto:{p.email}" for p in (org_a.employee, org_a.leader)
            )
            assert invitation["url"].endswith(f"/mus/{conversation.pk}/")
        assert found[0] == found[1]
        seen.append(found[0])
        for message in mail.outbox:
            person = org_a.employee if message.to == [org_a.employee.email] else org_a.leader
            _opens_for(found[0]["url"], person)

    assert len({invitation["uid"] for invitation in seen}) == 1
    assert [invitation["sequence"] for invitation in seen] == [0, 1, 2]
    assert seen[0]["starts"].utcoffset() == datetime.timedelta(hours=2)
    assert seen[1]["starts"].utcoffset() == datetime.timedelta(hours=1)
    assert seen[1]["location"] == "Rådhuset, lokale 4"


def test_course_invitation_change_and_cancellation(org_a, django_capture_on_commit_callbacks):
    course = build_course(
        org_a.kommune,
        requires_approval=False,
        contact="Personale og Udvikling <pu@alfa.example.dk>",
    )
    session = build_session(course)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        enrolment = catalogue_services.enrolment_request(session=session, person=org_a.employee)
    assert enrolment.status == Enrolment.Status.CONFIRMED
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.session_update(session=session, capacity=20)  # not a move
    seen = []
    for method, change in (("REQUEST", None), ("REQUEST", "move"), ("CANCEL", "cancel")):
        if change == "move":
            mail.outbox.clear()
            with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
                catalogue_services.session_update(session=session, place="Rådhuset, mødesal B")
            assert mail.outbox[0].subject.startswith("Holdet er flyttet")
            assert "har fået nyt tidspunkt eller sted" in mail.outbox[0].body
        elif change == "cancel":
            mail.outbox.clear()
            with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
                catalogue_services.session_update(session=session, is_cancelled=True)
            assert mail.outbox[0].subject.startswith("Holdet er aflyst")
        assert [m.to for m in mail.outbox] == [[org_a.employee.email]]
        invitation = check_invitation(mail.outbox[0], method=method, kommune=org_a.kommune)
        assert _address(invitation["organizer"].value) == "pu@alfa.example.dk"
        assert invitation["organizer"].params["CN"] == ["Personale og Udvikling"]
        assert _address(invitation["organizer"].params["SENT-BY"][0]) == sender_address()
        assert invitation["attendees"] == [f"mailto:{org_a.employee.email}"]
        assert f"/katalog/{course.pk}/" in invitation["url"]
        _opens_for(invitation["url"], org_a.employee)
        seen.append(invitation)

    assert len({invitation["uid"] for invitation in seen}) == 1
    assert [invitation["sequence"] for invitation in seen] == [0, 1, 2]
    assert seen[1]["location"] == "Rådhuset, mødesal B"


def test_a_course_without_a_contact_address_is_organised_by_the_sender(
    org_a, django_capture_on_commit_callbacks
):
    course = build_course(org_a.kommune, requires_approval=False, contact="Personale og Udvikling")
    session = build_session(course)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.enrolment_request(session=session, person=org_a.employee)
    invitation = check_invitation(mail.outbox[0], method="REQUEST", kommune=org_a.kommune)
    # The e-mail comes from the organizer itself: no one sends on its behalf.
    assert _address(invitation["organizer"].value) == sender_address()
    assert "SENT-BY" not in invitation["organizer"].params
    assert invitation["organizer"].params["CN"] == ["Personale og Udvikling"]


def test_a_waitlisted_person_gets_no_calendar_cancellation(
    org_a, django_capture_on_commit_callbacks
):
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course, capacity=1)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.enrolment_request(session=session, person=org_a.leader)
        catalogue_services.enrolment_request(session=session, person=org_a.employee)
    mail.outbox.clear()
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.session_update(session=session, is_cancelled=True)
    by_person = {m.to[0]: m for m in mail.outbox}
    check_invitation(by_person[org_a.leader.email], method="CANCEL", kommune=org_a.kommune)
    waitlisted = by_person[org_a.employee.email]
    assert mime(waitlisted).get_content_type() == "text/plain"
    assert f"/katalog/{course.pk}/" in waitlisted.body


def test_every_enrolment_mail_links_to_its_page(org_a, django_capture_on_commit_callbacks):
    session = build_session(build_course(org_a.kommune))
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.enrolment_request(session=session, person=org_a.employee)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert "https://alfa.localhost/katalog/godkendelser/" in by_person[org_a.leader.email].body
    assert f"https://alfa.localhost/katalog/{session.course_id}/#session-{session.pk}" in (
        by_person[org_a.employee.email].body
    )


def test_giving_up_a_place_cancels_the_calendar_entry(org_a, django_capture_on_commit_callbacks):
    session = build_session(build_course(org_a.kommune, requires_approval=False))
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        enrolment = catalogue_services.enrolment_request(session=session, person=org_a.employee)
    invited = check_invitation(mail.outbox[0], method="REQUEST", kommune=org_a.kommune)
    mail.outbox.clear()
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        catalogue_services.enrolment_cancel(enrolment=enrolment)
    assert [m.to for m in mail.outbox] == [[org_a.employee.email]]
    assert mail.outbox[0].subject.startswith("Du er afmeldt")
    assert "Aflysningen til din kalender er vedhæftet." in mail.outbox[0].body
    cancelled = check_invitation(mail.outbox[0], method="CANCEL", kommune=org_a.kommune)
    assert cancelled["uid"] == invited["uid"]
    assert cancelled["sequence"] > invited["sequence"]
