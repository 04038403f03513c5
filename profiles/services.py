"""Every write on scales, frameworks, profiles and evaluations, with its rules.

The two rules that make the data trustworthy live here:

* a published framework version is frozen: every change to groups and competences
  goes through `_require_draft`, which refuses anything but a draft;
* a rating is a level of the framework's scale, on a competence of the evaluation's
  own version, for a row the person's role answers; anything else is refused with a
  Danish message and nothing is stored.

Assessment rows (the gap facts) are updated in the same transaction as what they are
derived from. They hold only what others may read: an answer to a self- or leader
evaluation stays on the evaluation's own rating rows while it is a draft, and reaches
the assessment rows — and with them the MUS screen, *Mine kompetencer*, comparisons,
heat-maps, dashboards and reports — when the evaluation is submitted (`_publish`).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetence.audit import audit_record
from kompetence.infra import figures
from kompetence.infra.background import WorkKind, work_retry
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person, Position
from kompetence.selectors import primary_positions
from profiles import rounds, selectors, tasks
from profiles.models import (
    Assessment,
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    JobProfile,
    JobProfileAssignment,
    JobRequirement,
    RatingScale,
    Role,
    ScaleLevel,
    UnitProfileLevel,
)
from profiles.models import Rating as RatingModel

if TYPE_CHECKING:
    from kompetence.infra.http import KommuneRequest

# The København scale (Socialcenter København's self-evaluation form).
DEFAULT_SCALE = [
    (0, "Ikke relevant for mig", "Not relevant to me",
     "Kompetencen indgår ikke i mit arbejde.", "The competence is not part of my work.", True),
    (1, "Nybegynder", "Novice",
     "Kender til området, men har brug for vejledning.",
     "Knows of the area but needs guidance.", False),
    (2, "Avanceret begynder", "Advanced beginner",
     "Klarer enkle opgaver selv, søger hjælp til det svære.",
     "Handles simple tasks alone, asks for help with hard ones.", False),
    (3, "Kompetent", "Competent",
     "Løser områdets opgaver selvstændigt og sikkert.",
     "Solves the area's tasks independently and reliably.", False),
    (4, "Kyndig", "Proficient",
     "Overblik og dømmekraft, også i komplekse sager.",
     "Overview and judgement, also in complex cases.", False),
    (5, "Ekspert", "Expert",
     "Udvikler praksis og vejleder andre.", "Develops practice and guides others.", False),
]  # fmt: skip


class FrameworkLocked(ValidationError):
    """A published or retired framework version cannot change."""


# --- Scales ------------------------------------------------------------------------


@transaction.atomic
def scale_create_default(*, kommune: Kommune, name: str | None = None) -> RatingScale:
    scale = RatingScale.objects.create(kommune=kommune, name=name or "Københavnerskalaen (0–5)")
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            kommune=kommune,
            scale=scale,
            value=value,
            label_da=label_da,
            label_en=label_en,
            description_da=desc_da,
            description_en=desc_en,
            is_not_applicable=na,
        )
        for value, label_da, label_en, desc_da, desc_en, na in DEFAULT_SCALE
    )
    return scale


def scale_level_update(
    *, level: ScaleLevel, label_da: str, label_en: str, description_da: str, description_en: str
) -> ScaleLevel:
    """Labels and descriptions may change at any time; values never do (they are what
    stored answers mean), so there is no parameter for one."""
    level.label_da, level.label_en = label_da, label_en
    level.description_da, level.description_en = description_da, description_en
    level.save(update_fields=["label_da", "label_en", "description_da", "description_en"])
    return level


# --- Frameworks --------------------------------------------------------------------


def _require_draft(version: FrameworkVersion) -> None:
    version.refresh_from_db(fields=["status"])
    if not version.is_draft:
        raise FrameworkLocked(
            _("Versionen er offentliggjort og kan ikke ændres. Lav en ny version for at ændre den.")
        )


@transaction.atomic
def framework_create(
    *, kommune: Kommune, name: str, scale: RatingScale | None, description: str = ""
) -> FrameworkVersion:
    """A new framework with an empty draft, version 1. Without a `scale`, on a new copy
    of the default (København) scale."""
    if scale is None:
        scale = scale_create_default(kommune=kommune)
    if scale.kommune_id != kommune.pk:
        raise ValidationError(_("Skalaen hører til en anden kommune."))
    framework = Framework.objects.create(
        kommune=kommune, name=name, description=description, scale=scale
    )
    return FrameworkVersion.objects.create(kommune=kommune, framework=framework, number=1)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def group_create(*, version: FrameworkVersion, name: str, description: str = "") -> CompetenceGroup:
    _require_draft(version)
    return CompetenceGroup.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        name=name,
        description=description,
        order=_next_order(version.groups.all()),
    )


def group_update(*, group: CompetenceGroup, name: str, description: str) -> CompetenceGroup:
    _require_draft(group.version)
    group.name, group.description = name, description
    group.save(update_fields=["name", "description"])
    return group


def group_delete(*, group: CompetenceGroup) -> None:
    _require_draft(group.version)
    group.delete()


def competence_create(
    *,
    group: CompetenceGroup,
    name: str,
    short_description: str = "",
    what: str = "",
    why: str = "",
    how: str = "",
    kind: str = Competence.Kind.GENERAL,
    roles: list[str] | None = None,
) -> Competence:
    """A competence at the end of `group`; no `roles` means it applies to everyone."""
    _require_draft(group.version)
    roles = roles or []
    _check_roles(roles)
    return Competence.objects.create(
        kommune_id=group.kommune_id,
        version_id=group.version_id,
        group=group,
        order=_next_order(group.competences.all()),
        name=name,
        short_description=short_description,
        what=what,
        why=why,
        how=how,
        kind=kind,
        roles=roles,
    )


def competence_update(
    *,
    competence: Competence,
    group: CompetenceGroup | None = None,
    name: str | None = None,
    short_description: str | None = None,
    what: str | None = None,
    why: str | None = None,
    how: str | None = None,
    kind: str | None = None,
    roles: list[str] | None = None,
) -> Competence:
    """Changes what is given; a parameter left out (None) keeps its value."""
    _require_draft(competence.version)
    _check_roles(roles or [])
    if group is not None and group.version_id != competence.version_id:
        raise ValidationError(_("Gruppen hører til en anden version."))
    changes = {
        "group": group,
        "name": name,
        "short_description": short_description,
        "what": what,
        "why": why,
        "how": how,
        "kind": kind,
        "roles": roles,
    }
    for field_name, value in changes.items():
        if value is not None:
            setattr(competence, field_name, value)
    competence.save()
    return competence


def competence_delete(*, competence: Competence) -> None:
    _require_draft(competence.version)
    competence.delete()


def _check_roles(roles) -> None:
    valid = set(Role.values)
    if any(role not in valid for role in roles):
        raise ValidationError(_("Ukendt rolle."))


@transaction.atomic
def item_move(*, item: CompetenceGroup | Competence, direction: int) -> None:
    """Swaps a group or competence with its neighbour above (-1) or below (+1)."""
    version = item.version
    _require_draft(version)
    siblings: list[CompetenceGroup | Competence] = list(
        item.version.groups.all()
        if isinstance(item, CompetenceGroup)
        else item.group.competences.all()
    )
    siblings.sort(key=lambda s: (s.order, s.pk))
    index = [s.pk for s in siblings].index(item.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])


@transaction.atomic
def version_publish(*, version: FrameworkVersion, by: Person) -> FrameworkVersion:
    """Freezes the draft; the previously published version is retired. Evaluations
    already made keep pointing at the version they were made on."""
    _require_draft(version)
    if not version.competences.exists():
        raise ValidationError(_("En ramme uden kompetencer kan ikke offentliggøres."))
    FrameworkVersion.objects.filter(
        framework_id=version.framework_id, status=FrameworkVersion.Status.PUBLISHED
    ).update(status=FrameworkVersion.Status.RETIRED)
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


def version_retire(*, version: FrameworkVersion) -> FrameworkVersion:
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(_("Kun en offentliggjort version kan udgå."))
    version.status = FrameworkVersion.Status.RETIRED
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def version_new_draft(*, version: FrameworkVersion) -> FrameworkVersion:
    """ "New version from this": copies groups and competences (with their keys, so
    profiles carry over) into a draft. Returns the existing draft if there is one."""
    existing = version.framework.versions.filter(status=FrameworkVersion.Status.DRAFT).first()
    if existing is not None:
        return existing
    number = version.framework.versions.aggregate(m=Max("number"))["m"] + 1
    draft = FrameworkVersion.objects.create(
        kommune_id=version.kommune_id,
        framework_id=version.framework_id,
        number=number,
        based_on=version,
        default_level=version.default_level,
        proficient_from=version.proficient_from,
    )
    for group in version.groups.all():
        competences = list(group.competences.all())
        group.pk, group.version = None, draft
        group.save()
        for competence in competences:
            competence.pk, competence.version, competence.group = None, draft, group
        Competence.objects.bulk_create(competences)
    return draft


# --- Job and unit profiles ---------------------------------------------------------


def _check_levels(framework: Framework, levels: dict) -> None:
    valid = set(
        framework.scale.levels.filter(is_not_applicable=False).values_list("value", flat=True)
    )
    for level in levels.values():
        if level is not None and level not in valid:
            raise ValidationError(
                _("Niveauet %(level)s findes ikke på skalaen.") % {"level": level}
            )


def job_profile_create(
    *, kommune: Kommune, framework: Framework, name: str, description: str = ""
) -> JobProfile:
    return JobProfile.objects.create(
        kommune=kommune, framework=framework, name=name, description=description
    )


def job_profile_update(*, job_profile: JobProfile, name: str, description: str) -> JobProfile:
    job_profile.name, job_profile.description = name, description
    job_profile.save(update_fields=["name", "description"])
    return job_profile


@transaction.atomic
def job_profile_save(
    *, job_profile: JobProfile, name: str, description: str, levels: dict | None
) -> JobProfile:
    """The job profile page's one save: name and description, and with `levels` the
    required levels, all or nothing."""
    job_profile_update(job_profile=job_profile, name=name, description=description)
    if levels is not None:
        job_requirements_set(job_profile=job_profile, levels=levels)
    return job_profile


@transaction.atomic
def job_requirements_set(*, job_profile: JobProfile, levels: dict) -> None:
    """Sets required levels by competence key; None removes a requirement."""
    _check_levels(job_profile.framework, levels)
    for key, level in levels.items():
        if level is None:
            JobRequirement.objects.filter(job_profile=job_profile, competence_key=key).delete()
        else:
            JobRequirement.objects.update_or_create(
                job_profile=job_profile,
                competence_key=key,
                defaults={"level": level, "kommune_id": job_profile.kommune_id},
            )
    person_ids = list(
        Position.objects.filter(job_profile_assignment__job_profile=job_profile).values_list(
            "person_id", flat=True
        )
    )
    assessments_refresh(kommune_id=job_profile.kommune_id, person_ids=person_ids)


@transaction.atomic
def job_profile_assign(
    *, position: Position, job_profile: JobProfile | None, request: KommuneRequest | None = None
) -> None:
    """Gives `position` the job profile (None: none). With `request` (HR's page), the
    change is written to the audit log as its person's, in the same transaction."""
    if job_profile is None:
        JobProfileAssignment.objects.filter(position=position).delete()
    else:
        if job_profile.kommune_id != position.kommune_id:
            raise ValidationError(_("Jobprofilen hører til en anden kommune."))
        JobProfileAssignment.objects.update_or_create(
            position=position,
            defaults={"job_profile": job_profile, "kommune_id": position.kommune_id},
        )
    assessments_refresh(kommune_id=position.kommune_id, person_ids=[position.person_id])
    if request is not None:
        audit_record(
            request,
            action=AuditEntry.Action.CHANGE,
            subject=position.person,
            obj=position,
            summary=_("Jobprofil: %(name)s")
            % {"name": job_profile.name if job_profile else _("ingen")},
        )


@transaction.atomic
def unit_profile_set(*, unit: OrgUnit, framework: Framework, levels: dict) -> None:
    """Sets the unit's desired levels by competence key; None falls back to what the
    unit inherits from above."""
    _check_levels(framework, levels)
    for key, level in levels.items():
        if level is None:
            UnitProfileLevel.objects.filter(
                unit=unit, framework=framework, competence_key=key
            ).delete()
        else:
            UnitProfileLevel.objects.update_or_create(
                unit=unit,
                framework=framework,
                competence_key=key,
                defaults={"level": level, "kommune_id": unit.kommune_id},
            )
    person_ids = list(
        Position.objects.active()
        .filter(unit__path__startswith=unit.path)
        .values_list("person_id", flat=True)
    )
    assessments_refresh(kommune_id=unit.kommune_id, person_ids=person_ids)


# --- Evaluation rounds -------------------------------------------------------------


def _round_create(
    *,
    kommune: Kommune,
    name: str,
    version: FrameworkVersion,
    unit: OrgUnit,
    deadline: datetime.date,
    opened_by: Person | None,
    status: str,
) -> EvaluationRound:
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(_("Vælg en offentliggjort version af rammen."))
    if deadline < timezone.localdate():
        raise ValidationError(_("Fristen ligger i fortiden."))
    return EvaluationRound.objects.create(
        kommune=kommune,
        name=name,
        version=version,
        unit=unit,
        deadline=deadline,
        opened_by=opened_by,
        status=status,
    )


@transaction.atomic
def round_open(
    *,
    kommune: Kommune,
    name: str,
    version: FrameworkVersion,
    unit: OrgUnit,
    deadline: datetime.date,
    opened_by: Person | None = None,
) -> EvaluationRound:
    """Opens a round for everyone with an active position in `unit`'s subtree, at once:
    a self-evaluation each, a leader evaluation each, and their assessment rows."""
    round_ = _round_create(
        kommune=kommune,
        name=name,
        version=version,
        unit=unit,
        deadline=deadline,
        opened_by=opened_by,
        status=EvaluationRound.Status.OPENING,
    )
    rounds.round_populate(round_=round_)
    round_.refresh_from_db()
    return round_


@transaction.atomic
def round_open_later(
    *,
    kommune: Kommune,
    name: str,
    version: FrameworkVersion,
    unit: OrgUnit,
    deadline: datetime.date,
    opened_by: Person | None = None,
) -> EvaluationRound:
    """The round as HR opens it in the browser: created at once in status "opening",
    and filled by a Celery task after the commit — for all of København that is 1.8
    million rows and two minutes, far beyond a web request."""
    round_ = _round_create(
        kommune=kommune,
        name=name,
        version=version,
        unit=unit,
        deadline=deadline,
        opened_by=opened_by,
        status=EvaluationRound.Status.OPENING,
    )
    tasks.populate_round.delay_on_commit(round_.kommune_id, round_.pk)
    return round_


def _send_round(round_: EvaluationRound) -> None:
    tasks.populate_round.delay(round_.kommune_id, round_.pk)


ROUND_WORK = WorkKind(
    name="round_opening",
    model=EvaluationRound,
    pending={"status": EvaluationRound.Status.OPENING},
    failed={"status": EvaluationRound.Status.FAILED},
    restart={"status": EvaluationRound.Status.OPENING, "error": ""},
    send=_send_round,
)


@transaction.atomic
def round_retry(*, round_: EvaluationRound) -> bool:
    """ "Prøv igen" on a round whose opening failed: filled by a task after the commit."""
    return work_retry(kind=ROUND_WORK, row=round_)


def round_close(*, round_: EvaluationRound) -> EvaluationRound:
    round_.status = EvaluationRound.Status.CLOSED
    round_.save(update_fields=["status"])
    return round_


def evaluation_get_or_create_agreed(*, round_: EvaluationRound, subject: Person) -> Evaluation:
    """The evaluation that holds the levels agreed in the MUS conversation."""
    self_evaluation = Evaluation.objects.get(
        round=round_, subject=subject, kind=Evaluation.Kind.SELF
    )
    agreed, _created = Evaluation.objects.get_or_create(
        round=round_,
        subject=subject,
        kind=Evaluation.Kind.AGREED,
        defaults={
            "kommune_id": round_.kommune_id,
            "version_id": round_.version_id,
            "role": self_evaluation.role,
            "total": self_evaluation.total,
        },
    )
    return agreed


# --- Ratings -----------------------------------------------------------------------

LEVEL_FIELD: dict[str, str] = {
    Evaluation.Kind.SELF: "self_level",
    Evaluation.Kind.LEADER: "leader_level",
    Evaluation.Kind.AGREED: "agreed_level",
}


def _assessed(assessment: Assessment, not_applicable: set[int]) -> int | None:
    for level in (assessment.agreed_level, assessment.leader_level, assessment.self_level):
        if level is not None:
            return None if level in not_applicable else level
    return None


def _recompute(assessment: Assessment, not_applicable: set[int]) -> None:
    assessment.assessed = _assessed(assessment, not_applicable)
    if assessment.required is None or assessment.assessed is None:
        assessment.gap = None
    else:
        assessment.gap = assessment.required - assessment.assessed


def _validated_level(
    structure, competence: Competence, evaluation: Evaluation, level
) -> int | None:
    if competence.version_id != evaluation.version_id or not competence.applies_to(evaluation.role):
        raise ValidationError(_("Kompetencen hører ikke til denne evaluering."))
    if level in (None, ""):
        return None
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if value is None or value not in structure.level_values:
        labels = ", ".join(f"{lv.value} ({lv.label})" for lv in structure.levels)
        raise ValidationError(
            _(
                "Niveauet »%(level)s« for »%(competence)s« findes ikke på skalaen. "
                "Vælg et af: %(labels)s."
            )
            % {"level": level, "competence": competence.name, "labels": labels}
        )
    return value


def _require_open(evaluation: Evaluation) -> None:
    if evaluation.is_submitted:
        raise ValidationError(_("Evalueringen er indsendt og kan ikke ændres, før den genåbnes."))
    if evaluation.round.status != EvaluationRound.Status.OPEN:
        raise ValidationError(_("Evalueringsrunden er lukket."))


# A comment saved on its own (the level's radio buttons not yet answered) leaves the
# level as it is: a comment and a level sent at the same moment must not undo each other.
UNCHANGED = object()


def rating_save(
    *,
    evaluation: Evaluation,
    competence: Competence,
    level,
    comment: str | None = None,
    rater: Person | None = None,
    locked: bool = False,
) -> RatingModel:
    """Stores one answer the moment it is given and updates the progress count
    (`evaluation.answered` too). A level off the scale is refused; nothing is saved. A
    self- or leader evaluation is a draft until submitted, so the answer stays on its
    rating row; only an agreed level (set by both parties together in the conversation)
    goes to the assessment row at once. `level=UNCHANGED` stores the comment only.

    `locked`: the caller read `evaluation` with its round and version, locked, in the
    transaction it is in (the autosave's access check does), so it is not read again."""
    if locked:
        return _rating_store(evaluation, competence, level, comment, rater)
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("round", "version")
            .get(pk=evaluation.pk)
        )
        return _rating_store(evaluation, competence, level, comment, rater)


