"""The årshjul: a wheel and a list of the year's phases and tasks; HR edits them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annualcycle.cycle import selectors, services
from annualcycle.cycle.forms import PhaseForm, TaskForm
from annualcycle.cycle.wheel import wheel
from annualcycle.models import Cycle, Phase, Task
from kompetence import permissions
from kompetence.http import KommuneRequest, kommune_hr_required, person_required


def _cycle_page(request: KommuneRequest, cycle: Cycle | None) -> HttpResponse:
    today = timezone.localdate()
    phases = list(cycle.phases.prefetch_related("tasks")) if cycle else []
    return render(
        request,
        "annualcycle/cycle.html",
        {
            "cycle": cycle,
            "phases": phases,
            "wheel": wheel(cycle, phases, today) if cycle else None,
            "today": today,
            "cycles": Cycle.objects.all(),
            "is_kommune_hr": permissions.is_kommune_hr(request.person),
        },
    )


@require_GET
@person_required
def cycle_view(request: KommuneRequest) -> HttpResponse:
    cycle = selectors.current_cycle() or Cycle.objects.first()
    return _cycle_page(request, cycle)


def _get_cycle_or_404(cycle_id: int) -> Cycle:
    """A cycle of the request's kommune (the scope filters); others are 404."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404
    return cycle


@require_GET
@person_required
def cycle_detail(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    return _cycle_page(request, _get_cycle_or_404(cycle_id))


@require_POST
@kommune_hr_required
def cycle_edit(request: KommuneRequest, cycle_id: int) -> HttpResponse:
    """HR's actions on a whole cycle: copy it to next year."""
    cycle = _get_cycle_or_404(cycle_id)
    if request.POST.get("action") != "copy_next":
        raise Http404
    new = services.cycle_copy_to_next_year(cycle=cycle)
    messages.success(request, _("%(name)s er oprettet.") % {"name": new.name})
    return redirect("cycle_detail", cycle_id=new.pk)


def _phase_form_page(request, cycle: Cycle, phase: Phase | None) -> HttpResponse:
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_save(cycle=cycle, phase=phase, **form.cleaned_data)
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
    return _phase_form_page(request, _get_cycle_or_404(cycle_id), None)


def _get_phase_or_404(phase_id: int) -> Phase:
    """A phase of the request's kommune; others are 404."""
    phase = Phase.objects.select_related("cycle").filter(pk=phase_id).first()
    if phase is None:
        raise Http404
    return phase


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def phase_edit(request: KommuneRequest, phase_id: int) -> HttpResponse:
    phase = _get_phase_or_404(phase_id)
    return _phase_form_page(request, phase.cycle, phase)


def _task_form_page(request, phase: Phase, task: Task | None) -> HttpResponse:
    form = TaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(phase=phase, task=task, **form.cleaned_data)
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
    return _task_form_page(request, _get_phase_or_404(phase_id), None)


def _get_task_or_404(task_id: int) -> Task:
    """A task of the request's kommune; others are 404."""
    task = Task.objects.select_related("phase__cycle").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def task_edit(request: KommuneRequest, task_id: int) -> HttpResponse:
    task = _get_task_or_404(task_id)
    return _task_form_page(request, task.phase, task)


@require_POST
@kommune_hr_required
def task_delete(request: KommuneRequest, task_id: int) -> HttpResponse:
    task = _get_task_or_404(task_id)
    cycle_id = task.phase.cycle_id
    services.task_delete(task=task)
    messages.success(request, _("Opgaven er slettet."))
    return redirect("cycle_detail", cycle_id=cycle_id)
