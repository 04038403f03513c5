"""For the URL walk (tests/kompetence/test_tenancy.py): which object of a kommune's
test organisation each kind of URL argument names. A new URL argument must be added
here, or the walk fails and says so."""

from __future__ import annotations

import datetime

from tests.catalogue.factories import build_catalogue
from tests.mus.factories import build_group, build_mus
from tests.profiles.factories import build_profiles


def _mus(org):
    if not hasattr(org, "_mus"):
        _profiles(org)  # the conversation links to the org's evaluation round
        org._mus = build_mus(org)
    return org._mus


def _upward_statement(org):
    from mus.upward import services

    return services.upward_questions(kommune=org.kommune)[0]


def _group(org):
    if not hasattr(org, "_group"):
        _mus(org)
        org._group = build_group(org)
    return org._group


def _api_token(org):
    from kompetence.api import services

    if not hasattr(org, "_api_token"):
        org._api_token = services.api_token_create(actor=org.hr, name="Power BI").token
    return org._api_token


def _catalogue(org):
    if not hasattr(org, "_catalogue"):
        org._catalogue = build_catalogue(org)
    return org._catalogue


def _cycle(org):
    from annualcycle.cycle import services

    if not hasattr(org, "_cycle"):
        org._cycle = services.cycle_create_default(kommune=org.kommune, start_year=2026)
    return org._cycle


def _committee(org):
    from kompetence import services
    from kompetence.models import MEDMembership

    if not hasattr(org, "_committee"):
        org._committee = services.med_committee_create(
            kommune=org.kommune,
            name="Center-MED",
            kind="center",
            unit=org.centre,
            members=[(org.colleague, MEDMembership.Role.MEMBER)],
        )
    return org._committee


def _report(org):
    from annualcycle.models import GapReport

    if not hasattr(org, "_report"):
        org._report = GapReport.objects.create(
            kommune=org.kommune, requested_by=org.hr, unit=org.root
        )
    return org._report


def _mus_evaluation(org):
    import datetime

    from annualcycle.models import MusEvaluationReport

    if not hasattr(org, "_mus_evaluation"):
        org._mus_evaluation = MusEvaluationReport.objects.create(
            kommune=org.kommune,
            requested_by=org.hr,
            unit=org.root,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
        )
    return org._mus_evaluation


def _action_plan(org):
    from annualcycle.models import ActionPlan

    if not hasattr(org, "_action_plan"):
        org._action_plan = ActionPlan.objects.create(kommune=org.kommune, unit=org.team, year=2027)
    return org._action_plan


def _action_plan_item(org):
    from annualcycle.models import ActionPlanItem

    if not hasattr(org, "_action_plan_item"):
        org._action_plan_item = ActionPlanItem.objects.create(
            kommune=org.kommune, plan=_action_plan(org), title="Kursus i konflikthåndtering"
        )
    return org._action_plan_item


def _import_job(org):
    from kompetence.models import ImportJob

    if not hasattr(org, "_import_job"):
        org._import_job = ImportJob.objects.create(
            kommune=org.kommune, kind="organisation", created_by=org.hr, filename="org.csv"
        )
    return org._import_job


def _training(org):
    """A function with the employee as holder, and a requirement assigned to it."""
    import datetime

    from catalogue.training import services

    if not hasattr(org, "_training"):
        function = services.function_create(
            kommune=org.kommune, actor=org.hr, name="Arbejdsmiljørepræsentant"
        )
        holder = services.function_holder_add(
            function=function,
            person=org.employee,
            since=datetime.date(2026, 1, 1),
            actor=org.hr,
        )
        requirement = services.requirement_create(
            kommune=org.kommune, actor=org.hr, name="Arbejdsmiljøuddannelse"
        )
        assignment = services.requirement_assign(
            requirement=requirement, actor=org.hr, kind="function", function=function
        )
        org._training = {
            "function": function,
            "holder": holder,
            "requirement": requirement,
            "assignment": assignment,
        }
    return org._training


def _evidence(org):
    """Proof the employee uploaded for a competence (its file need not exist: the walk
    asks for it as an outsider)."""
    from catalogue.models import Evidence

    if not hasattr(org, "_evidence"):
        version = _profiles(org).version
        org._evidence = Evidence.objects.create(
            kommune=org.kommune,
            person=org.employee,
            framework=version.framework,
            competence_key=version.competences.order_by("pk").first().key,
            title="Diplom",
            file="evidence/2026/01/walk.pdf",
            filename="diplom.pdf",
            content_type="application/pdf",
            size=1,
            issued_on=datetime.date(2026, 1, 1),
        )
    return org._evidence


def _profiles(org):
    if not hasattr(org, "_profiles"):
        org._profiles = build_profiles(org)
    return org._profiles


OBJECT_IDS = {
    "unit_id": lambda org: org.team.pk,
    "person_id": lambda org: org.employee.pk,
    "position_id": lambda org: org.employee.positions.get().pk,
    "version_id": lambda org: _profiles(org).draft.pk,
    "group_id": lambda org: _profiles(org).group.pk,
    "competence_id": lambda org: _profiles(org).competence.pk,
    "scale_id": lambda org: _profiles(org).scale.pk,
    "level_id": lambda org: _profiles(org).scale.levels.first().pk,
    "job_profile_id": lambda org: _profiles(org).job_profile.pk,
    "round_id": lambda org: _profiles(org).round.pk,
    "evaluation_id": lambda org: _profiles(org).evaluation.pk,
    "conversation_id": lambda org: _mus(org).conversation.pk,
    "plan_id": lambda org: _mus(org).plan.pk,
    "plan_version_id": lambda org: _mus(org).version.pk,
    "goal_id": lambda org: _mus(org).goal.pk,
    "activity_id": lambda org: _mus(org).activity.pk,
    "pdf_id": lambda org: _mus(org).pdf_id,
    "question_id": lambda org: _mus(org).question.pk,
    "leader_id": lambda org: org.leader.pk,
    "statement_id": lambda org: _upward_statement(org).pk,
    "conversation_group_id": lambda org: _group(org).pk,
    "course_id": lambda org: _catalogue(org).course.pk,
    "token_id": lambda org: _api_token(org).pk,
    "session_id": lambda org: _catalogue(org).session.pk,
    "enrolment_id": lambda org: _catalogue(org).enrolment.pk,
    "cycle_id": lambda org: _cycle(org).pk,
    "phase_id": lambda org: _cycle(org).phases.order_by("pk").first().pk,
    "task_id": lambda org: (
        _cycle(org).phases.order_by("pk").first().tasks.order_by("pk").first().pk
    ),
    "committee_id": lambda org: _committee(org).pk,
    "report_id": lambda org: _report(org).pk,
    "mus_evaluation_id": lambda org: _mus_evaluation(org).pk,
    "action_plan_id": lambda org: _action_plan(org).pk,
    "item_id": lambda org: _action_plan_item(org).pk,
    "job_id": lambda org: _import_job(org).pk,
    "requirement_id": lambda org: _training(org)["requirement"].pk,
    "assignment_id": lambda org: _training(org)["assignment"].pk,
    "function_id": lambda org: _training(org)["function"].pk,
    "holder_id": lambda org: _training(org)["holder"].pk,
    "evidence_id": lambda org: _evidence(org).pk,
}
