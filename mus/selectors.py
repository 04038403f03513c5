"""Reads on MUS conversations and plans that pages, the PDF and reports share."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from kompetence import permissions
from kompetence.models import Kommune, Person, Position
from mus.models import (
    AgendaQuestion,
    Conversation,
    Plan,
    PlanActivity,
    PlanVersion,
    Signature,
    SignatureDelegation,
)
from profiles.selectors import person_gaps, version_structure


def active_agenda_question_count(kommune: Kommune) -> int:
    return AgendaQuestion.objects.filter(kommune=kommune, is_active=True).count()


def plan_document(version: PlanVersion) -> dict:
    """Everything the plan page and its PDF show about one version."""
    from mus.services import content_hash

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
        "activities": list(version.activities.select_related("goal").order_by("order", "pk")),
        "signatures": list(
            version.signatures.select_related(
                "signer", "delegation__from_leader", "delegation__granted_by"
            )
        ),
        "delegations": signature_delegations(plan),
        "content_hash": content_hash(version),
        "structure": structure,
    }


def conversations_for(viewer: Person) -> QuerySet[Conversation]:
    """Conversations the viewer takes part in, leads (their subtree) or, as HR, sees."""
    conversations = Conversation.objects.select_related("employee", "leader")
    if permissions.is_kommune_hr(viewer):
        return conversations
    return conversations.filter(
        Q(employee=viewer)
        | Q(leader=viewer)
        | Q(employee__in=permissions.persons_led_by(viewer))
        | Q(employee__in=permissions.persons_administered_by(viewer))
    )


def team_plan_progress(leader: Person) -> list[dict]:
    """Each person the leader leads, with their latest conversation and plan progress:
    a fixed number of queries whatever the team's size."""
    people = list(permissions.persons_led_by(leader).filter(is_active=True).order_by("name"))
    latest: dict[int, Conversation] = {}
    conversation: Conversation | None
    for conversation in (
        Conversation.objects.filter(employee__in=people)
        .exclude(status=Conversation.Status.CANCELLED)
        .select_related("plan")
        .order_by("employee_id", "-starts_at")
    ):
        latest.setdefault(conversation.employee_id, conversation)
    plan_ids = [c.plan.pk for c in latest.values() if hasattr(c, "plan")]
    versions: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(plan_id__in=plan_ids)
        .annotate(
            signed=Count("signatures", distinct=True),
            total=Count("activities", distinct=True),
            done=Count(
                "activities",
                filter=Q(activities__status=PlanActivity.Status.DONE),
                distinct=True,
            ),
        )
        .order_by("plan_id", "-number")
    ):
        versions.setdefault(version.plan_id, version)
    rows = []
    for person in people:
        conversation = latest.get(person.pk)
        plan = getattr(conversation, "plan", None) if conversation else None
        rows.append(
            {
                "person": person,
                "conversation": conversation,
                "plan": plan,
                "version": versions.get(plan.pk) if plan else None,
            }
        )
    return rows


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
    with a login, other than the plan's two parties."""
    leaders = Position.objects.active().filter(is_leader=True).values("person_id")
    return (
        Person.objects.filter(pk__in=leaders, is_active=True, user__isnull=False)
        .exclude(pk__in=[plan.employee_id, plan.leader_id])
        .order_by("name", "pk")
    )
