"""Calendar invitations for MUS conversations: an e-mail to each party with an .ics
file (iTIP REQUEST for new and moved meetings, CANCEL for cancelled ones)."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kompetence.infra.calendar import ics_event
from kompetence.infra.mail import language_of, send_to_person
from mus.models import Conversation


def ics_for(conversation: Conversation, *, method: str) -> bytes:
    return ics_event(
        uid=f"{conversation.ical_uid}@kompetence",
        sequence=conversation.ical_sequence,
        starts_at=conversation.starts_at,
        ends_at=conversation.ends_at,
        summary=_("MUS: %(employee)s og %(leader)s")
        % {"employee": conversation.employee.name, "leader": conversation.leader.name},
        location=conversation.location,
        description=_("Medarbejderudviklingssamtale (MUS)"),
        method=method,
        organizer=conversation.leader,
        attendees=(conversation.employee, conversation.leader),
    )


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
