"""MUS pages: overview, scheduling, preparation, the conversation screen, the
development plan with its versions, signatures and PDF, and HR's agenda."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import permissions
from kompetence.audit import audit_record
from kompetence.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.http import KommuneRequest, kommune_hr_required, person_required
from kompetence.models import AuditEntry
from mus import access, agenda_starters, selectors, services
from mus.forms import (
    ActivityDoneForm,
    ActivityForm,
    AgendaQuestionForm,
    ConversationForm,
    GoalForm,
    PlanTextsForm,
    SignatureDelegationForm,
    SignForm,
)
from mus.models import (
    AgendaQuestion,
    Conversation,
    PlanPdf,
    PreparationNote,
    SignatureDelegation,
)
from profiles.models import Competence


@require_GET
@person_required
def mus_overview(request: KommuneRequest) -> HttpResponse:
    person = request.person
    return render(
        request,
        "mus/overview.html",
        {
            "own": selectors.conversations_for(person)
            .filter(employee=person)
            .select_related("plan"),
            "team": selectors.team_plan_progress(person) if permissions.is_leader(person) else [],
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def conversation_schedule(request: KommuneRequest, person_id: int) -> HttpResponse:
    employee = permissions.persons_led_by(request.person).filter(pk=person_id).first()
    if employee is None:
        raise Http404
    form = ConversationForm(request.POST or None, initial={"duration_minutes": 60})
    form.validate_url = request.get_full_path()
    planned = None
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                conversation = services.conversation_schedule(
                    employee=employee, leader=request.person, **form.cleaned_data
                )
            except services.ConversationAlreadyOpen as error:
                form.add_error(None, error)
                planned = error.conversation
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("MUS er planlagt. I har begge fået en kalenderinvitation.")
                )
                return redirect_after_post(
                    request, reverse("conversation_detail", args=[conversation.pk])
                )
    return render_form(
        request,
        "mus/conversation_form.html",
        {"form": form, "employee": employee, "conversation": None, "planned": planned},
    )


@require_GET
@person_required
def conversation_detail(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if not access.is_party(request.person, conversation):
        audit_record(
            request, action=AuditEntry.Action.VIEW, subject=conversation.employee, obj=conversation
        )
    return render(
        request,
        "mus/conversation_detail.html",
        {
            "conversation": conversation,
            "plan": getattr(conversation, "plan", None),
            "is_party": access.is_party(request.person, conversation),
            "may_manage": access.leads_employee(request.person, conversation.employee),
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def conversation_edit(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if not access.leads_employee(request.person, conversation.employee):
        raise Http404
    form = ConversationForm(request.POST or None, instance=conversation)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                services.conversation_reschedule(
                    conversation=Conversation.objects.get(pk=conversation.pk), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Samtalen er flyttet. I har begge fået en opdatering."))
                return redirect_after_post(
                    request, reverse("conversation_detail", args=[conversation.pk])
                )
    return render_form(
        request,
        "mus/conversation_form.html",
        {"form": form, "employee": conversation.employee, "conversation": conversation},
    )


@require_POST
@person_required
def conversation_cancel(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if not access.leads_employee(request.person, conversation.employee):
        raise Http404
    try:
        services.conversation_cancel(conversation=conversation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Samtalen er aflyst. I har begge fået besked."))
    return redirect("conversation_detail", conversation_id=conversation.pk)


@require_http_methods(["GET", "POST"])
@person_required
def preparation(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """Each party's private preparation: the agenda with their own notes (saved as they
    type, HTMX; or all at once without JavaScript) and their own evaluation."""
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if not access.is_party(request.person, conversation):
        raise Http404
    questions = services.agenda_questions(kommune=request.kommune)
    if request.method == "POST":
        by_id = {str(q.pk): q for q in questions}
        for key, text in request.POST.items():
            if key.startswith("note-"):
                question = by_id.get(key.removeprefix("note-"))
                if question is not None or key == "note-general":
                    services.preparation_note_save(
                        conversation=conversation,
                        author=request.person,
                        question=question,
                        # QueryDict.items() gives each key's last value, a str; the
                        # stubs also allow the empty list a key never has here.
                        text=text,  # type: ignore[arg-type]
                    )
        if request.htmx:
            return render(request, "mus/preparation.html#saved", {"saved_at": timezone.localtime()})
        messages.success(request, _("Dine noter er gemt."))
        return redirect("preparation", conversation_id=conversation.pk)
    notes = {
        note.question_id: note.text
        for note in PreparationNote.objects.filter(conversation=conversation, author=request.person)
    }
    evaluation = None
    if conversation.round:
        kind = "self" if request.person.pk == conversation.employee_id else "leader"
        evaluation = conversation.round.evaluations.filter(
            subject=conversation.employee, kind=kind
        ).first()
    return render(
        request,
        "mus/preparation.html",
        {
            "conversation": conversation,
            "questions": [(q, notes.get(q.pk, "")) for q in questions],
            "general_note": notes.get(None, ""),
            "evaluation": evaluation,
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def conversation_screen(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """Self, leader and required level side by side per competence; the leader records
    the agreed level and the shared notes."""
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if not (
        access.is_party(request.person, conversation)
        or access.leads_employee(request.person, conversation.employee)
    ):
        raise Http404
    may_agree = access.leads_employee(request.person, conversation.employee)
    if request.method == "POST":
        if not may_agree:
            raise Http404
        action = request.POST.get("action")
        if action == "notes":
            services.shared_notes_save(
                conversation=conversation, text=request.POST.get("shared_notes", "")
            )
            if request.htmx:
                return render(request, "mus/conversation_screen.html#notes_saved", {})
        elif action == "held":
            services.conversation_mark_held(conversation=conversation)
            messages.success(request, _("Samtalen er markeret som afholdt."))
        elif action == "plan":
            plan = services.plan_get_or_create(conversation=conversation)
            return redirect("plan_detail", plan_id=plan.pk)
        return redirect("conversation_screen", conversation_id=conversation.pk)
    if not access.is_party(request.person, conversation):
        audit_record(
            request,
            action=AuditEntry.Action.VIEW,
            subject=conversation.employee,
            obj=conversation,
            summary=_("MUS-samtalen"),
        )
    rows, structure = selectors.conversation_rows(conversation)
    return render(
        request,
        "mus/conversation_screen.html",
        {
            "conversation": conversation,
            "rows": rows,
            "structure": structure,
            "may_agree": may_agree,
            "plan": getattr(conversation, "plan", None),
        },
    )


@require_POST
@person_required
def agreed_level_save(
    request: KommuneRequest, conversation_id: int, competence_id: int
) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id)
    if (
        not access.leads_employee(request.person, conversation.employee)
        or conversation.round is None
    ):
        raise Http404
    competence = Competence.objects.filter(
        pk=competence_id, version_id=conversation.round.version_id
    ).first()
    if competence is None:
        raise Http404
    error = None
    try:
        with transaction.atomic():
            services.agreed_level_set(
                conversation=conversation,
                competence=competence,
                level=request.POST.get(f"agreed-{competence.pk}"),
                by=request.person,
            )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request,
        "mus/conversation_screen.html#agreed_saved",
        {"competence": competence, "error": error},
        status=422 if error else 200,
    )


# --- The development plan -----------------------------------------------------------------


def _plan_context(request, plan, version=None) -> dict:
    current = services.current_version(plan)
    version = version or current
    document = selectors.plan_document(version)
    is_current = version.pk == current.pk
    may_edit = access.may_edit_plan(request.person, plan) and is_current
    structure = document["structure"]
    competences = Competence.objects.none()
    if plan.conversation.round_id:
        competences = Competence.objects.filter(version_id=plan.conversation.round.version_id)
    levels = structure.levels if structure else []
    signed_roles = {s.role for s in document["signatures"]}
    my_role = services.signer_role(plan, request.person)
    may_sign = is_current and my_role is not None and my_role not in signed_roles
    may_delegate = is_current and services.may_delegate_signature(request.person, plan)
    pdfs = {pdf.language: pdf for pdf in version.pdfs.all()}
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
                "content": services.content_bytes(version).decode("utf-8") if may_sign else "",
            }
        ),
        "may_sign": may_sign,
        "my_role": my_role,
        "signs_for": (
            services.leader_delegation_for(plan, request.person)
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
        "pdf": pdfs.get(request.LANGUAGE_CODE) or pdfs.get("da"),
        "versions": selectors.plan_versions(plan),
        "done_form": ActivityDoneForm(initial={"done_on": timezone.localdate()}),
        "may_follow_up": is_current and access.may_edit_plan(request.person, plan),
    }


@require_GET
@person_required
def plan_detail(request: KommuneRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_or_404(request.person, plan_id)
    if request.person.pk != plan.employee_id:
        audit_record(request, action=AuditEntry.Action.VIEW, subject=plan.employee, obj=plan)
    return render(request, "mus/plan_detail.html", _plan_context(request, plan))


@require_GET
@person_required
def plan_version_detail(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """An earlier version, read-only, with what changed in the next one."""
    version = access.get_version_or_404(request.person, plan_version_id)
    plan = version.plan
    newer = plan.versions.filter(number=version.number + 1).first()
    if request.person.pk != plan.employee_id:
        audit_record(request, action=AuditEntry.Action.VIEW, subject=plan.employee, obj=version)
    context = _plan_context(request, plan, version)
    context["newer"] = newer
    context["diff"] = services.version_diff(version, newer) if newer else []
    return render(request, "mus/plan_version.html", context)


def _after_edit(request, version, error: ValidationError | None):
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Planen er gemt."))
    return redirect("plan_detail", plan_id=version.plan_id)


def _revision(request) -> int:
    """The revision an editor saw; a missing or garbled one can never match."""
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else -1


def _require_editor(request, plan) -> None:
    if not access.may_edit_plan(request.person, plan):
        raise Http404


@require_POST
@person_required
def plan_texts_edit(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id)
    _require_editor(request, version.plan)
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
        error = _form_error(form)
    return _after_edit(request, version, error)


def _goal_form(request, version, data=None, instance=None):
    plan = version.plan
    competences = Competence.objects.none()
    levels = []
    if plan.conversation.round_id:
        competences = Competence.objects.filter(version_id=plan.conversation.round.version_id)
        from profiles.selectors import version_structure

        levels = version_structure(plan.conversation.round.version).levels
    return GoalForm(data, instance=instance, competences=competences, levels=levels, prefix="goal")


def _form_error(form) -> ValidationError:
    lines = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        lines.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return ValidationError(lines)


@require_POST
@person_required
def goal_add(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id)
    _require_editor(request, version.plan)
    form = _goal_form(request, version, request.POST)
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
        error = _form_error(form)
    return _after_edit(request, version, error)


@require_http_methods(["GET", "POST"])
@person_required
def goal_edit(request: KommuneRequest, goal_id: int) -> HttpResponse:
    goal = access.get_goal_or_404(request.person, goal_id)
    version = goal.version
    _require_editor(request, version.plan)
    if request.method == "POST":
        form = _goal_form(request, version, request.POST, instance=goal)
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
                return _after_edit(request, version, exc)
            return _after_edit(request, version, None)
    else:
        form = _goal_form(request, version, instance=goal)
        form.initial["revision"] = version.revision
    return render(request, "mus/goal_form.html", {"form": form, "goal": goal, "plan": version.plan})


@require_POST
@person_required
def goal_delete(request: KommuneRequest, goal_id: int) -> HttpResponse:
    goal = access.get_goal_or_404(request.person, goal_id)
    _require_editor(request, goal.version.plan)
    try:
        services.goal_delete(goal=goal, revision=_revision(request))
    except ValidationError as exc:
        return _after_edit(request, goal.version, exc)
    return _after_edit(request, goal.version, None)


@require_POST
@person_required
def activity_add(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, plan_version_id)
    _require_editor(request, version.plan)
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
        error = _form_error(form)
    return _after_edit(request, version, error)


@require_http_methods(["GET", "POST"])
@person_required
def activity_edit(request: KommuneRequest, activity_id: int) -> HttpResponse:
    activity = access.get_activity_or_404(request.person, activity_id)
    version = activity.version
    _require_editor(request, version.plan)
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
                return _after_edit(request, version, exc)
            return _after_edit(request, version, None)
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
    activity = access.get_activity_or_404(request.person, activity_id)
    _require_editor(request, activity.version.plan)
    try:
        services.activity_delete(activity=activity, revision=_revision(request))
    except ValidationError as exc:
        return _after_edit(request, activity.version, exc)
    return _after_edit(request, activity.version, None)


@require_POST
@person_required
def activity_done(request: KommuneRequest, activity_id: int) -> HttpResponse:
    """Follow-up: the employee (or their leader) marks an agreed activity done."""
    activity = access.get_activity_or_404(request.person, activity_id)
    _require_editor(request, activity.version.plan)
    if activity.version.pk != services.current_version(activity.version.plan).pk:
        raise Http404
    form = ActivityDoneForm(request.POST, instance=activity)
    if form.is_valid():
        try:
            services.activity_mark_done(
                activity=activity,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["done_note"],
            )
        except ValidationError as exc:
            return _after_edit(request, activity.version, exc)
        messages.success(request, _("Aktiviteten er markeret som gennemført."))
        return redirect("plan_detail", plan_id=activity.version.plan_id)
    return _after_edit(request, activity.version, _form_error(form))


@require_POST
@person_required
def plan_sign(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """Signs what the signer's screen showed. If the plan changed since, nothing is
    stored and the page comes back with what changed, to read and sign again."""
    version = access.get_version_or_404(request.person, plan_version_id)
    form = SignForm(request.POST)
    if not form.is_valid() and "password" in form.errors:
        return _after_edit(request, version, _form_error(form))
    # A form without (valid) revision and hash showed nothing we can check: refused.
    seen = form.cleaned_data
    try:
        services.plan_sign(
            version=version,
            signer=request.person,
            password=seen["password"],
            seen_revision=seen.get("revision", -1),
            seen_hash=seen.get("content_hash", ""),
            request=request,
        )
    except services.PlanChangedSinceRead as exc:
        context = _plan_context(request, version.plan)
        context["sign_refused"] = exc.messages
        context["changes"] = services.changes_since_read(
            version=version,
            seen_content=seen.get("content", ""),
            seen_hash=seen.get("content_hash", ""),
        )
        return render(request, "mus/plan_detail.html", context, status=409)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Planen er underskrevet."))
    return redirect("plan_detail", plan_id=version.plan_id)


@require_POST
@person_required
def plan_delegation(request: KommuneRequest, plan_id: int) -> HttpResponse:
    """The conversation's leader or HR lets someone sign as leader (or ends that)."""
    plan = access.get_plan_or_404(request.person, plan_id)
    if not services.may_delegate_signature(request.person, plan):
        raise Http404
    if "revoke" in request.POST:
        value = request.POST.get("revoke", "")
        delegation = (
            SignatureDelegation.objects.filter(
                conversation_id=plan.conversation_id, pk=int(value)
            ).first()
            if value.isdigit()
            else None
        )
        if delegation is None:
            raise Http404
        services.signature_delegation_revoke(delegation=delegation, revoked_by=request.person)
        audit_record(
            request,
            action=AuditEntry.Action.CHANGE,
            subject=plan.employee,
            obj=delegation,
            summary=_("Fuldmagt til at underskrive som leder tilbagekaldt"),
        )
        messages.success(request, _("Fuldmagten er tilbagekaldt."))
        return redirect("plan_detail", plan_id=plan.pk)
    form = SignatureDelegationForm(request.POST, candidates=selectors.delegation_candidates(plan))
    error = None
    if form.is_valid():
        try:
            delegation = services.signature_delegation_grant(
                plan=plan,
                to_person=form.cleaned_data["to_person"],
                granted_by=request.person,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            error = exc
        else:
            audit_record(
                request,
                action=AuditEntry.Action.CREATE,
                subject=plan.employee,
                obj=delegation,
                summary=_("Fuldmagt til %(name)s til at underskrive som leder")
                % {"name": delegation.to_person.name},
            )
            messages.success(
                request,
                _("%(name)s kan nu underskrive planen som leder.")
                % {"name": delegation.to_person.name},
            )
            return redirect("plan_detail", plan_id=plan.pk)
    else:
        error = _form_error(form)
    for message in error.messages:
        messages.error(request, message)
    return redirect("plan_detail", plan_id=plan.pk)


@require_http_methods(["GET", "POST"])
@person_required
def plan_pdf(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """POST asks for the PDF; GET (polled by HTMX) shows its status and, when it is
    ready, the download link."""
    version = access.get_version_or_404(request.person, plan_version_id)
    if request.method == "POST":
        services.pdf_request(version=version, language=request.LANGUAGE_CODE)
        if not request.htmx:
            return redirect("plan_detail", plan_id=version.plan_id)
    pdfs = {pdf.language: pdf for pdf in version.pdfs.all()}
    pdf = pdfs.get(request.LANGUAGE_CODE) or pdfs.get("da")
    return render(request, "mus/plan_detail.html#pdf", {"version": version, "pdf": pdf})


@require_GET
@person_required
def plan_pdf_download(request: KommuneRequest, pdf_id: int) -> FileResponse:
    pdf = access.get_pdf_or_404(request.person, pdf_id)
    if pdf.status != PlanPdf.Status.READY or not pdf.file:
        raise Http404
    plan = pdf.version.plan
    audit_record(
        request,
        action=AuditEntry.Action.EXPORT,
        subject=plan.employee,
        obj=pdf.version,
        summary="PDF",
    )
    filename = f"udviklingsplan-{plan.employee.employee_number}-v{pdf.version.number}.pdf"
    return FileResponse(
        pdf.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


# --- HR: the agenda ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def agenda(request: KommuneRequest) -> HttpResponse:
    services.agenda_questions(kommune=request.kommune)
    form = AgendaQuestionForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        services.agenda_question_save(kommune=request.kommune, question=None, **form.cleaned_data)
        messages.success(request, _("Spørgsmålet er tilføjet."))
        return redirect("agenda")
    return render(
        request,
        "mus/agenda.html",
        {
            "questions": AgendaQuestion.objects.filter(kommune=request.kommune),
            "form": form,
            "starters": agenda_starters.starter_agendas(),
        },
    )


@require_POST
@kommune_hr_required
def agenda_starter_use(request: KommuneRequest, slug: str) -> HttpResponse:
    """Makes a starter agenda the kommune's agenda. The questions it replaces are made
    inactive, never deleted; while there are any, HR confirms on a page first."""
    starter = agenda_starters.starter_agenda(slug)
    if starter is None:
        raise Http404
    replaced = selectors.active_agenda_question_count(request.kommune)
    if replaced and request.POST.get("confirmed") != "1":
        return render(
            request, "mus/agenda_starter_confirm.html", {"starter": starter, "replaced": replaced}
        )
    services.agenda_starter_apply(kommune=request.kommune, agenda=starter)
    messages.success(
        request,
        _("Dagsordenen »%(name)s« er taget i brug. Ret spørgsmålene til, så de passer til jer.")
        % {"name": starter.name},
    )
    return redirect("agenda")


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def agenda_question_edit(request: KommuneRequest, question_id: int) -> HttpResponse:
    question = AgendaQuestion.objects.filter(kommune=request.kommune, pk=question_id).first()
    if question is None:
        raise Http404
    form = AgendaQuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.agenda_question_save(
            kommune=request.kommune,
            question=AgendaQuestion.objects.get(pk=question.pk),
            **form.cleaned_data,
        )
        messages.success(request, _("Spørgsmålet er gemt."))
        return redirect("agenda")
    return render(request, "mus/agenda_question.html", {"form": form, "question": question})
