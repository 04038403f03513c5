"""E-mail to people, in each recipient's own language (Danish unless they chose English).

Bodies are plain text rendered from templates with autoescaping off: whatever a user
typed arrives as text, never as markup.

Every e-mail leaves through the Celery task `kompetence.send_email`, queued once the
surrounding transaction has committed: a request never waits for the SMTP server and
never fails because of it, and the task retries with growing pauses through an outage
(see `kompetence.tasks.MAIL_RETRY`).

The message is rendered here, in the request, and handed to the task as plain JSON
(subject, body, recipients, attachments and calendar invitation as text). Rendering at
once means the e-mail says what was true when it happened (a MUS moved twice sends two
invitations, each with its own time and SEQUENCE, not the last state twice) in the
recipient's language, and the task needs neither the database nor a kommune scope: it
cannot fail because a row changed or went away while the SMTP server was down.
Reminders are the one exception (`annualcycle.reminders`): their claim row is the
durable record, so their task renders from ids and the sweeper can queue a lost one
again.
"""

from __future__ import annotations

import email.message
import logging
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NotRequired, TypedDict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from kompetence.models import Person

logger = logging.getLogger(__name__)

_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


class Invitation(TypedDict):
    """A calendar invitation: the iTIP method (REQUEST, CANCEL) and the iCalendar text."""

    method: str
    ics: str


class Message(TypedDict):
    """One rendered e-mail as the task receives it: JSON only."""

    subject: str
    body: str
    to: list[str]
    attachments: list[tuple[str, str, str]]  # (file name, text content, MIME type)
    # Absent in messages queued before invitations had their own part.
    invitation: NotRequired[Invitation]


class InvitationEmail(EmailMessage):
    """An e-mail Outlook and Gmail show as a meeting request (accept, decline):

        multipart/mixed
          multipart/alternative
            text/plain                               the text a person reads
            text/calendar; method=REQUEST|CANCEL     what the calendar client acts on
          application/ics  invite.ics                the same event as a file

    This is the structure Google Calendar sends and Exchange reads as a meeting
    request. The calendar part must be an alternative of the text with the method on
    its Content-Type: as an attachment only (what we sent before) Outlook offered it
    as a file to import. The `invite.ics` copy, typed `application/ics` as Google types
    it, is for mail clients that show no calendar alternative, so they can still add
    the event; calendar clients act on the alternative."""

    def __init__(self, *, invitation: Invitation, **kwargs) -> None:
        super().__init__(**kwargs)
        self.invitation = invitation
        self.attach("invite.ics", invitation["ics"].encode(), "application/ics")

    def _add_bodies(self, msg: email.message.EmailMessage) -> None:
        # Django's own alternatives cannot carry the method parameter, hence this part
        # is added here, with the standard library's API, in the hook Django builds the
        # text with (django-stubs leave the private hook out).
        super()._add_bodies(msg)  # type: ignore[misc]
        # Quoted-printable keeps the iCalendar lines as text lines, which travel with
        # CRLF as RFC 5545 wants (base64 would carry the bare newlines of the string).
        msg.add_alternative(
            self.invitation["ics"],
            subtype="calendar",
            charset="utf-8",
            cte="quoted-printable",
            params={"method": self.invitation["method"]},
        )


@contextmanager
def mail_suppressed():
    """No e-mail leaves while this is open: for loading demo data, which describes
    events that never happened to real people."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def language_of(person: Person) -> str:
    user = person.user
    return user.language if user is not None and user.language else settings.LANGUAGE_CODE


def render_to_person(
    person: Person,
    *,
    subject_template: str,
    body_template: str,
    context: dict,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    invitation: Invitation | None = None,
) -> Message | None:
    """The e-mail to `person`, rendered in their language; None when they have no
    address or mail is suppressed. With `invitation`, the e-mail is a meeting request
    (see `InvitationEmail`)."""
    if not person.email or _suppressed.get():
        return None
    with translation.override(language_of(person)):
        context = {**context, "recipient": person}
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    message = Message(
        subject=subject,
        body=body,
        to=[person.email],
        attachments=[
            (name, content.decode() if isinstance(content, bytes) else content, mimetype)
            for name, content, mimetype in attachments
        ],
    )
    if invitation is not None:
        message["invitation"] = invitation
    return message


def message_send(message: Message) -> None:
    """Hands one rendered message to the mail server now. Raises what the backend
    raises (SMTPException, OSError): the caller is a task that retries."""
    subject, body, to = message["subject"], message["body"], message["to"]
    invitation = message.get("invitation")
    if invitation is not None:
        email: EmailMessage = InvitationEmail(
            invitation=invitation, subject=subject, body=body, to=to
        )
    else:
        email = EmailMessage(subject=subject, body=body, to=to)
    for name, content, mimetype in message.get("attachments", []):
        email.attach(name, content, mimetype)
    email.send()


def message_queue(message: Message) -> None:
    """Queues the message for the mail task once the current transaction commits.

    Never raises into the request: in the embedded mode the task runs in-process and
    one failed try is logged (no worker is there to try again); with a broker that
    cannot be reached the loss is logged as an error for the operator."""

    def queue() -> None:
        # The tasks import this module at their top; this side imports them only here.
        from kompetence.tasks import send_email

        try:
            send_email.delay(message)
        except Exception:
            logger.exception("E-mail to %s neither sent nor queued", ", ".join(message["to"]))

    transaction.on_commit(queue)


def send_to_person(
    person: Person,
    *,
    subject_template: str,
    body_template: str,
    context: dict,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    invitation: Invitation | None = None,
) -> bool:
    """Renders one e-mail now and queues it for sending after commit. Returns False
    when the person has no address."""
    message = render_to_person(
        person,
        subject_template=subject_template,
        body_template=body_template,
        context=context,
        attachments=attachments,
        invitation=invitation,
    )
    if message is None:
        return False
    message_queue(message)
    return True
