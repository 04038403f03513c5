"""Reads of the proof people upload: a person's own list, what waits for a leader, and
what a person may upload proof for. Each in a fixed number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from catalogue.models import Evidence, TrainingRequirement
from catalogue.selectors import competence_names
from catalogue.training.selectors import statuses_of
from kompetence import permissions
from kompetence.models import Person, Position
from profiles.models import Competence, FrameworkVersion, JobProfileAssignment


def _with_competence_names(evidence: list[Evidence]) -> list[Evidence]:
    """Sets `competence_name` on each row proving a competence: one query for all."""
    names = competence_names({e.competence_key for e in evidence if e.competence_key})
    for item in evidence:
        name = names.get(item.competence_key, "") if item.competence_key else ""
        item.competence_name = name  # type: ignore[attr-defined]
    return evidence


def evidence_of(person: Person) -> list[Evidence]:
    """The person's evidence, newest first, with what it proves: two queries."""
    return _with_competence_names(
        list(
            Evidence.objects.filter(kommune=person.kommune_id, person=person)
            .select_related("requirement", "decided_by")
            .order_by("-uploaded_at", "-pk")
        )
    )


def reviewable_people(viewer: Person) -> QuerySet[Person]:
    """Whose evidence the viewer decides: everyone for HR of the whole kommune, else the
    people they lead; never the viewer."""
    if permissions.is_kommune_hr(viewer):
        return Person.objects.exclude(pk=viewer.pk)
    return permissions.persons_led_by(viewer)


def evidence_to_review(viewer: Person) -> list[Evidence]:
    """Evidence waiting for the viewer's decision, oldest first: three queries."""
    return _with_competence_names(
        list(
            Evidence.objects.filter(
                kommune=viewer.kommune_id,
                status=Evidence.Status.PENDING,
                person__in=reviewable_people(viewer).values("pk"),
            )
            .select_related("person", "requirement")
            .order_by("uploaded_at", "pk")
        )
    )


def evidence_waiting_count(viewer: Person) -> int:
    """How much evidence waits for the viewer's decision: one query."""
    return Evidence.objects.filter(
        kommune=viewer.kommune_id,
        status=Evidence.Status.PENDING,
        person__in=reviewable_people(viewer).values("pk"),
    ).count()


def requirements_of(person: Person) -> list[TrainingRequirement]:
    """The requirements that apply to the person, worst status first."""
    return [status.requirement for status in statuses_of(person)]


@dataclass(frozen=True)
class CompetenceChoice:
    framework_id: int
    key: uuid.UUID
    name: str
    framework_name: str


def competences_of(person: Person) -> list[CompetenceChoice]:
    """The competences a person may prove: those of the published version of their job
    profiles' frameworks, or of every published framework when no position of theirs has
    a job profile. Three queries."""
    framework_ids = set(
        JobProfileAssignment.objects.filter(
            position__person=person,
            position__in=Position.objects.active().filter(person=person),
        ).values_list("job_profile__framework_id", flat=True)
    )
    versions = FrameworkVersion.objects.filter(
        kommune=person.kommune_id, status=FrameworkVersion.Status.PUBLISHED
    )
    if framework_ids:
        versions = versions.filter(framework_id__in=framework_ids)
    competences = (
        Competence.objects.filter(version__in=versions)
        .select_related("version__framework")
        .order_by("version__framework__name", "group__order", "group_id", "order", "pk")
    )
    return [
        CompetenceChoice(
            framework_id=competence.version.framework_id,
            key=competence.key,
            name=competence.name,
            framework_name=competence.version.framework.name,
        )
        for competence in competences
    ]
