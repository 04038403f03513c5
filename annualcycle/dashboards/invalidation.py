"""Single saves and deletes that change a dashboard figure mark the units of the person
they are about (kompetence.infra.figures), so the pre-aggregated UnitFigures are recomputed
on the next read. Bulk writes (round opening, bulk ratings, imports, assessment
refreshes) call kompetence.infra.figures themselves, as signals do not see them."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save, pre_save

from catalogue.models import Course, CourseSession, Enrolment
from kompetence.infra import figures
from kompetence.models import Person, Position
from mus.models import Conversation, PlanActivity, PlanVersion, Signature
from profiles.models import Assessment, Evaluation

# Model → the people whose figures a row of it is part of.
PEOPLE_OF = {
    Evaluation: lambda row: [row.subject_id],
    Conversation: lambda row: [row.employee_id],
    Enrolment: lambda row: [row.person_id],
    PlanVersion: lambda row: [row.plan.employee_id],
    Signature: lambda row: [row.version.plan.employee_id],
    PlanActivity: lambda row: [row.version.plan.employee_id],
    Person: lambda row: [row.pk],
    Position: lambda row: [row.person_id],
    # A price or a date moves the cost and the period of everyone enrolled.
    Course: lambda row: row.enrolments.values_list("person_id", flat=True),
    CourseSession: lambda row: row.enrolments.values_list("person_id", flat=True),
}


def on_change(sender, instance, **kwargs) -> None:
    try:
        people = PEOPLE_OF[sender](instance)
    except ObjectDoesNotExist:  # a row deleted together with what it hung on
        return
    figures.people_changed(people)


def on_assessment_change(sender, instance, **kwargs) -> None:
    figures.units_changed([instance.unit_id])  # the unit is on the row: no lookup


def on_position_change(sender, instance, **kwargs) -> None:
    # The unit a position leaves (a move, or a deleted position) no longer shows up
    # among the person's positions: mark it by the row itself.
    figures.units_changed([instance.unit_id])


def on_position_save(sender, instance, **kwargs) -> None:
    if instance.pk:
        figures.units_changed(
            Position.objects.filter(pk=instance.pk).values_list("unit_id", flat=True)
        )


def connect() -> None:
    for model in PEOPLE_OF:
        for signal in (post_save, post_delete):
            signal.connect(on_change, sender=model, dispatch_uid=f"figures-{model.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(on_assessment_change, sender=Assessment, dispatch_uid="figures-assessment")
    post_delete.connect(on_position_change, sender=Position, dispatch_uid="figures-position-del")
    pre_save.connect(on_position_save, sender=Position, dispatch_uid="figures-position-move")
