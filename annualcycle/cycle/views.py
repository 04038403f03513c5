"""The årshjul: a wheel and a list of the year's phases and tasks; HR edits them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annualcycle.access import get_cycle_or_404, get_phase_or_404, get_task_or_404
from annualcycle.cycle import selectors, services
from annualcycle.cycle.forms import PhaseForm, TaskForm
from annualcycle.cycle.wheel import wheel
from annualcycle.models import Cycle, Phase, Task
from kompetence import permissions
from kompetence.infra.http import KommuneRequest, kommune_hr_required, person_required


def _cycle_page(request: KommuneRequest, cycle: Cycle | None) -> HttpResponse:
    today = timezone.localdate()
    phases = selectors.phases_of(cycle) if cycle else []
    return render(
        request,
        "annualcycle/cycle.html",
        {
            "cycle": cycle,
            "phases": phases,
            "wheel": wheel(cycle, phases, today) if cycle else None,
            "today": today,
            "cycles": selectors.cycles(),
            "is_kommune_hr": permissions.is_kommune_hr(request.person),
        },
    )


@require_GET
@person_required
def cycle_view(request: KommuneRequest) -> HttpResponse:
    cycle = selectors.current_cycle() or selectors.first_cycle()
    return _cycle_page(request, cycle)


@require_GET
@person_required
def cycle_detail(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    return _cycle_page(request, get_cycle_or_404(request.person, cycle_id))


@require_POST
@kommune_hr_required
def cycle_copy_next(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    """HR copies the cycle, its phases and tasks, to next year."""
    cycle = get_cycle_or_404(request.person, cycle_id)
    new = services.cycle_copy_to_next_year(cycle=cycle)
    messages.success(request, _("%(name)s er oprettet.") % {"name": new.name})
    return redirect("cycle_detail", cycle_id=new.pk)


@require_POST
@kommune_hr_required
def cycle_review(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    """Kommune HR confirms having gone through the cycle (a getting-started step)."""
    cycle = get_cycle_or_404(request.person, cycle_id)
    services.cycle_review(cycle=cycle, by=request.person)
    messages.success(request, _("Tak. Årshjulet er markeret som gennemgået."))
    return redirect("cycle_detail", cycle_id=cycle.pk)


def _phase_form_page(request, cycle: Cycle, phase: Phase | None) -> HttpResponse:
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_save(
                cycle=cycle,
                phase=phase,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Fasen er gemt."))
            return redirect("cycle_detail", cycle_id=cycle.pk)
    return render(
        request, "annualcycle/phase_form.html", {"form": form, "cycle": cycle, "phase": phase}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def phase_create(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    return _phase_form_page(request, get_cycle_or_404(request.person, cycle_id), None)


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def phase_edit(request: KommuneRequest, phase_id: int) -> HttpResponse:
    phase = get_phase_or_404(request.person, phase_id)
    return _phase_form_page(request, phase.cycle, phase)


def _task_form_page(request, phase: Phase, task: Task | None) -> HttpResponse:
    form = TaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(
                phase=phase,
                task=task,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                roles=form.cleaned_data["roles"],
                kind=form.cleaned_data["kind"],
                deadline=form.cleaned_data["deadline"],
                remind_days_before=form.cleaned_data["remind_days_before"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Opgaven er gemt."))
            return redirect("cycle_detail", cycle_id=phase.cycle_id)
    return render(
        request, "annualcycle/task_form.html", {"form": form, "phase": phase, "task": task}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def task_create(request: KommuneRequest, phase_id: int) -> HttpResponse:
    return _task_form_page(request, get_phase_or_404(request.person, phase_id), None)


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def task_edit(request: KommuneRequest, task_id: int) -> HttpResponse:
    task = get_task_or_404(request.person, task_id)
    return _task_form_page(request, task.phase, task)


@require_POST
@kommune_hr_required
def task_delete(request: KommuneRequest, task_id: int) -> HttpResponse:
    task = get_task_or_404(request.person, task_id)
    cycle_id = task.phase.cycle_id
    services.task_delete(task=task)
    messages.success(request, _("Opgaven er slettet."))
    return redirect("cycle_detail", cycle_id=cycle_id)
