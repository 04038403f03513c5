"""MUS conversations (medarbejderudviklingssamtale: the yearly development talk between
an employee and their leader) and the development plans they end in.

A plan lives in versions. A version is edited until someone signs it; from the first
signature it is frozen, and any change makes a new version that both must sign again.
Once both have signed, the plan page changes it only through an explicit new version
("Lav en ny version").
A signature stores who, when, and the SHA-256 hash of the version's canonical content,
so a signed plan can always be checked against what was signed.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetence.infra.background import BackgroundWork
from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune, Person
from profiles.models import Competence, EvaluationRound

if TYPE_CHECKING:
    from catalogue.selectors import PlanCourseState


class ConversationKind(models.TextChoices):
    """The kinds of development conversation a kommune holds. Every kind ends in an
    individual development plan signed by the employee and the leader."""

    MUS = "mus", _("MUS")
    # A leader with several employees: shared notes, then one plan per participant.
    GRUS = "grus", _("GRUS/TUS")
    # A leader's own development conversation, with their own leader.
    LUS = "lus", _("LUS")
    SENIOR = "senior", _("Seniorsamtale")


class AgendaQuestion(models.Model):
    """A preparation question on the kommune's agenda for one kind of conversation. HR
    edits the list per kind."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("samtaletype"),
        max_length=16,
        choices=ConversationKind.choices,
        default=ConversationKind.MUS,
    )
    text = models.CharField(_("spørgsmål"), max_length=300)
    help_text = models.CharField(_("uddybning"), max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("dagsordenspunkt")
        verbose_name_plural = _("dagsordenspunkter")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class ConversationGroup(models.Model):
    """A group conversation (GRUS/TUS): one leader, several employees, one meeting and
    shared notes. Each participant has their own `Conversation` of kind GRUS in the
    group, which carries their private preparation and ends in their own plan."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("titel"), max_length=200, blank=True)
    shared_notes = models.TextField(_("fælles noter"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("gruppesamtale")
        verbose_name_plural = _("gruppesamtaler")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"GRUS {self.pk}"


class Conversation(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Planlagt")
        HELD = "held", _("Afholdt")
        CANCELLED = "cancelled", _("Aflyst")

    Kind = ConversationKind

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("samtaletype"),
        max_length=16,
        choices=ConversationKind.choices,
        default=ConversationKind.MUS,
    )
    group = models.ForeignKey(
        ConversationGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
        verbose_name=_("gruppesamtale"),
    )
    # A GRUS participant may ask for an individual MUS instead; the leader sees it.
    individual_requested_at = models.DateTimeField(null=True, blank=True)
    individual_request_reason = models.CharField(_("begrundelse"), max_length=500, blank=True)
    employee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mus_conversations")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mus_led")
    round = models.ForeignKey(
        EvaluationRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("evalueringsrunde"),
    )
    starts_at = models.DateTimeField(_("tidspunkt"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=60)
    is_online = models.BooleanField(_("online"), default=False)
    location = models.CharField(
        _("sted eller link"), max_length=300, help_text=_("Mødelokale, adresse eller mødelink.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    shared_notes = models.TextField(_("fælles noter"), blank=True)
    # Calendar invitation identity: the UID stays, the sequence grows with each update.
    ical_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    held_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("MUS-samtale")
        verbose_name_plural = _("MUS-samtaler")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["kommune", "employee", "-starts_at"])]

    def __str__(self) -> str:
        return f"MUS {self.employee} {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class PreparationNote(models.Model):
    """One side's private preparation for one agenda question (or in general). Only its
    author ever sees it."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(AgendaQuestion, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "author", "question"], name="preparation_note_unique"
            ),
            # The constraint above lets NULLs differ, so it does not hold the general note
            # (no question): this one does.
            models.UniqueConstraint(
                fields=["conversation", "author"],
                condition=models.Q(question__isnull=True),
                name="preparation_note_general_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Plan(models.Model):
    """The development plan agreed in a MUS conversation, across its versions."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    conversation = models.OneToOneField(Conversation, on_delete=models.PROTECT, related_name="plan")
    employee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="development_plans")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("udviklingsplan")
        verbose_name_plural = _("udviklingsplaner")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Udviklingsplan')}: {self.employee}"


class PlanVersion(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    leader_support = models.TextField(_("lederens støtte"), blank=True)
    other_agreements = models.TextField(
        _("andre aftaler"),
        blank=True,
        help_text=_("Fx senioraftale, nye arbejdsområder eller videreuddannelse."),
    )
    follow_up_date = models.DateField(_("opfølgning"), null=True, blank=True)
    # When the follow-up reminders went to both parties (`mus.reminders`): a week
    # before the follow-up date, and on the day. Each is sent once.
    follow_up_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    follow_up_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Optimistic locking: every saved edit increases it; an edit made on an older
    # revision is refused with a conflict message instead of overwriting.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("planversion")
        verbose_name_plural = _("planversioner")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanChange(models.Model):
    """One saved edit of a plan version: who, when, and what changed, as readable lines.
    Someone whose save is refused because the plan changed since they opened it is
    told who changed what in between."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="changes")
    # The version's revision after this edit.
    revision = models.PositiveIntegerField()
    editor = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    # [kind, line] pairs as `mus.content.diff_lines` gives, only the added and removed.
    lines = models.JSONField(default=list)

    objects = TenantManager()

    class Meta:
        verbose_name = _("planændring")
        verbose_name_plural = _("planændringer")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} r{self.revision}"


