"""The mandatory-training overview ("Certifikater"): leaders and HR see people who must
act, kommune HR downloads it, MED members see their committee's subtree in aggregates."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from annualcycle.access import get_dashboard_unit_or_404, get_med_committee_or_404
from annualcycle.dashboards.selectors import committee_list
from annualcycle.reports.documents import XLSX_CONTENT_TYPE
from annualcycle.training import documents, selectors, services
from catalogue.models import TrainingRequirement
from catalogue.training.selectors import State
from kompetence import permissions
from kompetence.infra.http import KommuneRequest, kommune_hr_required, person_required


def _id(request: KommuneRequest, name: str) -> int | None:
    """The id in the query parameter `name`; None when empty, 404 when not a number."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _filters(request: KommuneRequest) -> dict:
    """The overview's filters from the query string. A unit outside the viewer's
    units or a requirement that does not exist is a 404, as any other id."""
    person = request.person
    unit_id = _id(request, "enhed")
    unit = None
    if unit_id is not None:
        unit = get_dashboard_unit_or_404(person, unit_id, units=selectors.filter_units(person))
    requirement_id = _id(request, "krav")
    requirement = None
    if requirement_id is not None:
        requirement = TrainingRequirement.objects.filter(
            kommune_id=person.kommune_id, pk=requirement_id, is_active=True
        ).first()
        if requirement is None:
            raise Http404
    state = request.GET.get("status", "")
    if state not in selectors.FILTER_STATES:
        state = ""
    return {"unit": unit, "requirement": requirement, "state": state}


@require_GET
@person_required
def training_overview(request: KommuneRequest) -> HttpResponse:
    """Leaders and HR: the people in their scope whose requirements need action.
    MED members (or anyone with `udvalg`): their committee's aggregates. Others: 404."""
    person = request.person
    committee_id = _id(request, "udvalg")
    committees = committee_list(person)
    if committee_id is None and not selectors.may_see_people(person) and committees:
        committee_id = committees[0].pk
    if committee_id is not None:
        committee = get_med_committee_or_404(person, committee_id)
        return render(
            request,
            "annualcycle/training/overview_med.html",
            {
                "med": selectors.med_overview(committee, request.kommune.med_min_group_size),
                "committees": committees,
                "states": [State.LABELS[s] for s in selectors.MED_STATES],
            },
        )
    if not selectors.may_see_people(person):
        raise Http404
    filters = _filters(request)
    services.training_overview_searched(request=request, **filters)
    return render(
        request,
        "annualcycle/training/overview.html",
        {
            "overview": selectors.overview(person, **filters),
            "filters": filters,
            "units": selectors.filter_units(person),
            "state_choices": [(s, State.LABELS[s]) for s in selectors.FILTER_STATES],
            "committees": committees,
            "may_export": permissions.is_kommune_hr(person),
            "row_limit": selectors.ROW_LIMIT,
        },
    )


@require_GET
@kommune_hr_required
def training_overview_export(request: KommuneRequest) -> HttpResponse:
    """The overview with the same filters as a spreadsheet, for HR for the kommune."""
    filters = _filters(request)
    overview = selectors.overview(request.person, **filters)
    content = documents.overview_xlsx(overview)
    services.training_overview_exported(request=request, rows=overview.total, **filters)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"certifikater-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # Personal data: no copy left in a shared browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response
