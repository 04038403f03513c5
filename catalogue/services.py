"""Writes on the catalogue, with its rules:

* HR publishes courses; leaders may propose (a draft HR can publish);
* an employee asks to join a session; their leader approves (or declines, giving a
  reason) unless the course needs no approval;
* a place is taken under a row lock on the session, so concurrent approvals can
  never seat more people than the session has places: the rest go on the waiting list;
* a cancellation frees the place for the first on the waiting list, who is told;
* completion marks the development-plan activity the enrolment came from as done.

Every step sends the person concerned a Danish (or English) e-mail; a confirmed place
comes as a calendar invitation, which a moved or cancelled session, or the place given
up, updates or cancels.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import notifications, selectors
from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from catalogue.training import services as training_services
from kompetence import permissions
from kompetence.audit import audit_record
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person
from kompetence.selectors import nearest_leaders, primary_positions
from mus import selectors as mus_selectors
from mus import services as mus_services
from mus.models import PlanActivity
from profiles.models import Framework, JobProfile


class Unchanged(enum.Enum):
    """The default of an update service's field parameters: the field keeps its value
    (None is a value: no capacity, no deadline)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def _changed(**values) -> dict:
    return {name: value for name, value in values.items() if value is not UNCHANGED}


# --- Courses and sessions ----------------------------------------------------------------
# The course's fields are `models.COURSE_FIELDS`; tests/catalogue/test_services.py holds
# the parameters of `course_create` and `course_update` to that list.


@transaction.atomic
def course_create(
    *,
    kommune: Kommune,
    proposed_by: Person | None = None,
    code: str = "",
    title: str,
    description: str,
    form: str = Course.Form.COURSE,
    provider: str = Course.Provider.INTERNAL,
    provider_name: str = "",
    duration: str = "",
    price: Decimal = Decimal(0),
    is_online: bool = False,
    place: str = "",
    contact: str = "",
    requires_approval: bool = True,
    audience_everyone: bool = True,
    audience_units: Iterable[OrgUnit] = (),
    audience_job_profiles: Iterable[JobProfile] = (),
    competences: Iterable[tuple[Framework, dict]] = (),
) -> Course:
    """A new draft course; `competences` as `course_set_competences` takes them, per
    framework. All or nothing."""
    course = Course.objects.create(
        kommune=kommune,
        proposed_by=proposed_by,
        code=code,
        title=title,
        description=description,
        form=form,
        provider=provider,
        provider_name=provider_name,
        duration=duration,
        price=price,
        is_online=is_online,
        place=place,
        contact=contact,
        requires_approval=requires_approval,
        audience_everyone=audience_everyone,
    )
    course.audience_units.set(audience_units)
    course.audience_job_profiles.set(audience_job_profiles)
    for framework, levels in competences:
        course_set_competences(course=course, framework=framework, levels=levels)
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    code: str | Unchanged = UNCHANGED,
    title: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    form: str | Unchanged = UNCHANGED,
    provider: str | Unchanged = UNCHANGED,
    provider_name: str | Unchanged = UNCHANGED,
    duration: str | Unchanged = UNCHANGED,
    price: Decimal | Unchanged = UNCHANGED,
    is_online: bool | Unchanged = UNCHANGED,
    place: str | Unchanged = UNCHANGED,
    contact: str | Unchanged = UNCHANGED,
    requires_approval: bool | Unchanged = UNCHANGED,
    audience_everyone: bool | Unchanged = UNCHANGED,
    audience_units: Iterable[OrgUnit] | None = None,
    audience_job_profiles: Iterable[JobProfile] | None = None,
    competences: Iterable[tuple[Framework, dict]] = (),
) -> Course:
    """Changes the fields given (the rest keep their values); `competences` as in
    `course_create`. All or nothing."""
    fields = _changed(
        code=code,
        title=title,
        description=description,
        form=form,
        provider=provider,
        provider_name=provider_name,
        duration=duration,
        price=price,
        is_online=is_online,
        place=place,
        contact=contact,
        requires_approval=requires_approval,
        audience_everyone=audience_everyone,
    )
    for name, value in fields.items():
        setattr(course, name, value)
    course.save()
    if audience_units is not None:
        course.audience_units.set(audience_units)
    if audience_job_profiles is not None:
        course.audience_job_profiles.set(audience_job_profiles)
    for framework, levels in competences:
        course_set_competences(course=course, framework=framework, levels=levels)
    return course


