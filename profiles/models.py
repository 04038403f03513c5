"""What a kommune expects of its people (frameworks, job and unit profiles), what they
can (evaluations and their ratings), and the gap between (assessments).

Frameworks are versioned: a published version is frozen, and evaluations point at the
version they were made on. Competences carry a `key` that stays the same from one
version to the next, so job and unit profiles (which name competences by key) survive
a new version, and old answers keep meaning what they meant.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kompetence.infra.background import BackgroundWork
from kompetence.infra.scoping import TenantManager
from kompetence.models import Kommune, OrgUnit, Person, Position


class Role(models.TextChoices):
    """The five roles of Hvidovre's leadership and employee foundation. A person's
    role is derived from their positions (see `selectors.role_of`)."""

    DIREKTION = "direktion", _("Direktion")
    CENTERCHEF = "centerchef", _("Centerchef")
    LEDER_AF_LEDERE = "leder_af_ledere", _("Leder af ledere")
    LEDER_AF_MEDARBEJDERE = "leder_af_medarbejdere", _("Leder af medarbejdere")
    MEDARBEJDER = "medarbejder", _("Medarbejder")


LEADER_ROLES = [
    Role.DIREKTION,
    Role.CENTERCHEF,
    Role.LEDER_AF_LEDERE,
    Role.LEDER_AF_MEDARBEJDERE,
]


class RatingScale(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("vurderingsskala")
        verbose_name_plural = _("vurderingsskalaer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScaleLevel(models.Model):
    """One step of a scale. `value` orders the levels and is what averages and gaps are
    computed from; a level marked not applicable is left out of both."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="levels")
    value = models.SmallIntegerField(_("værdi"))
    label_da = models.CharField(_("betegnelse (dansk)"), max_length=100)
    label_en = models.CharField(_("betegnelse (engelsk)"), max_length=100)
    description_da = models.CharField(_("beskrivelse (dansk)"), max_length=300, blank=True)
    description_en = models.CharField(_("beskrivelse (engelsk)"), max_length=300, blank=True)
    is_not_applicable = models.BooleanField(_("betyder 'ikke relevant'"), default=False)

    objects = TenantManager()

    class Meta:
        verbose_name = _("skalatrin")
        verbose_name_plural = _("skalatrin")
        ordering = ["scale", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "value"], name="scale_level_value_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if get_language() == "en" else self.label_da

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_da


