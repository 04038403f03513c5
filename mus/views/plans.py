"""The development plan: its page, earlier versions, and the edits of its texts, goals
and activities (optimistic locking: each edit carries the revision its form showed).

A version both have signed is shown locked: its edits are refused with a message, and
"Lav en ny version" makes the draft to change. A save refused because the plan changed
since it was opened shows the form again with what the person typed, and who changed
what in between (answered 409)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue import selectors as catalogue_selectors
from catalogue import services as catalogue_services
from catalogue.access import get_session_or_404
from catalogue.models import Enrolment
from kompetence.infra.http import KommuneRequest, person_required
from mus import access, content, selectors, services, signing
from mus.forms import (
    ActivityDoneForm,
    ActivityForm,
    CheckInForm,
    CoursePicker,
    GoalForm,
    PlanTextsForm,
    SignatureDelegationForm,
    SignForm,
)
from mus.models import Plan, PlanActivity, PlanGoal, PlanVersion


def plan_context(request: KommuneRequest, plan: Plan, version: PlanVersion | None = None) -> dict:
    """The plan page of `version` (the current one by default), as the viewer sees it."""
    current = selectors.current_version(plan)
    version = version or current
    document = selectors.plan_document(version)
    is_current = version.pk == current.pk
    writes = access.may_edit_plan(request.person, plan) and is_current
    structure = document["structure"]
    competences = selectors.plan_competences(plan)
    levels = structure.levels if structure else []
    signed_roles = {s.role for s in document["signatures"]}
    locked = len(signed_roles) >= 2
    my_role = signing.signer_role(plan, request.person)
    may_sign = is_current and my_role is not None and my_role not in signed_roles
    may_delegate = is_current and signing.may_delegate_signature(request.person, plan)
    catalogue_selectors.plan_course_states(plan.pk, document["activities"])
    return {
        **document,
        "version": version,
        "current": current,
        "is_current": is_current,
        "may_edit": writes and not locked,
        "may_new_version": writes and locked,
        "locked": locked,
        "texts_form": PlanTextsForm(instance=version, initial={"revision": version.revision}),
        "goal_form": GoalForm(
            initial={"revision": version.revision},
            competences=competences,
            levels=levels,
            prefix="goal",
        ),
        "activity_form": _activity_form(
            version, initial={"revision": version.revision}, choices=writes and not locked
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
        "archive_pdf": (
            selectors.version_pdf(version, request.LANGUAGE_CODE, archival=True) if locked else None
        ),
        "versions": selectors.plan_versions(plan),
        "done_form": ActivityDoneForm(initial={"done_on": timezone.localdate()}),
        "may_follow_up": writes,
        # Check-ins: recorded on the agreement in force, by those who follow it up.
        "check_ins": selectors.plan_check_ins(plan),
        "check_in_form": (
            CheckInForm(
                activities=document["activities"], initial={"held_on": timezone.localdate()}
            )
            if writes and locked
            else None
        ),
        # The employee asks for a place on a catalogue activity's course from the plan.
        "may_request": is_current and request.person.pk == plan.employee_id,
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


def _conflict(version: PlanVersion, revision: int, error: ValidationError) -> dict:
    """Why a save was refused, and who changed what since the person opened
    `version` at `revision`."""
    return {
        "messages": error.messages,
        "changes": selectors.plan_changes_since(version, revision),
    }


def _typed(request: KommuneRequest, prefix: str, revision: int) -> QueryDict:
    """What the person typed, to show again, carrying the revision they have now seen."""
    data = request.POST.copy()
    data[f"{prefix}revision"] = str(revision)
    return data


def _plan_page_conflict(
    request: KommuneRequest,
    version: PlanVersion,
    error: ValidationError,
    *,
    revision: int,
    form_name: str,
    prefix: str = "",
) -> HttpResponse:
    """The plan page again, its newest version, with the refused form holding what the
    person typed, and what changed since they opened it."""
    plan = version.plan
    context = plan_context(request, plan)
    current = context["current"]
    data = _typed(request, prefix, current.revision)
    if form_name == "texts_form":
        context[form_name] = PlanTextsForm(data, instance=current)
    elif form_name == "goal_form":
        context[form_name] = _goal_form(current, data)
    else:
        context[form_name] = _activity_form(current, data)
    context["conflict"] = _conflict(version, revision, error)
    context["conflict_form"] = form_name
    return render(request, "mus/plan_detail.html", context, status=409)


def _activity_form(
    version: PlanVersion,
    data=None,
    *,
    instance: PlanActivity | None = None,
    initial: dict | None = None,
    choices: bool = True,
) -> ActivityForm:
    """The activity form of `version`, offering the employee's catalogue (`choices`;
    without them the form shows nothing of the catalogue and is not for saving)."""
    catalogue = (
        catalogue_selectors.plan_course_choices(version.plan.employee, keep=instance)
        if choices
        else None
    )
    return ActivityForm(
        data,
        instance=instance,
        initial=initial,
        goals=version.goals.all(),
        catalogue=catalogue,
        urls=_picker_urls(version),
        prefix="activity",
    )


def _picker_urls(version: PlanVersion) -> dict:
    return {
        "search": reverse("plan_course_search", args=[version.pk]),
        "sessions": reverse("plan_course_sessions", args=[version.pk]),
    }


def _revision(request: KommuneRequest) -> int:
    """The revision an editor saw; a missing or garbled one can never match."""
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else -1


def _goal_form(version: PlanVersion, data=None, instance: PlanGoal | None = None) -> GoalForm:
    plan = version.plan
    return GoalForm(
        data,
        instance=instance,
        competences=selectors.plan_competences(
            plan, keep=instance.competences.values_list("pk", flat=True) if instance else ()
        ),
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
                by=request.person,
                refuse_locked=True,
            )
        except services.PlanConflict as exc:
            return _plan_page_conflict(
                request,
                version,
                exc,
                revision=form.cleaned_data["revision"],
                form_name="texts_form",
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
                by=request.person,
                refuse_locked=True,
            )
        except services.PlanConflict as exc:
            return _plan_page_conflict(
                request,
                version,
                exc,
                revision=form.cleaned_data["revision"],
                form_name="goal_form",
                prefix="goal-",
            )
        except ValidationError as exc:
            error = exc
    else:
        error = form_error(form)
    return after_edit(request, version, error)


def _item_conflict(
    request: KommuneRequest,
    item: PlanGoal | PlanActivity,
    error: ValidationError,
    *,
    revision: int,
) -> HttpResponse:
    """The edit form again, for the goal or activity as it is in the newest version,
    holding what the person typed, and what changed since they opened it."""
    current_item = selectors.same_item_in_current(item)
    if current_item is None:
        messages.error(request, _("Det, du rettede, er slettet i den nyeste version af planen."))
        return redirect("plan_detail", plan_id=item.version.plan_id)
    current = selectors.current_version(item.version.plan)
    current_item.version = current
    conflict = _conflict(item.version, revision, error)
    if isinstance(current_item, PlanGoal):
        typed = _typed(request, "goal-", current.revision)
        context: dict = {"form": _goal_form(current, typed, current_item), "goal": current_item}
        template = "mus/goal_form.html"
    else:
        form = _activity_form(
            current, _typed(request, "activity-", current.revision), instance=current_item
        )
        context = {"form": form, "activity": current_item}
        template = "mus/activity_form.html"
    context["plan"], context["conflict"] = current.plan, conflict
    return render(request, template, context, status=409)


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
                    by=request.person,
                    refuse_locked=True,
                )
            except services.PlanConflict as exc:
                return _item_conflict(request, goal, exc, revision=form.cleaned_data["revision"])
            except ValidationError as exc:
                return after_edit(request, version, exc)
            return after_edit(request, version, None)
    elif signing.is_locked(version):
        return after_edit(request, version, services.PlanLocked())
    else:
        form = _goal_form(version, instance=goal)
        form.initial["revision"] = version.revision
    return render(request, "mus/goal_form.html", {"form": form, "goal": goal, "plan": version.plan})


@require_POST
@person_required
def goal_delete(request: KommuneRequest, goal_id: int) -> HttpResponse:
    goal = access.get_goal_or_404(request.person, goal_id, editing=True)
    try:
        services.goal_delete(
            goal=goal, revision=_revision(request), by=request.person, refuse_locked=True
        )
    except ValidationError as exc:
        return after_edit(request, goal.version, exc)
    return after_edit(request, goal.version, None)


@require_POST
@person_required
def activity_add(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    form = _activity_form(version, request.POST)
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
                course=data["course"],
                session=data["session"],
                by=request.person,
                refuse_locked=True,
            )
        except services.PlanConflict as exc:
            return _plan_page_conflict(
                request,
                version,
                exc,
                revision=data["revision"],
                form_name="activity_form",
                prefix="activity-",
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
    form = _activity_form(version, request.POST or None, instance=activity)
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
                    course=data["course"],
                    session=data["session"],
                    by=request.person,
                    refuse_locked=True,
                )
            except services.PlanConflict as exc:
                return _item_conflict(request, activity, exc, revision=data["revision"])
            except ValidationError as exc:
                return after_edit(request, version, exc)
            return after_edit(request, version, None)
    elif signing.is_locked(version):
        return after_edit(request, version, services.PlanLocked())
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
        services.activity_delete(
            activity=activity, revision=_revision(request), by=request.person, refuse_locked=True
        )
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


@require_POST
@person_required
def plan_version_new(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """ "Lav en ny version" of a plan both have signed: a draft copy to change, which
    both must sign again."""
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    try:
        new = services.plan_version_new(version=version, by=request.person)
    except ValidationError as exc:
        return after_edit(request, version, exc)
    messages.success(
        request,
        _(
            "Version %(number)s er lavet. Ret den herunder – når I er enige, skal I begge "
            "underskrive den igen."
        )
        % {"number": new.number},
    )
    return redirect("plan_detail", plan_id=version.plan_id)


@require_POST
@person_required
def plan_check_in(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """A mid-year check-in on a signed plan: each activity's status and a short note,
    without a new signature round. Those who may mark activities done may record one."""
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    form = CheckInForm(request.POST, activities=version.activities.order_by("order", "pk"))
    if not form.is_valid():
        return after_edit(request, version, form_error(form))
    try:
        services.plan_check_in_record(
            version=version,
            by=request.person,
            held_on=form.cleaned_data["held_on"],
            note=form.cleaned_data["note"],
            statuses=form.statuses(),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # a field's error: named by its label
            form.add_error(None, exc)
            exc = form_error(form)
        return after_edit(request, version, exc)
    messages.success(request, _("Opfølgningen er gemt."))
    return redirect("plan_detail", plan_id=version.plan_id)


@require_GET
@person_required
def plan_course_search(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """The activity form's course select, narrowed to the courses that match the search
    text (htmx, as one types)."""
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    catalogue = catalogue_selectors.plan_course_choices(
        version.plan.employee, text=request.GET.get("q", "")[:200]
    )
    form = ActivityForm(
        goals=version.goals.all(),
        catalogue=catalogue,
        urls=_picker_urls(version),
        prefix="activity",
    )
    cast(CoursePicker, form.fields["course"].widget).options_only = True
    return render(request, "mus/activity_form.html#course_select", {"form": form})


@require_GET
@person_required
def plan_course_sessions(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """The activity form's session select, with the open sessions of the course just
    chosen (htmx); no course chosen: every course's."""
    version = access.get_version_or_404(request.person, plan_version_id, editing=True)
    value = request.GET.get("activity-course", "")
    catalogue = catalogue_selectors.plan_course_choices(
        version.plan.employee, course_id=int(value) if value.isdigit() else None
    )
    form = ActivityForm(goals=version.goals.all(), catalogue=catalogue, prefix="activity")
    return render(request, "mus/activity_form.html#session_select", {"form": form})