@transaction.atomic
def course_set_competences(*, course: Course, framework: Framework, levels: dict) -> None:
    """Which competences the course develops, to which level; None removes one."""
    valid = set(
        framework.scale.levels.filter(is_not_applicable=False).values_list("value", flat=True)
    )
    for key, level in levels.items():
        if level is None:
            CourseCompetence.objects.filter(course=course, competence_key=key).delete()
            continue
        if level not in valid:
            raise ValidationError(
                _("Niveauet %(level)s findes ikke på skalaen.") % {"level": level}
            )
        CourseCompetence.objects.update_or_create(
            course=course,
            competence_key=key,
            defaults={"level": level, "framework": framework, "kommune_id": course.kommune_id},
        )


def course_check_status(*, course: Course, status: str) -> None:
    """Refuses a status `course` may not get; the status buttons and the catalogue
    import share it. An archived course is never published again."""
    if course.status == Course.Status.ARCHIVED and status == Course.Status.PUBLISHED:
        raise ValidationError(_("Et arkiveret kursus kan ikke offentliggøres igen."))


def course_publish(*, course: Course) -> Course:
    course_check_status(course=course, status=Course.Status.PUBLISHED)
    course.status = Course.Status.PUBLISHED
    course.save(update_fields=["status", "updated_at"])
    return course


def course_archive(*, course: Course) -> Course:
    course.status = Course.Status.ARCHIVED
    course.save(update_fields=["status", "updated_at"])
    return course


def _check_session(session: CourseSession) -> None:
    if session.starts_at and session.ends_at and session.ends_at < session.starts_at:
        raise ValidationError({"ends_at": _("Holdet slutter, før det starter.")})
    if session.capacity is not None and session.capacity < 1:
        raise ValidationError({"capacity": _("Et hold skal have mindst én plads.")})


@transaction.atomic
def session_create(
    *,
    course: Course,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    capacity: int | None = None,
    registration_deadline: datetime.date | None = None,
    is_cancelled: bool = False,
) -> CourseSession:
    session = CourseSession(
        kommune_id=course.kommune_id,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        registration_deadline=registration_deadline,
        is_cancelled=is_cancelled,
    )
    _check_session(session)
    session.save()
    return session


@transaction.atomic
def session_update(
    *,
    session: CourseSession,
    starts_at: datetime.datetime | Unchanged | None = UNCHANGED,
    ends_at: datetime.datetime | Unchanged | None = UNCHANGED,
    place: str | Unchanged = UNCHANGED,
    capacity: int | Unchanged | None = UNCHANGED,
    registration_deadline: datetime.date | Unchanged | None = UNCHANGED,
    is_cancelled: bool | Unchanged = UNCHANGED,
) -> CourseSession:
    """Changes the fields given (the rest keep their values). More places seat the
    waiting list; a cancelled session cancels its enrolments."""
    session = CourseSession.objects.select_for_update().get(pk=session.pk)
    was_cancelled = session.is_cancelled
    fields = _changed(
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        registration_deadline=registration_deadline,
        is_cancelled=is_cancelled,
    )
    moved = any(
        name in fields and fields[name] != getattr(session, name)
        for name in ("starts_at", "ends_at", "place")
    )
    for name, value in fields.items():
        setattr(session, name, value)
    _check_session(session)
    if session.is_cancelled and not was_cancelled:
        session.calendar_sequence += 1  # under the row lock taken above
        session.save()
        _cancel_enrolments(session)
        return session
    seated = session.enrolments.filter(status__in=Enrolment.SEATED).count()
    if session.capacity is not None and session.capacity < seated:
        raise ValidationError(
            {"capacity": _("Der er allerede %(n)s bekræftede deltagere.") % {"n": seated}}
        )
    if moved and not session.is_cancelled:
        session.calendar_sequence += 1
    session.save()
    if moved and not session.is_cancelled:
        confirmed = session.enrolments.filter(status=Enrolment.Status.CONFIRMED)
        for enrolment in confirmed.select_related("course", "session", "person"):
            notifications.session_changed(enrolment)
    _promote_waiting(session)
    return session


# --- Enrolment -------------------------------------------------------------------------------


def in_audience(course: Course, person: Person) -> bool:
    if course.audience_everyone:
        return True
    return selectors.visible_courses(person).filter(pk=course.pk).exists()


