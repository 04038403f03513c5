"""Units' action plans (handlingsplaner, Fredericia): per unit and year, the leader's
priorities, planned activities and budget, written beside the unit's gap picture and
its people's development-plan activities; the MED committees covering the unit read
the plan and comment.

Who may do what:

* write (priorities, budget, activities): the leaders of the unit or of a unit above
  it, and HR for the unit (`permissions.visible_units`);
* read and comment: those, and members of a MED committee whose unit is the plan's
  unit or above it (`MEDMembership`);
* everyone else: nothing, not even that the plan exists.

MED members see the unit's figures in aggregate only, through the same k-anonymity as
the dashboards (`annualcycle.dashboards.anonymity`, k = the kommune's `med_min_group_size`): no
figure built on fewer than k people, and none that would let one be worked out by
subtracting the plans of the units below from the plan of the unit above
(`med_hidden`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from annualcycle.dashboards import anonymity
from annualcycle.dashboards.selectors import subtree_units
from annualcycle.models import ActionPlan, ActionPlanComment, ActionPlanItem
from annualcycle.reports.selectors import (
    Figures,
    competence_figures,
    group_figures,
    latest_round,
    main_positions,
    plan_activities,
    scope_assessments,
    scope_people,
    totals,
    with_unit,
)
from catalogue.models import Course
from kompetence import permissions
from kompetence.models import MEDCommittee, OrgUnit, Person
from mus.models import PlanActivity
from profiles.models import EvaluationRound
from profiles.selectors import version_structure

ACTIVITY_LIST_LIMIT = 200


# --- Who may see and change what -------------------------------------------------------


def med_committees_of(viewer: Person) -> list[MEDCommittee]:
    """The committees `viewer` sits on, with the unit each covers. Cached on the person
    object for the rest of the request."""
    cached = getattr(viewer, "_med_committees", None)
    if cached is None:
        cached = list(
            MEDCommittee.objects.open().filter(memberships__person=viewer).select_related("unit")
        )
        viewer._med_committees = cached
    return cached


def covering_committees(viewer: Person, unit: OrgUnit) -> list[MEDCommittee]:
    """The viewer's committees whose unit is `unit` or above it, nearest first."""
    committees = [c for c in med_committees_of(viewer) if unit.is_in_subtree_of(c.unit)]
    return sorted(committees, key=lambda c: -c.unit.depth)


def editable_units(viewer: Person) -> QuerySet[OrgUnit]:
    """Units whose action plans `viewer` writes: the led and administered subtrees."""
    return permissions.visible_units(viewer)


def units_for_new_plans(viewer: Person) -> QuerySet[OrgUnit]:
    """`editable_units` in tree order, for the new-plan form."""
    return editable_units(viewer).order_by("path")


def may_edit(viewer: Person, plan: ActionPlan) -> bool:
    return editable_units(viewer).filter(pk=plan.unit_id).exists()


def readable_plans(viewer: Person) -> QuerySet[ActionPlan]:
    """Plans of units `viewer` writes for, and of units their MED committees cover."""
    plans = ActionPlan.objects.filter(kommune_id=viewer.kommune_id)
    if permissions.is_kommune_hr(viewer):
        return plans
    paths = permissions.administered_unit_paths(viewer) + permissions.led_unit_paths(viewer)
    paths += [c.unit.path for c in med_committees_of(viewer)]
    if not paths:
        return plans.none()
    return plans.filter(reduce(or_, (Q(unit__path__startswith=path) for path in paths)))


def may_use_action_plans(viewer: Person) -> bool:
    return (
        permissions.is_leader(viewer)
        or permissions.is_hr_for_some_unit(viewer)
        or bool(med_committees_of(viewer))
    )


# --- Lists -----------------------------------------------------------------------------


def plan_list(viewer: Person) -> QuerySet[ActionPlan]:
    """The plans `viewer` may read, newest year first, with their activity count and
    planned spending: one query."""
    return (
        readable_plans(viewer)
        .select_related("unit")
        .annotate(items_count=Count("items"), items_budget=Sum("items__budget"))
        .order_by("-year", "unit__path")
    )


def plan_for(*, unit: OrgUnit, year: int) -> ActionPlan | None:
    """The unit's plan for `year`, if there is one (one per unit and year)."""
    return ActionPlan.objects.filter(kommune_id=unit.kommune_id, unit=unit, year=year).first()


