"""Group conversations (GRUS/TUS): the leader schedules one meeting with several of
their employees, writes the group's shared notes during it, and opens each
participant's own plan from the group's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import permissions
from kompetence.infra.htmx import redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, person_required
from mus import access, selectors, services
from mus.forms import GroupConversationForm


@require_http_methods(["GET", "POST"])
@person_required
def group_new(request: KommuneRequest) -> HttpResponse:
    if not permissions.is_leader(request.person):
        raise Http404
    form = GroupConversationForm(
        request.POST or None,
        initial={"duration_minutes": 90},
        employees=selectors.group_candidates(request.person),
    )
    # No inline validation of each field here: re-rendering the participants' boxes
    # after one is ticked would untick those ticked while the answer was on its way.
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_conversation_schedule(
                leader=request.person,
                participants=list(form.cleaned_data["participants"]),
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                is_online=form.cleaned_data["is_online"],
                location=form.cleaned_data["location"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Gruppesamtalen er planlagt. Hver deltager har fået en kalenderinvitation."),
            )
            return redirect_after_post(request, reverse("group_detail", args=[group.pk]))
    return render_form(request, "mus/group_form.html", {"form": form})


@require_GET
@person_required
def group_detail(request: KommuneRequest, conversation_group_id: int) -> HttpResponse:
    group = access.get_group_or_404(request.person, conversation_group_id)
    return render(
        request,
        "mus/group_detail.html",
        {
            "group": group,
            "participants": selectors.group_participants(group),
            "seen_hash": services.notes_hash(group.shared_notes),
        },
    )


@require_POST
@person_required
def group_notes_save(request: KommuneRequest, conversation_group_id: int) -> HttpResponse:
    """The leader's shared notes of the group (autosaved by HTMX)."""
    group = access.get_group_or_404(request.person, conversation_group_id)
    error = ""
    try:
        services.group_notes_save(
            group=group,
            text=request.POST.get("shared_notes", ""),
            seen_hash=request.POST.get("seen_hash", ""),
        )
    except services.NotesConflict as conflict:
        error = " ".join(conflict.messages)
    if request.htmx:
        return render(
            request,
            "mus/group_detail.html#notes_saved",
            {"error": error, "seen_hash": services.notes_hash(group.shared_notes), "oob": True},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Noterne er gemt."))
    return redirect("group_detail", conversation_group_id=group.pk)