@transaction.atomic
def enrolment_request(
    *,
    session: CourseSession,
    person: Person,
    motivation: str = "",
    plan_activity: PlanActivity | None = None,
) -> Enrolment:
    # The session row is locked first, so one person's identical requests arriving
    # together (a double click) are answered one after the other: the second sees the
    # first's enrolment and is refused with a message instead of a server error.
    session = CourseSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    course = session.course
    if course.status != Course.Status.PUBLISHED:
        raise ValidationError(_("Kurset er ikke åbent for tilmelding."))
    if not session.is_open_for_registration:
        raise ValidationError(_("Tilmeldingen til holdet er lukket."))
    if not in_audience(course, person):
        raise ValidationError(_("Kurset er ikke for din målgruppe."))
    if plan_activity is not None and plan_activity.version.plan.employee_id != person.pk:
        raise ValidationError(_("Aktiviteten hører til en anden persons udviklingsplan."))
    live = Enrolment.objects.filter(session=session, person=person).exclude(
        status__in=[Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED]
    )
    already = _("Du er allerede tilmeldt holdet.")
    if live.exists():
        raise ValidationError(already)
    position = primary_positions([person.pk]).get(person.pk)
    try:
        # The database's one-live-enrolment rule has the last word (a writer that did
        # not take the lock); its refusal reads like the check above.
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                kommune_id=person.kommune_id,
                session=session,
                course=course,
                person=person,
                unit=position.unit if position else None,
                plan_activity=plan_activity,
                motivation=motivation[:2000],
            )
    except IntegrityError as error:
        raise ValidationError(already) from error
    leaders = nearest_leaders(person)
    if course.requires_approval and leaders:
        notifications.request_to_leaders(enrolment, leaders)
        return enrolment
    return _seat(enrolment)


@transaction.atomic
def plan_activity_enrol(
    *, activity: PlanActivity, session: CourseSession, person: Person
) -> Enrolment:
    """ "Anmod om plads" on a development plan: `person` asks for a place on `session`
    of the course a catalogue activity of their plan names, as `enrolment_request`
    (the leader's approval and the waiting list as for any request). One live request
    per activity, whichever version of the plan it was made from."""
    if activity.course_id is None:
        raise ValidationError(_("Aktiviteten er ikke et kursus fra kataloget."))
    if session.course_id != activity.course_id:
        raise ValidationError(_("Hold: holdet hører ikke til aktivitetens kursus."))
    # Two requests from the plan at once (two tabs, two sessions) are answered one
    # after the other, so the second sees the first.
    PlanActivity.objects.select_for_update().filter(pk=activity.pk).first()
    live = Enrolment.objects.filter(
        plan_activity__version__plan_id=activity.version.plan_id,
        plan_activity__key=activity.key,
    ).exclude(status__in=[Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED])
    if live.exists():
        raise ValidationError(_("Du har allerede anmodet om en plads på kurset fra planen."))
    return enrolment_request(session=session, person=person, plan_activity=activity)


def _seat(enrolment: Enrolment) -> Enrolment:
    """A confirmed place if the session has one, else the waiting list. The session row
    is locked first, so two people can never take the same last place."""
    session = CourseSession.objects.select_for_update().get(pk=enrolment.session_id)
    seated = session.enrolments.filter(status__in=Enrolment.SEATED).count()
    now = timezone.now()
    if session.capacity is None or seated < session.capacity:
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        notifications.confirmed(enrolment)
    else:
        enrolment.status = Enrolment.Status.WAITLISTED
        enrolment.waitlisted_at = now
        enrolment.save(
            update_fields=["status", "waitlisted_at", "decided_by", "decided_at", "decision_reason"]
        )
        notifications.waitlisted(enrolment)
    return enrolment


