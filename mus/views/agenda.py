"""HR's agendas: the preparation questions every conversation of the kommune starts
from, one agenda per kind of conversation (`?samtaletype=`, MUS when not given)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kompetence.infra.http import KommuneRequest, kommune_hr_required
from mus import access, agenda_starters, selectors, services
from mus.forms import AgendaQuestionForm
from mus.models import ConversationKind


def _kind_of(request: KommuneRequest) -> ConversationKind:
    """The agenda's kind from the query (`samtaletype`); an unknown kind is a 404."""
    value = request.GET.get("samtaletype", ConversationKind.MUS)
    if value not in ConversationKind.values:
        raise Http404
    return ConversationKind(value)


def _agenda_url(kind: str) -> str:
    url = reverse("agenda")
    return url if kind == ConversationKind.MUS else f"{url}?samtaletype={kind}"


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def agenda(request: KommuneRequest) -> HttpResponse:
    kind = _kind_of(request)
    services.agenda_questions(kommune=request.kommune, kind=kind)
    form = AgendaQuestionForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        services.agenda_question_save(
            kommune=request.kommune,
            question=None,
            text=form.cleaned_data["text"],
            help_text=form.cleaned_data["help_text"],
            is_active=form.cleaned_data["is_active"],
            kind=kind,
        )
        messages.success(request, _("Spørgsmålet er tilføjet."))
        return redirect(_agenda_url(kind))
    return render(
        request,
        "mus/agenda.html",
        {
            "kind": kind,
            "kinds": [(k, k.label, _agenda_url(k)) for k in ConversationKind],
            "questions": selectors.agenda_all(request.kommune, kind),
            "form": form,
            # The starter agendas are MUS agendas.
            "starters": (agenda_starters.starter_agendas() if kind == ConversationKind.MUS else ()),
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
    question = access.get_agenda_question_or_404(request.person, question_id)
    form = AgendaQuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.agenda_question_save(
            kommune=request.kommune,
            question=question,
            text=form.cleaned_data["text"],
            help_text=form.cleaned_data["help_text"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("Spørgsmålet er gemt."))
        return redirect(_agenda_url(question.kind))
    return render(
        request,
        "mus/agenda_question.html",
        {"form": form, "question": question, "agenda_url": _agenda_url(question.kind)},
    )
