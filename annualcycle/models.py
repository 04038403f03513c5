"""The kommune's årshjul (annual cycle of competence work), what each role must do in
each phase, deadline reminders, gap reports, and the units' action plans.

The default cycle follows Ballerup's guideline: October–December (budget and
direction), January–March (self-evaluations, MUS and development plans),
April–June (collect plans and needs) and August–October (status and needs for next
year). Each kommune edits its own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetence.infra.background import BackgroundWork
from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person
from profiles.models import JobProfile


class CycleRole(models.TextChoices):
    """Who a task is for, in the terms of Ballerup's guideline. Derived per person from
    positions, the HR role and MED memberships (see annualcycle.cycle.selectors.cycle_roles)."""

    EMPLOYEE = "employee", _("Medarbejdere")
    LOCAL_LEADER = "local_leader", _("Lokale ledelser")
    CENTRE_MANAGEMENT = "centre_management", _("Centerledelser")
    DIREKTION = "direktion", _("Direktion og chefgruppe")
    HR = "hr", _("HR")
    HOVED_MED = "hoved_med", _("Hoved-MED")
    CENTER_MED = "center_med", _("Center-MED")
    LOKAL_MED = "lokal_med", _("Lokal-MED")


class Cycle(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    starts_on = models.DateField(_("starter"))
    ends_on = models.DateField(_("slutter"))
    # When kommune HR confirmed they had gone through this year's phases, tasks and
    # deadlines: a step of the getting-started checklist, since every kommune starts
    # from the default årshjul and must make it its own.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("årshjul")
        verbose_name_plural = _("årshjul")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="cycle_ends_after_start",
                violation_error_message=_("Årshjulet slutter, før det starter."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    starts_on = models.DateField(_("starter"))
    ends_on = models.DateField(_("slutter"))

    objects = TenantManager()

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("faser")
        ordering = ["cycle", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="phase_ends_after_start",
                violation_error_message=_("Fasen slutter, før den starter."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """Something roles must do in a phase, with a deadline and a link to where it is done."""

    class Kind(models.TextChoices):
        """What the task's status is measured by on "my tasks now"."""

        OPEN_ROUND = "open_round", _("Åbn evalueringsrunde")
        SELF_EVALUATION = "self_evaluation", _("Selvevaluering")
        LEADER_EVALUATION = "leader_evaluation", _("Ledervurderinger")
        MUS = "mus", _("MUS og udviklingsplaner")
        PLANS_COLLECTED = "plans_collected", _("Saml op på udviklingsplaner")
        ACTION_PLAN = "action_plan", _("Handlingsplan")
        DASHBOARD = "dashboard", _("Drøft tallene")
        OTHER = "other", _("Andet")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("opgave"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    roles = models.JSONField(_("for"), default=list)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    deadline = models.DateField(_("frist"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("påmindelse dage før fristen"), default=7
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("opgave")
        verbose_name_plural = _("opgaver")
        ordering = ["phase", "deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def role_labels(self) -> list[str]:
        labels = dict(CycleRole.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class ReminderSent(models.Model):
    """One reminder for one task to one person, claimed before it is sent: the unique
    constraint is what makes the reminder job safe to run twice or to re-run after a
    worker died half-way. The claim is pending (`sent_at` empty) until the mail server
    has taken the e-mail; `attempted_at` is when it was last queued or tried, so the
    sweeper queues again only the claims no task is still working on."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    attempted_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "person"], name="reminder_once_per_task_person")
        ]
        indexes = [
            models.Index(
                fields=["attempted_at"], condition=Q(sent_at=None), name="reminder_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.person}"


class GapReport(BackgroundWork):
    """A gap report a leader or HR asked for, built by a Celery task (XLSX and a PDF
    summary) and kept in the storage."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under udarbejdelse")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Fejlede")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enhed (med underenheder)"),
    )
    job_profile = models.ForeignKey(
        JobProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kun jobprofil"),
    )
    group_name = models.CharField(_("kun kompetencegruppe"), max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    xlsx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    people = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("gabrapport")
        verbose_name_plural = _("gabrapporter")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.requested_at:%Y-%m-%d}"


class MusEvaluationReport(BackgroundWork):
    """HovedMED's yearly evaluation of how MUS is used (the framework agreement on
    competence development asks the top MED committee for it), for a unit subtree and
    a period: conversations by kind, plans signed, follow-ups, check-ins and the goals'
    themes. Ordered by a member of a MED committee covering the unit or by HR, built by
    a Celery task (XLSX and PDF), always k-anonymous (annualcycle.reports.mus_evaluation)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under udarbejdelse")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Fejlede")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enhed (med underenheder)"),
    )
    period_start = models.DateField(_("fra"))
    period_end = models.DateField(_("til"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    xlsx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    # The people in the report, or None when the report's own total is hidden (fewer
    # than k people): the list of reports must not show what the report hides.
    people = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("MUS-evaluering")
        verbose_name_plural = _("MUS-evalueringer")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="mus_evaluation_period_order",
                violation_error_message=_("Perioden slutter, før den starter."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start}–{self.period_end}"


class ActionPlan(models.Model):
    """A unit's handlingsplan for a year (Fredericia): priorities, planned activities
    and budget, written by the unit's leader from its gap picture; the MED committee
    covering the unit can comment."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    priorities = models.TextField(_("prioriteter"), blank=True)
    budget = models.DecimalField(_("budget (kr.)"), max_digits=12, decimal_places=2, default=0)
    updated_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("handlingsplan")
        verbose_name_plural = _("handlingsplaner")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="action_plan_per_unit_year",
                violation_error_message=_("Enheden har allerede en handlingsplan for det år."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class ActionPlanItem(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("aktivitet"), max_length=300)
    course = models.ForeignKey(
        "catalogue.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fra kataloget"),
    )
    competence_group = models.CharField(_("kompetencegruppe"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("deltagere"), default=0)
    budget = models.DecimalField(_("budget (kr.)"), max_digits=12, decimal_places=2, default=0)
    deadline = models.DateField(_("frist"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        verbose_name = _("planlagt aktivitet")
        verbose_name_plural = _("planlagte aktiviteter")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionPlanComment(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        MEDCommittee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("kommentar"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class UnitFigures(models.Model):
    """The dashboards' figures about the people directly in one unit, for one round and
    period, pre-aggregated (annualcycle.dashboards.selectors). Valid while `version` equals the
    unit's `figures_version`, which every write about those people raises
    (kompetence.infra.figures); a stale row is recomputed on the next read."""

    kommune = models.ForeignKey(Kommune, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(
        "profiles.EvaluationRound", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The round's id, 0 without a round: part of the key, where NULLs would not be equal.
    round_key = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveBigIntegerField()
    data = models.JSONField()

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "round_key", "period_start", "period_end"],
                name="unit_figures_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.round_id} {self.period_start}"


class UnitCompetenceFigures(models.Model):
    """Per competence, for one UnitFigures row: assessments rated, below the required
    level, and their summed gap. A table rather than JSON so the largest gaps of a whole
    kommune are one SQL sum over it."""

    kommune = models.ForeignKey(Kommune, on_delete=models.CASCADE, related_name="+")
    figures = models.ForeignKey(UnitFigures, on_delete=models.CASCADE, related_name="+")
    competence_id = models.IntegerField()
    rated = models.PositiveIntegerField()
    below = models.PositiveIntegerField()
    gap_sum = models.IntegerField()

    objects = TenantManager()

    class Meta:
        indexes = [models.Index(fields=["figures", "competence_id"])]

    def __str__(self) -> str:
        return f"{self.figures_id}/{self.competence_id}"
