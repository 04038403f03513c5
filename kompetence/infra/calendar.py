"""iCalendar (.ics) invitations for e-mails: MUS conversations, course sessions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from kompetence.models import Person


def ics_event(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    summary: str,
    location: str,
    description: str,
    method: str = "REQUEST",
    organizer: Person | None = None,
    attendees: tuple[Person, ...] = (),
) -> bytes:
    """One event as an iTIP message (REQUEST for new and changed, CANCEL for cancelled).
    The UID stays the same for one meeting; SEQUENCE grows with each change."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kompetence//DA")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer_email = settings.DEFAULT_FROM_EMAIL
    if organizer is not None and organizer.email:
        organizer_email = organizer.email
    address = vCalAddress(f"mailto:{organizer_email}")
    if organizer is not None:
        address.params["cn"] = vText(organizer.name)
    event["organizer"] = address
    for person in attendees:
        if person.email:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(person.name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
