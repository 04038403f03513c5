"""Writes on mandatory training: HR defines requirements and whom they apply to, keeps
the register of who holds which function, and records external certificates; a
completed catalogue course becomes a certificate for every active requirement it
satisfies (`certificates_from_enrolment`, called by `catalogue.services.enrolment_record`).

Every HR write is audit-logged as the acting person's, in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import (
    Certificate,
    Course,
    Enrolment,
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training.admin_selectors import describe_assignment
from catalogue.training.selectors import certificate_valid_until
from kompetence.audit import audit_write
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person
from profiles.models import JobProfile, Role

REQUIREMENT_NAME_TAKEN = gettext_lazy("Der findes allerede et krav med det navn.")
FUNCTION_NAME_TAKEN = gettext_lazy("Der findes allerede en funktion med det navn.")


def _audit(actor: Person, action: str, *, subject: Person | None, obj, summary: str) -> None:
    audit_write(
        kommune_id=actor.kommune_id,
        actor=actor,
        action=action,
        subject=subject,
        obj=obj,
        summary=summary,
    )


# --- Requirements ----------------------------------------------------------------------


def _check_requirement(
    *,
    kommune_id: int,
    name: str,
    validity_months: int | None,
    reminder_days: list[int],
    exclude_pk: int | None = None,
) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = _("Skriv kravets navn.")
    elif (
        TrainingRequirement.objects.filter(kommune=kommune_id, name__iexact=name.strip())
        .exclude(pk=exclude_pk or 0)
        .exists()
    ):
        errors["name"] = str(REQUIREMENT_NAME_TAKEN)
    if validity_months is not None and validity_months < 1:
        errors["validity_months"] = _("Gyldigheden skal være mindst én måned.")
    if any(day < 1 for day in reminder_days):
        errors["reminder_days"] = _("Påmindelser skal være et helt antal dage, mindst 1.")
    if errors:
        raise ValidationError(errors)


def _normal_reminder_days(days: Iterable[int]) -> list[int]:
    """Each day once, the earliest reminder first (the expiring window is the largest)."""
    return sorted(set(days), reverse=True)


def _save_requirement(requirement: TrainingRequirement) -> None:
    """Saves; two HR people creating the same name at once meet the unique constraint,
    which answers like the check before it."""
    try:
        with transaction.atomic():
            requirement.save()
    except IntegrityError as error:
        raise ValidationError({"name": str(REQUIREMENT_NAME_TAKEN)}) from error


@transaction.atomic
def requirement_create(
    *,
    kommune: Kommune,
    actor: Person,
    name: str,
    description: str = "",
    courses: Iterable[Course] = (),
    validity_months: int | None = None,
    grace_days: int = 90,
    reminder_days: Iterable[int] = (90, 30),
    is_active: bool = True,
) -> TrainingRequirement:
    """A new requirement, applying to no one until it is assigned. Completions of its
    courses already recorded count at once."""
    days = _normal_reminder_days(reminder_days)
    _check_requirement(
        kommune_id=kommune.pk, name=name, validity_months=validity_months, reminder_days=days
    )
    requirement = TrainingRequirement(
        kommune=kommune,
        name=name.strip(),
        description=description,
        validity_months=validity_months,
        grace_days=grace_days,
        reminder_days=days,
        is_active=is_active,
    )
    _save_requirement(requirement)
    requirement.courses.set(courses)
    if requirement.is_active:
        certificates_backfill(requirement=requirement)
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        subject=None,
        obj=requirement,
        summary=_("Uddannelseskrav oprettet: %(name)s") % {"name": requirement.name},
    )
    return requirement


@transaction.atomic
def requirement_update(
    *,
    requirement: TrainingRequirement,
    actor: Person,
    name: str,
    description: str,
    courses: Iterable[Course],
    validity_months: int | None,
    grace_days: int,
    reminder_days: Iterable[int],
    is_active: bool,
) -> TrainingRequirement:
    """Changes every field (the form shows them all). A course taken off the list no
    longer meets the requirement: the certificates its completions gave go; completions
    of the courses on the list count (again, if the requirement was inactive).

    Certificates already given keep their expiry when the validity changes: each was
    issued under the rule of its day."""
    days = _normal_reminder_days(reminder_days)
    _check_requirement(
        kommune_id=requirement.kommune_id,
        name=name,
        validity_months=validity_months,
        reminder_days=days,
        exclude_pk=requirement.pk,
    )
    requirement.name = name.strip()
    requirement.description = description
    requirement.validity_months = validity_months
    requirement.grace_days = grace_days
    requirement.reminder_days = days
    requirement.is_active = is_active
    _save_requirement(requirement)
    requirement.courses.set(courses)
    Certificate.objects.filter(
        kommune=requirement.kommune_id,
        requirement=requirement,
        source=Certificate.Source.COURSE,
        enrolment__isnull=False,
    ).exclude(enrolment__course__in=requirement.courses.all()).delete()
    if requirement.is_active:
        certificates_backfill(requirement=requirement)
    _audit(
        actor,
        AuditEntry.Action.CHANGE,
        subject=None,
        obj=requirement,
        summary=_("Uddannelseskrav ændret: %(name)s") % {"name": requirement.name},
    )
    return requirement


@transaction.atomic
def requirement_assign(
    *,
    requirement: TrainingRequirement,
    actor: Person,
    kind: str,
    role: str = "",
    job_profile: JobProfile | None = None,
    unit: OrgUnit | None = None,
    function: TrainingFunction | None = None,
) -> RequirementAssignment:
    """The requirement applies to one more group: everyone, a role, a job profile, a
    unit with its subtree, or the holders of a function. Only the target the kind names
    is kept; a missing target is refused, naming its field."""
    targets: dict = {"role": "", "job_profile": None, "unit": None, "function": None}
    field = {
        RequirementAssignment.Kind.ROLE: "role",
        RequirementAssignment.Kind.JOB_PROFILE: "job_profile",
        RequirementAssignment.Kind.UNIT: "unit",
        RequirementAssignment.Kind.FUNCTION: "function",
    }
    given = {"role": role, "job_profile": job_profile, "unit": unit, "function": function}
    if kind not in RequirementAssignment.Kind.values:
        raise ValidationError({"kind": _("Vælg, hvem kravet skal gælde for.")})
    if kind != RequirementAssignment.Kind.EVERYONE:
        name = field[RequirementAssignment.Kind(kind)]
        if not given[name]:
            raise ValidationError({name: _("Vælg, hvem kravet skal gælde for.")})
        if name == "role" and role not in Role.values:
            raise ValidationError({"role": _("Vælg en af rollerne.")})
        target = given[name]
        if name != "role" and getattr(target, "kommune_id", None) != requirement.kommune_id:
            raise ValidationError({name: _("Vælg, hvem kravet skal gælde for.")})
        targets[name] = target
    if RequirementAssignment.objects.filter(
        kommune=requirement.kommune_id, requirement=requirement, kind=kind, **targets
    ).exists():
        raise ValidationError(_("Kravet gælder allerede for dem."))
    assignment = RequirementAssignment.objects.create(
        kommune_id=requirement.kommune_id, requirement=requirement, kind=kind, **targets
    )
    _audit(
        actor,
        AuditEntry.Action.CHANGE,
        subject=None,
        obj=requirement,
        summary=_("Uddannelseskrav %(name)s gælder nu for: %(target)s")
        % {"name": requirement.name, "target": describe_assignment(assignment)},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: RequirementAssignment, actor: Person) -> None:
    requirement = assignment.requirement
    summary = _("Uddannelseskrav %(name)s gælder ikke længere for: %(target)s") % {
        "name": requirement.name,
        "target": describe_assignment(assignment),
    }
    assignment.delete()
    _audit(actor, AuditEntry.Action.CHANGE, subject=None, obj=requirement, summary=summary)


# --- Functions and their holders -------------------------------------------------------


@transaction.atomic
def function_create(
    *, kommune: Kommune, actor: Person, name: str, description: str = ""
) -> TrainingFunction:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv funktionens navn.")})
    if TrainingFunction.objects.filter(kommune=kommune, name__iexact=name).exists():
        raise ValidationError({"name": str(FUNCTION_NAME_TAKEN)})
    try:
        with transaction.atomic():
            function = TrainingFunction.objects.create(
                kommune=kommune, name=name, description=description
            )
    except IntegrityError as error:
        raise ValidationError({"name": str(FUNCTION_NAME_TAKEN)}) from error
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        subject=None,
        obj=function,
        summary=_("Funktion oprettet: %(name)s") % {"name": function.name},
    )
    return function


@transaction.atomic
def function_holder_add(
    *, function: TrainingFunction, person: Person, since: datetime.date, actor: Person
) -> FunctionHolder:
    """`person` holds `function` from `since`, the date they were elected or appointed:
    the newcomer's grace period of the function's requirements runs from it."""
    if person.kommune_id != function.kommune_id:
        raise ValidationError({"person": _("Personen findes ikke.")})
    taken = _("Personen har allerede funktionen.")
    if FunctionHolder.objects.filter(function=function, person=person, until=None).exists():
        raise ValidationError({"person": taken})
    try:
        with transaction.atomic():
            holder = FunctionHolder.objects.create(
                kommune_id=function.kommune_id, function=function, person=person, since=since
            )
    except IntegrityError as error:
        raise ValidationError({"person": taken}) from error
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        subject=person,
        obj=holder,
        summary=_("%(function)s fra %(since)s")
        % {"function": function.name, "since": since.isoformat()},
    )
    return holder


@transaction.atomic
def function_holder_end(
    *, holder: FunctionHolder, until: datetime.date, actor: Person
) -> FunctionHolder:
    """The person no longer holds the function after `until`; the holding stays as
    history."""
    holder = FunctionHolder.objects.select_for_update().select_related("function").get(pk=holder.pk)
    if holder.until is not None:
        raise ValidationError(_("Personen har allerede forladt funktionen."))
    if until < holder.since:
        raise ValidationError({"until": _("Slutdatoen ligger før startdatoen.")})
    holder.until = until
    holder.save(update_fields=["until"])
    _audit(
        actor,
        AuditEntry.Action.CHANGE,
        subject=holder.person,
        obj=holder,
        summary=_("%(function)s til %(until)s")
        % {"function": holder.function.name, "until": until.isoformat()},
    )
    return holder


# --- Certificates ----------------------------------------------------------------------


@transaction.atomic
def certificate_record(
    *,
    requirement: TrainingRequirement,
    person: Person,
    completed_on: datetime.date,
    valid_until: datetime.date | None = None,
    note: str = "",
    actor: Person,
) -> Certificate:
    """HR records training the person took outside the catalogue. Without `valid_until`
    it is valid as long as the requirement's validity says (no validity: without
    expiry)."""
    if person.kommune_id != requirement.kommune_id:
        raise ValidationError({"person": _("Personen findes ikke.")})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("Datoen ligger i fremtiden.")})
    if valid_until is None:
        valid_until = certificate_valid_until(requirement, completed_on)
    if valid_until is not None and valid_until < completed_on:
        raise ValidationError({"valid_until": _("»Gyldig til« ligger før gennemførelsesdatoen.")})
    certificate = Certificate.objects.create(
        kommune_id=requirement.kommune_id,
        person=person,
        requirement=requirement,
        completed_on=completed_on,
        valid_until=valid_until,
        source=Certificate.Source.RECORDED,
        note=note.strip()[:300],
        recorded_by=actor,
    )
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        subject=person,
        obj=certificate,
        summary=_("Certifikat registreret: %(name)s, gennemført %(date)s")
        % {"name": requirement.name, "date": completed_on.isoformat()},
    )
    return certificate


def _completed_on(enrolment_completed_at: datetime.datetime | None) -> datetime.date:
    if enrolment_completed_at is None:
        return timezone.localdate()
    return timezone.localdate(enrolment_completed_at)


def certificates_from_enrolment(*, enrolment: Enrolment) -> list[Certificate]:
    """The enrolment's course certificates, in step with its status: a completion
    gives one for every active requirement the course satisfies (dated the day it was
    recorded); any other status has none. Recording a completion again dates them anew.
    Three queries whatever the number of requirements."""
    Certificate.objects.filter(
        kommune=enrolment.kommune_id, enrolment=enrolment, source=Certificate.Source.COURSE
    ).delete()
    if enrolment.status != Enrolment.Status.COMPLETED:
        return []
    completed_on = _completed_on(enrolment.completed_at)
    requirements = TrainingRequirement.objects.filter(
        kommune=enrolment.kommune_id, is_active=True, courses=enrolment.course_id
    ).distinct()
    # Two recordings of one completion at once: the second's certificates are the
    # first's (the unique constraint), not an error.
    return Certificate.objects.bulk_create(
        [
            Certificate(
                kommune_id=enrolment.kommune_id,
                person_id=enrolment.person_id,
                requirement=requirement,
                completed_on=completed_on,
                valid_until=certificate_valid_until(requirement, completed_on),
                source=Certificate.Source.COURSE,
                enrolment=enrolment,
            )
            for requirement in requirements
        ],
        ignore_conflicts=True,
    )


def certificates_backfill(*, requirement: TrainingRequirement) -> int:
    """Certificates from the completions of the requirement's courses recorded before
    the course was on its list. Two queries whatever the number of completions; a
    completion that already counts is skipped. Returns how many were added."""
    completions = (
        Enrolment.objects.filter(
            kommune=requirement.kommune_id,
            status=Enrolment.Status.COMPLETED,
            course__in=requirement.courses.all(),
        )
        .exclude(certificates__requirement=requirement)
        .values_list("pk", "person_id", "completed_at")
    )
    certificates = []
    for enrolment_id, person_id, completed_at in completions:
        completed_on = _completed_on(completed_at)
        certificates.append(
            Certificate(
                kommune_id=requirement.kommune_id,
                person_id=person_id,
                requirement=requirement,
                completed_on=completed_on,
                valid_until=certificate_valid_until(requirement, completed_on),
                source=Certificate.Source.COURSE,
                enrolment_id=enrolment_id,
            )
        )
    # A completion recorded at this very moment may have made its own certificate.
    Certificate.objects.bulk_create(certificates, ignore_conflicts=True)
    return len(certificates)