@require_POST
@person_required
def activity_enrol(request: KommuneRequest, activity_id: int) -> HttpResponse:
    """ "Anmod om plads": the employee asks for a place on the course of a catalogue
    activity of their current plan, on the activity's session or one they choose; the
    request goes to their leader as a request from the catalogue does."""
    activity = access.get_activity_or_404(
        request.person, activity_id, current=True, employee_only=True
    )
    error = ""
    enrolment = None
    value = request.POST.get("session", "")
    if not value.isdigit():
        error = _("Hold: vælg et hold.")
    else:
        try:
            enrolment = catalogue_services.plan_activity_enrol(
                activity=activity,
                session=get_session_or_404(request.person, int(value)),
                person=request.person,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    feedback = _enrolled_message(enrolment) if enrolment is not None else ""
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, feedback)
        return redirect("plan_detail", plan_id=activity.version.plan_id)
    row = selectors.activity_row(activity.pk)
    catalogue_selectors.plan_course_states(activity.version.plan_id, [row])
    return render(
        request,
        "mus/_plan_body.html#course_cell",
        {"activity": row, "may_request": True, "feedback": feedback, "error": error},
        status=422 if error else 200,
    )


def _enrolled_message(enrolment: Enrolment) -> str:
    return {
        Enrolment.Status.REQUESTED: _("Din anmodning er sendt til din leder."),
        Enrolment.Status.CONFIRMED: _("Du har fået en plads."),
        Enrolment.Status.WAITLISTED: _("Holdet er fuldt. Du er skrevet på ventelisten."),
    }[Enrolment.Status(enrolment.status)]
