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
    # The SEQUENCE of the session's calendar invitations: raised by each change of time
    # or place and by the cancellation, or calendars ignore the update as old.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

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


# --- Mandatory training ----------------------------------------------------------------
#
# Some competence work is required rather than chosen: the working-environment
# representative's statutory training, first aid renewed every couple of years, yearly
# information security. HR defines a requirement (the catalogue courses that satisfy it,
# how long a completion stays valid, how long a newcomer has) and says whom it applies to;
# a person meets it with a certificate: from a completed catalogue course, recorded by HR,
# imported from the old system or from proof the person uploaded and their leader approved.
# A person's status per requirement (valid, expiring, expired, missing) is computed from
# the certificates (`catalogue.training.selectors`), never stored.


def default_reminder_days() -> list[int]:
    return [90, 30]


class TrainingFunction(models.Model):
    """A named function a person holds that a requirement can follow, e.g.
    arbejdsmiljørepræsentant or førstehjælper: not a position, so HR records who holds it."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("funktion")
        verbose_name_plural = _("funktioner")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "name"],
                name="training_function_name_unique",
                violation_error_message=_("Der findes allerede en funktion med det navn."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class FunctionHolder(models.Model):
    """A person holds a function from `since` (the date they were elected or appointed,
    from which a newcomer's grace period runs) until `until` (empty: still holds it)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    function = models.ForeignKey(TrainingFunction, on_delete=models.CASCADE, related_name="holders")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="functions_held")
    since = models.DateField(_("fra"))
    until = models.DateField(_("til"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("funktionsindehaver")
        verbose_name_plural = _("funktionsindehavere")
        ordering = ["function", "since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["function", "person"],
                condition=Q(until=None),
                name="function_holder_one_current",
                violation_error_message=_("Personen har allerede funktionen."),
            ),
            models.CheckConstraint(
                condition=Q(until=None) | Q(until__gte=models.F("since")),
                name="function_holder_until_after_since",
                violation_error_message=_("Slutdatoen ligger før startdatoen."),
            ),
        ]
        indexes = [models.Index(fields=["kommune", "person"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.function}"


class TrainingRequirement(models.Model):
    """Training a group of people must have, and keep valid."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    courses = models.ManyToManyField(
        Course,
        blank=True,
        related_name="requirements",
        verbose_name=_("kurser der opfylder kravet"),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("gyldighed (måneder)"),
        null=True,
        blank=True,
        help_text=_("Tomt: gælder uden udløb."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("frist for nye (dage)"),
        default=90,
        help_text=_(
            "Så mange dage har en ny medarbejder eller en ny funktionsindehaver til at "
            "opfylde kravet."
        ),
    )
    reminder_days = models.JSONField(
        _("påmindelser (dage før udløb)"), default=default_reminder_days
    )
    is_active = models.BooleanField(_("aktivt"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("obligatorisk krav")
        verbose_name_plural = _("obligatoriske krav")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "name"],
                name="training_requirement_name_unique",
                violation_error_message=_("Der findes allerede et krav med det navn."),
            ),
            models.CheckConstraint(
                condition=Q(validity_months=None) | Q(validity_months__gt=0),
                name="training_requirement_validity_positive",
                violation_error_message=_("Gyldigheden skal være mindst én måned."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RequirementAssignment(models.Model):
    """Whom a requirement applies to: everyone, a role, a job profile, a unit with its
    subtree or the holders of a function. A person is subject when any assignment fits."""

    class Kind(models.TextChoices):
        EVERYONE = "everyone", _("Alle")
        ROLE = "role", _("Rolle")
        JOB_PROFILE = "job_profile", _("Jobprofil")
        UNIT = "unit", _("Enhed (med underenheder)")
        FUNCTION = "function", _("Funktion")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        TrainingRequirement, on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(_("gælder for"), max_length=16, choices=Kind.choices)
    # One of profiles.models.Role's values.
    role = models.CharField(_("rolle"), max_length=32, blank=True)
    job_profile = models.ForeignKey(
        JobProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("jobprofil"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("enhed"),
    )
    function = models.ForeignKey(
        TrainingFunction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("funktion"),
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("tildeling af krav")
        verbose_name_plural = _("tildelinger af krav")
        constraints = [
            # Exactly the target its kind names, and no other.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="everyone",
                        role="",
                        job_profile=None,
                        unit=None,
                        function=None,
                    )
                    | (Q(kind="role", job_profile=None, unit=None, function=None) & ~Q(role=""))
                    | Q(
                        kind="job_profile",
                        role="",
                        job_profile__isnull=False,
                        unit=None,
                        function=None,
                    )
                    | Q(kind="unit", role="", job_profile=None, unit__isnull=False, function=None)
                    | Q(
                        kind="function",
                        role="",
                        job_profile=None,
                        unit=None,
                        function__isnull=False,
                    )
                ),
                name="requirement_assignment_one_target",
                violation_error_message=_("Vælg præcis det, kravet skal gælde for."),
            ),
        ]

    def __str__(self) -> str:
        target = self.job_profile or self.unit or self.function or self.role
        return f"{self.requirement}: {self.get_kind_display()} {target or ''}".strip()


class Evidence(models.Model):
    """Proof a person uploaded (a certificate or diploma, PDF or image) for a requirement
    or a competence; their leader approves or rejects it. The file is kept through the
    storage API under a random name and served only by a view that checks access."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Afventer leder")
        APPROVED = "approved", _("Godkendt")
        REJECTED = "rejected", _("Afvist")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="evidence")
    requirement = models.ForeignKey(
        TrainingRequirement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("krav"),
    )
    # A competence by key (like courses and job profiles), so the proof keeps its
    # competence when the framework gets a new version.
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    competence_key = models.UUIDField(null=True, blank=True)
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(_("fil"), upload_to="evidence/%Y/%m/", max_length=255)
    filename = models.CharField(_("filnavn"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    issued_on = models.DateField(_("udstedt"))
    expires_on = models.DateField(_("udløber"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("begrundelse"), blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("dokumentation")
        verbose_name_plural = _("dokumentation")
        ordering = ["-uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(requirement__isnull=False, framework=None, competence_key=None)
                    | Q(requirement=None, framework__isnull=False, competence_key__isnull=False)
                ),
                name="evidence_for_requirement_or_competence",
                violation_error_message=_("Vælg enten et krav eller en kompetence."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on=None) | Q(expires_on__gte=models.F("issued_on")),
                name="evidence_expires_after_issue",
                violation_error_message=_("Udløbsdatoen ligger før udstedelsesdatoen."),
            ),
        ]
        indexes = [
            models.Index(fields=["kommune", "person"]),
            models.Index(fields=["kommune", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.title}"


class Certificate(models.Model):
    """A person met a requirement on `completed_on`, valid until `valid_until` (empty:
    without expiry). The latest valid_until per person and requirement decides the
    status; older certificates stay as history."""

    class Source(models.TextChoices):
        COURSE = "course", _("Kursus i kataloget")
        RECORDED = "recorded", _("Registreret af HR")
        IMPORT = "import", _("Importeret")
        EVIDENCE = "evidence", _("Dokumentation godkendt af leder")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates")
    requirement = models.ForeignKey(
        TrainingRequirement, on_delete=models.CASCADE, related_name="certificates"
    )
    completed_on = models.DateField(_("gennemført"))
    valid_until = models.DateField(_("gyldig til"), null=True, blank=True)
    source = models.CharField(_("kilde"), max_length=16, choices=Source.choices)
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.CASCADE, related_name="certificates"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("certifikat")
        verbose_name_plural = _("certifikater")
        ordering = ["person", "requirement", "-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until=None) | Q(valid_until__gte=models.F("completed_on")),
                name="certificate_valid_after_completion",
                violation_error_message=_("»Gyldig til« ligger før gennemførelsesdatoen."),
            ),
            # A course completion counts once per requirement.
            models.UniqueConstraint(
                fields=["enrolment", "requirement"],
                condition=Q(enrolment__isnull=False),
                name="certificate_once_per_enrolment",
            ),
        ]
        indexes = [
            models.Index(fields=["kommune", "requirement", "person"]),
            models.Index(fields=["kommune", "person"]),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.requirement} ({self.completed_on})"


class RequirementReminder(models.Model):
    """One reminder about one expiry to one person, claimed before it is sent (the rule
    of `annualcycle.models.ReminderSent`): `days_before` is one of the requirement's
    reminder days, or 0 for the escalation to the leader once it has expired. A new
    certificate gives a new `valid_until`, so the next expiry is reminded of again."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(
        TrainingRequirement, on_delete=models.CASCADE, related_name="reminders"
    )
    # Whose certificate expires.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # Who gets the e-mail: the person, or their leader.
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    valid_until = models.DateField()
    days_before = models.SmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "person", "recipient", "valid_until", "days_before"],
                name="requirement_reminder_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["attempted_at"],
                condition=Q(sent_at=None),
                name="requirement_reminder_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement} → {self.recipient} ({self.days_before})"
