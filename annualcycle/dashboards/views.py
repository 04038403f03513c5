"""The dashboards ("Overblik"): a leader sees their subtree, HR the whole kommune, and a
MED committee member their committee's subtree, in aggregates only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from annualcycle.access import get_dashboard_unit_or_404, get_med_committee_or_404
from annualcycle.cycle.selectors import current_phases
from annualcycle.dashboards import charts, selectors
from kompetence import permissions
from kompetence.infra.http import KommuneRequest, person_required
from kompetence.models import OrgUnit


def _chosen_unit(request: KommuneRequest, units: QuerySet[OrgUnit], default: OrgUnit | None):
    """The unit of the `enhed` parameter if it is among `units`, else `default`.
    A unit outside `units` is a 404, whether it exists or not."""
    unit_id = request.GET.get("enhed", "")
    if not unit_id:
        if default is None:
            raise Http404
        return default
    return get_dashboard_unit_or_404(
        request.person, int(unit_id) if unit_id.isdigit() else 0, units=units
    )


def _page(
    request: KommuneRequest,
    *,
    unit: OrgUnit,
    units: QuerySet[OrgUnit],
    base_url: str,
    k: int | None,
    extra: dict,
) -> HttpResponse:
    rounds = selectors.dashboard_rounds(unit)
    round_id = request.GET.get("runde", "")
    round_ = next((r for r in rounds if str(r.pk) == round_id), None) if round_id else None
    if round_id and round_ is None:
        raise Http404
    round_ = round_ or selectors.default_round(rounds)
    dashboard = selectors.unit_dashboard(unit, round_, selectors.dashboard_period(), k=k)
    all_rows = [*dashboard.rows, dashboard.total]
    return render(
        request,
        "annualcycle/dashboard.html",
        {
            "dashboard": dashboard,
            "rounds": rounds,
            "base_url": base_url,
            "ancestors": selectors.ancestors_within(unit, units),
            "completion_chart": charts.completion_chart(all_rows),
            "completion_legend": charts.COMPLETION,
            "gap_chart": charts.gap_chart(dashboard.total.gaps) if dashboard.groups else None,
            "phases": current_phases(),
            **extra,
        },
    )


@require_GET
@person_required
def dashboard(request: KommuneRequest) -> HttpResponse:
    """Routes each person to their dashboard: HR and leaders to the top unit they see
    (`enhed` drills down within it), MED members to their committees; others get 404."""
    person = request.person
    committees = selectors.committee_list(person)
    if permissions.is_hr_for_some_unit(person) or permissions.is_leader(person):
        units = permissions.visible_units(person)
        tops = selectors.top_units(person, units)
        unit = _chosen_unit(request, units, selectors.first_unit(units))
        return _page(
            request,
            unit=unit,
            units=units,
            base_url=reverse("dashboard"),
            k=None,
            extra={
                "committees": committees,
                "committee": None,
                "top_units": tops if len(tops) > 1 else [],
            },
        )
    if not committees or "enhed" in request.GET:
        raise Http404
    return render(request, "annualcycle/dashboard_committees.html", {"committees": committees})


@require_GET
@person_required
def med_dashboard(request: KommuneRequest, committee_id: int) -> HttpResponse:
    """The committee's subtree in aggregates only, with no cell from fewer than k people."""
    committee = get_med_committee_or_404(request.person, committee_id)
    units = selectors.subtree(committee.unit)
    unit = _chosen_unit(request, units, committee.unit)
    return _page(
        request,
        unit=unit,
        units=units,
        base_url=reverse("med_dashboard", args=[committee.pk]),
        k=request.kommune.med_min_group_size,
        extra={"committees": [], "committee": committee, "top_units": []},
    )
