"""The home page's "my tasks now" (Mine opgaver nu), and the årshjul's step of the
getting-started checklist."""

from __future__ import annotations

from django.db.models import Exists
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annualcycle.cycle.selectors import current_phases, my_tasks
from annualcycle.models import Cycle
from catalogue.training.selectors import statuses_of
from kompetence.infra.extensions import SetupStep
from kompetence.models import Kommune


def home_tasks_panel(request) -> str:
    """The current phases' tasks, and the person's mandatory training that asks them
    to act (missing, expired, expiring or due), worst first."""
    today = timezone.localdate()
    phases = current_phases(today)
    training = [s for s in statuses_of(request.person, today=today) if s.needs_action]
    return render_to_string(
        "annualcycle/_home_tasks.html",
        {
            "tasks": my_tasks(request.person, today),
            "phases": phases,
            "today": today,
            "training": training,
        },
        request=request,
    )


def _current_cycle_reviewed(kommune: Kommune):
    today = timezone.localdate()
    return Exists(
        Cycle.objects.filter(
            kommune=kommune,
            starts_on__lte=today,
            ends_on__gte=today,
            reviewed_at__isnull=False,
        )
    )


# Every kommune starts from the default årshjul; HR confirms on the cycle's page that
# they went through its phases, tasks and deadlines (`services.cycle_review`).
SETUP_STEPS = (
    SetupStep(
        "cycle_reviewed",
        _("Gennemgå årshjulet"),
        "cycle",
        _current_cycle_reviewed,
        order=50,
    ),
)
