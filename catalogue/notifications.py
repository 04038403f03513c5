"""E-mails for each step of an enrolment, and for the decision on proof a person
uploaded, sent after the transaction commits. A place on a dated session comes as a
meeting request (`kompetence.infra.calendar`), and a moved or cancelled session, or a
place given up, updates or cancels it; every e-mail links to its page in Kompetence."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue.models import Course, CourseSession, Enrolment, Evidence
from kompetence.infra.calendar import ics_event, sender_address
from kompetence.infra.mail import Invitation, language_of, send_to_person
from kompetence.infra.tenancy import kommune_url


def session_url(session: CourseSession) -> str:
    """The course's page, at the session: what every e-mail about an enrolment links to."""
    path = reverse("course_detail", args=[session.course_id])
    return kommune_url(session.kommune, f"{path}#session-{session.pk}")


# An e-mail address somewhere in a course's free-text contact field.
_ADDRESS = re.compile(r"[^\s<>,;:()]+@[^\s<>,;:()]+")


def _organizer(course: Course) -> tuple[str, str]:
    """The course's contact as the invitation's organizer when the contact field holds
    an e-mail address ("Personale og Udvikling <pu@kommune.dk>"); otherwise the address
    the e-mails come from, under the contact's or the kommune's name. Replies go there."""
    found = _ADDRESS.search(course.contact)
    if found is not None:
        try:
            validate_email(found.group())
        except ValidationError:
            pass
        else:
            name = _ADDRESS.sub("", course.contact).strip(" <>,;:()-") or course.contact
            return found.group(), name
    return sender_address(), course.contact or course.kommune.name


def _invitation(enrolment: Enrolment, *, method: str = "REQUEST") -> Invitation | None:
    """The enrolment's meeting request (or cancellation); None for a session without a
    date, which no calendar can hold. The UID is the enrolment's, so one person's
    entry is moved or cancelled; the SEQUENCE is the session's."""
    session = enrolment.session
    if not session.starts_at:
        return None
    organizer_email, organizer_name = _organizer(enrolment.course)
    with translation.override(language_of(enrolment.person)):
        ics = ics_event(
            uid=f"session-{session.pk}-enrolment-{enrolment.pk}@kompetence",
            sequence=session.calendar_sequence,
            starts_at=session.starts_at,
            ends_at=session.ends_at or session.starts_at,
            summary=enrolment.course.title,
            location=session.place or enrolment.course.place,
            description=_("Kursus fra kommunens kursuskatalog."),
            url=session_url(session),
            method=method,
            organizer_email=organizer_email,
            organizer_name=organizer_name,
            attendees=(enrolment.person,),
        )
    return Invitation(method=method, ics=ics.decode())


def _send(enrolment: Enrolment, kind: str, *, method: str | None = None) -> None:
    """The e-mail about one step of `enrolment`; with `method`, a meeting request
    (REQUEST) or its cancellation (CANCEL) for the person's calendar."""

    def send() -> None:
        invitation = _invitation(enrolment, method=method) if method else None
        send_to_person(
            enrolment.person,
            subject_template="catalogue/email/enrolment_subject.txt",
            body_template="catalogue/email/enrolment_body.txt",
            context={
                "enrolment": enrolment,
                "kind": kind,
                "url": session_url(enrolment.session),
                "invitation": invitation is not None,
                "method": method,
            },
            invitation=invitation,
        )

    transaction.on_commit(send)


def request_to_leaders(enrolment: Enrolment, leaders) -> None:
    def send() -> None:
        for leader in leaders:
            send_to_person(
                leader,
                subject_template="catalogue/email/request_subject.txt",
                body_template="catalogue/email/request_body.txt",
                context={"enrolment": enrolment, "url": url},
            )

    url = kommune_url(enrolment.kommune, reverse("approvals"))
    transaction.on_commit(send)
    _send(enrolment, "requested")


def confirmed(enrolment: Enrolment) -> None:
    _send(enrolment, "confirmed", method="REQUEST")


def waitlisted(enrolment: Enrolment) -> None:
    _send(enrolment, "waitlisted")


def promoted(enrolment: Enrolment) -> None:
    _send(enrolment, "promoted", method="REQUEST")


def declined(enrolment: Enrolment) -> None:
    _send(enrolment, "declined")


def cancelled(enrolment: Enrolment) -> None:
    """The person gave up their place (or someone did for them): the calendar entry
    goes."""
    _send(enrolment, "cancelled", method="CANCEL")


def session_changed(enrolment: Enrolment) -> None:
    """The session the person has a place on moved (time or place): their calendar
    entry moves with it."""
    _send(enrolment, "session_changed", method="REQUEST")


def session_cancelled(enrolment: Enrolment, *, had_place: bool) -> None:
    """Only a person who had a place got a calendar entry to cancel."""
    _send(enrolment, "session_cancelled", method="CANCEL" if had_place else None)


def evidence_decided(evidence: Evidence) -> None:
    """The person's proof was approved or rejected (with the leader's reason)."""
    send_to_person(
        evidence.person,
        subject_template="catalogue/email/evidence_subject.txt",
        body_template="catalogue/email/evidence_body.txt",
        context={
            "evidence": evidence,
            "url": kommune_url(evidence.kommune, reverse("my_training")),
        },
    )


def evidence_uploaded(evidence: Evidence, leaders) -> None:
    """The person's nearest leaders hear that proof waits for their decision."""
    url = kommune_url(evidence.kommune, reverse("evidence_review"))
    for leader in leaders:
        send_to_person(
            leader,
            subject_template="catalogue/email/evidence_uploaded_subject.txt",
            body_template="catalogue/email/evidence_uploaded_body.txt",
            context={"evidence": evidence, "url": url},
        )
