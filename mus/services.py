"""Writes on MUS conversations and development plans, with their rules:

* only a leader of the employee schedules their MUS; both get a calendar invitation,
  and every change sends an update with the same UID and a higher SEQUENCE;
* preparation notes are private to their author;
* a plan version is edited until its first signature; after that any change makes a
  new version (copied from the signed one) that both must sign again;
* two people editing at once: an edit made on an older revision is refused with a
  clear message (optimistic locking), never a silent overwrite;
* a signature stores the SHA-256 of the version's canonical content; when employee and
  leader have both signed, the PDF is made by a Celery task;
* a signature binds what the signer read: the sign form carries the revision and hash
  its page showed, and signing is refused (under the version's row lock) when the plan
  has changed since;
* the leader signature is the conversation's own leader's, or the person's that leader
  or HR has delegated it to (a recorded `SignatureDelegation`), never a higher-up's by
  rank.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kompetence import permissions
from kompetence.background import WorkKind, work_retry
from kompetence.models import AuditEntry, Kommune, Person
from mus import notifications
from mus.agenda_starters import StarterAgenda
from mus.models import (
    AgendaQuestion,
    Conversation,
    Plan,
    PlanActivity,
    PlanGoal,
    PlanPdf,
    PlanVersion,
    PreparationNote,
    Signature,
    SignatureDelegation,
)
from profiles import services as profile_services
from profiles.models import Competence
from profiles.selectors import latest_round_of

DEFAULT_AGENDA = [
    ("Hvordan er det gået siden sidste samtale?", "Opgaver, resultater og samarbejde."),
    ("Hvad giver dig energi i arbejdet – og hvad dræner?", ""),
    ("Hvordan ser din selvevaluering ud sammenlignet med jobprofilen?", ""),
    ("Hvilke kompetencer vil du udvikle det næste år, og hvorfor?", ""),
    ("Hvilke opgaver eller nye arbejdsområder kunne du tænke dig?", ""),
    ("Hvad har du brug for fra din leder?", "Støtte, sparring, rammer og tid."),
    ("Andre aftaler", "Fx senioraftale, videreuddannelse, arbejdstid."),
]


class PlanConflict(ValidationError):
    """The plan changed since the editor loaded it."""


class ConversationAlreadyOpen(ValidationError):
    """The employee already has a planned MUS; `conversation` is that one, to move
    instead of planning a second (which would send a second set of invitations)."""

    def __init__(self, conversation: Conversation):
        super().__init__(
            _(
                "%(name)s har allerede en planlagt MUS. Flyt den planlagte samtale i stedet "
                "for at planlægge en ny."
            )
            % {"name": conversation.employee.name}
        )
        self.conversation = conversation


# --- Agenda ------------------------------------------------------------------------------


def agenda_questions(*, kommune: Kommune) -> list[AgendaQuestion]:
    """The kommune's active preparation questions; the defaults the first time."""
    questions = list(AgendaQuestion.objects.filter(kommune=kommune, is_active=True))
    if questions or AgendaQuestion.objects.filter(kommune=kommune).exists():
        return questions
    AgendaQuestion.objects.bulk_create(
        AgendaQuestion(kommune=kommune, text=text, help_text=help_text, order=index)
        for index, (text, help_text) in enumerate(DEFAULT_AGENDA, start=1)
    )
    return list(AgendaQuestion.objects.filter(kommune=kommune, is_active=True))


def agenda_question_save(
    *, kommune: Kommune, question: AgendaQuestion | None, text: str, help_text: str, is_active: bool
) -> AgendaQuestion:
    if question is None:
        order = (
            AgendaQuestion.objects.filter(kommune=kommune).aggregate(m=Max("order"))["m"] or 0
        ) + 1
        return AgendaQuestion.objects.create(
            kommune=kommune, text=text, help_text=help_text, order=order, is_active=is_active
        )
    question.text, question.help_text, question.is_active = text, help_text, is_active
    question.save(update_fields=["text", "help_text", "is_active"])
    return question


