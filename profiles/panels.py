"""Panels the profiles app adds to the organisation core's pages
(see kompetence.infra.extensions)."""

from __future__ import annotations

from django.db.models import Exists
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from kompetence import permissions
from kompetence.infra.extensions import SetupStep
from kompetence.models import Position
from profiles import selectors
from profiles.models import EvaluationRound, FrameworkVersion, JobProfile, JobProfileAssignment


def home_evaluations_panel(request) -> str:
    """The person's open self-evaluations, with progress and deadline."""
    evaluations = list(selectors.open_evaluations_of(request.person))
    if not evaluations:
        return ""
    return render_to_string(
        "profiles/_home_evaluations.html", {"evaluations": evaluations}, request=request
    )


def job_profile_of(position: Position) -> JobProfile | None:
    """The position's job profile; select_related `job_profile_assignment__job_profile`
    first, or this costs a query."""
    try:
        return position.job_profile_assignment.job_profile
    except JobProfileAssignment.DoesNotExist:
        return None


def person_job_profiles_panel(request, person) -> str:
    """Job profile of each of the person's positions; HR can change it here.

    Three queries whatever the number of positions (plus the viewer's own rights,
    which are cached for the request)."""
    positions = list(
        Position.objects.active()
        .filter(person=person)
        .select_related("unit", "job_profile_assignment__job_profile")
        .order_by("start_date", "pk")
    )
    if not positions:
        return ""
    viewer = request.person
    visible_unit_ids = set(
        permissions.visible_units(viewer)
        .filter(pk__in={p.unit_id for p in positions})
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "position": position,
            "job_profile": job_profile_of(position),
            "unit_visible": position.unit_id in visible_unit_ids,
        }
        for position in positions
    ]
    return render_to_string(
        "profiles/_person_job_profiles.html",
        {
            "subject": person,
            "rows": rows,
            "can_change": permissions.can_change_person(viewer, person),
        },
        request=request,
    )


# --- Steps of the getting-started checklist (kompetence.getting_started) -------------

SETUP_STEPS = (
    SetupStep(
        "framework",
        _("Vælg en kompetenceramme, og offentliggør den"),
        "framework_starters",
        lambda kommune: Exists(
            FrameworkVersion.objects.filter(
                kommune=kommune, status=FrameworkVersion.Status.PUBLISHED
            )
        ),
        order=20,
    ),
    SetupStep(
        "job_profiles",
        _("Giv stillingerne en jobprofil"),
        "job_profile_list",
        lambda kommune: Exists(JobProfileAssignment.objects.filter(kommune=kommune)),
        order=30,
    ),
    SetupStep(
        "evaluation_round",
        _("Åbn den første evalueringsrunde"),
        "round_create",
        lambda kommune: Exists(EvaluationRound.objects.filter(kommune=kommune)),
        order=60,
    ),
)
