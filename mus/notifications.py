"""Calendar invitations for MUS conversations: an e-mail to each party with an .ics
file (iTIP REQUEST for new and moved meetings, CANCEL for cancelled ones)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from kompetence.mail import language_of, send_to_person
from mus.models import Conversation


def ics_for(conversation: Conversation, *, method: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Kompetence//MUS//DA")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"{conversation.ical_uid}@kompetence")
    event.add("sequence", conversation.ical_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", conversation.starts_at)
    event.add("dtend", conversation.ends_at)
    event.add(
        "summary",
        _("MUS: %(employee)s og %(leader)s")
        % {"employee": conversation.employee.name, "leader": conversation.leader.name},
    )
    event.add("location", conversation.location)
    event.add("description", _("Medarbejderudviklingssamtale (MUS)"))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{conversation.leader.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(conversation.leader.name)
    event["organizer"] = organizer
    for person in (conversation.employee, conversation.leader):
        if person.email:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(person.name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def send_invitation(conversation: Conversation, *, method: str, update: bool = False) -> None:
    """Sends the invitation once the surrounding transaction has committed."""

    def send() -> None:
        kind = "cancel" if method == "CANCEL" else ("update" if update else "new")
        for person in (conversation.employee, conversation.leader):
            with translation.override(language_of(person)):
                ics = ics_for(conversation, method=method)
            send_to_person(
                person,
                subject_template="mus/email/invitation_subject.txt",
                body_template="mus/email/invitation_body.txt",
                context={"conversation": conversation, "kind": kind},
                attachments=[("mus.ics", ics, f"text/calendar; method={method}; charset=UTF-8")],
            )

    transaction.on_commit(send)