@transaction.atomic
def agenda_starter_apply(*, kommune: Kommune, agenda: StarterAgenda) -> int:
    """Makes the starter `agenda` the kommune's MUS agenda: its questions become the
    active ones, after those the kommune has. The questions the kommune had are kept,
    inactive, so preparation notes already written keep their question; HR can switch
    any of them on again. Returns how many questions were made inactive."""
    deactivated = AgendaQuestion.objects.filter(kommune=kommune, is_active=True).update(
        is_active=False
    )
    start = AgendaQuestion.objects.filter(kommune=kommune).aggregate(m=Max("order"))["m"] or 0
    AgendaQuestion.objects.bulk_create(
        AgendaQuestion(
            kommune=kommune, text=question.text, help_text=question.help_text, order=start + index
        )
        for index, question in enumerate(agenda.questions, start=1)
    )
    return deactivated


# --- Scheduling ----------------------------------------------------------------------------


def _check_time(starts_at: datetime.datetime) -> None:
    if starts_at < timezone.now() - datetime.timedelta(minutes=5):
        raise ValidationError({"starts_at": _("Tidspunktet ligger i fortiden.")})


@transaction.atomic
def conversation_schedule(
    *,
    employee: Person,
    leader: Person,
    starts_at: datetime.datetime,
    duration_minutes: int,
    is_online: bool,
    location: str,
) -> Conversation:
    if not permissions.leads(leader, employee):
        raise ValidationError(_("Kun medarbejderens leder kan planlægge MUS."))
    # One open (planned) MUS per employee. The employee's row is locked first, so two
    # leaders, or one double click, planning at once are answered one after the other.
    Person.objects.select_for_update().only("pk").get(pk=employee.pk)
    planned = (
        Conversation.objects.filter(employee=employee, status=Conversation.Status.SCHEDULED)
        .select_related("employee")
        .order_by("starts_at", "pk")
        .first()
    )
    if planned is not None:
        raise ConversationAlreadyOpen(planned)
    _check_time(starts_at)
    conversation = Conversation.objects.create(
        kommune_id=employee.kommune_id,
        employee=employee,
        leader=leader,
        round=latest_round_of(employee),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        is_online=is_online,
        location=location,
    )
    notifications.send_invitation(conversation, method="REQUEST")
    return conversation


@transaction.atomic
def conversation_reschedule(
    *,
    conversation: Conversation,
    starts_at: datetime.datetime,
    duration_minutes: int,
    is_online: bool,
    location: str,
) -> Conversation:
    if conversation.status != Conversation.Status.SCHEDULED:
        raise ValidationError(_("Kun en planlagt samtale kan flyttes."))
    _check_time(starts_at)
    conversation.starts_at, conversation.duration_minutes = starts_at, duration_minutes
    conversation.is_online, conversation.location = is_online, location
    conversation.ical_sequence = F("ical_sequence") + 1
    conversation.save(
        update_fields=["starts_at", "duration_minutes", "is_online", "location", "ical_sequence"]
    )
    conversation.refresh_from_db(fields=["ical_sequence"])
    notifications.send_invitation(conversation, method="REQUEST", update=True)
    return conversation


@transaction.atomic
def conversation_cancel(*, conversation: Conversation) -> Conversation:
    if conversation.status != Conversation.Status.SCHEDULED:
        raise ValidationError(_("Kun en planlagt samtale kan aflyses."))
    conversation.status = Conversation.Status.CANCELLED
    conversation.ical_sequence = F("ical_sequence") + 1
    conversation.save(update_fields=["status", "ical_sequence"])
    conversation.refresh_from_db(fields=["ical_sequence"])
    notifications.send_invitation(conversation, method="CANCEL")
    return conversation


def conversation_mark_held(*, conversation: Conversation) -> Conversation:
    if conversation.status == Conversation.Status.CANCELLED:
        raise ValidationError(_("Samtalen er aflyst."))
    conversation.status = Conversation.Status.HELD
    conversation.held_at = conversation.held_at or timezone.now()
    conversation.save(update_fields=["status", "held_at"])
    return conversation


# --- Preparation and the conversation -------------------------------------------------------


