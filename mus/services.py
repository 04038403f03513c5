"""Writes on MUS conversations and development plans, with their rules:

* only a leader of the employee schedules their MUS; both get a calendar invitation,
  and every change sends an update with the same UID and a higher SEQUENCE;
* a conversation has a kind (MUS, GRUS/TUS, LUS, seniorsamtale): an LUS is held with a
  leader by a leader above them; a GRUS/TUS is one meeting of a leader with several
  of their employees, scheduled as a group in which each participant has their own
  conversation (and so their own preparation, invitation and plan); a participant may
  ask for an individual MUS instead, and scheduling it takes them out of the group;
* HR sets an agenda per kind;
* preparation notes are private to their author;
* a plan version is edited until its first signature; after that any change makes a
  new version (copied from the signed one) that both must sign again;
* once both have signed, the plan page changes nothing by itself: its edits pass
  `refuse_locked=True` and are refused, and "Lav en ny version"
  (`plan_version_new`) makes the draft copy that both must sign again;
* two people editing at once: an edit made on an older revision is refused with a
  clear message (optimistic locking), never a silent overwrite; every edit made by a
  person is recorded (`PlanChange`), so the one refused is told who changed what;
* a check-in on the agreement in force (the newest version, signed by both) records
  each activity's status as a dated record without touching the signed content, so
  no one signs again (`plan_check_in_record`);
* a plan's PDF is made by a Celery task (`mus.tasks`) after the commit;
* reading another person's conversation or plan is written to the audit log.

Signing and delegating the leader's signature are in `mus.signing`, which builds on
these writes; this module never imports it.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetence import permissions
from kompetence.audit import audit_record, audit_write
from kompetence.infra.background import WorkKind, work_retry
from kompetence.models import AuditEntry, Kommune, Person
from mus import notifications
from mus.agenda_starters import StarterAgenda
from mus.content import content_text, diff_lines
from mus.models import (
    AgendaQuestion,
    CheckInActivity,
    Conversation,
    ConversationGroup,
    ConversationKind,
    Plan,
    PlanActivity,
    PlanChange,
    PlanCheckIn,
    PlanGoal,
    PlanPdf,
    PlanVersion,
    PreparationNote,
    Signature,
)
from mus.tasks import render_plan_pdf
from profiles import services as profile_services
from profiles.models import Competence
from profiles.selectors import latest_round_of

if TYPE_CHECKING:
    # The catalogue builds on MUS (it imports this module): its models only as types.
    from catalogue.models import Course, CourseSession

DEFAULT_AGENDA = [
    ("Hvordan er det gået siden sidste samtale?", "Opgaver, resultater og samarbejde."),
    ("Hvad giver dig energi i arbejdet – og hvad dræner?", ""),
    ("Hvordan ser din selvevaluering ud sammenlignet med jobprofilen?", ""),
    ("Hvilke kompetencer vil du udvikle det næste år, og hvorfor?", ""),
    ("Hvilke opgaver eller nye arbejdsområder kunne du tænke dig?", ""),
    ("Hvad har du brug for fra din leder?", "Støtte, sparring, rammer og tid."),
    ("Andre aftaler", "Fx senioraftale, videreuddannelse, arbejdstid."),
]

# The first agenda of each other kind: what the kind of conversation is for, in the
# order it is usually talked through.
DEFAULT_AGENDAS: dict[str, list[tuple[str, str]]] = {
    ConversationKind.MUS: DEFAULT_AGENDA,
    ConversationKind.GRUS: [
        (
            "Hvordan løser vi teamets opgaver i dag?",
            "Hvad lykkes, og hvor går det trægt – for borgerne og for os.",
        ),
        ("Hvordan arbejder vi sammen?", "Videndeling, overlevering, møder og hjælp på tværs."),
        (
            "Hvilke fælles udviklingsmål sætter vi for det næste år?",
            "Hvad skal vi som team blive bedre til, og hvordan lærer vi det sammen?",
        ),
        (
            "Hvad ønsker du for din egen udvikling?",
            "Tages op med hver enkelt og skrives i din egen udviklingsplan.",
        ),
    ],
    ConversationKind.LUS: [
        (
            "Hvordan oplever du din rolle som leder?",
            "Opgaver, ansvar og det, der fylder mest i hverdagen.",
        ),
        ("Hvilke lederkompetencer vil du udvikle?", "Fx forandringsledelse eller kommunikation."),
        (
            "Hvilken støtte har du brug for fra mig som din leder?",
            "Sparring, rammer, beslutninger og tid.",
        ),
        (
            "Hvordan har du det i dit job som leder?",
            "Arbejdsmængde, balance og hvad der giver dig energi.",
        ),
        ("Andre aftaler", "Fx lederuddannelse, netværk eller nye ansvarsområder."),
    ],
    ConversationKind.SENIOR: [
        (
            "Hvad ønsker du dig af dine kommende år på arbejdspladsen?",
            "Det, du gerne vil fortsætte med, og det, du gerne vil ændre.",
        ),
        (
            "Hvordan skal din arbejdstid og dine opgaver se ud?",
            "Fx nedsat tid, færre vagter eller andre opgaver.",
        ),
        (
            "Hvilke tanker har du om din tilbagetrækning?",
            "Tidspunkt, gradvis overgang og hvad du har brug for at vide.",
        ),
        (
            "Hvordan kan din viden og erfaring gives videre?",
            "Fx mentorordning, sidemandsoplæring eller beskrevne arbejdsgange.",
        ),
        ("Andre aftaler", "Fx en senioraftale."),
    ],
}


class PlanConflict(ValidationError):
    """The plan changed since the editor loaded it."""


class PlanLocked(ValidationError):
    """Both have signed the version: it changes only through a new version."""

    def __init__(self):
        super().__init__(
            _(
                "Planen er underskrevet af begge og kan ikke ændres. Vælg “Lav en ny "
                "version”, hvis I vil ændre den – så skal I begge underskrive igen."
            )
        )


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


def agenda_questions(*, kommune: Kommune, kind: str = ConversationKind.MUS) -> list[AgendaQuestion]:
    """The kommune's active preparation questions for one kind of conversation; the
    kind's defaults the first time."""
    of_kind = AgendaQuestion.objects.filter(kommune=kommune, kind=kind)
    questions = list(of_kind.filter(is_active=True))
    if questions or of_kind.exists():
        return questions
    AgendaQuestion.objects.bulk_create(
        AgendaQuestion(kommune=kommune, kind=kind, text=text, help_text=help_text, order=index)
        for index, (text, help_text) in enumerate(DEFAULT_AGENDAS[kind], start=1)
    )
    return list(of_kind.filter(is_active=True))


