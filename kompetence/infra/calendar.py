"""iCalendar invitations (iTIP, RFC 5546) for e-mails: MUS conversations, course sessions.

What Outlook and Gmail need to show an invitation as a meeting request with accept and
decline buttons, rather than as a file to import:

* the METHOD (REQUEST for new and changed meetings, CANCEL for cancelled ones), both in
  the body and on the e-mail part (`kompetence.infra.mail`);
* a stable UID per meeting and a SEQUENCE that grows with every change, or the client
  ignores the update as old;
* ORGANIZER and ATTENDEE as bare `mailto:` addresses (the name goes in CN), RSVP=TRUE
  on each attendee, and SENT-BY when the e-mail comes from another address than the
  organizer's;
* a VTIMEZONE for every TZID used.
"""

from __future__ import annotations

import datetime
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from kompetence.models import Person

TZID = "Europe/Copenhagen"
_COPENHAGEN = zoneinfo.ZoneInfo(TZID)


def sender_address() -> str:
    """The bare address the e-mails come from (DEFAULT_FROM_EMAIL may be "Name <addr>")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _vtimezone() -> Timezone:
    """Europe/Copenhagen with the EU summer-time rule as yearly RRULEs, the form Google
    Calendar and Exchange send. Outlook desktop ignores the RDATE lists that
    `Calendar.add_missing_timezones()` writes and shows the meeting an hour off in
    summer; the rule has held since 1996 (tests compare it with the tz database)."""
    zone = Timezone()
    zone.add("tzid", TZID)
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", datetime.timedelta(hours=1))
    daylight.add("tzoffsetto", datetime.timedelta(hours=2))
    daylight.add("tzname", "CEST")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", datetime.timedelta(hours=2))
    standard.add("tzoffsetto", datetime.timedelta(hours=1))
    standard.add("tzname", "CET")
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def ics_event(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    organizer_email: str,
    organizer_name: str,
    method: str = "REQUEST",
    attendees: tuple[Person, ...] = (),
) -> bytes:
    """One event as an iTIP message (REQUEST for new and changed, CANCEL for cancelled).
    The UID stays the same for one meeting; SEQUENCE grows with each change. `url` is
    the page in Kompetence the meeting belongs to."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kompetence//DA")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_vtimezone())
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts_at.astimezone(_COPENHAGEN))
    event.add("dtend", ends_at.astimezone(_COPENHAGEN))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", f"{description}\n\n{url}")
    event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    sender = sender_address()
    organizer = _address(organizer_email, organizer_name)
    if organizer_email.lower() != sender.lower():
        organizer.params["SENT-BY"] = f"mailto:{sender}"
    event.add("organizer", organizer, encode=False)
    for person in attendees:
        if person.email:
            attendee = _address(
                person.email,
                person.name,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp="TRUE",
            )
            event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
