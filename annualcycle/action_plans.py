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

MED members see the unit's figures in aggregate only, and no figure built on fewer
people than the kommune's `med_min_group_size`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from annualcycle.models import ActionPlan, ActionPlanComment, ActionPlanItem
from annualcycle.reports import (
    Figures,
    competence_figures,
    group_figures,
    latest_round,
    plan_activities,
    scope_assessments,
    scope_people,
    totals,
    with_unit,
)
from catalogue.models import Course
from kompetence import permissions
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person
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
            MEDCommittee.objects.filter(memberships__person=viewer).select_related("unit")
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


def may_edit(viewer: Person, plan: ActionPlan) -> bool:
    return editable_units(viewer).filter(pk=plan.unit_id).exists()


def readable_plans(viewer: Person) -> QuerySet[ActionPlan]:
    """Plans of units `viewer` writes for, and of units their MED committees cover."""
    plans = ActionPlan.objects.filter(kommune_id=viewer.kommune_id)
    paths = permissions.administered_unit_paths(viewer) + permissions.led_unit_paths(viewer)
    if "" in paths:
        return plans
    paths += [c.unit.path for c in med_committees_of(viewer)]
    if not paths:
        return plans.none()
    return plans.filter(reduce(or_, (Q(unit__path__startswith=path) for path in paths)))


def may_use_action_plans(viewer: Person) -> bool:
    return (
        permissions.is_leader(viewer)
        or permissions.is_hr(viewer)
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


def published_courses() -> QuerySet[Course]:
    return Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title", "pk")


# --- Writes ----------------------------------------------------------------------------


def action_plan_create(*, kommune: Kommune, unit: OrgUnit, year: int, by: Person) -> ActionPlan:
    """A new, empty plan for a unit and year. One plan per unit and year: asking for a
    second raises ValidationError (code "duplicate"), also when two ask at once."""
    if not editable_units(by).filter(pk=unit.pk).exists():
        raise ValidationError(_("Du kan kun lave handlingsplaner for enheder, du leder."))
    duplicate = ValidationError(
        _("Der er allerede en handlingsplan for %(unit)s i %(year)s.")
        % {"unit": unit.name, "year": year},
        code="duplicate",
    )
    if ActionPlan.objects.filter(kommune=kommune, unit=unit, year=year).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return ActionPlan.objects.create(kommune=kommune, unit=unit, year=year, updated_by=by)
    except IntegrityError:
        raise duplicate from None


def action_plan_update(
    *, plan: ActionPlan, priorities: str, budget: Decimal, by: Person
) -> ActionPlan:
    plan.priorities, plan.budget, plan.updated_by = priorities, budget, by
    plan.save(update_fields=["priorities", "budget", "updated_by", "updated_at"])
    return plan


def _touch(plan: ActionPlan, by: Person) -> None:
    plan.updated_by = by
    plan.save(update_fields=["updated_by", "updated_at"])


ITEM_FIELDS = ("title", "course", "competence_group", "participants", "budget", "deadline")


@transaction.atomic
def action_plan_item_add(*, plan: ActionPlan, by: Person, **fields) -> ActionPlanItem:
    """Adds a planned activity at the end; `course` (optional) must be published."""
    _check_course(fields.get("course"))
    order = (plan.items.aggregate(last=Max("order"))["last"] or 0) + 1
    item = ActionPlanItem.objects.create(
        kommune_id=plan.kommune_id,
        plan=plan,
        order=order,
        **{key: value for key, value in fields.items() if key in ITEM_FIELDS},
    )
    _touch(plan, by)
    return item


@transaction.atomic
def action_plan_item_update(*, item: ActionPlanItem, by: Person, **fields) -> ActionPlanItem:
    course = fields.get("course")
    if course is not None and course.pk != item.course_id:
        _check_course(course)
    changed = [key for key in fields if key in ITEM_FIELDS]
    for key in changed:
        setattr(item, key, fields[key])
    item.save(update_fields=changed)
    _touch(item.plan, by)
    return item


@transaction.atomic
def action_plan_item_delete(*, item: ActionPlanItem, by: Person) -> None:
    plan = item.plan
    item.delete()
    _touch(plan, by)


def _check_course(course: Course | None) -> None:
    if course is not None and course.status != Course.Status.PUBLISHED:
        raise ValidationError(_("Vælg et kursus, der er offentliggjort i kataloget."))


def action_plan_comment_add(*, plan: ActionPlan, author: Person, text: str) -> ActionPlanComment:
    """A comment on the plan, signed with the nearest MED committee of the author's
    that covers the unit (none when the leader or HR answers)."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Skriv en kommentar."))
    committees = covering_committees(author, plan.unit)
    return ActionPlanComment.objects.create(
        kommune_id=plan.kommune_id,
        plan=plan,
        author=author,
        committee=committees[0] if committees else None,
        text=text,
    )


# --- What the plan page shows beside the plan ------------------------------------------


@dataclass
class GapPicture:
    """The unit's gaps in its newest evaluation round. `hidden` counts slices left out
    because too few people stand behind them (MED viewers only)."""

    round: EvaluationRound | None
    totals: Figures | None
    groups: list[Figures]
    competences: list[Figures]
    hidden: int = 0


def gap_picture(unit: OrgUnit, *, min_people: int = 0) -> GapPicture:
    """Per competence group and per competence, the mean assessed level and the share
    below required in `unit`'s subtree: a fixed number of aggregate queries. Slices
    with fewer than `min_people` people are left out."""
    round_ = latest_round(unit)
    if round_ is None:
        return GapPicture(round=None, totals=None, groups=[], competences=[])
    structure = version_structure(round_.version)
    assessments = scope_assessments(round_=round_, unit=unit)
    total = totals(assessments)
    groups = group_figures(assessments, structure)
    competences = competence_figures(assessments, structure)
    hidden = 0
    if min_people:
        shown_groups = [g for g in groups if g.people >= min_people]
        shown_competences = [c for c in competences if c.people >= min_people]
        hidden = len(groups) - len(shown_groups) + len(competences) - len(shown_competences)
        groups, competences = shown_groups, shown_competences
        if total.people < min_people:
            total = None
    return GapPicture(
        round=round_, totals=total, groups=groups, competences=competences, hidden=hidden
    )


@dataclass
class CollectedActivities:
    """The unit's people's development-plan activities: counts per kind, and (for
    leaders and HR) the first `ACTIVITY_LIST_LIMIT` of them by unit and name."""

    people_with_plans: int
    total: int
    by_kind: list[dict]
    activities: list[PlanActivity]
    hidden: bool = False


def collected_activities(unit: OrgUnit, *, with_list: bool, min_people: int = 0):
    """Two aggregate queries and, with `with_list`, one for the list."""
    activities = plan_activities(people=scope_people(unit=unit))
    labels = dict(PlanActivity.Kind.choices)
    counts = activities.aggregate(
        total=Count("pk"), people=Count("version__plan__employee_id", distinct=True)
    )
    if counts["people"] < min_people:
        return CollectedActivities(counts["people"], counts["total"], [], [], hidden=True)
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
    listed = []
    if with_list:
        listed = list(
            with_unit(activities).select_related("version__plan__employee", "goal")[
                :ACTIVITY_LIST_LIMIT
            ]
        )
    return CollectedActivities(counts["people"], counts["total"], by_kind, listed)


def comments_of(plan: ActionPlan) -> list[ActionPlanComment]:
    return list(plan.comments.select_related("author", "committee").order_by("created_at", "pk"))


def items_of(plan: ActionPlan) -> list[ActionPlanItem]:
    return list(plan.items.select_related("course").order_by("order", "pk"))
