"""HR's pages for the MED committees: list, create, edit and close.

Only HR for the whole kommune manages the committees (a committee may cover the whole
kommune); everyone else, MED members included, gets 404. Members are chosen among the
kommune's own people. A committee is closed, never deleted: it stays as history with
its members, and from then on shows no dashboard and gives no access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import access, selectors, services
from kompetence.forms import MEDCommitteeForm
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, kommune_hr_required


@require_GET
@kommune_hr_required
def med_committee_list(request: KommuneRequest) -> HttpResponse:
    return render(
        request, "kompetence/med_committee_list.html", {"committees": selectors.med_committees()}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def med_committee_create(request: KommuneRequest) -> HttpResponse:
    form = MEDCommitteeForm(request.POST or None, kommune=request.kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            committee = services.med_committee_create(
                kommune=request.kommune,
                members=form.member_roles(),
                actor=request.person,
                **form.committee_fields(),
            )
            messages.success(request, _("%(name)s er oprettet.") % {"name": committee.name})
            return redirect_after_post(request, reverse("med_committee_list"))
    return render_form(
        request, "kompetence/med_committee_form.html", {"form": form, "committee": None}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def med_committee_edit(request: KommuneRequest, committee_id: int) -> HttpResponse:
    committee = access.get_med_committee_or_404(request.person, committee_id)
    form = MEDCommitteeForm(request.POST or None, instance=committee, kommune=request.kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                services.med_committee_update(
                    committee=committee,
                    members=form.member_roles(),
                    actor=request.person,
                    **form.committee_fields(),
                )
            except ValidationError as error:
                form.add_error(None, error)  # closed meanwhile
            else:
                messages.success(request, _("%(name)s er gemt.") % {"name": committee.name})
                return redirect_after_post(request, reverse("med_committee_list"))
    return render_form(
        request, "kompetence/med_committee_form.html", {"form": form, "committee": committee}
    )


@require_POST
@kommune_hr_required
def med_committee_close(request: KommuneRequest, committee_id: int) -> HttpResponse:
    committee = access.get_med_committee_or_404(request.person, committee_id)
    services.med_committee_close(committee=committee, actor=request.person)
    messages.success(
        request,
        _("%(name)s er lukket. Medlemmerne ser ikke længere udvalgets overblik.")
        % {"name": committee.name},
    )
    return redirect_after_post(request, reverse("med_committee_list"))