@transaction.atomic
def enrolment_decide(
    *, enrolment: Enrolment, leader: Person, approve: bool, reason: str = ""
) -> Enrolment:
    """The leader's answer to a request. Declining needs a reason the employee reads."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("session", "course")
        .get(pk=enrolment.pk)
    )
    if not permissions.leads(leader, enrolment.person):
        raise ValidationError(_("Kun medarbejderens leder kan godkende tilmeldingen."))
    if enrolment.status != Enrolment.Status.REQUESTED:
        raise ValidationError(_("Tilmeldingen er allerede behandlet."))
    enrolment.decided_by, enrolment.decided_at = leader, timezone.now()
    enrolment.decision_reason = reason.strip()[:2000]
    if approve:
        return _seat(enrolment)
    if not enrolment.decision_reason:
        raise ValidationError({"reason": _("Skriv en begrundelse, når du afviser.")})
    enrolment.status = Enrolment.Status.DECLINED
    enrolment.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    notifications.declined(enrolment)
    return enrolment


@dataclass
class Decision:
    """One request's outcome in `enrolments_decide`: the enrolment as decided, or, when
    it could not be decided, the reason (`error`)."""

    enrolment: Enrolment
    error: str = ""


def enrolments_decide(
    *, enrolments: Iterable[Enrolment], leader: Person, approve: bool, reason: str = ""
) -> list[Decision]:
    """The leader's answer to several requests at once. Each is decided on its own
    (`enrolment_decide`, its own transaction), so one that cannot be decided (already
    decided in another tab, no longer the leader's) leaves the others decided; the
    outcomes come back in the order given. Declining needs a reason, for all of them."""
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Skriv en begrundelse, når du afviser.")})
    outcomes = []
    for enrolment in enrolments:
        try:
            decided = enrolment_decide(
                enrolment=enrolment, leader=leader, approve=approve, reason=reason
            )
        except ValidationError as error:
            outcomes.append(Decision(enrolment=enrolment, error=" ".join(error.messages)))
        else:
            outcomes.append(Decision(enrolment=decided))
    return outcomes


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment) -> Enrolment:
    """Frees the place; the first on the waiting list gets it and is told."""
    session = CourseSession.objects.select_for_update().get(pk=enrolment.session_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not enrolment.can_cancel:
        raise ValidationError(_("Tilmeldingen kan ikke afmeldes."))
    had_place = enrolment.status == Enrolment.Status.CONFIRMED
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save(update_fields=["status"])
    if had_place and session.starts_at:
        # The person's calendar entry is cancelled; a CANCEL needs a higher SEQUENCE
        # than the invitation it cancels.
        session.calendar_sequence += 1
        session.save(update_fields=["calendar_sequence"])
        notifications.cancelled(enrolment)
    _promote_waiting(session)
    return enrolment


def _cancel_enrolments(session: CourseSession) -> None:
    """A cancelled session: everyone with a request, a place or a waiting-list spot is
    told and their enrolment cancelled, so they can choose another session."""
    live = session.enrolments.filter(
        status__in=[
            Enrolment.Status.REQUESTED,
            Enrolment.Status.CONFIRMED,
            Enrolment.Status.WAITLISTED,
        ]
    ).select_related("course", "session", "person")
    for enrolment in live:
        had_place = enrolment.status == Enrolment.Status.CONFIRMED
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.save(update_fields=["status"])
        notifications.session_cancelled(enrolment, had_place=had_place)


def _promote_waiting(session: CourseSession) -> list[Enrolment]:
    """Gives free places to the waiting list in order. The caller holds the row lock."""
    if session.is_cancelled:
        return []
    promoted = []
    seated = session.enrolments.filter(status__in=Enrolment.SEATED).count()
    waiting = session.enrolments.filter(status=Enrolment.Status.WAITLISTED).order_by(
        "waitlisted_at", "pk"
    )
    for enrolment in waiting:
        if session.capacity is not None and seated >= session.capacity:
            break
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.save(update_fields=["status"])
        notifications.promoted(enrolment)
        promoted.append(enrolment)
        seated += 1
    return promoted


@transaction.atomic
def enrolment_record(
    *, enrolment: Enrolment, status: str, request: HttpRequest | None = None
) -> Enrolment:
    """Attendance and completion. Completion marks the plan activity it came from done
    and gives a certificate for each active requirement the course meets; a completion
    recorded as anything else takes those certificates back. With `request`, the change
    is written to the audit log as the request's person's, in the same transaction."""
    if status not in (
        Enrolment.Status.ATTENDED,
        Enrolment.Status.COMPLETED,
        Enrolment.Status.NO_SHOW,
    ):
        raise ValidationError(_("Ukendt status."))
    if enrolment.status not in (*Enrolment.SEATED, Enrolment.Status.NO_SHOW):
        raise ValidationError(_("Kun deltagere med en bekræftet plads kan registreres."))
    enrolment.status = status
    enrolment.completed_at = timezone.now() if status == Enrolment.Status.COMPLETED else None
    enrolment.save(update_fields=["status", "completed_at"])
    training_services.certificates_from_enrolment(enrolment=enrolment)
    if status == Enrolment.Status.COMPLETED and enrolment.plan_activity_id:
        _complete_plan_activity(enrolment)
    if request is not None:
        audit_record(
            request,
            action=AuditEntry.Action.CHANGE,
            subject=enrolment.person,
            obj=enrolment,
            summary=_("%(course)s: %(status)s")
            % {"course": enrolment.course.title, "status": Enrolment.Status(status).label},
        )
    return enrolment


def _complete_plan_activity(enrolment: Enrolment) -> None:
    """The activity may have moved to a newer plan version since the enrolment: the
    current version's activity with the same key is the one to mark."""
    activity = enrolment.plan_activity
    assert activity is not None  # called only for enrolments that have one
    current = mus_selectors.current_version(activity.version.plan)
    target = current.activities.filter(key=activity.key).first()
    if target is not None and target.status != PlanActivity.Status.DONE:
        mus_services.activity_mark_done(
            activity=target,
            done_on=timezone.localdate(),
            note=_("Gennemført: %(course)s") % {"course": enrolment.course.title},
        )
