"""The kommune's course catalogue: courses and other activities HR publishes (leaders
may propose), their sessions, and enrolments with leader approval and waiting lists.

A course names the competences it develops by competence key (like job profiles do),
so it keeps matching gaps when a framework gets a new version.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune, OrgUnit, Person
from mus.models import PlanActivity
from profiles.models import Framework, JobProfile

# The course's own fields as HR edits them, in the catalogue file's column order: the
# one list the course form, the services' parameters and the catalogue import follow.
# The audience (units, job profiles) and the competences are apart: relations.
COURSE_FIELDS = (
    "code",
    "title",
    "description",
    "form",
    "provider",
    "provider_name",
    "duration",
    "price",
    "is_online",
    "place",
    "contact",
    "requires_approval",
    "audience_everyone",
)


class Course(models.Model):
    class Form(models.TextChoices):
        COURSE = "course", _("Kursus")
        EDUCATION = "education", _("Efter- og videreuddannelse")
        ON_THE_JOB = "on_the_job", _("Læring i jobbet")
        NETWORK = "network", _("Netværk")
        JOB_ROTATION = "job_rotation", _("Jobrotation")
        SIDE_BY_SIDE = "side_by_side", _("Sidemandsoplæring")
        BROWN_BAG = "brown_bag", _("Brown bag-møde")
        E_LEARNING = "e_learning", _("E-læring")

    class Provider(models.TextChoices):
        INTERNAL = "internal", _("Intern")
        EXTERNAL = "external", _("Ekstern")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Kladde")
        PUBLISHED = "published", _("Offentliggjort")
        ARCHIVED = "archived", _("Arkiveret")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    # The course's number in the kommune's own course administration, if it has one:
    # what a catalogue import recognises a course by when the title changes.
    code = models.CharField(_("kode"), max_length=50, blank=True)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beskrivelse"))
    form = models.CharField(_("form"), max_length=32, choices=Form.choices, default=Form.COURSE)
    provider = models.CharField(
        _("udbyder"), max_length=16, choices=Provider.choices, default=Provider.INTERNAL
    )
    provider_name = models.CharField(_("udbyderens navn"), max_length=200, blank=True)
    duration = models.CharField(
        _("varighed"), max_length=100, blank=True, help_text=_("Fx »2 dage« eller »6 × 3 timer«.")
    )
    price = models.DecimalField(
        _("pris pr. deltager (kr.)"), max_digits=10, decimal_places=2, default=0
    )
    is_online = models.BooleanField(_("online"), default=False)
    place = models.CharField(_("sted"), max_length=200, blank=True)
    contact = models.CharField(_("kontakt"), max_length=200, blank=True)
    requires_approval = models.BooleanField(_("kræver lederens godkendelse"), default=True)
    audience_everyone = models.BooleanField(_("for alle"), default=True)
    audience_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name=_("for enheder (med underenheder)")
    )
    audience_job_profiles = models.ManyToManyField(
        JobProfile, blank=True, related_name="+", verbose_name=_("for jobprofiler")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    proposed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("kursus")
        verbose_name_plural = _("kurser")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["kommune", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "code"],
                condition=~Q(code=""),
                name="course_code_unique_per_kommune",
                violation_error_message=_("Koden bruges allerede af et andet kursus."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="course_price_not_negative",
                violation_error_message=_("Prisen kan ikke være negativ."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CourseCompetence(models.Model):
    """A competence the course develops, and to which level."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="competences")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    competence_key = models.UUIDField()
    level = models.SmallIntegerField(_("til niveau"))

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "competence_key"], name="course_competence_unique"
            )
        ]
        indexes = [models.Index(fields=["kommune", "competence_key"])]

    def __str__(self) -> str:
        return f"{self.course}: {self.level}"


class CourseSession(models.Model):
    """A dated run of a course, or (without dates) continuous intake."""

    # Set by the course page on the sessions it shows: the viewer's own enrolment.
    own: Enrolment | None

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("slut"), null=True, blank=True)
    place = models.CharField(_("sted"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("pladser"), null=True, blank=True, help_text=_("Tomt: ubegrænset.")
    )
    registration_deadline = models.DateField(_("tilmeldingsfrist"), null=True, blank=True)
    is_cancelled = models.BooleanField(_("aflyst"), default=False)

    objects = TenantManager()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("hold")
        ordering = ["course", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("Holdet slutter, før det starter."),
            )
        ]

    def __str__(self) -> str:
        if self.starts_at is None:
            return f"{self.course} ({_('løbende optag')})"
        return f"{self.course} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def is_open_for_registration(self) -> bool:
        if self.is_cancelled:
            return False
        if self.registration_deadline and self.registration_deadline < timezone.localdate():
            return False
        return not (self.starts_at and self.starts_at < timezone.now())

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.starts_at and self.ends_at:
            return self.ends_at - self.starts_at
        return None


class Enrolment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Afventer leder")
        CONFIRMED = "confirmed", _("Bekræftet plads")
        WAITLISTED = "waitlisted", _("På venteliste")
        DECLINED = "declined", _("Afvist")
        CANCELLED = "cancelled", _("Afmeldt")
        ATTENDED = "attended", _("Deltog")
        COMPLETED = "completed", _("Gennemført")
        NO_SHOW = "no_show", _("Udeblev")

    # Statuses that hold a place on the session.
    SEATED = (Status.CONFIRMED, Status.ATTENDED, Status.COMPLETED)
    # Statuses that count for cost (a place was taken).
    COSTED = (Status.CONFIRMED, Status.ATTENDED, Status.COMPLETED, Status.NO_SHOW)

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    # The person's unit when they enrolled: costs stay with the unit that paid.
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    plan_activity = models.ForeignKey(
        PlanActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    motivation = models.TextField(_("begrundelse"), blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("begrundelse for afgørelsen"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("tilmelding")
        verbose_name_plural = _("tilmeldinger")
        ordering = ["requested_at", "pk"]
        constraints = [
            # One live enrolment per person and session; declined and cancelled ones stay
            # as history and do not block a new request.
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status__in=["declined", "cancelled"]),
                name="enrolment_one_live_per_session",
            )
        ]
        indexes = [
            models.Index(fields=["kommune", "session", "status"]),
            models.Index(fields=["kommune", "person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.session}"

    @property
    def can_cancel(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.CONFIRMED, self.Status.WAITLISTED)