def _rating_store(
    evaluation: Evaluation, competence: Competence, level, comment: str | None, rater
) -> RatingModel:
    _require_open(evaluation)
    structure = selectors.version_structure(evaluation.version)
    keep_level = level is UNCHANGED
    value = _validated_level(structure, competence, evaluation, None if keep_level else level)
    rating = _rating_upsert(evaluation, competence, value, keep_level=keep_level, comment=comment)
    evaluation.answered = _answered_update(evaluation, rater)
    if not evaluation.is_published:
        return rating
    assessment = (
        Assessment.objects.select_for_update()
        .filter(
            round_id=evaluation.round_id, person_id=evaluation.subject_id, competence=competence
        )
        .first()
    )
    if assessment is not None and not keep_level:
        setattr(assessment, LEVEL_FIELD[evaluation.kind], value)
        _recompute(assessment, structure.not_applicable_values)
        assessment.save(update_fields=[LEVEL_FIELD[evaluation.kind], "assessed", "gap"])
    return rating


def _rating_upsert(
    evaluation: Evaluation,
    competence: Competence,
    value: int | None,
    *,
    keep_level: bool,
    comment: str | None,
) -> RatingModel:
    """The answer's row, inserted or updated in one statement (INSERT ... ON CONFLICT):
    a level kept as it is (`keep_level`) and a comment not sent (None) are left alone in
    the database (the returned instance carries what was written, and its id)."""
    rating = RatingModel(
        kommune_id=evaluation.kommune_id,
        evaluation=evaluation,
        competence=competence,
        level=None if keep_level else value,
        comment="" if comment is None else comment[:4000],
    )
    fields = ["updated_at"]
    if not keep_level:
        fields.append("level")
    if comment is not None:
        fields.append("comment")
    RatingModel.objects.bulk_create(
        [rating],
        update_conflicts=True,
        unique_fields=["evaluation", "competence"],
        update_fields=fields,
    )
    return rating


