"""E-mails for each step of an enrolment, and for the decision on proof a person
uploaded, sent after the transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue.models import Enrolment, Evidence
from kompetence.infra.calendar import ics_event
from kompetence.infra.mail import language_of, send_to_person
from kompetence.infra.tenancy import kommune_url


def _session_ics(enrolment: Enrolment, *, method: str = "REQUEST") -> list[tuple[str, bytes, str]]:
    session = enrolment.session
    if not session.starts_at:
        return []
    with translation.override(language_of(enrolment.person)):
        ics = ics_event(
            uid=f"session-{session.pk}-enrolment-{enrolment.pk}@kompetence",
            sequence=0,
            starts_at=session.starts_at,
            ends_at=session.ends_at or session.starts_at,
            summary=enrolment.course.title,
            location=session.place or enrolment.course.place,
            description=_("Kursus fra kommunens kursuskatalog."),
            method=method,
            attendees=(enrolment.person,),
        )
    return [("kursus.ics", ics, f"text/calendar; method={method}; charset=UTF-8")]


def _send(enrolment: Enrolment, kind: str, *, with_ics: bool = False) -> None:
    def send() -> None:
        send_to_person(
            enrolment.person,
            subject_template="catalogue/email/enrolment_subject.txt",
            body_template="catalogue/email/enrolment_body.txt",
            context={"enrolment": enrolment, "kind": kind},
            attachments=_session_ics(enrolment) if with_ics else [],
        )

    transaction.on_commit(send)


def request_to_leaders(enrolment: Enrolment, leaders) -> None:
    def send() -> None:
        for leader in leaders:
            send_to_person(
                leader,
                subject_template="catalogue/email/request_subject.txt",
                body_template="catalogue/email/request_body.txt",
                context={"enrolment": enrolment},
            )

    transaction.on_commit(send)
    _send(enrolment, "requested")


def confirmed(enrolment: Enrolment) -> None:
    _send(enrolment, "confirmed", with_ics=True)


def waitlisted(enrolment: Enrolment) -> None:
    _send(enrolment, "waitlisted")


def promoted(enrolment: Enrolment) -> None:
    _send(enrolment, "promoted", with_ics=True)


def declined(enrolment: Enrolment) -> None:
    _send(enrolment, "declined")


def session_cancelled(enrolment: Enrolment) -> None:
    _send(enrolment, "session_cancelled")


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
