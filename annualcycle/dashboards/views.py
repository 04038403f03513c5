"""The dashboards ("Overblik"): a leader sees their subtree, HR the whole kommune, and a
MED committee member their committee's subtree, in aggregates only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from annualcycle.cycle.selectors import current_phases
from annualcycle.dashboards import charts, selectors
from kompetence import permissions
from kompetence.http import KommuneRequest, person_required
from kompetence.models import MEDCommittee, OrgUnit, Person


def _committees_of(person: Person) -> QuerySet[MEDCommittee]:
    return MEDCommittee.objects.open().filter(memberships__person=person).select_related("unit")


def _committee_or_404(person: Person, committee_id: int) -> MEDCommittee:
    """The committee if `person` is a member of it.

    Security contract: membership of an open committee is the only way in. HR, leaders
    and everyone else who is not a member, a closed committee, and every committee of
    another kommune get the same 404."""
    committee = _committees_of(person).filter(pk=committee_id).first()
    if committee is None:
        raise Http404
    return committee


def _top_units(person: Person, units: QuerySet[OrgUnit]) -> list[OrgUnit]:
    """The tops of the subtrees `person` leads or administers (several for a leader of
    two units, or a leader who is also HR for another centre)."""
    if permissions.is_kommune_hr(person):
        return []
    paths = sorted(
        set(permissions.led_unit_paths(person) + permissions.administered_unit_paths(person))
    )
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(units.filter(path__in=tops).order_by("path"))


def _chosen_unit(request: KommuneRequest, units: QuerySet[OrgUnit], default: OrgUnit | None):
    """The unit of the `enhed` parameter if it is among `units`, else `default`.
    A unit outside `units` is a 404, whether it exists or not."""
    unit_id = request.GET.get("enhed", "")
    if not unit_id:
        if default is None:
            raise Http404
        return default
    unit = units.filter(pk=unit_id if unit_id.isdigit() else 0).first()
    if unit is None:
        raise Http404
    return unit


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
            "ancestors": units.filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth"),
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
    committees = list(_committees_of(person).order_by("kind", "name"))
    if permissions.is_hr_for_some_unit(person) or permissions.is_leader(person):
        units = permissions.visible_units(person)
        tops = _top_units(person, units)
        unit = _chosen_unit(request, units, units.order_by("depth", "path").first())
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
    committee = _committee_or_404(request.person, committee_id)
    units = OrgUnit.objects.filter(path__startswith=committee.unit.path)
    unit = _chosen_unit(request, units, committee.unit)
    return _page(
        request,
        unit=unit,
        units=units,
        base_url=reverse("med_dashboard", args=[committee.pk]),
        k=request.kommune.med_min_group_size,
        extra={"committees": [], "committee": committee, "top_units": []},
    )
