"""Reads on MUS conversations and plans that pages, the PDF and reports share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from kompetence import permissions
from kompetence.models import Kommune, Person, Position
from mus.content import content_hash
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
    SignatureDelegation,
)
from profiles.models import Competence, Evaluation
from profiles.selectors import person_gaps, role_of, version_structure


def active_agenda_question_count(kommune: Kommune) -> int:
    """Active questions of the MUS agenda (the one the starter agendas replace)."""
    return AgendaQuestion.objects.filter(
        kommune=kommune, kind=ConversationKind.MUS, is_active=True
    ).count()


def current_version(plan: Plan) -> PlanVersion:
    """The plan's newest version: the one that is edited and signed."""
    version = plan.versions.order_by("-number").first()
    assert version is not None  # a plan is created with its first version
    return version


def plan_document(version: PlanVersion) -> dict:
    """Everything the plan page and its PDF show about one version."""
    plan = version.plan
    goals = list(version.goals.order_by("order", "pk").prefetch_related("competences"))
    structure = (
        version_structure(plan.conversation.round.version) if plan.conversation.round else None
    )
    return {
        "plan": plan,
        "kommune": plan.kommune,
        "employee": plan.employee,
        "leader": plan.leader,
        "goals": goals,
        "activities": list(
            version.activities.select_related("goal", "course", "session").order_by("order", "pk")
        ),
        "signatures": list(
            version.signatures.select_related(
                "signer", "delegation__from_leader", "delegation__granted_by"
            )
        ),
        "delegations": signature_delegations(plan),
        "content_hash": content_hash(version),
        "structure": structure,
    }


def activity_row(activity_id: int) -> PlanActivity:
    """One activity as the plan page's row shows it (after `access` has let it through)."""
    return PlanActivity.objects.select_related("goal", "course", "session").get(pk=activity_id)


def conversations_for(viewer: Person) -> QuerySet[Conversation]:
    """Conversations the viewer takes part in, leads (their subtree) or, as HR, sees."""
    conversations = Conversation.objects.select_related("employee", "leader", "group")
    if permissions.is_kommune_hr(viewer):
        return conversations
    return conversations.filter(
        Q(employee=viewer)
        | Q(leader=viewer)
        | Q(employee__in=permissions.persons_led_by(viewer))
        | Q(employee__in=permissions.persons_administered_by(viewer))
    )


def own_conversations(person: Person) -> QuerySet[Conversation]:
    """The person's own conversations, as the employee, with their plans."""
    return conversations_for(person).filter(employee=person).select_related("plan")


def preparation_of(conversation: Conversation, author: Person) -> dict:
    """One party's preparation: their notes by question (None: the general note) and
    their own evaluation in the conversation's round, if any."""
    notes = {
        note.question_id: note.text
        for note in PreparationNote.objects.filter(conversation=conversation, author=author)
    }
    evaluation: Evaluation | None = None
    if conversation.round:
        kind = "self" if author.pk == conversation.employee_id else "leader"
        evaluation = conversation.round.evaluations.filter(
            subject=conversation.employee, kind=kind
        ).first()
    return {"notes": notes, "evaluation": evaluation}


def conversation_rows(conversation: Conversation):
    """The conversation screen's rows: required, self, leader and agreed side by side."""
    if conversation.round_id is None:
        return [], None
    round_ = conversation.round
    assert round_ is not None  # round_id is set
    return person_gaps(conversation.employee, round_), version_structure(round_.version)


def plan_versions(plan: Plan) -> list[PlanVersion]:
    return list(
        plan.versions.prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("signer"))
        ).order_by("-number")
    )


def signature_delegations(plan: Plan) -> list[SignatureDelegation]:
    """Every delegation of the leader's signature on the plan's conversation, revoked
    ones included: the record of who might sign as leader, and why."""
    return list(
        SignatureDelegation.objects.filter(conversation_id=plan.conversation_id)
        .select_related("from_leader", "to_person", "granted_by", "revoked_by")
        .order_by("granted_at", "pk")
    )


def delegation_candidates(plan: Plan) -> QuerySet[Person]:
    """Whom the leader's signature may be delegated to: the kommune's active leaders
    with a login, other than the plan's two parties. Only what the choice list shows
    is read: in København they are 2,500."""
    leaders = Position.objects.active().filter(is_leader=True).values("person_id")
    return (
        Person.objects.filter(pk__in=leaders, is_active=True, user__isnull=False)
        .exclude(pk__in=[plan.employee_id, plan.leader_id])
        .order_by("name", "pk")
        .only("pk", "kommune_id", "name", "employee_number")
    )