class PlanGoal(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    # Stays the same when the goal is copied into a new plan version.
    key = models.UUIDField(default=uuid.uuid4)
    text = models.TextField(_("mål"))
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="+", verbose_name=_("kompetencer")
    )
    target_level = models.SmallIntegerField(_("målniveau"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class PlanActivity(models.Model):
    class Kind(models.TextChoices):
        CATALOGUE_COURSE = "catalogue_course", _("Kursus fra kataloget")
        EXTERNAL = "external", _("Eksternt kursus eller uddannelse")
        ON_THE_JOB = "on_the_job", _("Læring i jobbet")
        NETWORK = "network", _("Netværk")
        JOB_ROTATION = "job_rotation", _("Jobrotation")
        SIDE_BY_SIDE = "side_by_side", _("Sidemandsoplæring")
        MENTORING = "mentoring", _("Mentorordning")
        OTHER = "other", _("Andet")

    # Set by the plan page on activities that name a course: their enrolment status.
    course_state: PlanCourseState

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        IN_PROGRESS = "in_progress", _("I gang")
        DONE = "done", _("Gennemført")
        CANCELLED = "cancelled", _("Droppet")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="activities")
    # Stays the same when the activity is copied into a new plan version, so its
    # progress and any enrolment follow it.
    key = models.UUIDField(default=uuid.uuid4)
    goal = models.ForeignKey(
        PlanGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("aktivitet"), max_length=300)
    # For kind CATALOGUE_COURSE: the course chosen from the catalogue and, where one
    # was chosen, its session.
    course = models.ForeignKey(
        "catalogue.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kursus"),
    )
    session = models.ForeignKey(
        "catalogue.CourseSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hold"),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    deadline = models.DateField(_("frist"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    # Progress is follow-up, not agreement: it is not part of the signed content.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("gennemført den"), null=True, blank=True)
    done_note = models.TextField(_("note"), blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class PlanCheckIn(models.Model):
    """A mid-year check-in on a signed plan: a dated record of each activity's status and
    a short note. It needs no signatures and leaves the signed content untouched."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    held_on = models.DateField(_("dato"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("opfølgning")
        verbose_name_plural = _("opfølgninger")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.held_on}"


class CheckInActivity(models.Model):
    """One activity's status as recorded at a check-in."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    check_in = models.ForeignKey(PlanCheckIn, on_delete=models.CASCADE, related_name="activities")
    activity = models.ForeignKey(PlanActivity, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=PlanActivity.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("aktivitetsstatus")
        verbose_name_plural = _("aktivitetsstatusser")
        ordering = ["check_in", "activity__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "activity"], name="check_in_activity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_in}: {self.activity}"


class SignatureDelegation(models.Model):
    """An explicit, recorded permission for one person to sign one conversation's plan
    as leader on behalf of the conversation's own leader (who is ill, on leave or has
    left). Granted by that leader or by HR; kept when revoked, so the record of who
    might sign, and why, stays with the plan."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="signature_delegations"
    )
    from_leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("på vegne af")
    )
    to_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("underskriver")
    )
    granted_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("givet af")
    )
    granted_at = models.DateTimeField(_("givet"), default=timezone.now)
    reason = models.CharField(_("begrundelse"), max_length=500)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("fuldmagt til at underskrive")
        verbose_name_plural = _("fuldmagter til at underskrive")
        ordering = ["granted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.to_person} for {self.from_leader}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Signature(models.Model):
    class Role(models.TextChoices):
        EMPLOYEE = "employee", _("Medarbejder")
        LEADER = "leader", _("Leder")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    signed_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)
    # Set when someone other than the conversation's leader signed as leader.
    delegation = models.ForeignKey(
        SignatureDelegation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "role"], name="signature_one_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.signer} ({self.get_role_display()})"


class PlanPdf(BackgroundWork):
    """The PDF of one plan version, made by a Celery task and kept in the storage."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under udarbejdelse")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Fejlede")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="pdfs")
    language = models.CharField(max_length=8, default="da")
    # The archival PDF/A copy of a signed version, beside the accessible PDF/UA one.
    archival = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="plans/%Y/%m/", blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("plan-PDF")
        verbose_name_plural = _("plan-PDF'er")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language", "archival"], name="plan_pdf_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"PDF {self.version} ({self.language}{', PDF/A' if self.archival else ''})"


# --- Upward feedback on the leader (see mus.upward) -------------------------------------


class UpwardQuestion(models.Model):
    """A statement of the upward feedback questionnaire that employees answer about
    their leader on a scale of 1 (helt uenig) to 5 (helt enig). HR edits the list."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("udsagn"), max_length=300)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("feedbackspørgsmål")
        verbose_name_plural = _("feedbackspørgsmål")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class UpwardSubmission(models.Model):
    """That `respondent` has answered the questionnaire about `leader` for `period` (a
    calendar year): it stops a second answer. It holds no answer and no time."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveSmallIntegerField(_("år"))

    objects = TenantManager()

    class Meta:
        verbose_name = _("afgivet ledelsesfeedback")
        verbose_name_plural = _("afgivne ledelsesfeedback")
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "leader", "period"], name="upward_submission_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader_id} {self.period}"


class UpwardAnswerCount(models.Model):
    """How many answered `value` to `question` about `leader` in `period`: a counter,
    never an answer. `published` is the counter as last released to the pages, which
    moves only in steps of at least k answers (see mus.upward)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveSmallIntegerField()
    question = models.ForeignKey(UpwardQuestion, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        verbose_name = _("feedbacktælling")
        verbose_name_plural = _("feedbacktællinger")
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "period", "question", "value"], name="upward_count_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5), name="upward_count_value_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader_id} {self.period} {self.question_id}={self.value}"