def preparation_note_save(
    *, conversation: Conversation, author: Person, question: AgendaQuestion | None, text: str
) -> PreparationNote:
    if author.pk not in (conversation.employee_id, conversation.leader_id):
        raise ValidationError(_("Kun samtalens to parter kan forberede sig her."))
    note, _created = PreparationNote.objects.update_or_create(
        conversation=conversation,
        author=author,
        question=question,
        defaults={"text": text[:10000], "kommune_id": conversation.kommune_id},
    )
    return note


def shared_notes_save(*, conversation: Conversation, text: str) -> Conversation:
    conversation.shared_notes = text[:20000]
    conversation.save(update_fields=["shared_notes"])
    return conversation


def agreed_level_set(*, conversation: Conversation, competence: Competence, level, by: Person):
    """The level leader and employee agree on in the conversation. It is stored as the
    round's "agreed" evaluation, so gaps everywhere use it from then on."""
    if conversation.round is None:
        raise ValidationError(_("Samtalen er ikke knyttet til en evalueringsrunde."))
    agreed = profile_services.evaluation_get_or_create_agreed(
        round_=conversation.round, subject=conversation.employee
    )
    return profile_services.rating_save(
        evaluation=agreed, competence=competence, level=level, rater=by
    )


# --- Plans and versions ------------------------------------------------------------------


@transaction.atomic
def plan_get_or_create(*, conversation: Conversation) -> Plan:
    plan = Plan.objects.filter(conversation=conversation).first()
    if plan is None:
        plan = Plan.objects.create(
            kommune_id=conversation.kommune_id,
            conversation=conversation,
            employee_id=conversation.employee_id,
            leader_id=conversation.leader_id,
        )
        PlanVersion.objects.create(kommune_id=plan.kommune_id, plan=plan, number=1)
    return plan


def current_version(plan: Plan) -> PlanVersion:
    version = plan.versions.order_by("-number").first()
    assert version is not None  # a plan is created with its first version
    return version


def _claim(version: PlanVersion, revision: int) -> PlanVersion:
    """The version an edit may change, claimed for this edit.

    Refuses an edit made on an older revision. A version with any signature is
    frozen: the edit goes into a new version copied from it."""
    if version.plan.versions.filter(number__gt=version.number).exists():
        raise PlanConflict(
            _("Der findes en nyere version af planen. Genindlæs siden, og lav ændringen igen.")
        )
    claimed = PlanVersion.objects.filter(pk=version.pk, revision=revision).update(
        revision=F("revision") + 1
    )
    if not claimed:
        raise PlanConflict(
            _(
                "Planen er blevet ændret af en anden, siden du åbnede den. "
                "Genindlæs siden for at se ændringerne, og lav din ændring igen."
            )
        )
    version.refresh_from_db(fields=["revision"])
    if version.signatures.exists():
        return _new_version_from(version)
    return version


def _new_version_from(signed: PlanVersion) -> PlanVersion:
    version = PlanVersion.objects.create(
        kommune_id=signed.kommune_id,
        plan_id=signed.plan_id,
        number=signed.number + 1,
        leader_support=signed.leader_support,
        other_agreements=signed.other_agreements,
        follow_up_date=signed.follow_up_date,
        revision=1,
    )
    goal_map: dict[int | None, PlanGoal] = {}
    for goal in signed.goals.prefetch_related("competences"):
        competences = list(goal.competences.all())
        old_pk = goal.pk
        goal.pk, goal.version = None, version
        goal.save()
        goal.competences.set(competences)
        goal_map[old_pk] = goal
    activities = list(signed.activities.all())
    for activity in activities:
        activity.pk, activity.version = None, version
        activity.goal = goal_map.get(activity.goal_id)
    PlanActivity.objects.bulk_create(activities)
    return version


@transaction.atomic
def plan_texts_update(
    *,
    version: PlanVersion,
    revision: int,
    leader_support: str,
    other_agreements: str,
    follow_up_date: datetime.date | None,
) -> PlanVersion:
    version = _claim(version, revision)
    version.leader_support, version.other_agreements = leader_support, other_agreements
    version.follow_up_date = follow_up_date
    version.save(update_fields=["leader_support", "other_agreements", "follow_up_date"])
    return version


def _check_competences(version: PlanVersion, competences) -> None:
    if any(c.kommune_id != version.kommune_id for c in competences):
        raise ValidationError(_("Kompetencen hører til en anden kommune."))