class Framework(models.Model):
    """A competence framework across its versions (e.g. Fredericia's competence wheel)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    scale = models.ForeignKey(
        RatingScale, on_delete=models.PROTECT, related_name="frameworks", verbose_name=_("skala")
    )
    # The framework's ID number in Moodle (or another system it came from), kept so a
    # file exported there and imported again becomes its next version, not a new
    # framework. Empty for frameworks made here; their exports write a generated one.
    idnumber = models.CharField(_("ID-nummer"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("kompetenceramme")
        verbose_name_plural = _("kompetencerammer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "idnumber"],
                condition=~Q(idnumber=""),
                name="framework_idnumber_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Kladde")
        PUBLISHED = "published", _("Offentliggjort")
        RETIRED = "retired", _("Udgået")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How this version reads its scale, as Moodle's scale configuration says it: the
    # level a rating starts from, and the lowest level that counts as proficient
    # ("kompetent fra niveau 3"). Scale values; empty when the framework does not say.
    default_level = models.SmallIntegerField(_("standardniveau"), null=True, blank=True)
    proficient_from = models.SmallIntegerField(_("kompetent fra niveau"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("rammeversion")
        verbose_name_plural = _("rammeversioner")
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_unique"
            ),
            # At most one draft and one published version of a framework at a time.
            models.UniqueConstraint(
                fields=["framework", "status"],
                condition=Q(status__in=["draft", "published"]),
                name="framework_one_draft_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class CompetenceGroup(models.Model):
    """A group of competences: Fredericia's Udvikling / Kultur / Resultater, or one of
    Hvidovre's four perspectives."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="groups")
    key = models.UUIDField(default=uuid.uuid4)
    # The ID number of the competency in Moodle this group came from (see
    # Framework.idnumber); empty for groups made here.
    idnumber = models.CharField(_("ID-nummer"), max_length=100, blank=True)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        verbose_name = _("kompetencegruppe")
        verbose_name_plural = _("kompetencegrupper")
        ordering = ["version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "idnumber"],
                condition=~Q(idnumber=""),
                name="competence_group_idnumber_per_version",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Competence(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("Generel")
        PROFESSIONAL = "professional", _("Faglig")
        LEADER = "leader", _("Ledelse")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="competences"
    )
    group = models.ForeignKey(CompetenceGroup, on_delete=models.CASCADE, related_name="competences")
    key = models.UUIDField(default=uuid.uuid4)
    # The ID number of the competency in Moodle this came from (see Framework.idnumber);
    # empty for competences made here. Copied into each new version with the key.
    idnumber = models.CharField(_("ID-nummer"), max_length=100, blank=True)
    name = models.CharField(_("navn"), max_length=200)
    short_description = models.CharField(_("kort beskrivelse"), max_length=400, blank=True)
    what = models.TextField(_("hvad"), blank=True)
    why = models.TextField(_("hvorfor"), blank=True)
    how = models.TextField(_("hvordan"), blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    # Empty: for everyone. Otherwise only people in one of these roles see the row.
    roles = models.JSONField(_("roller"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = TenantManager()

    class Meta:
        verbose_name = _("kompetence")
        verbose_name_plural = _("kompetencer")
        ordering = ["version", "group__order", "group_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="competence_key_per_version"),
            models.UniqueConstraint(
                fields=["version", "idnumber"],
                condition=~Q(idnumber=""),
                name="competence_idnumber_per_version",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, role: str) -> bool:
        return not self.roles or role in self.roles

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]


class JobProfile(models.Model):
    """What a job requires, e.g. "Myndighedsrådgiver, voksenområdet"."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="job_profiles", verbose_name=_("ramme")
    )
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("jobprofil")
        verbose_name_plural = _("jobprofiler")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "name"],
                name="job_profile_name_unique",
                violation_error_message=_("Der findes allerede en jobprofil med det navn."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class JobRequirement(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    job_profile = models.ForeignKey(
        JobProfile, on_delete=models.CASCADE, related_name="requirements"
    )
    competence_key = models.UUIDField()
    level = models.SmallIntegerField(_("krævet niveau"))

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job_profile", "competence_key"], name="job_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_profile}: {self.level}"


class JobProfileAssignment(models.Model):
    """Which job profile a position has. Kept here rather than on Position because the
    organisation core does not know about profiles (data flows one way)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    position = models.OneToOneField(
        Position, on_delete=models.CASCADE, related_name="job_profile_assignment"
    )
    job_profile = models.ForeignKey(
        JobProfile, on_delete=models.PROTECT, related_name="assignments"
    )

    objects = TenantManager()

    class Meta:
        verbose_name = _("jobprofil for stilling")
        verbose_name_plural = _("jobprofiler for stillinger")

    def __str__(self) -> str:
        return f"{self.position}: {self.job_profile}"


class UnitProfileLevel(models.Model):
    """Fredericia's afdelingsprofil: the level a unit wants of a competence. Inherited by
    the unit's subtree unless a unit further down sets its own level."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    competence_key = models.UUIDField()
    level = models.SmallIntegerField(_("ønsket niveau"))

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "framework", "competence_key"], name="unit_profile_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.level}"


class EvaluationRound(BackgroundWork):
    """A round of self- and leader evaluations for a unit subtree, with a deadline."""

    class Status(models.TextChoices):
        OPENING = "opening", _("Åbnes")  # its evaluations are being created (a task)
        OPEN = "open", _("Åben")
        CLOSED = "closed", _("Lukket")
        FAILED = "failed", _("Kunne ikke åbnes")  # the task failed; HR may try again

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("ramme")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhed")
    )
    deadline = models.DateField(_("frist"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("evalueringsrunde")
        verbose_name_plural = _("evalueringsrunder")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """One person's answers about one subject in a round: their own (self), their
    leader's (leader), or the level agreed in the MUS conversation (agreed)."""

    class Kind(models.TextChoices):
        SELF = "self", _("Selvevaluering")
        LEADER = "leader", _("Ledervurdering")
        AGREED = "agreed", _("Aftalt i MUS")

    class Status(models.TextChoices):
        OPEN = "open", _("I gang")
        SUBMITTED = "submitted", _("Indsendt")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="evaluations")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The subject's role when the round opened: which role-limited rows they answer.
    role = models.CharField(max_length=32, choices=Role.choices)
    rater = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answered = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")
        ordering = ["round", "subject__name", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["round", "subject", "kind"], name="evaluation_unique")
        ]
        indexes = [models.Index(fields=["kommune", "subject", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_published(self) -> bool:
        """Whether others may read its answers. A self- or leader evaluation is its
        author's draft until submitted; the agreed levels are set by both parties
        together in the MUS conversation, so they are shared as they are set."""
        return self.kind == self.Kind.AGREED or self.is_submitted


class Rating(models.Model):
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    level = models.SmallIntegerField(_("niveau"), null=True, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "competence"], name="rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.competence}: {self.level}"


class Assessment(models.Model):
    """Where one person stands on one competence in one round: the required level and
    the self, leader and agreed levels side by side, with the gap.

    A pre-computed fact row, kept current by the services that change any of its
    sources (ratings, job and unit profiles, positions), so dashboards and heat-maps
    are one GROUP BY whatever the size of the kommune. It holds only what others may
    read: the self and leader levels come from a submitted evaluation (set on submit,
    cleared on reopen), never from a draft, so every page, report and figure built on
    it counts submitted evaluations only. Levels are scale values; a
    "not applicable" answer is stored as NULL in `assessed`, so it never counts.
    """

    # No index of their own for the kommune and the round: the indexes below begin with
    # them, and a round opening writes 1.8 million rows into every index there is.
    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.ForeignKey(
        EvaluationRound, on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(CompetenceGroup, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    required = models.SmallIntegerField(null=True)
    self_level = models.SmallIntegerField(null=True)
    leader_level = models.SmallIntegerField(null=True)
    agreed_level = models.SmallIntegerField(null=True)
    # agreed, else leader, else self; NULL when unanswered or not applicable.
    assessed = models.SmallIntegerField(null=True)
    # required − assessed when both are known; positive means below what is required.
    gap = models.SmallIntegerField(null=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("vurdering")
        verbose_name_plural = _("vurderinger")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "competence"], name="assessment_unique"
            )
        ]
        indexes = [
            models.Index(fields=["kommune", "round", "unit"]),
            models.Index(fields=["kommune", "person", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.competence}"
