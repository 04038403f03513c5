"""The leader's team page ("Mit team")."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annualcycle.team import selectors
from kompetence.infra.http import KommuneRequest, staff_required
from profiles.selectors import led_units


@require_GET
@staff_required
def team_overview(request: KommuneRequest) -> HttpResponse:
    """Evaluation, conversations, plan and follow-up of each person the viewer leads."""
    sort = request.GET.get("sortering", "")
    if sort not in selectors.SORT_KEYS:
        sort = "navn"
    return render(
        request,
        "annualcycle/team_overview.html",
        {
            "rows": selectors.team_overview(request.person, sort=sort),
            "units": led_units(request.person),
            "sort": sort,
        },
    )