@transaction.atomic
def goal_add(
    *, version: PlanVersion, revision: int, text: str, competences=(), target_level=None
) -> PlanGoal:
    version = _claim(version, revision)
    _check_competences(version, competences)
    goal = PlanGoal.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        text=text,
        target_level=target_level,
        order=(version.goals.aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    goal.competences.set(competences)
    return goal


def _same_item_in(version: PlanVersion, item):
    """After `_claim` made a new version, the goal/activity to change is its copy."""
    if item.version_id == version.pk:
        return item
    related = version.activities if isinstance(item, PlanActivity) else version.goals
    return related.get(key=item.key)


@transaction.atomic
def goal_update(
    *, goal: PlanGoal, revision: int, text: str, competences=(), target_level=None
) -> PlanGoal:
    version = _claim(goal.version, revision)
    goal = _same_item_in(version, goal)
    _check_competences(version, competences)
    goal.text, goal.target_level = text, target_level
    goal.save(update_fields=["text", "target_level"])
    goal.competences.set(competences)
    return goal


@transaction.atomic
def goal_delete(*, goal: PlanGoal, revision: int) -> PlanVersion:
    version = _claim(goal.version, revision)
    _same_item_in(version, goal).delete()
    return version


@transaction.atomic
def activity_add(
    *,
    version: PlanVersion,
    revision: int,
    kind: str,
    title: str,
    description: str = "",
    goal: PlanGoal | None = None,
    deadline: datetime.date | None = None,
) -> PlanActivity:
    version = _claim(version, revision)
    if goal is not None:
        goal = _same_item_in(version, goal)
    return PlanActivity.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        kind=kind,
        title=title,
        description=description,
        goal=goal,
        deadline=deadline,
        order=(version.activities.aggregate(m=Max("order"))["m"] or 0) + 1,
    )


@transaction.atomic
def activity_update(
    *,
    activity: PlanActivity,
    revision: int,
    kind: str,
    title: str,
    description: str = "",
    goal: PlanGoal | None = None,
    deadline: datetime.date | None = None,
) -> PlanActivity:
    version = _claim(activity.version, revision)
    activity = _same_item_in(version, activity)
    activity.kind, activity.title, activity.description = kind, title, description
    activity.goal = _same_item_in(version, goal) if goal is not None else None
    activity.deadline = deadline
    activity.save(update_fields=["kind", "title", "description", "goal", "deadline"])
    return activity


@transaction.atomic
def activity_delete(*, activity: PlanActivity, revision: int) -> PlanVersion:
    version = _claim(activity.version, revision)
    _same_item_in(version, activity).delete()
    return version


def activity_mark_done(
    *,
    activity: PlanActivity,
    done_on: datetime.date,
    note: str = "",
    status: str = PlanActivity.Status.DONE,
) -> PlanActivity:
    """Follow-up on an agreed activity. Progress is not part of what was signed, so it
    changes the current version in place and needs no new signatures."""
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("Datoen ligger i fremtiden.")})
    activity.status, activity.done_on, activity.done_note = status, done_on, note[:2000]
    activity.save(update_fields=["status", "done_on", "done_note"])
    return activity


def activity_set_status(*, activity: PlanActivity, status: str) -> PlanActivity:
    activity.status = status
    if status != PlanActivity.Status.DONE:
        activity.done_on = None
    activity.save(update_fields=["status", "done_on"])
    return activity


# --- Canonical content and signatures ------------------------------------------------------


