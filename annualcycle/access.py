"""Who may load which object of the annual-cycle app by id: one helper per kind of
object, for every view that takes an id (the årshjul, the dashboards, gap reports and
action plans).

Security contract of every `get_*_or_404(viewer, <thing>_id, *, <flags>)`: the object is
looked up in the viewer's kommune (on top of the request's kommune scope) among the
objects the viewer is entitled to, as each helper's docstring says; anything else — an
id that does not exist, an object of another kommune, an object that is none of the
viewer's business — raises the same Http404, so a response never tells which. Role
checks that do not depend on the object (HR for the whole kommune editing the årshjul)
stay on the views' decorators (`kompetence.infra.http`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from annualcycle.action_plans import selectors as action_plans
from annualcycle.dashboards.selectors import committees_of
from annualcycle.models import (
    ActionPlan,
    ActionPlanItem,
    Cycle,
    GapReport,
    MusEvaluationReport,
    Phase,
    Task,
)
from annualcycle.reports import mus_evaluation
from annualcycle.reports.selectors import reports_for
from kompetence.models import MEDCommittee, OrgUnit, Person

# --- The årshjul ------------------------------------------------------------------------


def get_cycle_or_404(viewer: Person, cycle_id: int) -> Cycle:
    """A cycle of the viewer's kommune. Every person of the kommune reads its årshjul;
    only HR for the whole kommune edits it (the editing views' decorator)."""
    cycle = (
        Cycle.objects.select_related("reviewed_by")
        .filter(kommune_id=viewer.kommune_id, pk=cycle_id)
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle


def get_phase_or_404(viewer: Person, phase_id: int) -> Phase:
    """A phase of the viewer's kommune's årshjul, with its cycle. Entitled: as
    `get_cycle_or_404`."""
    phase = (
        Phase.objects.select_related("cycle")
        .filter(kommune_id=viewer.kommune_id, pk=phase_id)
        .first()
    )
    if phase is None:
        raise Http404
    return phase


def get_task_or_404(viewer: Person, task_id: int) -> Task:
    """A task of the viewer's kommune's årshjul, with its phase and cycle. Entitled: as
    `get_cycle_or_404`."""
    task = (
        Task.objects.select_related("phase__cycle")
        .filter(kommune_id=viewer.kommune_id, pk=task_id)
        .first()
    )
    if task is None:
        raise Http404
    return task


# --- The dashboards ---------------------------------------------------------------------


def get_med_committee_or_404(viewer: Person, committee_id: int) -> MEDCommittee:
    """An open MED committee the viewer is a member of, with its unit.

    Membership is the only way in: HR, leaders and everyone else who is not a member,
    a closed committee, and every committee of another kommune get the same 404."""
    committee = committees_of(viewer).filter(kommune_id=viewer.kommune_id, pk=committee_id).first()
    if committee is None:
        raise Http404
    return committee


def get_dashboard_unit_or_404(viewer: Person, unit_id: int, *, units: QuerySet[OrgUnit]) -> OrgUnit:
    """A unit of the viewer's kommune among `units`, the units the dashboard being
    drilled into covers (the viewer's visible units, or a committee's subtree). A unit
    outside them is a 404, whether it exists or not."""
    unit = units.filter(kommune_id=viewer.kommune_id, pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


# --- Gap reports ------------------------------------------------------------------------


def get_gap_report_or_404(viewer: Person, report_id: int) -> GapReport:
    """A report the viewer ordered, or any report of the kommune for HR for the whole
    kommune. A colleague's report is a 404 like one of another kommune."""
    report = reports_for(viewer).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


# --- MUS evaluations --------------------------------------------------------------------


def get_mus_evaluation_or_404(viewer: Person, report_id: int) -> MusEvaluationReport:
    """An evaluation about a unit the viewer may order one for: a unit their open MED
    committee covers, or one they administer as HR (kommune HR: every unit). A member
    of a committee that does not cover the unit gets the same 404 as another kommune."""
    report = mus_evaluation.reports_for(viewer).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


# --- Action plans -----------------------------------------------------------------------


def get_action_plan_or_404(
    viewer: Person, action_plan_id: int, *, editable: bool = False
) -> ActionPlan:
    """A plan the viewer may read: they write plans for its unit (leader at or above
    the unit, or HR for it), or sit on a MED committee covering it. With `editable`,
    only a plan the viewer writes: a MED member who may read the plan still gets 404."""
    plan = (
        action_plans.readable_plans(viewer)
        .select_related("unit", "updated_by")
        .filter(pk=action_plan_id)
        .first()
    )
    if plan is None or (editable and not action_plans.may_edit(viewer, plan)):
        raise Http404
    return plan


def get_action_plan_item_or_404(viewer: Person, item_id: int) -> ActionPlanItem:
    """A planned activity of a plan the viewer writes (as `get_action_plan_or_404` with
    `editable`), with its plan's unit and its course."""
    item = (
        ActionPlanItem.objects.select_related("plan__unit", "course")
        .filter(
            kommune_id=viewer.kommune_id,
            pk=item_id,
            plan__unit__in=action_plans.editable_units(viewer),
        )
        .first()
    )
    if item is None:
        raise Http404
    return item
