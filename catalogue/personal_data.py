"""The catalogue's part of the personal data export (see kompetence.personal_data): the
person's course enrolments, with the leader's decision. One query whatever their number.

And its part of the GDPR deletion (annualcycle.retention): a leaver's enrolments lose
their free texts; the places and their cost stay, so the unit's figures for past years
still add up."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence.infra.extensions import DataDecision, not_personal_data
from kompetence.models import Person
from kompetence.personal_data import json_bytes, person_ref

DESCRIPTION = _(
    "kursustilmeldinger.json: dine tilmeldinger til kurser og andre aktiviteter i "
    "kursuskataloget – hold, status, din begrundelse, lederens afgørelse med begrundelse "
    "og den aktivitet i udviklingsplanen, tilmeldingen hører til."
)


def personal_data_files(person: Person) -> dict[str, bytes]:
    enrolments = (
        Enrolment.objects.filter(person=person)
        .select_related("course", "session", "unit", "decided_by", "plan_activity")
        .order_by("requested_at", "pk")
    )
    data = [
        {
            "course": enrolment.course.title,
            "form": enrolment.course.get_form_display(),
            "session": {
                "starts_at": enrolment.session.starts_at,
                "ends_at": enrolment.session.ends_at,
                "place": enrolment.session.place or enrolment.course.place,
                "is_cancelled": enrolment.session.is_cancelled,
            },
            "status": enrolment.get_status_display(),
            "unit": enrolment.unit.name if enrolment.unit else None,
            "motivation": enrolment.motivation,
            "requested_at": enrolment.requested_at,
            "decided_by": person_ref(enrolment.decided_by),
            "decided_at": enrolment.decided_at,
            "decision_reason": enrolment.decision_reason,
            "waitlisted_at": enrolment.waitlisted_at,
            "completed_at": enrolment.completed_at,
            "plan_activity": enrolment.plan_activity.title if enrolment.plan_activity else None,
            "price": enrolment.course.price,
        }
        for enrolment in enrolments
    ]
    return {"kursustilmeldinger.json": json_bytes(data)}


def erase(person: Person) -> None:
    Enrolment.objects.filter(person=person).update(motivation="", decision_reason="")


def erase_counts(person_ids: list[int]) -> dict[str, int]:
    return {"enrolments": Enrolment.objects.filter(person_id__in=person_ids).count()}


CATALOGUE = "the kommune's course catalogue; who proposed a course is kept as its author"

DECISIONS = {
    Enrolment: DataDecision(export=personal_data_files, erase=erase),
    Course: not_personal_data(CATALOGUE),
    CourseCompetence: not_personal_data(CATALOGUE),
    CourseSession: not_personal_data(CATALOGUE),
}
