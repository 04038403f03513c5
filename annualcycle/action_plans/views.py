"""Action-plan pages (handlingsplaner): the list by year, a plan with its planned
activities beside the unit's gap picture and collected development-plan activities,
and MED comments. Who may do what is described in `annualcycle.action_plans.selectors`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annualcycle.access import get_action_plan_item_or_404, get_action_plan_or_404
from annualcycle.action_plans import selectors, services
from annualcycle.action_plans.forms import (
    ActionPlanCommentForm,
    ActionPlanCreateForm,
    ActionPlanForm,
    ActionPlanItemForm,
)
from annualcycle.models import ActionPlan
from annualcycle.reports.selectors import competence_group_names
from kompetence.infra.http import KommuneRequest, person_required

ITEM_PREFIX = "item"


# --- The list --------------------------------------------------------------------------


def _list_page(request: KommuneRequest, form, *, duplicate: ActionPlan | None = None):
    viewer = request.person
    return render(
        request,
        "annualcycle/action_plans.html",
        {
            "plans": list(selectors.plan_list(viewer)),
            "form": form,
            "duplicate": duplicate,
        },
    )


def _create_form(request: KommuneRequest, data=None) -> ActionPlanCreateForm | None:
    units = selectors.units_for_new_plans(request.person)
    if not units.exists():
        return None
    return ActionPlanCreateForm(data, units=units)


@require_http_methods(["GET"])
@person_required
def action_plan_list(request: KommuneRequest) -> HttpResponse:
    """The plans of the units the viewer leads or administers, and of the units their
    MED committees cover, by year; leaders and HR also start a new one here."""
    if not selectors.may_use_action_plans(request.person):
        raise Http404
    return _list_page(request, _create_form(request))


@require_POST
@person_required
def action_plan_create(request: KommuneRequest) -> HttpResponse:
    form = _create_form(request, request.POST)
    if form is None:
        raise Http404
    if not form.is_valid():
        return _list_page(request, form)
    unit, year = form.cleaned_data["unit"], form.cleaned_data["year"]
    try:
        plan = services.action_plan_create(
            kommune=request.kommune, unit=unit, year=year, by=request.person
        )
    except ValidationError as error:
        duplicate = selectors.plan_for(unit=unit, year=year)
        form.add_error(None, error)
        return _list_page(request, form, duplicate=duplicate)
    messages.success(request, _("Handlingsplanen er oprettet."))
    return redirect("action_plan_detail", action_plan_id=plan.pk)


# --- One plan --------------------------------------------------------------------------


def _detail_page(
    request: KommuneRequest,
    plan: ActionPlan,
    *,
    plan_form=None,
    item_form=None,
    comment_form=None,
) -> HttpResponse:
    viewer = request.person
    editable = selectors.may_edit(viewer, plan)
    # MED members read figures in aggregate only, through the dashboards' k-anonymity.
    min_people = 0 if editable else request.kommune.med_min_group_size
    hidden = None if editable else selectors.med_hidden(plan.unit, min_people)
    items = selectors.items_of(plan)
    if editable:
        plan_form = plan_form or ActionPlanForm(instance=plan)
        item_form = item_form or _item_form(request)
    return render(
        request,
        "annualcycle/action_plan_detail.html",
        {
            "plan": plan,
            "editable": editable,
            "committees": selectors.covering_committees(viewer, plan.unit),
            "items": items,
            "items_budget": sum((item.budget for item in items), Decimal(0)),
            "plan_form": plan_form,
            "item_form": item_form,
            "gaps": selectors.gap_picture(plan.unit, hidden=hidden),
            "collected": selectors.collected_activities(
                plan.unit, with_list=editable, hidden=hidden
            ),
            "min_people": min_people,
            "comments": selectors.comments_of(plan),
            "comment_form": comment_form or ActionPlanCommentForm(),
        },
    )


def _item_form(request: KommuneRequest, data=None, instance=None) -> ActionPlanItemForm:
    return ActionPlanItemForm(
        data,
        instance=instance,
        prefix=None if instance else ITEM_PREFIX,
        courses=selectors.published_courses(),
        group_names=competence_group_names(),
    )


@require_GET
@person_required
def action_plan_detail(request: KommuneRequest, action_plan_id: int) -> HttpResponse:
    """The plan, for everyone who may read it."""
    return _detail_page(request, get_action_plan_or_404(request.person, action_plan_id))


@require_POST
@person_required
def action_plan_update(request: KommuneRequest, action_plan_id: int) -> HttpResponse:
    """Priorities and budget, by those who write the plan."""
    plan = get_action_plan_or_404(request.person, action_plan_id, editable=True)
    plan_form = ActionPlanForm(request.POST, instance=plan)
    if not plan_form.is_valid():
        return _detail_page(request, plan, plan_form=plan_form)
    services.action_plan_update(
        plan=plan,
        priorities=plan_form.cleaned_data["priorities"],
        budget=plan_form.cleaned_data["budget"],
        by=request.person,
    )
    messages.success(request, _("Prioriteter og budget er gemt."))
    return redirect("action_plan_detail", action_plan_id=plan.pk)


@require_POST
@person_required
def action_plan_item_add(request: KommuneRequest, action_plan_id: int) -> HttpResponse:
    """A new planned activity, by those who write the plan."""
    plan = get_action_plan_or_404(request.person, action_plan_id, editable=True)
    item_form = _item_form(request, request.POST)
    if not item_form.is_valid():
        return _detail_page(request, plan, item_form=item_form)
    data = item_form.cleaned_data
    try:
        services.action_plan_item_add(
            plan=plan,
            by=request.person,
            title=data["title"],
            course=data["course"],
            competence_group=data["competence_group"],
            participants=data["participants"],
            budget=data["budget"],
            deadline=data["deadline"],
        )
    except ValidationError as error:
        item_form.add_error(None, error)
        return _detail_page(request, plan, item_form=item_form)
    messages.success(request, _("Aktiviteten er tilføjet."))
    return redirect(reverse("action_plan_detail", args=[plan.pk]) + "#items-heading")


@require_http_methods(["GET", "POST"])
@person_required
def action_plan_item_edit(request: KommuneRequest, item_id: int) -> HttpResponse:
    item = get_action_plan_item_or_404(request.person, item_id)
    form = _item_form(request, request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.action_plan_item_update(
                item=item,
                by=request.person,
                title=data["title"],
                course=data["course"],
                competence_group=data["competence_group"],
                participants=data["participants"],
                budget=data["budget"],
                deadline=data["deadline"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Aktiviteten er gemt."))
            return redirect(reverse("action_plan_detail", args=[item.plan_id]) + "#items-heading")
    return render(request, "annualcycle/action_plan_item_form.html", {"form": form, "item": item})


@require_POST
@person_required
def action_plan_item_delete(request: KommuneRequest, item_id: int) -> HttpResponse:
    item = get_action_plan_item_or_404(request.person, item_id)
    plan_id = item.plan_id
    services.action_plan_item_delete(item=item, by=request.person)
    messages.success(request, _("Aktiviteten er fjernet fra planen."))
    return redirect(reverse("action_plan_detail", args=[plan_id]) + "#items-heading")


@require_POST
@person_required
def action_plan_comment(request: KommuneRequest, action_plan_id: int) -> HttpResponse:
    """Everyone who may read the plan may comment on it: MED members above all, and the
    leader or HR answering them."""
    plan = get_action_plan_or_404(request.person, action_plan_id)
    form = ActionPlanCommentForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, plan, comment_form=form)
    try:
        services.action_plan_comment_add(
            plan=plan, author=request.person, text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        form.add_error("text", error)
        return _detail_page(request, plan, comment_form=form)
    messages.success(request, _("Kommentaren er gemt."))
    return redirect(reverse("action_plan_detail", args=[plan.pk]) + "#comments-heading")
