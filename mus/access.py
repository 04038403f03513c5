"""Who may see and do what with MUS conversations and plans.

Security contract of every `get_*_or_404`: only objects of the active kommune that the
viewer is entitled to; anything else, existing or not, raises the same Http404. A
colleague in the same kommune is an outsider here: only the two parties, the
employee's leader chain and HR see a conversation or a plan (and a plan also the person
the leader's signature is delegated to, while the delegation lasts)."""

from __future__ import annotations

from django.http import Http404

from kompetence import permissions
from kompetence.models import Person
from mus.models import (
    Conversation,
    Plan,
    PlanActivity,
    PlanGoal,
    PlanPdf,
    PlanVersion,
    SignatureDelegation,
)
from mus.selectors import conversations_for


def get_conversation_or_404(viewer: Person, conversation_id: int) -> Conversation:
    conversation = (
        conversations_for(viewer)
        .select_related("round__version")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


def is_party(viewer: Person, conversation: Conversation) -> bool:
    return viewer.pk in (conversation.employee_id, conversation.leader_id)


def leads_employee(viewer: Person, employee: Person) -> bool:
    return permissions.leads(viewer, employee)


def may_edit_plan(viewer: Person, plan: Plan) -> bool:
    """The employee and their leaders write the plan; HR reads it."""
    return viewer.pk == plan.employee_id or leads_employee(viewer, plan.employee)


def get_plan_or_404(viewer: Person, plan_id: int) -> Plan:
    plan = (
        Plan.objects.select_related(
            "employee__user", "leader", "conversation__round__version", "kommune"
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404
    allowed = (
        viewer.pk in (plan.employee_id, plan.leader_id)
        or leads_employee(viewer, plan.employee)
        or permissions.persons_administered_by(viewer).filter(pk=plan.employee_id).exists()
        # Someone given the leader's signature reads what they are to sign.
        or SignatureDelegation.objects.filter(
            conversation_id=plan.conversation_id, to_person=viewer, revoked_at__isnull=True
        ).exists()
    )
    if not allowed:
        raise Http404
    return plan


def get_version_or_404(viewer: Person, plan_version_id: int) -> PlanVersion:
    version = PlanVersion.objects.filter(pk=plan_version_id).first()
    if version is None:
        raise Http404
    version.plan = get_plan_or_404(viewer, version.plan_id)
    return version


def get_goal_or_404(viewer: Person, goal_id: int) -> PlanGoal:
    goal = PlanGoal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    goal.version = get_version_or_404(viewer, goal.version_id)
    return goal


def get_activity_or_404(viewer: Person, activity_id: int) -> PlanActivity:
    activity = PlanActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    activity.version = get_version_or_404(viewer, activity.version_id)
    return activity


def get_pdf_or_404(viewer: Person, pdf_id: int) -> PlanPdf:
    pdf = PlanPdf.objects.filter(pk=pdf_id).first()
    if pdf is None:
        raise Http404
    pdf.version = get_version_or_404(viewer, pdf.version_id)
    return pdf