def published_courses() -> QuerySet[Course]:
    return Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title", "pk")


# --- What the plan page shows beside the plan ------------------------------------------


# Families of figures a MED member may see on a plan, each decided for the plan's unit
# by the dashboards' tree rule (`anonymity.hidden_subtree_figures`) on the number of
# people it is built from, per unit of the subtree:
PEOPLE = ("people",)  # head count (main positions), as the dashboards count it
ASSESSED = ("assessed",)  # people with an assessed level in the round
ACTIVITIES = ("activities",)  # people with activities in their newest plan version


def group_family(group_id: int) -> tuple:
    return ("group", group_id)  # people with an assessed level in the group


def competence_family(competence_id: int) -> tuple:
    return ("competence", competence_id)  # people with an assessed level in it


def kind_family(kind: str) -> tuple:
    return ("kind", kind)  # people with activities of the kind


def _main_unit(person_ref) -> Subquery:
    return Subquery(main_positions(person_ref).values("unit_id")[:1])


def _by_unit(rows, family) -> dict[tuple, dict[int, int]]:
    """{family: {unit id: n}} from aggregate rows of (unit id, key, n)."""
    sizes: dict[tuple, dict[int, int]] = {}
    for unit_id, key, n in rows:
        sizes.setdefault(family(key), {})[unit_id] = n
    return sizes


def med_sizes(unit: OrgUnit, round_: EvaluationRound | None) -> dict[tuple, dict[int, int]]:
    """Per family, the number of people each figure of a plan page is built from, per
    unit of `unit`'s subtree (people counted at their main position, gaps at
    `Assessment.unit`, which the services keep there): seven aggregate queries."""
    people = scope_people(unit=unit)
    sizes = {
        PEOPLE: dict(
            people.annotate(at=_main_unit(OuterRef("pk")))
            .values("at")
            .annotate(n=Count("pk"))
            .values_list("at", "n")
            .order_by()
        )
    }
    activities = plan_activities(people=people).annotate(
        at=_main_unit(OuterRef("version__plan__employee_id"))
    )
    employees = Count("version__plan__employee_id", distinct=True)
    sizes[ACTIVITIES] = dict(
        activities.values("at").annotate(n=employees).values_list("at", "n").order_by()
    )
    sizes.update(
        _by_unit(
            activities.values("at", "kind").annotate(n=employees).values_list("at", "kind", "n"),
            kind_family,
        )
    )
    if round_ is not None:
        assessed = scope_assessments(round_=round_, unit=unit).filter(assessed__isnull=False)
        persons = Count("person_id", distinct=True)
        sizes[ASSESSED] = dict(
            assessed.values("unit_id").annotate(n=persons).values_list("unit_id", "n").order_by()
        )
        sizes.update(
            _by_unit(
                assessed.values("unit_id", "group_id")
                .annotate(n=persons)
                .values_list("unit_id", "group_id", "n")
                .order_by(),
                group_family,
            )
        )
        # One assessment per person and competence: the rows are the people.
        sizes.update(
            _by_unit(
                assessed.values("unit_id", "competence_id")
                .annotate(n=Count("pk"))
                .values_list("unit_id", "competence_id", "n")
                .order_by(),
                competence_family,
            )
        )
    return sizes


def med_hidden(unit: OrgUnit, k: int) -> set[tuple]:
    """The families whose figures a MED member may not see on `unit`'s plan: those the
    dashboards' tree rule hides as `unit`'s total, and all of them when the unit's
    head count is hidden. The same decision as the dashboards' and every other plan's,
    so no subtraction across pages gives away fewer than k people."""
    parents = {u.pk: (u.parent_id if u.pk != unit.pk else None) for u in subtree_units(unit)}
    return anonymity.hidden_subtree_figures(
        parents, med_sizes(unit, latest_round(unit)), k, unit.pk, row=PEOPLE
    )


@dataclass
class GapPicture:
    """The unit's gaps in its newest evaluation round. `hidden` counts slices left out
    for k-anonymity (MED viewers only)."""

    round: EvaluationRound | None
    totals: Figures | None
    groups: list[Figures]
    competences: list[Figures]
    hidden: int = 0


