"""Upward feedback pages: an employee answers about their leader; leaders, their
leaders and HR read the aggregates; HR edits the statements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kompetence import permissions
from kompetence.infra.http import KommuneRequest, kommune_hr_required, person_required
from mus.upward import access, selectors, services
from mus.upward.forms import UpwardAnswerForm, UpwardQuestionForm


def _period(request: KommuneRequest) -> int:
    """The year asked for (?aar=), else the current one."""
    year = request.GET.get("aar", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        return int(year)
    return selectors.current_period()


@require_http_methods(["GET", "POST"])
@person_required
def upward_answer(request: KommuneRequest, leader_id: int) -> HttpResponse:
    period = selectors.current_period()
    leader = access.get_feedback_leader_or_404(request.person, leader_id, period=period)
    questions = services.upward_questions(kommune=request.kommune)
    form = UpwardAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and not leader.answered and form.is_valid():
        try:
            services.upward_feedback_submit(
                respondent=request.person, leader=leader, answers=form.answers()
            )
        except services.AlreadyAnswered:
            messages.error(request, _("Du har allerede givet feedback til denne leder i år."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("upward_answer", leader_id=leader.pk)
        else:
            messages.success(request, _("Tak. Din feedback er modtaget."))
        return redirect("upward_results")
    return render(
        request,
        "mus/upward/answer.html",
        {
            "leader": leader,
            "form": form,
            "period": period,
            "k": request.kommune.med_min_group_size,
        },
    )


@require_GET
@person_required
def upward_results(request: KommuneRequest) -> HttpResponse:
    """ "Feedback på ledelse": what the viewer may still answer, their own aggregates
    as a leader, and those of the leaders they lead or, as HR, administer."""
    person, k, period = request.person, request.kommune.med_min_group_size, _period(request)
    return render(
        request,
        "mus/upward/results.html",
        {
            "period": period,
            "periods": selectors.periods_with_feedback(person),
            "k": k,
            "pending": selectors.pending_feedback(person, selectors.current_period()),
            "own": selectors.leader_feedback(person, period, k)
            if permissions.is_leader(person)
            else None,
            "table": selectors.feedback_table(person, period, k),
            "is_kommune_hr": permissions.is_kommune_hr(person),
        },
    )


@require_GET
@person_required
def upward_leader(request: KommuneRequest, leader_id: int) -> HttpResponse:
    leader = access.get_feedback_subject_or_404(request.person, leader_id)
    k, period = request.kommune.med_min_group_size, _period(request)
    return render(
        request,
        "mus/upward/leader.html",
        {"feedback": selectors.leader_feedback(leader, period, k), "period": period, "k": k},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def upward_questions(request: KommuneRequest) -> HttpResponse:
    services.upward_questions(kommune=request.kommune)
    form = UpwardQuestionForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        services.upward_question_save(
            kommune=request.kommune,
            question=None,
            text=form.cleaned_data["text"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("Udsagnet er tilføjet."))
        return redirect("upward_questions")
    return render(
        request,
        "mus/upward/questions.html",
        {"questions": selectors.questions_of(request.kommune), "form": form},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def upward_question_edit(request: KommuneRequest, statement_id: int) -> HttpResponse:
    question = access.get_upward_question_or_404(request.person, statement_id)
    form = UpwardQuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.upward_question_save(
            kommune=request.kommune,
            question=question,
            text=form.cleaned_data["text"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("Udsagnet er gemt."))
        return redirect("upward_questions")
    return render(request, "mus/upward/question_edit.html", {"form": form, "question": question})
