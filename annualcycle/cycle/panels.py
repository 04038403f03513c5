"""The home page's "my tasks now" (Mine opgaver nu)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from annualcycle.cycle.selectors import current_phases, my_tasks


def home_tasks_panel(request) -> str:
    today = timezone.localdate()
    phases = current_phases(today)
    return render_to_string(
        "annualcycle/_home_tasks.html",
        {"tasks": my_tasks(request.person, today), "phases": phases, "today": today},
        request=request,
    )
