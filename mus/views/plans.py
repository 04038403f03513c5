"""The development plan: its page, earlier versions, and the edits of its texts, goals
and activities (optimistic locking: each edit carries the revision its form showed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence.infra.http import KommuneRequest, person_required
from mus import access, content, selectors, services, signing
from mus.forms import (
    ActivityDoneForm,
    ActivityForm,
    GoalForm,
    PlanTextsForm,
    SignatureDelegationForm,
    SignForm,
)
from mus.models import Plan, PlanGoal, PlanVersion


def plan_context(request: KommuneRequest, plan: Plan, version: PlanVersion | None = None) -> dict:
    """The plan page of `version` (the current one by default), as the viewer sees it."""
    current = selectors.current_version(plan)
    version = version or current
    document = selectors.plan_document(version)
    is_current = version.pk == current.pk
    may_edit = access.may_edit_plan(request.person, plan) and is_current
    structure = document["structure"]
    competences = selectors.plan_competences(plan)
    levels = structure.levels if structure else []
    signed_roles = {s.role for s in document["signatures"]}
    my_role = signing.signer_role(plan, request.person)
    may_sign = is_current and my_role is not None and my_role not in signed_roles
    may_delegate = is_current and signing.may_delegate_signature(request.person, plan)
    return {
        **document,
        "version": version,
        "current": current,
        "is_current": is_current,
        "may_edit": may_edit,
        "locked": len(signed_roles) >= 2,
        "texts_form": PlanTextsForm(instance=version, initial={"revision": version.revision}),
        "goal_form": GoalForm(
            initial={"revision": version.revision},
            competences=competences,
            levels=levels,
            prefix="goal",
        ),
        "activity_form": ActivityForm(
            initial={"revision": version.revision}, goals=version.goals.all(), prefix="activity"
        ),
        "sign_form": SignForm(
            initial={
                "revision": version.revision,
                "content_hash": document["content_hash"],
                "content": content.content_bytes(version).decode("utf-8") if may_sign else "",
            }
        ),
        "may_sign": may_sign,
        "my_role": my_role,
        "signs_for": (
            signing.leader_delegation_for(plan, request.person)
            if my_role == "leader" and request.person.pk != plan.leader_id
            else None
        ),
        "may_delegate": may_delegate,
        "delegation_form": (
            SignatureDelegationForm(candidates=selectors.delegation_candidates(plan))
            if may_delegate
            else None
        ),
        "signature_checks": [
            (s, s.content_hash == document["content_hash"]) for s in document["signatures"]
        ],
        "pdf": selectors.version_pdf(version, request.LANGUAGE_CODE),
        "versions": selectors.plan_versions(plan),
        "done_form": ActivityDoneForm(initial={"done_on": timezone.localdate()}),
        "may_follow_up": is_current and access.may_edit_plan(request.person, plan),
    }


def after_edit(request: KommuneRequest, version: PlanVersion, error: ValidationError | None):
    """Back to the plan page, with what went wrong or that the plan is saved."""
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Planen er gemt."))
    return redirect("plan_detail", plan_id=version.plan_id)


def form_error(form) -> ValidationError:
    """A form's errors as one ValidationError, each line led by its field's label."""
    lines = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        lines.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return ValidationError(lines)


def _revision(request: KommuneRequest) -> int:
    """The revision an editor saw; a missing or garbled one can never match."""
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else -1


def _goal_form(version: PlanVersion, data=None, instance: PlanGoal | None = None) -> GoalForm:
    plan = version.plan
    return GoalForm(
        data,
        instance=instance,
        competences=selectors.plan_competences(plan),
        levels=selectors.plan_goal_levels(plan),
        prefix="goal",
    )


@require_GET
@person_required
def plan_detail(request: KommuneRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_or_404(request.person, plan_id)
    services.plan_read_log(request=request, plan=plan)
    return render(request, "mus/plan_detail.html", plan_context(request, plan))


@require_GET
@person_required
def plan_version_detail(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """An earlier version, read-only, with what changed in the next one."""
    version = access.get_version_or_404(request.person, plan_version_id)
    plan = version.plan
    newer = selectors.newer_version(version)
    services.plan_read_log(request=request, plan=plan, version=version)
    context = plan_context(request, plan, version)
    context["newer"] = newer
    context["diff"] = content.version_diff(version, newer) if newer else []
    return render(request, "mus/plan_version.html", context)


@require_POST
@person_required
def plan_texts_edit(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    form = PlanTextsForm(request.POST, instance=version)
    error = None
    if form.is_valid():
        try:
            services.plan_texts_update(
                version=version,
                revision=form.cleaned_data["revision"],
                leader_support=form.cleaned_data["leader_support"],
                other_agreements=form.cleaned_data["other_agreements"],
                follow_up_date=form.cleaned_data["follow_up_date"],
            )
        except ValidationError as exc:
            error = exc
    else:
        error = form_error(form)
    return after_edit(request, version, error)


@require_POST
@person_required
def goal_add(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    form = _goal_form(version, request.POST)
    error = None
    if form.is_valid():
        try:
            services.goal_add(
                version=version,
                revision=form.cleaned_data["revision"],
                text=form.cleaned_data["text"],
                competences=form.cleaned_data["competences"],
                target_level=form.cleaned_data["target_level"],
            )
        except ValidationError as exc:
            error = exc
    else:
        error = form_error(form)
    return after_edit(request, version, error)


@require_http_methods(["GET", "POST"])
@person_required
def goal_edit(request: KommuneRequest, goal_id: int) -> HttpResponse:
    goal = access.get_goal_or_404(request.person, goal_id, editing=True)
    version = goal.version
    if request.method == "POST":
        form = _goal_form(version, request.POST, instance=goal)
        if form.is_valid():
            try:
                services.goal_update(
                    goal=goal,
                    revision=form.cleaned_data["revision"],
                    text=form.cleaned_data["text"],
                    competences=form.cleaned_data["competences"],
                    target_level=form.cleaned_data["target_level"],
                )
            except ValidationError as exc:
                return after_edit(request, version, exc)
            return after_edit(request, version, None)
    else:
        form = _goal_form(version, instance=goal)
        form.initial["revision"] = version.revision
    return render(request, "mus/goal_form.html", {"form": form, "goal": goal, "plan": version.plan})


@require_POST
@person_required
def goal_delete(request: KommuneRequest, goal_id: int) -> HttpResponse:
    goal = access.get_goal_or_404(request.person, goal_id, editing=True)
    try:
        services.goal_delete(goal=goal, revision=_revision(request))
    except ValidationError as exc:
        return after_edit(request, goal.version, exc)
    return after_edit(request, goal.version, None)


@require_POST
@person_required
def activity_add(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    form = ActivityForm(request.POST, goals=version.goals.all(), prefix="activity")
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_add(
                version=version,
                revision=data["revision"],
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                goal=data["goal"],
                deadline=data["deadline"],
            )
        except ValidationError as exc:
            error = exc
    else:
        error = form_error(form)
    return after_edit(request, version, error)


@require_http_methods(["GET", "POST"])
@person_required
def activity_edit(request: KommuneRequest, activity_id: int) -> HttpResponse:
    activity = access.get_activity_or_404(request.person, activity_id, editing=True)
    version = activity.version
    form = ActivityForm(
        request.POST or None, instance=activity, goals=version.goals.all(), prefix="activity"
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.activity_update(
                    activity=activity,
                    revision=data["revision"],
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    goal=data["goal"],
                    deadline=data["deadline"],
                )
            except ValidationError as exc:
                return after_edit(request, version, exc)
            return after_edit(request, version, None)
    else:
        form.initial["revision"] = version.revision
    return render(
        request,
        "mus/activity_form.html",
        {"form": form, "activity": activity, "plan": version.plan},
    )


@require_POST
@person_required
def activity_delete(request: KommuneRequest, activity_id: int) -> HttpResponse:
    activity = access.get_activity_or_404(request.person, activity_id, editing=True)
    try:
        services.activity_delete(activity=activity, revision=_revision(request))
    except ValidationError as exc:
        return after_edit(request, activity.version, exc)
    return after_edit(request, activity.version, None)


@require_POST
@person_required
def activity_done(request: KommuneRequest, activity_id: int) -> HttpResponse:
    """Follow-up: the employee (or their leader) marks an agreed activity done."""
    activity = access.get_activity_or_404(request.person, activity_id, editing=True, current=True)
    form = ActivityDoneForm(request.POST, instance=activity)
    if form.is_valid():
        try:
            services.activity_mark_done(
                activity=activity,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["done_note"],
            )
        except ValidationError as exc:
            return after_edit(request, activity.version, exc)
        messages.success(request, _("Aktiviteten er markeret som gennemført."))
        return redirect("plan_detail", plan_id=activity.version.plan_id)
    return after_edit(request, activity.version, form_error(form))