def _answered_update(evaluation: Evaluation, rater: Person | None) -> int:
    """Counts the evaluation's answered rows into `answered` and records the rater, in
    one statement that returns the count (both databases support RETURNING)."""
    table = Evaluation._meta.db_table
    ratings = RatingModel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET answered = ("  # noqa: S608  (names from the models)
            f"SELECT COUNT(*) FROM {ratings} WHERE evaluation_id = %s AND kommune_id = %s "
            "AND level IS NOT NULL), rater_id = %s, updated_at = %s "
            "WHERE id = %s AND kommune_id = %s RETURNING answered",
            [
                evaluation.pk,
                evaluation.kommune_id,
                rater.pk if rater is not None else evaluation.rater_id,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                evaluation.pk,
                evaluation.kommune_id,
            ],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def ratings_save_all(*, evaluation: Evaluation, answers: dict, rater: Person | None = None) -> int:
    """The no-JavaScript path: every answer of the form at once. All are validated
    before any is stored, so one bad level leaves everything as it was."""
    structure = selectors.version_structure(evaluation.version)
    competences = {c.pk: c for c in structure.competences}
    errors, cleaned = [], []
    for competence_id, (level, comment) in answers.items():
        competence = competences.get(competence_id)
        if competence is None:
            errors.append(_("Ukendt kompetence."))
            continue
        try:
            cleaned.append(
                (competence, _validated_level(structure, competence, evaluation, level), comment)
            )
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    for competence, value, comment in cleaned:
        rating_save(
            evaluation=evaluation, competence=competence, level=value, comment=comment, rater=rater
        )
    return len(cleaned)


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, by: Person) -> Evaluation:
    evaluation = (
        Evaluation.objects.select_for_update().select_related("round").get(pk=evaluation.pk)
    )
    _require_open(evaluation)
    if evaluation.answered < evaluation.total:
        raise ValidationError(
            _("Besvar alle %(total)s kompetencer, før du indsender (%(answered)s er besvaret).")
            % {"total": evaluation.total, "answered": evaluation.answered}
        )
    evaluation.status = Evaluation.Status.SUBMITTED
    evaluation.submitted_at = timezone.now()
    evaluation.rater = by
    evaluation.save(update_fields=["status", "submitted_at", "rater"])
    _publish(evaluation)
    return evaluation