def canonical_content(version: PlanVersion) -> dict:
    """What a signature covers: the agreement, not its progress. Everything is plain
    data in a fixed order, so the same content always gives the same bytes."""
    plan = version.plan
    # Rows already prefetched (many versions at once, as the benchmark data does) are
    # used as they are; otherwise one query each.
    prefetched = getattr(version, "_prefetched_objects_cache", {})
    goals: Iterable[PlanGoal] = (
        version.goals.all()
        if "goals" in prefetched
        else version.goals.prefetch_related("competences")
    )
    goals = sorted(goals, key=lambda goal: (goal.order, goal.pk))
    goal_index: dict[int | None, int] = {
        goal.pk: index for index, goal in enumerate(goals, start=1)
    }
    return {
        "format": "kompetence-plan/1",
        "kommune": plan.kommune.name,
        "plan": plan.pk,
        "version": version.number,
        "employee": {"name": plan.employee.name, "employee_number": plan.employee.employee_number},
        "leader": {"name": plan.leader.name, "employee_number": plan.leader.employee_number},
        "goals": [
            {
                "number": goal_index[goal.pk],
                "text": goal.text,
                "target_level": goal.target_level,
                "competences": sorted(
                    [{"key": str(c.key), "name": c.name} for c in goal.competences.all()],
                    key=lambda c: c["key"],
                ),
            }
            for goal in goals
        ],
        "activities": [
            {
                "key": str(activity.key),
                "kind": activity.kind,
                "title": activity.title,
                "description": activity.description,
                "goal": goal_index.get(activity.goal_id),
                "deadline": activity.deadline.isoformat() if activity.deadline else None,
            }
            for activity in sorted(version.activities.all(), key=lambda a: (a.order, a.pk))
        ],
        "leader_support": version.leader_support,
        "other_agreements": version.other_agreements,
        "follow_up_date": version.follow_up_date.isoformat() if version.follow_up_date else None,
    }