def gap_picture(unit: OrgUnit, *, hidden: set[tuple] | None = None) -> GapPicture:
    """Per competence group and per competence, the mean assessed level and the share
    below required in `unit`'s subtree: a fixed number of aggregate queries.

    With `hidden` (MED viewers: `med_hidden`), slices are left out so that no hidden
    one follows from the shown ones on this page either: a group's figures are the sum
    of its competences' and the total the sum of the groups', so a group is shown only
    with all its competences, and the total only with every group."""
    round_ = latest_round(unit)
    if round_ is None:
        return GapPicture(round=None, totals=None, groups=[], competences=[])
    structure = version_structure(round_.version)
    assessments = scope_assessments(round_=round_, unit=unit)
    total = totals(assessments)
    groups = group_figures(assessments, structure)
    competences = competence_figures(assessments, structure)
    if hidden is None:
        return GapPicture(round=round_, totals=total, groups=groups, competences=competences)
    everything = PEOPLE in hidden or ASSESSED in hidden
    # The figures carry names; a name is hidden if any slice of that name is.
    hidden_groups = {
        g.group.name
        for g in structure.groups
        if everything
        or group_family(g.group.pk) in hidden
        or any(competence_family(c.pk) in hidden for c in g.competences)
    }
    shown_groups = [g for g in groups if g.name not in hidden_groups]
    shown_competences = [c for c in competences if c.group not in hidden_groups]
    return GapPicture(
        round=round_,
        totals=total if len(shown_groups) == len(groups) and not everything else None,
        groups=shown_groups,
        competences=shown_competences,
        hidden=len(groups) - len(shown_groups) + len(competences) - len(shown_competences),
    )


@dataclass
class CollectedActivities:
    """The unit's people's development-plan activities: counts per kind, and (for
    leaders and HR) the first `ACTIVITY_LIST_LIMIT` of them by unit and name.
    `hidden`: nothing is shown; `kinds_hidden`: only the totals are (MED viewers)."""

    people_with_plans: int
    total: int
    by_kind: list[dict]
    activities: Sequence[PlanActivity]
    hidden: bool = False
    kinds_hidden: bool = False


def collected_activities(
    unit: OrgUnit, *, with_list: bool, hidden: set[tuple] | None = None
) -> CollectedActivities:
    """Two aggregate queries and, with `with_list`, one for the list.

    With `hidden` (MED viewers: `med_hidden`), figures are left out; the kinds add up
    to the total, so if one kind is hidden, every kind is (the total alone tells
    nothing about any of them)."""
    hidden = hidden or set()
    if PEOPLE in hidden or ACTIVITIES in hidden:
        return CollectedActivities(0, 0, [], [], hidden=True)
    activities = plan_activities(people=scope_people(unit=unit))
    labels = dict(PlanActivity.Kind.choices)
    counts = activities.aggregate(
        total=Count("pk"), people=Count("version__plan__employee_id", distinct=True)
    )
    by_kind = [
        {
            "kind": row["kind"],
            "label": labels.get(row["kind"], row["kind"]),
            "total": row["total"],
            "open": row["open"],
            "done": row["done"],
        }
        for row in activities.values("kind")
        .annotate(
            total=Count("pk"),
            open=Count(
                "pk",
                filter=Q(status__in=[PlanActivity.Status.PLANNED, PlanActivity.Status.IN_PROGRESS]),
            ),
            done=Count("pk", filter=Q(status=PlanActivity.Status.DONE)),
        )
        .order_by("-total", "kind")
    ]
    kinds_hidden = any(kind_family(row["kind"]) in hidden for row in by_kind)
    listed = []
    if with_list:
        listed = list(
            with_unit(activities).select_related("version__plan__employee", "goal")[
                :ACTIVITY_LIST_LIMIT
            ]
        )
    return CollectedActivities(
        counts["people"],
        counts["total"],
        [] if kinds_hidden else by_kind,
        listed,
        kinds_hidden=kinds_hidden,
    )


def comments_of(plan: ActionPlan) -> list[ActionPlanComment]:
    return list(plan.comments.select_related("author", "committee").order_by("created_at", "pk"))


def items_of(plan: ActionPlan) -> list[ActionPlanItem]:
    return list(plan.items.select_related("course").order_by("order", "pk"))