@transaction.atomic
def evaluation_reopen(
    *, evaluation: Evaluation, request: KommuneRequest | None = None
) -> Evaluation:
    """Back to a draft: its answers leave the assessment rows until it is submitted again.
    With `request` (the leader's page), written to the audit log as its person's."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    evaluation.status = Evaluation.Status.OPEN
    evaluation.submitted_at = None
    evaluation.save(update_fields=["status", "submitted_at"])
    _publish(evaluation)
    if request is not None:
        audit_record(
            request,
            action=AuditEntry.Action.CHANGE,
            subject=evaluation.subject,
            obj=evaluation,
            summary=_("Evaluering genåbnet"),
        )
    return evaluation


def evaluation_view_record(*, request: KommuneRequest, evaluation: Evaluation) -> None:
    """Writes to the audit log that the request's person read someone else's
    evaluation (reading one's own is not logged)."""
    if evaluation.subject_id != request.person.pk:
        audit_record(
            request,
            action=AuditEntry.Action.VIEW,
            subject=evaluation.subject,
            obj=evaluation,
            summary=evaluation.get_kind_display(),
        )


def comparison_view_record(
    *, request: KommuneRequest, round_: EvaluationRound, subject: Person
) -> None:
    """Writes to the audit log that the request's person compared `subject`'s
    evaluations in `round_`."""
    audit_record(
        request,
        action=AuditEntry.Action.VIEW,
        subject=subject,
        obj=round_,
        summary=_("Sammenligning af evalueringer"),
    )


def _publish(evaluation: Evaluation) -> None:
    """Brings the subject's assessment rows in line with `evaluation`: its answers when
    it is published, nothing (NULL) while it is a draft. The one place a self- or leader
    level reaches what other people read; marks the units whose figures change."""
    field = LEVEL_FIELD[evaluation.kind]
    levels = (
        dict(evaluation.ratings.values_list("competence_id", "level"))
        if evaluation.is_published
        else {}
    )
    not_applicable = selectors.version_structure(evaluation.version).not_applicable_values
    changed = []
    for row in Assessment.objects.select_for_update().filter(
        round_id=evaluation.round_id, person_id=evaluation.subject_id
    ):
        before = (getattr(row, field), row.assessed, row.gap)
        setattr(row, field, levels.get(row.competence_id))
        _recompute(row, not_applicable)
        if (getattr(row, field), row.assessed, row.gap) != before:
            changed.append(row)
    _bulk_update_by_value(changed, [field, "assessed", "gap"])
    figures.units_changed(row.unit_id for row in changed)


@transaction.atomic
def ratings_bulk_set(*, round_: EvaluationRound, answers, submit: bool = False) -> int:
    """Stores many answers at once (demo data, benchmarks, imports) with the same checks
    as `rating_save`, then brings progress counts and assessment rows up to date in bulk.

    `answers`: iterable of (evaluation, competence, level, comment). Each evaluation
    named here gets exactly these answers: its earlier ratings are replaced. With
    `submit`, evaluations whose every row is answered are marked submitted (by their
    subject for a self-evaluation). As with `rating_save`, the assessment rows get the
    answers of published evaluations only; a draft's level there is cleared."""
    structure = selectors.version_structure(round_.version)
    not_applicable = structure.not_applicable_values
    ratings, touched = {}, {}
    for evaluation, competence, level, comment in answers:
        if evaluation.round_id != round_.pk:
            raise ValidationError(_("Evalueringen hører til en anden runde."))
        value = _validated_level(structure, competence, evaluation, level)
        ratings[(evaluation.pk, competence.pk)] = RatingModel(
            kommune_id=round_.kommune_id,
            evaluation=evaluation,
            competence=competence,
            level=value,
            comment=comment or "",
        )
        touched[evaluation.pk] = evaluation
    RatingModel.objects.filter(evaluation_id__in=touched).delete()
    RatingModel.objects.bulk_create(ratings.values(), batch_size=5000)

    answered: dict[int, int] = {}
    for (evaluation_id, _competence_id), rating in ratings.items():
        if rating.level is not None:
            answered[evaluation_id] = answered.get(evaluation_id, 0) + 1
    now = timezone.now()
    for evaluation in touched.values():
        evaluation.answered = answered.get(evaluation.pk, 0)
        if submit and evaluation.answered >= evaluation.total:
            evaluation.status, evaluation.submitted_at = Evaluation.Status.SUBMITTED, now
            if evaluation.kind == Evaluation.Kind.SELF:
                evaluation.rater_id = evaluation.subject_id
    Evaluation.objects.bulk_update(
        touched.values(), ["answered", "status", "submitted_at", "rater"], batch_size=2000
    )
    subject_ids = {e.subject_id for e in touched.values()}
    figures.people_changed(subject_ids)
    # {subject: {level field: {competence: level}}}; a draft's field maps to nothing.
    levels: dict[int, dict[str, dict[int, int | None]]] = {}
    for evaluation in touched.values():
        levels.setdefault(evaluation.subject_id, {})[LEVEL_FIELD[evaluation.kind]] = {}
    for (evaluation_id, competence_id), rating in ratings.items():
        evaluation = touched[evaluation_id]
        if evaluation.is_published:
            levels[evaluation.subject_id][LEVEL_FIELD[evaluation.kind]][competence_id] = (
                rating.level
            )
    fields = ["self_level", "leader_level", "agreed_level", "assessed", "gap"]
    changed = []
    for assessment in Assessment.objects.filter(round=round_, person_id__in=subject_ids):
        before = [getattr(assessment, name) for name in fields]
        for field_name, by_competence in levels[assessment.person_id].items():
            setattr(assessment, field_name, by_competence.get(assessment.competence_id))
        _recompute(assessment, not_applicable)
        if [getattr(assessment, name) for name in fields] != before:
            changed.append(assessment)
    _bulk_update_by_value(changed, fields)
    return len(ratings)


def _bulk_update_by_value(rows: list[Assessment], fields: list[str]) -> None:
    """Updates rows grouped by their new values: one plain UPDATE … WHERE id IN (…) per
    distinct combination. Assessment values are small integers, so there are few
    combinations, and this is far faster than bulk_update's CASE per row."""
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, name) for name in fields), []).append(row.pk)
    for values, ids in groups.items():
        for start in range(0, len(ids), 5000):
            Assessment.objects.filter(pk__in=ids[start : start + 5000]).update(
                **dict(zip(fields, values, strict=True))
            )


