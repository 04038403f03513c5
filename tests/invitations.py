"""Calendar invitations as a mail client sees them: the MIME structure of the sent
e-mail and its text/calendar part, read with vobject, a parser independent of the
icalendar library that writes them."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import vobject


def mime(message) -> EmailMessage:
    """The e-mail as it goes over the wire (a message of django.core.mail.outbox)."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def calendar_part(message) -> EmailMessage:
    """The text/calendar alternative, the part Outlook and Gmail act on."""
    alternatives = [
        p for p in mime(message).walk() if p.get_content_type() == "multipart/alternative"
    ]
    assert len(alternatives) == 1, "an invitation is one multipart/alternative"
    parts = list(alternatives[0].iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/calendar"]
    return parts[-1]


def ics_text(message) -> str:
    return calendar_part(message).get_content()


def vcalendar(message):
    """The invitation parsed by vobject."""
    return vobject.readOne(ics_text(message))