def content_bytes(version: PlanVersion) -> bytes:
    return json.dumps(
        canonical_content(version), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def content_hash(version: PlanVersion) -> str:
    return hashlib.sha256(content_bytes(version)).hexdigest()


def signature_is_valid(signature: Signature) -> bool:
    """Does the version still have exactly the content this signature covered?"""
    return signature.content_hash == content_hash(signature.version)


def is_locked(version: PlanVersion) -> bool:
    return version.signatures.count() >= 2


class PlanChangedSinceRead(ValidationError):
    """The signer's screen showed other content than the plan has now."""


def leader_delegation_for(plan: Plan, person: Person) -> SignatureDelegation | None:
    """The active delegation that lets `person` sign `plan` as its leader, if any."""
    return (
        SignatureDelegation.objects.filter(
            conversation_id=plan.conversation_id, to_person=person, revoked_at__isnull=True
        )
        .order_by("-granted_at", "-pk")
        .first()
    )


def signer_role(plan: Plan, person: Person) -> str | None:
    """The role in which `person` signs: the employee, or the conversation's own leader,
    or whoever that leader's signature is explicitly delegated to. A leader higher up
    the chain reads and edits the plan but does not sign it by rank alone."""
    if person.pk == plan.employee_id:
        return Signature.Role.EMPLOYEE
    if person.pk == plan.leader_id or leader_delegation_for(plan, person) is not None:
        return Signature.Role.LEADER
    return None


@transaction.atomic
def plan_sign(
    *,
    version: PlanVersion,
    signer: Person,
    password: str,
    seen_revision: int,
    seen_hash: str,
    request=None,
) -> Signature:
    """Signs the version with the signer's password as confirmation, bound to what the
    signer read: `seen_revision` and `seen_hash` are the revision and content hash
    their screen showed (the sign form carries them).

    The version's row is locked first, and the comparison with the stored content is
    made inside the same transaction that stores the signature: an edit either
    committed before (then the hashes differ and signing is refused) or waits for
    this transaction and then goes into a new version. A signature is never stored on
    content the signer did not see."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    plan = version.plan
    if signer.user is None or not signer.user.check_password(password):
        raise ValidationError({"password": _("Adgangskoden er forkert.")})
    role = signer_role(plan, signer)
    if role is None:
        if permissions.leads(signer, plan.employee):
            raise ValidationError(
                _(
                    "Kun samtalens egen leder, %(leader)s, kan underskrive som leder, "
                    "medmindre lederen eller HR har givet dig fuldmagt til det."
                )
                % {"leader": plan.leader.name}
            )
        raise ValidationError(_("Du er ikke part i denne plan."))
    stale = version.pk != current_version(plan).pk or version.revision != seen_revision
    if stale or content_hash(version) != seen_hash:
        raise PlanChangedSinceRead(
            _(
                "Planen er ændret, siden du åbnede den, så din underskrift er ikke gemt. "
                "Læs ændringerne, og underskriv igen, hvis du er enig."
            )
        )
    if version.signatures.filter(role=role).exists():
        raise ValidationError(_("Planen er allerede underskrevet af dig."))
    if not version.goals.exists():
        raise ValidationError(_("En plan uden mål kan ikke underskrives."))
    delegation = None
    if role == Signature.Role.LEADER and signer.pk != plan.leader_id:
        delegation = leader_delegation_for(plan, signer)
    signature = Signature.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        signer=signer,
        role=role,
        content_hash=seen_hash,
        delegation=delegation,
    )
    if request is not None:
        from kompetence.audit import audit_record

        summary = ""
        if delegation is not None:
            summary = _("Som leder efter fuldmagt fra %(granter)s på vegne af %(leader)s") % {
                "granter": delegation.granted_by.name,
                "leader": delegation.from_leader.name,
            }
        audit_record(
            request,
            action=AuditEntry.Action.SIGN,
            subject=plan.employee,
            obj=version,
            summary=summary,
        )
    if version.signatures.count() == 2:
        pdf_request(
            version=version, language=plan.employee.user.language if plan.employee.user else "da"
        )
    return signature


def changes_since_read(
    *, version: PlanVersion, seen_content: str, seen_hash: str
) -> list[tuple[str, str]] | None:
    """What changed between the content a signer read and the plan's newest version,
    as `version_diff` pairs; None when what was read cannot be recovered.

    The sign form carries the content it showed; it is trusted only when it hashes to
    the hash the form also carried, i.e. when it is exactly the content read."""
    current = current_version(version.plan)
    data = seen_content.encode("utf-8")
    if seen_content and hashlib.sha256(data).hexdigest() == seen_hash:
        try:
            older = content_lines(json.loads(data))
        except (ValueError, KeyError, TypeError):
            older = None
        if older is not None:
            return _diff(older, content_text(current))
    if version.pk != current.pk:
        # A version with a newer one after it is frozen: it still holds what was read.
        return version_diff(version, current)
    return None


# --- Signature delegations -------------------------------------------------------------


def may_delegate_signature(person: Person, plan: Plan) -> bool:
    """The conversation's own leader and HR of the employee may delegate."""
    return person.pk == plan.leader_id or (
        permissions.persons_administered_by(person).filter(pk=plan.employee_id).exists()
    )


@transaction.atomic
def signature_delegation_grant(
    *, plan: Plan, to_person: Person, granted_by: Person, reason: str
) -> SignatureDelegation:
    """Lets `to_person` sign `plan` as leader on behalf of the conversation's leader."""
    if not may_delegate_signature(granted_by, plan):
        raise ValidationError(
            _("Kun samtalens leder eller HR kan give fuldmagt til at underskrive.")
        )
    if to_person.kommune_id != plan.kommune_id or not to_person.is_active:
        raise ValidationError({"to_person": _("Vælg en aktiv person i kommunen.")})
    if to_person.pk in (plan.employee_id, plan.leader_id):
        raise ValidationError(
            {"to_person": _("Medarbejderen og samtalens leder kan ikke få fuldmagt.")}
        )
    if to_person.user_id is None:
        raise ValidationError(
            {"to_person": _("Personen har intet login og kan derfor ikke underskrive.")}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv hvorfor fuldmagten gives.")})
    return SignatureDelegation.objects.create(
        kommune_id=plan.kommune_id,
        conversation_id=plan.conversation_id,
        from_leader_id=plan.leader_id,
        to_person=to_person,
        granted_by=granted_by,
        reason=reason[:500],
    )


def signature_delegation_revoke(
    *, delegation: SignatureDelegation, revoked_by: Person
) -> SignatureDelegation:
    """Ends a delegation. The record stays, and signatures made under it stay valid."""
    if delegation.revoked_at is None:
        delegation.revoked_at, delegation.revoked_by = timezone.now(), revoked_by
        delegation.save(update_fields=["revoked_at", "revoked_by"])
    return delegation


# --- PDF -------------------------------------------------------------------------------


def pdf_request(*, version: PlanVersion, language: str = "da") -> PlanPdf:
    """Asks for the PDF of a version in a language; made by a Celery task after commit.
    Asking again while one is ready or on its way changes nothing; asking again for one
    that failed ("Prøv igen") sends it again. Each version's PDF is its own row and
    task, so one stuck or failed never holds back another version's."""
    from mus.tasks import render_plan_pdf

    pdf, created = PlanPdf.objects.get_or_create(
        version=version, language=language, defaults={"kommune_id": version.kommune_id}
    )
    if created:
        render_plan_pdf.delay_on_commit(version.kommune_id, pdf.pk)
    elif pdf.status == PlanPdf.Status.FAILED:
        work_retry(kind=PDF_WORK, row=pdf)
    return pdf


def _send_pdf(pdf: PlanPdf) -> None:
    from mus.tasks import render_plan_pdf

    render_plan_pdf.delay(pdf.kommune_id, pdf.pk)


PDF_WORK = WorkKind(
    name="plan_pdf",
    model=PlanPdf,
    pending={"status": PlanPdf.Status.PENDING},
    failed={"status": PlanPdf.Status.FAILED},
    restart={"status": PlanPdf.Status.PENDING, "error": ""},
    send=_send_pdf,
)


# --- Versions side by side ----------------------------------------------------------------


def content_text(version: PlanVersion) -> list[str]:
    """The signed content as readable lines, for diffs between versions."""
    return content_lines(canonical_content(version))


def content_lines(data: dict) -> list[str]:
    """Readable lines of canonical content (`canonical_content`)."""
    goal_label = pgettext("one goal, numbered", "Mål")
    lines = []
    for goal in data["goals"]:
        names = ", ".join(c["name"] for c in goal["competences"])
        lines.append(
            f"{goal_label} {goal['number']}: {goal['text']}" + (f" ({names})" if names else "")
        )
        if goal["target_level"] is not None:
            lines.append(f"  {_('Målniveau')}: {goal['target_level']}")
    kinds = dict(PlanActivity.Kind.choices)
    for activity in data["activities"]:
        kind = kinds.get(activity["kind"], activity["kind"])
        lines.append(f"{_('Aktivitet')}: {activity['title']} [{kind}]")
        if activity["description"]:
            lines.append(f"  {activity['description']}")
        if activity["deadline"]:
            lines.append(f"  {_('Frist')}: {activity['deadline']}")
        if activity["goal"]:
            lines.append(f"  {goal_label} {activity['goal']}")
    lines.append(f"{_('Lederens støtte')}: {data['leader_support']}")
    lines.append(f"{_('Andre aftaler')}: {data['other_agreements']}")
    lines.append(f"{_('Opfølgning')}: {data['follow_up_date'] or '–'}")
    return lines


def version_diff(older: PlanVersion, newer: PlanVersion) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is "+" (added in the newer), "-" (removed) or " "."""
    return _diff(content_text(older), content_text(newer))


def _diff(older: list[str], newer: list[str]) -> list[tuple[str, str]]:
    result = []
    for line in difflib.ndiff(older, newer):
        if line.startswith("? "):
            continue
        result.append((line[0], line[2:]))
    return result


def pdf_render(*, pdf_id: int) -> PlanPdf:
    """Renders and stores the PDF. Idempotent: a PDF already made is not made again, and
    a re-delivered task (after a worker died) overwrites its own unfinished file under
    the same name, so exactly one file results. A failure is stored on the PDF by the
    task (`kompetence.tasks.WorkTask`), with its reason."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mus.pdf import plan_pdf_bytes
    from mus.selectors import plan_document

    pdf = PlanPdf.objects.select_related("version__plan").get(pk=pdf_id)
    if (
        pdf.status == PlanPdf.Status.READY
        and pdf.file
        and default_storage.exists(cast(str, pdf.file.name))
    ):
        return pdf
    version = pdf.version
    name = f"plans/{version.kommune_id}/plan-{version.plan_id}-v{version.number}-{pdf.language}.pdf"
    data = plan_pdf_bytes(version, language=pdf.language, context=plan_document(version))
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    PlanPdf.objects.filter(pk=pdf.pk).update(
        status=PlanPdf.Status.READY,
        file=stored,
        content_hash=content_hash(version),
        finished_at=timezone.now(),
        error="",
    )
    pdf.refresh_from_db()
    return pdf