# --- Keeping assessment rows current -----------------------------------------------


@transaction.atomic
def assessments_refresh(*, kommune_id: int, person_ids) -> int:
    """Recomputes required level, unit and gap of these people's assessment rows after
    a profile, assignment or position changed. Returns the number of rows changed."""
    person_ids = list(set(person_ids))
    if not person_ids:
        return 0
    rows = list(
        Assessment.objects.filter(kommune_id=kommune_id, person_id__in=person_ids).select_related(
            "competence", "round__version__framework"
        )
    )
    if not rows:
        return 0
    frameworks = {row.round.version.framework_id for row in rows}
    required = selectors.required_levels(person_ids, list(frameworks))
    primary = primary_positions(person_ids)
    not_applicable = {
        framework_id: set(
            ScaleLevel.objects.filter(
                scale__frameworks=framework_id, is_not_applicable=True
            ).values_list("value", flat=True)
        )
        for framework_id in frameworks
    }
    changed, units = [], set()
    for row in rows:
        framework_id = row.round.version.framework_id
        before = (row.required, row.unit_id, row.gap, row.assessed)
        units.add(row.unit_id)
        row.required = required[(row.person_id, framework_id)].get(row.competence.key)
        if row.person_id in primary:
            row.unit_id = primary[row.person_id].unit_id
        _recompute(row, not_applicable[framework_id])
        if (row.required, row.unit_id, row.gap, row.assessed) != before:
            changed.append(row)
            units.add(row.unit_id)
    _bulk_update_by_value(changed, ["required", "unit_id", "gap", "assessed"])
    if changed:
        figures.units_changed(units)
    return len(changed)


def on_positions_changed(sender, *, kommune_id: int, person_ids, **kwargs) -> None:
    assessments_refresh(kommune_id=kommune_id, person_ids=person_ids)


def version_check_draft(*, version: FrameworkVersion) -> None:
    """Raises FrameworkLocked unless `version` is a draft, so a page refuses to open an
    edit form on a frozen version before anyone types into it."""
    _require_draft(version)
