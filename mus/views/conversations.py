"""MUS pages: the overview, scheduling, each party's preparation and the conversation
screen with the agreed levels and shared notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import permissions
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, person_required
from mus import access, selectors, services
from mus.extensions import conversation_panels
from mus.forms import ConversationForm, IndividualRequestForm, ScheduleForm
from mus.models import AgendaQuestion
from mus.upward import selectors as upward_selectors


@require_GET
@person_required
def mus_overview(request: KommuneRequest) -> HttpResponse:
    person = request.person
    return render(
        request,
        "mus/overview.html",
        {
            "own": selectors.own_conversations(person),
            # The team's conversations and plans are on "Mit team", beside their evaluations.
            "leads": permissions.is_leader(person),
            "groups": selectors.leader_groups(person) if permissions.is_leader(person) else [],
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def conversation_schedule(request: KommuneRequest, person_id: int) -> HttpResponse:
    employee = access.get_led_person_or_404(request.person, person_id)
    # `?samtaletype=mus` chooses the kind beforehand (the group page's link for a
    # participant who asked for an individual MUS).
    initial: dict[str, object] = {"duration_minutes": 60}
    if request.GET.get("samtaletype") in services.INDIVIDUAL_KINDS:
        initial["kind"] = request.GET["samtaletype"]
    form = ScheduleForm(
        request.POST or None, initial=initial, with_lus=permissions.is_leader(employee)
    )
    form.validate_url = request.get_full_path()
    planned = None
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                conversation = services.conversation_schedule(
                    employee=employee,
                    leader=request.person,
                    starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    is_online=form.cleaned_data["is_online"],
                    location=form.cleaned_data["location"],
                    kind=form.cleaned_data["kind"],
                )
            except services.ConversationAlreadyOpen as error:
                form.add_error(None, error)
                planned = error.conversation
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(kind)s er planlagt. I har begge fået en kalenderinvitation.")
                    % {"kind": conversation.get_kind_display()},
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
    services.conversation_read_log(request=request, conversation=conversation)
    return render(
        request,
        "mus/conversation_detail.html",
        {
            "conversation": conversation,
            "plan": getattr(conversation, "plan", None),
            "is_party": access.is_party(request.person, conversation),
            "may_manage": access.leads_employee(request.person, conversation.employee),
            "request_form": IndividualRequestForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@person_required
def conversation_edit(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
    form = ConversationForm(request.POST or None, instance=conversation)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                services.conversation_reschedule(
                    conversation=conversation,
                    starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    is_online=form.cleaned_data["is_online"],
                    location=form.cleaned_data["location"],
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
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
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
    conversation = access.get_conversation_or_404(request.person, conversation_id, party_only=True)
    questions = services.agenda_questions(kommune=request.kommune, kind=conversation.kind)
    if request.method == "POST":
        by_id = {str(q.pk): q for q in questions}
        notes: list[tuple[AgendaQuestion | None, str]] = []
        for key, text in request.POST.items():
            if key.startswith("note-"):
                question = by_id.get(key.removeprefix("note-"))
                if question is not None or key == "note-general":
                    # QueryDict.items() gives each key's last value, a str; the stubs
                    # also allow the empty list a key never has here.
                    notes.append((question, text))  # type: ignore[arg-type]
        services.preparation_notes_save(
            conversation=conversation,
            author=request.person,
            notes=notes,
        )
        if request.htmx:
            return render(request, "mus/preparation.html#saved", {"saved_at": timezone.localtime()})
        messages.success(request, _("Dine noter er gemt."))
        return redirect("preparation", conversation_id=conversation.pk)
    preparation = selectors.preparation_of(conversation, request.person)
    notes_by_question = preparation["notes"]
    return render(
        request,
        "mus/preparation.html",
        {
            "conversation": conversation,
            "questions": [(q, notes_by_question.get(q.pk, "")) for q in questions],
            "general_note": notes_by_question.get(None, ""),
            "evaluation": preparation["evaluation"],
            "previous": selectors.previous_plan_for(conversation),
            "upward_leader": upward_selectors.feedback_offer(conversation, request.person),
            "panels": conversation_panels(request, conversation),
        },
    )


@require_GET
@person_required
def conversation_screen(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """Self, leader and required level side by side per competence; the leader records
    the agreed level and the shared notes."""
    conversation = access.get_conversation_or_404(
        request.person, conversation_id, party_or_leader=True
    )
    may_agree = access.leads_employee(request.person, conversation.employee)
    services.conversation_read_log(
        request=request, conversation=conversation, summary=_("MUS-samtalen")
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
            "previous": selectors.previous_plan_for(conversation),
            "panels": conversation_panels(request, conversation),
        },
    )


@require_POST
@person_required
def conversation_notes_save(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """The leader's shared notes on the conversation screen (autosaved by HTMX)."""
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
    services.shared_notes_save(conversation=conversation, text=request.POST.get("shared_notes", ""))
    if request.htmx:
        return render(request, "mus/conversation_screen.html#notes_saved", {})
    return redirect("conversation_screen", conversation_id=conversation.pk)


@require_POST
@person_required
def conversation_held(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
    try:
        services.conversation_mark_held(conversation=conversation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("conversation_detail", conversation_id=conversation.pk)
    messages.success(request, _("Samtalen er markeret som afholdt."))
    return redirect("conversation_screen", conversation_id=conversation.pk)


@require_POST
@person_required
def conversation_plan_start(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """The leader opens the conversation's development plan (made the first time)."""
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
    plan = services.plan_get_or_create(conversation=conversation)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@person_required
def agreed_level_save(
    request: KommuneRequest, conversation_id: int, competence_id: int
) -> HttpResponse:
    conversation = access.get_conversation_or_404(request.person, conversation_id, leader_only=True)
    competence = access.get_round_competence_or_404(
        request.person, competence_id, conversation=conversation
    )
    error = None
    try:
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


@require_POST
@person_required
def conversation_individual_request(request: KommuneRequest, conversation_id: int) -> HttpResponse:
    """A GRUS/TUS participant asks for an individual MUS instead of the group."""
    conversation = access.get_conversation_or_404(request.person, conversation_id, party_only=True)
    form = IndividualRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
        return redirect("conversation_detail", conversation_id=conversation.pk)
    try:
        services.conversation_individual_request(
            conversation=conversation, by=request.person, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Din leder har fået besked om, at du ønsker en MUS alene."))
    return redirect("conversation_detail", conversation_id=conversation.pk)
