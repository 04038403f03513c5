"""The catalogue's part of the personal data export (see kompetence.personal_data): the
person's course enrolments, with the leader's decision, in one query whatever their
number; and their mandatory training: certificates, the functions they hold and the
proof they uploaded, the files themselves included, in four queries.

And its part of the GDPR deletion (annualcycle.retention): a leaver's enrolments lose
their free texts; the places and their cost stay, so the unit's figures for past years
still add up. Their certificates, functions, expiry reminders and uploaded proof are
deleted, and the proof's files leave the storage once the deletion has committed."""

from __future__ import annotations

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import (
    Certificate,
    Course,
    CourseCompetence,
    CourseSession,
    Enrolment,
    Evidence,
    FunctionHolder,
    RequirementAssignment,
    RequirementReminder,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.selectors import competence_names
from kompetence.infra.extensions import DataDecision, Reason, not_personal_data
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


TRAINING_DESCRIPTION = _(
    "certifikater.json: dine certifikater for obligatorisk uddannelse – krav, gennemført, "
    "gyldig til og hvor certifikatet kommer fra. funktioner.json: de funktioner, du har "
    "haft (fx arbejdsmiljørepræsentant), med periode. dokumentation.json: de beviser, du "
    "har uploadet, med datoer og lederens afgørelse; filerne selv ligger i mappen "
    "dokumentation."
)


def _evidence_bytes(evidence: Evidence) -> bytes | None:
    """The stored file, or None when it has gone from the storage: a lost file must not
    keep the rest of the person's data from them."""
    if not evidence.file:
        return None
    try:
        with evidence.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def training_files(person: Person) -> dict[str, bytes]:
    certificates = (
        Certificate.objects.filter(person=person)
        .select_related("requirement", "recorded_by")
        .order_by("completed_on", "pk")
    )
    functions = (
        FunctionHolder.objects.filter(person=person)
        .select_related("function")
        .order_by("since", "pk")
    )
    evidence = list(
        Evidence.objects.filter(person=person)
        .select_related("requirement", "decided_by")
        .order_by("uploaded_at", "pk")
    )
    names = competence_names({e.competence_key for e in evidence if e.competence_key})
    files: dict[str, bytes] = {}
    evidence_data = []
    for item in evidence:
        data = _evidence_bytes(item)
        stored_as = None
        if data is not None:
            stored_as = f"dokumentation/{item.pk}-{item.filename}"
            files[stored_as] = data
        evidence_data.append(
            {
                "title": item.title,
                "requirement": item.requirement.name if item.requirement else None,
                "competence": names.get(item.competence_key) if item.competence_key else None,
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
                "issued_on": item.issued_on,
                "expires_on": item.expires_on,
                "uploaded_at": item.uploaded_at,
                "status": item.get_status_display(),
                "decided_by": person_ref(item.decided_by),
                "decided_at": item.decided_at,
                "decision_reason": item.decision_reason,
                "file_in_export": stored_as,
            }
        )
    files["certifikater.json"] = json_bytes(
        [
            {
                "requirement": certificate.requirement.name,
                "completed_on": certificate.completed_on,
                "valid_until": certificate.valid_until,
                "source": certificate.get_source_display(),
                "note": certificate.note,
                "recorded_by": person_ref(certificate.recorded_by),
                "recorded_at": certificate.recorded_at,
            }
            for certificate in certificates
        ]
    )
    files["funktioner.json"] = json_bytes(
        [
            {"function": holder.function.name, "since": holder.since, "until": holder.until}
            for holder in functions
        ]
    )
    files["dokumentation.json"] = json_bytes(evidence_data)
    return files


def erase(person: Person) -> None:
    Enrolment.objects.filter(person=person).update(motivation="", decision_reason="")
    _training_erase(person)


def erase_counts(person_ids: list[int]) -> dict[str, int]:
    return {
        "enrolments": Enrolment.objects.filter(person_id__in=person_ids).count(),
        "certificates": Certificate.objects.filter(person_id__in=person_ids).count(),
        "evidence": Evidence.objects.filter(person_id__in=person_ids).count(),
    }


def _training_erase(person: Person) -> None:
    evidence = Evidence.objects.filter(person=person)
    for name in evidence.exclude(file="").values_list("file", flat=True):
        # After the commit: a rolled-back run must not have lost the files.
        transaction.on_commit(partial(default_storage.delete, name))
    Certificate.objects.filter(person=person).delete()
    evidence.delete()
    FunctionHolder.objects.filter(person=person).delete()
    RequirementReminder.objects.filter(Q(person=person) | Q(recipient=person)).delete()


CATALOGUE = "the kommune's course catalogue; who proposed a course is kept as its author"
TRAINING = "the kommune's mandatory training: what is required, of whom"

DECISIONS = {
    Enrolment: DataDecision(export=personal_data_files, erase=erase),
    Course: not_personal_data(CATALOGUE),
    CourseCompetence: not_personal_data(CATALOGUE),
    CourseSession: not_personal_data(CATALOGUE),
    Certificate: DataDecision(export=training_files, erase=erase),
    FunctionHolder: DataDecision(export=training_files, erase=erase),
    Evidence: DataDecision(export=training_files, erase=erase),
    RequirementReminder: DataDecision(
        export=Reason(
            "the claim that one expiry reminder e-mail was sent, kept so it is sent once; "
            "the certificate it was about is in the export"
        ),
        erase=erase,
    ),
    TrainingFunction: not_personal_data(TRAINING),
    TrainingRequirement: not_personal_data(TRAINING),
    RequirementAssignment: not_personal_data(TRAINING),
}
