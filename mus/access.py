"""Who may see and do what with MUS conversations and plans.

Security contract of every `get_*_or_404`: only objects of the active kommune that the
viewer is entitled to; anything else, existing or not, raises the same Http404. A
colleague in the same kommune is an outsider here: only the two parties, the
employee's leader chain and HR see a conversation or a plan (and a plan also the person
the leader's signature is delegated to, while the delegation lasts).

Every helper takes the viewer and the object's id, and keyword flags that narrow who
may have it for what the view does (`leader_only=True`: only the employee's leaders;
`editing=True`: only those who write the plan). A viewer who may see the object but
not do that gets the same Http404 as an outsider."""

from __future__ import annotations

from django.http import Http404

from kompetence import permissions
from kompetence.models import Person
from mus.models import (
    AgendaQuestion,
    Conversation,
    ConversationGroup,
    Plan,
    PlanActivity,
    PlanGoal,
    PlanPdf,
    PlanVersion,
    SignatureDelegation,
)
from mus.selectors import conversation_competence, conversations_for, current_version
from mus.signing import may_delegate_signature
from profiles.models import Competence


def get_conversation_or_404(
    viewer: Person,
    conversation_id: int,
    *,
    party_only: bool = False,
    leader_only: bool = False,
    party_or_leader: bool = False,
) -> Conversation:
    """A conversation the viewer takes part in, leads (the employee is in their
    subtree) or, as HR, administers. `party_only`: only the employee and the
    conversation's leader (their private preparation). `leader_only`: only the
    employee's leaders (moving, cancelling, the agreed levels, the plan).
    `party_or_leader`: either of those (the conversation screen), not HR."""
    conversation = (
        conversations_for(viewer)
        .select_related("round__version")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404
    if party_only and not is_party(viewer, conversation):
        raise Http404
    if leader_only and not leads_employee(viewer, conversation.employee):
        raise Http404
    if party_or_leader and not (
        is_party(viewer, conversation) or leads_employee(viewer, conversation.employee)
    ):
        raise Http404
    return conversation


def get_group_or_404(viewer: Person, group_id: int) -> ConversationGroup:
    """A group conversation (GRUS/TUS) the viewer is the leader of: only they run the
    group page and its shared notes. Participants read the shared notes on their own
    conversation; anyone else, HR included, gets a 404."""
    group = ConversationGroup.objects.filter(pk=group_id, leader=viewer).first()
    if group is None:
        raise Http404
    return group


def get_led_person_or_404(viewer: Person, person_id: int) -> Person:
    """A person the viewer leads (in the subtree of the units they lead): whom they may
    plan a MUS with. Anyone else, HR's people included, is a 404."""
    person = permissions.persons_led_by(viewer).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def get_round_competence_or_404(
    viewer: Person, competence_id: int, *, conversation: Conversation
) -> Competence:
    """A competence of the framework version of `conversation`'s round, which must come
    from `get_conversation_or_404` for the same viewer; a conversation without a round
    has none."""
    competence = conversation_competence(conversation, competence_id)
    if competence is None:
        raise Http404
    return competence


def is_party(viewer: Person, conversation: Conversation) -> bool:
    """The viewer is the conversation's employee or its leader."""
    return viewer.pk in (conversation.employee_id, conversation.leader_id)


def leads_employee(viewer: Person, employee: Person) -> bool:
    """The viewer leads the employee (the employee is in the subtree of a unit they lead)."""
    return permissions.leads(viewer, employee)


def may_edit_plan(viewer: Person, plan: Plan) -> bool:
    """The employee and their leaders write the plan; HR reads it."""
    return viewer.pk == plan.employee_id or leads_employee(viewer, plan.employee)


def get_plan_or_404(viewer: Person, plan_id: int, *, delegating: bool = False) -> Plan:
    """A plan the viewer is a party to, leads the employee of, administers as HR, or
    has been given the leader's signature on (while the delegation lasts).
    `delegating`: only those who may delegate the leader's signature (the
    conversation's own leader and HR of the employee)."""
    plan = (
        Plan.objects.select_related(
            "employee__user",
            "leader",
            "conversation__round__version",
            "conversation__group",
            "kommune",
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
    if delegating and not may_delegate_signature(viewer, plan):
        raise Http404
    return plan


def get_version_or_404(
    viewer: Person, plan_version_id: int, *, editing: bool = False
) -> PlanVersion:
    """A version of a plan the viewer may see (`get_plan_or_404`). `editing`: only
    those who write the plan (`may_edit_plan`)."""
    version = PlanVersion.objects.filter(pk=plan_version_id).first()
    if version is None:
        raise Http404
    version.plan = get_plan_or_404(viewer, version.plan_id)
    if editing and not may_edit_plan(viewer, version.plan):
        raise Http404
    return version


def get_goal_or_404(viewer: Person, goal_id: int, *, editing: bool = False) -> PlanGoal:
    """A goal of a plan version the viewer may see (`get_version_or_404`, `editing`
    likewise)."""
    goal = PlanGoal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    goal.version = get_version_or_404(viewer, goal.version_id, editing=editing)
    return goal


def get_activity_or_404(
    viewer: Person,
    activity_id: int,
    *,
    editing: bool = False,
    current: bool = False,
    employee_only: bool = False,
) -> PlanActivity:
    """An activity of a plan version the viewer may see (`get_version_or_404`,
    `editing` likewise). `current`: only one of the plan's newest version (follow-up
    is recorded there; older versions are a record). `employee_only`: only the plan's
    employee (asking for a place on the activity's course is theirs to do)."""
    activity = PlanActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    activity.version = get_version_or_404(viewer, activity.version_id, editing=editing)
    if current and activity.version.pk != current_version(activity.version.plan).pk:
        raise Http404
    if employee_only and viewer.pk != activity.version.plan.employee_id:
        raise Http404
    return activity


def get_pdf_or_404(viewer: Person, pdf_id: int, *, ready: bool = False) -> PlanPdf:
    """The PDF of a plan version the viewer may see (`get_version_or_404`). `ready`:
    only one that is made and has its file (to download)."""
    pdf = PlanPdf.objects.filter(pk=pdf_id).first()
    if pdf is None:
        raise Http404
    pdf.version = get_version_or_404(viewer, pdf.version_id)
    if ready and (pdf.status != PlanPdf.Status.READY or not pdf.file):
        raise Http404
    return pdf


def get_delegation_or_404(viewer: Person, delegation_id: int, *, plan: Plan) -> SignatureDelegation:
    """A delegation of the leader's signature on `plan`'s conversation; `plan` must come
    from `get_plan_or_404(viewer, ..., delegating=True)`, so only those who may
    delegate get it. A delegation of another plan is a 404."""
    delegation = SignatureDelegation.objects.filter(
        conversation_id=plan.conversation_id, pk=delegation_id
    ).first()
    if delegation is None:
        raise Http404
    return delegation


def get_agenda_question_or_404(viewer: Person, question_id: int) -> AgendaQuestion:
    """A preparation question of the viewer's kommune, for its HR only."""
    if not permissions.is_kommune_hr(viewer):
        raise Http404
    question = AgendaQuestion.objects.filter(kommune_id=viewer.kommune_id, pk=question_id).first()
    if question is None:
        raise Http404
    return question