def plan_competences(plan: Plan, *, keep: Iterable[int] = ()) -> QuerySet[Competence]:
    """The competences a plan's goals may name: those of the conversation's round that
    apply to the employee's role (the role their evaluation in the round was given,
    else the one they have now), and those in `keep` (a goal's stored choices, so that
    editing it never drops one)."""
    keep = list(keep)
    if not plan.conversation.round_id:
        return Competence.objects.filter(pk__in=keep)
    round_ = plan.conversation.round
    assert round_ is not None  # round_id is set
    role = Evaluation.objects.filter(
        round=round_, subject_id=plan.employee_id, kind=Evaluation.Kind.SELF
    ).values_list("role", flat=True).first() or role_of(plan.employee)
    applying = [
        competence.pk
        for competence in Competence.objects.filter(version_id=round_.version_id).only("roles")
        if competence.applies_to(role)
    ]
    return Competence.objects.filter(pk__in=[*applying, *keep])


def plan_goal_levels(plan: Plan) -> list:
    """The levels a goal's target may take: the round's framework's."""
    round_ = plan.conversation.round if plan.conversation.round_id else None
    return version_structure(round_.version).levels if round_ else []


def version_pdf(version: PlanVersion, language: str, *, archival: bool = False) -> PlanPdf | None:
    """The version's PDF (or its archival PDF/A copy) in the language, or else the
    Danish one."""
    pdfs = {pdf.language: pdf for pdf in version.pdfs.all() if pdf.archival == archival}
    return pdfs.get(language) or pdfs.get("da")


def plan_changes_since(version: PlanVersion, revision: int) -> list[PlanChange]:
    """The recorded edits of `version`'s plan that someone who opened `version` at
    `revision` has not seen (later edits of it, and every edit of a newer version),
    oldest first."""
    return list(
        PlanChange.objects.filter(version__plan_id=version.plan_id)
        .filter(Q(version=version, revision__gt=revision) | Q(version__number__gt=version.number))
        .select_related("editor", "version")
        .order_by("changed_at", "pk")
    )


def same_item_in_current(item: PlanGoal | PlanActivity) -> PlanGoal | PlanActivity | None:
    """The goal or activity in its plan's newest version that `item` is (itself, or
    its copy in a newer version); None when it was deleted there."""
    current = current_version(item.version.plan)
    if current.pk == item.version_id:
        return item
    related = current.activities if isinstance(item, PlanActivity) else current.goals
    return related.filter(key=item.key).first()


def newer_version(version: PlanVersion) -> PlanVersion | None:
    return version.plan.versions.filter(number=version.number + 1).first()


def conversation_competence(conversation: Conversation, competence_id: int) -> Competence | None:
    """A competence of the conversation's round, by id; None if it is not one."""
    if conversation.round is None:
        return None
    return Competence.objects.filter(
        pk=competence_id, version_id=conversation.round.version_id
    ).first()


# --- Follow-up: the previous plan, check-ins and follow-up dates ---------------------------


def signed_by_both() -> Q:
    """A filter on plan versions: both the employee and the leader have signed it."""
    return Q(
        Exists(Signature.objects.filter(version=OuterRef("pk"), role=Signature.Role.EMPLOYEE))
    ) & Q(Exists(Signature.objects.filter(version=OuterRef("pk"), role=Signature.Role.LEADER)))


def agreed_versions() -> QuerySet[PlanVersion]:
    """Each plan's agreement in force: its newest version that both have signed (a
    newer draft, or one signed by one party only, does not replace it yet)."""
    newer_signed = PlanVersion.objects.filter(
        plan=OuterRef("plan"), number__gt=OuterRef("number")
    ).filter(signed_by_both())
    return PlanVersion.objects.filter(signed_by_both()).exclude(Exists(newer_signed))