def agenda_question_save(
    *,
    kommune: Kommune,
    question: AgendaQuestion | None,
    text: str,
    help_text: str,
    is_active: bool,
    kind: str = ConversationKind.MUS,
) -> AgendaQuestion:
    """Adds a question to the agenda of `kind`, or changes `question` (its kind stays)."""
    if question is None:
        order = (
            AgendaQuestion.objects.filter(kommune=kommune, kind=kind).aggregate(m=Max("order"))["m"]
            or 0
        ) + 1
        return AgendaQuestion.objects.create(
            kommune=kommune,
            kind=kind,
            text=text,
            help_text=help_text,
            order=order,
            is_active=is_active,
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
    mus_agenda = AgendaQuestion.objects.filter(kommune=kommune, kind=ConversationKind.MUS)
    deactivated = mus_agenda.filter(is_active=True).update(is_active=False)
    start = mus_agenda.aggregate(m=Max("order"))["m"] or 0
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


# The kinds scheduled with one employee; a GRUS/TUS is scheduled as a group.
INDIVIDUAL_KINDS = (ConversationKind.MUS, ConversationKind.SENIOR, ConversationKind.LUS)


def _open_conversation(employee: Person) -> Conversation | None:
    """The employee's planned conversation, if any. The employee's row is locked first,
    so two leaders, or one double click, planning at once are answered one after the
    other."""
    Person.objects.select_for_update().only("pk").get(pk=employee.pk)
    return (
        Conversation.objects.filter(employee=employee, status=Conversation.Status.SCHEDULED)
        .select_related("employee", "leader")
        .order_by("starts_at", "pk")
        .first()
    )


@transaction.atomic
def conversation_schedule(
    *,
    employee: Person,
    leader: Person,
    starts_at: datetime.datetime,
    duration_minutes: int,
    is_online: bool,
    location: str,
    kind: str = ConversationKind.MUS,
) -> Conversation:
    """Schedules one employee's conversation of `kind` (MUS, seniorsamtale or LUS) and
    sends both the invitation. One open conversation per employee, except that a
    GRUS/TUS participant who asked for an individual MUS leaves the group here: their
    group conversation is cancelled (with its cancellation) before the new one is made."""
    if kind not in INDIVIDUAL_KINDS:
        raise ValidationError({"kind": _("Vælg en samtaletype.")})
    if not permissions.leads(leader, employee):
        raise ValidationError(_("Kun medarbejderens leder kan planlægge MUS."))
    if kind == ConversationKind.LUS and not permissions.is_leader(employee):
        raise ValidationError(
            {
                "kind": _("%(name)s er ikke leder, så samtalen kan ikke være en LUS.")
                % {"name": employee.name}
            }
        )
    planned = _open_conversation(employee)
    if planned is not None and planned.group_id and planned.individual_requested_at:
        conversation_cancel(conversation=planned)
        planned = None
    if planned is not None:
        raise ConversationAlreadyOpen(planned)
    _check_time(starts_at)
    conversation = Conversation.objects.create(
        kommune_id=employee.kommune_id,
        kind=kind,
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
def group_conversation_schedule(
    *,
    leader: Person,
    participants: list[Person],
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    is_online: bool,
    location: str,
) -> ConversationGroup:
    """Schedules a GRUS/TUS: one group and, per participant, their own conversation of
    kind GRUS at the group's time, each with the invitation a MUS has. Every participant
    must be one of the leader's employees without a planned conversation; otherwise
    nothing is scheduled and the message names each person refused."""
    if len(participants) < 2:
        raise ValidationError(
            {"participants": _("Vælg mindst to medarbejdere til en gruppesamtale.")}
        )
    led = set(
        permissions.persons_led_by(leader)
        .filter(pk__in=[p.pk for p in participants])
        .values_list("pk", flat=True)
    )
    problems = [
        _("%(name)s er ikke din medarbejder.") % {"name": person.name}
        for person in participants
        if person.pk not in led
    ]
    if not problems:
        for person in sorted(participants, key=lambda p: p.pk):
            if _open_conversation(person) is not None:
                problems.append(
                    _("%(name)s har allerede en planlagt samtale.") % {"name": person.name}
                )
    if problems:
        raise ValidationError({"participants": problems})
    _check_time(starts_at)
    group = ConversationGroup.objects.create(
        kommune_id=leader.kommune_id, leader=leader, title=title[:200]
    )
    for person in participants:
        conversation = Conversation.objects.create(
            kommune_id=leader.kommune_id,
            kind=ConversationKind.GRUS,
            group=group,
            employee=person,
            leader=leader,
            round=latest_round_of(person),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            is_online=is_online,
            location=location,
        )
        notifications.send_invitation(conversation, method="REQUEST")
    return group


class NotesConflict(ValidationError):
    """The shared notes changed since the editor loaded them."""


def notes_hash(text: str) -> str:
    """What an editor of shared notes saw, to tell whether they changed since."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def group_notes_save(*, group: ConversationGroup, text: str, seen_hash: str) -> ConversationGroup:
    """The group's shared notes, which every participant reads. Refused, never silently
    overwritten, when they changed since the editor loaded them (`seen_hash`), as from
    the leader's other window."""
    text = text[:20000]
    current = ConversationGroup.objects.select_for_update().get(pk=group.pk)
    if notes_hash(current.shared_notes) not in (seen_hash, notes_hash(text)):
        raise NotesConflict(
            _(
                "Noterne er ændret et andet sted, siden du åbnede siden, så din ændring er "
                "ikke gemt. Kopiér din tekst, og genindlæs siden."
            )
        )
    group.shared_notes = text
    group.save(update_fields=["shared_notes"])
    return group


@transaction.atomic
def conversation_individual_request(
    *, conversation: Conversation, by: Person, reason: str = ""
) -> Conversation:
    """A GRUS/TUS participant asks for an individual MUS instead; the leader is told by
    e-mail and sees the request until they schedule it (which takes the participant
    out of the group)."""
    if conversation.group_id is None or by.pk != conversation.employee_id:
        raise ValidationError(_("Kun en deltager i en gruppesamtale kan bede om en MUS alene."))
    if conversation.status != Conversation.Status.SCHEDULED:
        raise ValidationError(_("Gruppesamtalen er ikke længere planlagt."))
    if conversation.individual_requested_at is not None:
        return conversation
    conversation.individual_requested_at = timezone.now()
    conversation.individual_request_reason = reason.strip()[:500]
    conversation.save(update_fields=["individual_requested_at", "individual_request_reason"])
    notifications.send_individual_request(conversation)
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


def preparation_notes_save(
    *,
    conversation: Conversation,
    author: Person,
    notes: list[tuple[AgendaQuestion | None, str]],
) -> None:
    """Saves the author's notes, each (question, text); the general note has no question."""
    for question, text in notes:
        preparation_note_save(
            conversation=conversation, author=author, question=question, text=text
        )


def shared_notes_save(*, conversation: Conversation, text: str) -> Conversation:
    conversation.shared_notes = text[:20000]
    conversation.save(update_fields=["shared_notes"])
    return conversation


@transaction.atomic
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


def _claim(version: PlanVersion, revision: int, *, refuse_locked: bool) -> PlanVersion:
    """The version an edit may change, claimed for this edit.

    Refuses an edit made on an older revision. A version with any signature is
    frozen: the edit goes into a new version copied from it, unless both have signed
    and `refuse_locked` (then only `plan_version_new` makes the next version)."""
    if version.plan.versions.filter(number__gt=version.number).exists():
        raise PlanConflict(_("Der findes en nyere version af planen, så din ændring er ikke gemt."))
    # The update waits for a signature being made on the row, so the count below
    # sees it; raising rolls the claim back.
    claimed = PlanVersion.objects.filter(pk=version.pk, revision=revision).update(
        revision=F("revision") + 1
    )
    if refuse_locked and version.signatures.count() >= 2:
        raise PlanLocked()
    if not claimed:
        raise PlanConflict(
            _(
                "Planen er blevet ændret af en anden, siden du åbnede den, så din ændring "
                "er ikke gemt."
            )
        )
    version.refresh_from_db(fields=["revision"])
    if version.signatures.exists():
        return _new_version_from(version)
    return version


def _before(version: PlanVersion, by: Person | None) -> list[str] | None:
    """What the version said before an edit by `by`, to record the change."""
    return content_text(version) if by is not None else None


def _record(version: PlanVersion, before: list[str] | None, by: Person | None) -> None:
    """Records who changed what in `version` (nothing when the content is the same)."""
    if by is None or before is None:
        return
    lines = [
        [kind, line] for kind, line in diff_lines(before, content_text(version)) if kind != " "
    ]
    if lines:
        PlanChange.objects.create(
            kommune_id=version.kommune_id,
            version=version,
            revision=version.revision,
            editor=by,
            lines=lines,
        )


@transaction.atomic
def plan_version_new(*, version: PlanVersion, by: Person) -> PlanVersion:
    """ "Lav en ny version" of a plan both have signed: the next version, a draft copy
    of the signed one, which both must sign again. The signed version stays as it is."""
    locked = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    if locked.plan.versions.filter(number__gt=locked.number).exists():
        raise PlanConflict(
            _("Der findes allerede en nyere version af planen. Den er vist herunder.")
        )
    if locked.signatures.count() < 2:
        raise ValidationError(
            _("Planen er ikke underskrevet af begge endnu, så den kan ændres, som den er.")
        )
    new = _new_version_from(locked)
    audit_write(
        kommune_id=new.kommune_id,
        actor=by,
        action=AuditEntry.Action.CREATE,
        subject=locked.plan.employee,
        obj=new,
        summary=_("Ny version af en underskrevet plan"),
    )
    return new


def _new_version_from(signed: PlanVersion) -> PlanVersion:
    version = PlanVersion.objects.create(
        kommune_id=signed.kommune_id,
        plan_id=signed.plan_id,
        number=signed.number + 1,
        leader_support=signed.leader_support,
        other_agreements=signed.other_agreements,
        follow_up_date=signed.follow_up_date,
        # The same follow-up date is not reminded of again (see plan_texts_update).
        follow_up_notice_sent_at=signed.follow_up_notice_sent_at,
        follow_up_reminded_at=signed.follow_up_reminded_at,
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
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanVersion:
    version = _claim(version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    version.leader_support, version.other_agreements = leader_support, other_agreements
    if follow_up_date != version.follow_up_date:
        # A new date is reminded of anew.
        version.follow_up_notice_sent_at = version.follow_up_reminded_at = None
    version.follow_up_date = follow_up_date
    version.save(
        update_fields=[
            "leader_support",
            "other_agreements",
            "follow_up_date",
            "follow_up_notice_sent_at",
            "follow_up_reminded_at",
        ]
    )
    _record(version, before, by)
    return version


def _check_competences(version: PlanVersion, competences) -> None:
    if any(c.kommune_id != version.kommune_id for c in competences):
        raise ValidationError(_("Kompetencen hører til en anden kommune."))


@transaction.atomic
def goal_add(
    *,
    version: PlanVersion,
    revision: int,
    text: str,
    competences=(),
    target_level=None,
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanGoal:
    version = _claim(version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    _check_competences(version, competences)
    goal = PlanGoal.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        text=text,
        target_level=target_level,
        order=(version.goals.aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    goal.competences.set(competences)
    _record(version, before, by)
    return goal


def _same_item_in(version: PlanVersion, item):
    """After `_claim` made a new version, the goal/activity to change is its copy."""
    if item.version_id == version.pk:
        return item
    related = version.activities if isinstance(item, PlanActivity) else version.goals
    return related.get(key=item.key)


@transaction.atomic
def goal_update(
    *,
    goal: PlanGoal,
    revision: int,
    text: str,
    competences=(),
    target_level=None,
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanGoal:
    version = _claim(goal.version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    goal = _same_item_in(version, goal)
    _check_competences(version, competences)
    goal.text, goal.target_level = text, target_level
    goal.save(update_fields=["text", "target_level"])
    goal.competences.set(competences)
    _record(version, before, by)
    return goal


@transaction.atomic
def goal_delete(
    *, goal: PlanGoal, revision: int, by: Person | None = None, refuse_locked: bool = False
) -> PlanVersion:
    version = _claim(goal.version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    _same_item_in(version, goal).delete()
    _record(version, before, by)
    return version


def _check_course(
    version: PlanVersion,
    kind: str,
    course: Course | None,
    session: CourseSession | None,
    *,
    before: PlanActivity | None = None,
) -> None:
    """A catalogue activity names a published course of the plan's kommune and, if
    any, one of that course's sessions that has not started and is not cancelled;
    other kinds name none. Each message names the field it is about. An edit that
    keeps the course or session the activity had (`before`) is no new choice: it is
    not refused because the course was archived or the session has started since."""
    if kind != PlanActivity.Kind.CATALOGUE_COURSE:
        if course is not None or session is not None:
            raise ValidationError(
                {"course": _("Kursus: vælg kun et kursus, når typen er »Kursus fra kataloget«.")}
            )
        return
    if course is None:
        raise ValidationError({"course": _("Kursus: vælg et kursus fra kataloget.")})
    if course.kommune_id != version.kommune_id:
        raise ValidationError({"course": _("Kursus: kurset findes ikke i kataloget.")})
    kept_course = before is not None and before.course_id == course.pk
    if course.status != course.Status.PUBLISHED and not kept_course:
        raise ValidationError(
            {
                "course": _("Kursus: »%(title)s« er ikke offentliggjort i kataloget.")
                % {"title": course.title}
            }
        )
    if session is None:
        return
    if session.course_id != course.pk:
        raise ValidationError({"session": _("Hold: holdet hører ikke til det valgte kursus.")})
    kept_session = before is not None and before.session_id == session.pk
    if not kept_session and (
        session.is_cancelled or (session.starts_at and session.starts_at < timezone.now())
    ):
        raise ValidationError(
            {"session": _("Hold: holdet er startet eller aflyst. Vælg et andet hold.")}
        )


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
    course: Course | None = None,
    session: CourseSession | None = None,
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanActivity:
    """A new activity; one of kind CATALOGUE_COURSE names its `course` (and maybe
    `session`), and takes the course's title when given none."""
    _check_course(version, kind, course, session)
    version = _claim(version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    if goal is not None:
        goal = _same_item_in(version, goal)
    activity = PlanActivity.objects.create(
        kommune_id=version.kommune_id,
        version=version,
        kind=kind,
        title=title.strip() or (course.title if course else ""),
        description=description,
        goal=goal,
        deadline=deadline,
        course=course,
        session=session,
        order=(version.activities.aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    _record(version, before, by)
    return activity


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
    course: Course | None = None,
    session: CourseSession | None = None,
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanActivity:
    _check_course(activity.version, kind, course, session, before=activity)
    version = _claim(activity.version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    activity = _same_item_in(version, activity)
    activity.kind, activity.description = kind, description
    activity.title = title.strip() or (course.title if course else "")
    activity.goal = _same_item_in(version, goal) if goal is not None else None
    activity.deadline = deadline
    activity.course, activity.session = course, session
    activity.save(
        update_fields=["kind", "title", "description", "goal", "deadline", "course", "session"]
    )
    _record(version, before, by)
    return activity


@transaction.atomic
def activity_delete(
    *,
    activity: PlanActivity,
    revision: int,
    by: Person | None = None,
    refuse_locked: bool = False,
) -> PlanVersion:
    version = _claim(activity.version, revision, refuse_locked=refuse_locked)
    before = _before(version, by)
    _same_item_in(version, activity).delete()
    _record(version, before, by)
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


# --- Check-ins -------------------------------------------------------------------------


class CheckInRefused(ValidationError):
    """A check-in is recorded only on the agreement in force: the plan's newest version,
    signed by both."""

    def __init__(self):
        super().__init__(
            _(
                "Opfølgningen er ikke gemt: planen er ikke underskrevet af begge. I kan "
                "først følge op på planen, når I begge har underskrevet den nyeste version."
            )
        )


@transaction.atomic
def plan_check_in_record(
    *,
    version: PlanVersion,
    by: Person,
    held_on: datetime.date,
    note: str,
    statuses: dict[int, tuple[str, str]],
) -> PlanCheckIn:
    """A mid-year check-in on a signed plan: each activity's status and a short note
    (`statuses`: activity id -> (status, note)) and a general note, as a dated record.

    Progress is follow-up, not agreement: the activities' statuses change in place and
    the signed content, its hash and the signatures are untouched, so no one signs
    again. Refused on a version that is not the newest or not signed by both."""
    locked = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__employee")
        .get(pk=version.pk)
    )
    newest = locked.plan.versions.filter(number__gt=locked.number).exists()
    roles = set(locked.signatures.values_list("role", flat=True))
    if newest or roles != {Signature.Role.EMPLOYEE, Signature.Role.LEADER}:
        raise CheckInRefused()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Datoen ligger i fremtiden.")})
    activities = {activity.pk: activity for activity in locked.activities.all()}
    valid = set(PlanActivity.Status.values)
    for activity_id, (status, _note) in statuses.items():
        if activity_id not in activities:
            raise ValidationError(_("Aktiviteten hører ikke til planen."))
        if status not in valid:
            raise ValidationError(
                _("Vælg en gyldig status for %(title)s.") % {"title": activities[activity_id].title}
            )
    check_in = PlanCheckIn.objects.create(
        kommune_id=locked.kommune_id, version=locked, author=by, held_on=held_on, note=note[:2000]
    )
    CheckInActivity.objects.bulk_create(
        CheckInActivity(
            kommune_id=locked.kommune_id,
            check_in=check_in,
            activity_id=activity_id,
            status=status,
            note=activity_note[:500],
        )
        for activity_id, (status, activity_note) in statuses.items()
    )
    changed = []
    for activity_id, (status, _note) in statuses.items():
        activity = activities[activity_id]
        if status == PlanActivity.Status.DONE:
            activity.done_on = activity.done_on or held_on
        else:
            activity.done_on = None
        activity.status = status
        changed.append(activity)
    PlanActivity.objects.bulk_update(changed, ["status", "done_on"])
    audit_write(
        kommune_id=locked.kommune_id,
        actor=by,
        action=AuditEntry.Action.CREATE,
        subject=locked.plan.employee,
        obj=check_in,
        summary=_("Opfølgning på udviklingsplan"),
    )
    return check_in


# --- PDF -------------------------------------------------------------------------------


def pdf_request(*, version: PlanVersion, language: str = "da", archival: bool = False) -> PlanPdf:
    """Asks for the PDF of a version in a language; made by a Celery task after commit.
    Asking again while one is ready or on its way changes nothing; asking again for one
    that failed ("Prøv igen") sends it again. Each version's PDF is its own row and
    task, so one stuck or failed never holds back another version's. `archival` asks
    for the PDF/A copy, which the views offer only for a version both have signed."""
    pdf, created = PlanPdf.objects.get_or_create(
        version=version,
        language=language,
        archival=archival,
        defaults={"kommune_id": version.kommune_id},
    )
    if created:
        render_plan_pdf.delay_on_commit(version.kommune_id, pdf.pk)
    elif pdf.status == PlanPdf.Status.FAILED:
        work_retry(kind=PDF_WORK, row=pdf)
    return pdf


def _send_pdf(pdf: PlanPdf) -> None:
    render_plan_pdf.delay(pdf.kommune_id, pdf.pk)


PDF_WORK = WorkKind(
    name="plan_pdf",
    model=PlanPdf,
    pending={"status": PlanPdf.Status.PENDING},
    failed={"status": PlanPdf.Status.FAILED},
    restart={"status": PlanPdf.Status.PENDING, "error": ""},
    send=_send_pdf,
)


# --- Reads of another person's data, in the audit log -------------------------------------
# `request` carries who reads (its person) and in which kommune.


def conversation_read_log(*, request, conversation: Conversation, summary: str = "") -> None:
    """Someone other than the conversation's two parties opened it."""
    if request.person.pk in (conversation.employee_id, conversation.leader_id):
        return
    audit_record(
        request,
        action=AuditEntry.Action.VIEW,
        subject=conversation.employee,
        obj=conversation,
        summary=summary,
    )


def plan_read_log(*, request, plan: Plan, version: PlanVersion | None = None) -> None:
    """Someone other than the plan's employee opened the plan, or one of its versions."""
    if request.person.pk == plan.employee_id:
        return
    audit_record(request, action=AuditEntry.Action.VIEW, subject=plan.employee, obj=version or plan)


def plan_pdf_export_log(*, request, pdf: PlanPdf) -> None:
    """Every download of a plan's PDF, the employee's own included."""
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=pdf.version.plan.employee,
        obj=pdf.version,
        summary="PDF",
        details={"format": "PDF"},
    )
