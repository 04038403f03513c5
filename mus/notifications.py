"""Calendar invitations for MUS conversations: an e-mail to each party with an .ics
file (iTIP REQUEST for new and moved meetings, CANCEL for cancelled ones); and the
leader's notice that a GRUS/TUS participant asks for an individual MUS."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kompetence.infra.calendar import ics_event
from kompetence.infra.mail import language_of, send_to_person
from kompetence.infra.tenancy import kommune_url
from mus.models import Conversation, ConversationKind


def kind_description(kind: str) -> str:
    """The kind of conversation spelt out, as the invitation describes it."""
    return {
        ConversationKind.MUS: _("Medarbejderudviklingssamtale (MUS)"),
        ConversationKind.GRUS: _("Gruppeudviklingssamtale (GRUS/TUS)"),
        ConversationKind.LUS: _("Lederudviklingssamtale (LUS)"),
        ConversationKind.SENIOR: _("Seniorsamtale"),
    }[ConversationKind(kind)]


def ics_for(conversation: Conversation, *, method: str) -> bytes:
    if conversation.kind == ConversationKind.MUS:
        summary = _("MUS: %(employee)s og %(leader)s")
    else:
        summary = _("%(kind)s: %(employee)s og %(leader)s")
    description = kind_description(conversation.kind)
    group = conversation.group
    if group is not None and group.title:
        description = f"{description}: {group.title}"
    return ics_event(
        uid=f"{conversation.ical_uid}@kompetence",
        sequence=conversation.ical_sequence,
        starts_at=conversation.starts_at,
        ends_at=conversation.ends_at,
        summary=summary
        % {
            "kind": conversation.get_kind_display(),
            "employee": conversation.employee.name,
            "leader": conversation.leader.name,
        },
        location=conversation.location,
        description=description,
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
                what = kind_description(conversation.kind)
            send_to_person(
                person,
                subject_template="mus/email/invitation_subject.txt",
                body_template="mus/email/invitation_body.txt",
                context={"conversation": conversation, "kind": kind, "what": what},
                attachments=[("mus.ics", ics, f"text/calendar; method={method}; charset=UTF-8")],
            )

    transaction.on_commit(send)


def send_individual_request(conversation: Conversation) -> None:
    """Tells the leader that a participant of their group conversation asks for an
    individual MUS, with a link to the group's page."""
    assert conversation.group_id is not None  # only a group conversation is asked about
    url = kommune_url(conversation.kommune, reverse("group_detail", args=[conversation.group_id]))

    def send() -> None:
        send_to_person(
            conversation.leader,
            subject_template="mus/email/individual_request_subject.txt",
            body_template="mus/email/individual_request_body.txt",
            context={"conversation": conversation, "url": url},
        )

    transaction.on_commit(send)