def previous_plan_for(conversation: Conversation) -> dict | None:
    """ "Opfølgning fra sidst": the employee's plan from their previous conversation (of
    any kind) that both signed, as it was agreed (its newest version signed by both),
    with each activity's status and the latest check-in on it. None when there is none.
    Four queries whatever the plan's size."""
    version = (
        agreed_versions()
        .filter(
            plan__employee_id=conversation.employee_id,
            plan__conversation__starts_at__lt=conversation.starts_at,
        )
        .exclude(plan__conversation_id=conversation.pk)
        .exclude(plan__conversation__status=Conversation.Status.CANCELLED)
        .select_related("plan__conversation", "plan__leader")
        .order_by("-plan__conversation__starts_at", "-number")
        .first()
    )
    if version is None:
        return None
    activities = list(version.activities.order_by("order", "pk"))
    check_in = (
        PlanCheckIn.objects.filter(version__plan_id=version.plan_id)
        .select_related("author")
        .order_by("-held_on", "-pk")
        .first()
    )
    notes: dict[int, str] = {}
    if check_in is not None:
        notes = {
            entry.activity_id: entry.note
            for entry in CheckInActivity.objects.filter(check_in=check_in)
        }
    return {
        "version": version,
        "plan": version.plan,
        "conversation": version.plan.conversation,
        "activities": [(activity, notes.get(activity.pk, "")) for activity in activities],
        "check_in": check_in,
    }


def plan_check_ins(plan: Plan) -> list[PlanCheckIn]:
    """The plan's check-ins, newest first, each with its activities' statuses."""
    return list(
        PlanCheckIn.objects.filter(version__plan_id=plan.pk)
        .select_related("author", "version")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=CheckInActivity.objects.select_related("activity").order_by(
                    "activity__order", "pk"
                ),
            )
        )
        .order_by("-held_on", "-pk")
    )


def follow_ups_for(person: Person, today: datetime.date) -> list[PlanVersion]:
    """Agreed plans the person is the employee or the leader of whose follow-up date
    is within the next two weeks or passed in the last month: a task on the home page
    until a check-in is recorded (from a month before the date)."""
    versions = (
        agreed_versions()
        .filter(Q(plan__employee=person) | Q(plan__leader=person))
        .filter(
            follow_up_date__gte=today - datetime.timedelta(days=30),
            follow_up_date__lte=today + datetime.timedelta(days=14),
        )
        .annotate(last_check_in=Max("check_ins__held_on"))
        .select_related("plan__employee")
        .order_by("follow_up_date", "pk")
    )
    return [
        version
        for version in versions
        if version.last_check_in is None
        or version.follow_up_date is None  # filtered on it above; for the type checker
        or version.last_check_in < version.follow_up_date - datetime.timedelta(days=30)
    ]


def agenda_all(kommune: Kommune, kind: str = ConversationKind.MUS) -> QuerySet[AgendaQuestion]:
    """Every preparation question of the kommune's agenda for `kind`, inactive ones too
    (HR's list)."""
    return AgendaQuestion.objects.filter(kommune=kommune, kind=kind)


# --- Group conversations (GRUS/TUS) ---------------------------------------------------------


def group_candidates(leader: Person) -> QuerySet[Person]:
    """Whom a leader may invite to a group conversation: the active people they lead."""
    return permissions.persons_led_by(leader).filter(is_active=True).order_by("name", "pk")


def group_participants(group: ConversationGroup) -> list[Conversation]:
    """Each participant's conversation in the group, cancelled ones (those who left for
    an individual MUS) last, with its plan: two queries whatever the group's size."""
    conversations = list(
        group.conversations.select_related("employee", "plan").order_by("employee__name", "pk")
    )
    conversations.sort(key=lambda c: c.status == Conversation.Status.CANCELLED)
    plan_ids = [c.plan.pk for c in conversations if hasattr(c, "plan")]
    versions: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(plan_id__in=plan_ids)
        .annotate(signed=Count("signatures", distinct=True))
        .order_by("plan_id", "-number")
    ):
        versions.setdefault(version.plan_id, version)
    for conversation in conversations:
        plan = getattr(conversation, "plan", None)
        conversation.plan_version = versions.get(plan.pk) if plan else None  # type: ignore[attr-defined]
    return conversations


def leader_groups(leader: Person) -> QuerySet[ConversationGroup]:
    """The leader's group conversations, newest first, with how many take part."""
    return (
        ConversationGroup.objects.filter(leader=leader)
        .annotate(
            participants=Count(
                "conversations",
                filter=~Q(conversations__status=Conversation.Status.CANCELLED),
            ),
            requests=Count(
                "conversations",
                filter=Q(
                    conversations__individual_requested_at__isnull=False,
                    conversations__status=Conversation.Status.SCHEDULED,
                ),
            ),
            starts_at=Max("conversations__starts_at"),
        )
        .order_by("-created_at", "-pk")
    )
