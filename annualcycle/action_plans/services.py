"""Writes on the units' action plans: create a plan, set its priorities and budget, add,
change and remove planned activities, and comment. Who may do what is decided by
`annualcycle.action_plans.selectors` and checked by the views' access helpers
(`annualcycle.access`); `action_plan_create` checks the unit itself."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from annualcycle.action_plans.selectors import covering_committees, editable_units
from annualcycle.models import ActionPlan, ActionPlanComment, ActionPlanItem
from catalogue.models import Course
from kompetence.models import Kommune, OrgUnit, Person

NO_BUDGET = Decimal(0)


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
def action_plan_item_add(
    *,
    plan: ActionPlan,
    by: Person,
    title: str,
    course: Course | None = None,
    competence_group: str = "",
    participants: int = 0,
    budget: Decimal = NO_BUDGET,
    deadline: datetime.date | None = None,
) -> ActionPlanItem:
    """Adds a planned activity at the end; `course` (optional) must be published."""
    _check_course(course)
    order = (plan.items.aggregate(last=Max("order"))["last"] or 0) + 1
    item = ActionPlanItem.objects.create(
        kommune_id=plan.kommune_id,
        plan=plan,
        order=order,
        title=title,
        course=course,
        competence_group=competence_group,
        participants=participants,
        budget=budget,
        deadline=deadline,
    )
    _touch(plan, by)
    return item


@transaction.atomic
def action_plan_item_update(
    *,
    item: ActionPlanItem,
    by: Person,
    title: str,
    course: Course | None,
    competence_group: str,
    participants: int,
    budget: Decimal,
    deadline: datetime.date | None,
) -> ActionPlanItem:
    """Sets every field of a planned activity; a newly chosen `course` must be published
    (one chosen earlier and since archived may stay)."""
    if course is not None and course.pk != item.course_id:
        _check_course(course)
    item.title, item.course, item.competence_group = title, course, competence_group
    item.participants, item.budget, item.deadline = participants, budget, deadline
    item.save(update_fields=list(ITEM_FIELDS))
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
