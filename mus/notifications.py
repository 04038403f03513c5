"""Calendar invitations for MUS conversations: to each party an e-mail that is a meeting
request (iTIP REQUEST for new and moved meetings, CANCEL for cancelled ones; see
`kompetence.infra.calendar`), organised by the leader and linking to the conversation's
page; and the leader's notice that a GRUS/TUS participant asks for an individual MUS."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kompetence.infra.calendar import ics_event, sender_address
from kompetence.infra.mail import Invitation, language_of, send_to_person
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


def conversation_url(conversation: Conversation) -> str:
    return kommune_url(conversation.kommune, reverse("conversation_detail", args=[conversation.pk]))


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
        url=conversation_url(conversation),
        method=method,
        # A leader without an address still gets a valid invitation, from the sender.
        organizer_email=conversation.leader.email or sender_address(),
        organizer_name=conversation.leader.name,
        attendees=(conversation.employee, conversation.leader),
    )


def send_invitation(conversation: Conversation, *, method: str, update: bool = False) -> None:
    """Sends the invitation once the surrounding transaction has committed."""

    def send() -> None:
        kind = "cancel" if method == "CANCEL" else ("update" if update else "new")
        url = conversation_url(conversation)
        for person in (conversation.employee, conversation.leader):
            with translation.override(language_of(person)):
                ics = ics_for(conversation, method=method)
                what = kind_description(conversation.kind)
            send_to_person(
                person,
                subject_template="mus/email/invitation_subject.txt",
                body_template="mus/email/invitation_body.txt",
                context={"conversation": conversation, "kind": kind, "what": what, "url": url},
                invitation=Invitation(method=method, ics=ics.decode()),
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
