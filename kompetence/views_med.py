"""HR's pages for the MED committees: list, create, edit and close.

Only HR for the whole kommune manages the committees (a committee may cover the whole
kommune); everyone else, MED members included, gets 404. Members are chosen among the
kommune's own people. A committee is closed, never deleted: it stays as history with
its members, and from then on shows no dashboard and gives no access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import selectors, services
from kompetence.audit import audit_record
from kompetence.forms import MEDCommitteeForm
from kompetence.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.http import KommuneRequest, kommune_hr_required
from kompetence.models import AuditEntry, MEDCommittee


def _open_committee_or_404(committee_id: int) -> MEDCommittee:
    """An open committee of the request's kommune (the scope sees no other kommune's).

    Security contract: call only from views behind `kommune_hr_required`; a closed
    committee, another kommune's and a missing one get the same 404."""
    committee = MEDCommittee.objects.open().filter(pk=committee_id).select_related("unit").first()
    if committee is None:
        raise Http404
    return committee


def _describe(committee: MEDCommittee) -> str:
    return _("%(name)s (%(kind)s), dækker %(unit)s") % {
        "name": committee.name,
        "kind": committee.get_kind_display(),
        "unit": committee.unit.name,
    }


def _audit_members(request, committee: MEDCommittee, changes: services.MembershipChanges):
    """One entry per person whose membership changed: it is their data (who sits on
    which committee), so it shows under their name in the audit log."""
    for people, text in (
        (changes.added, _("Medlem af MED-udvalget %(name)s")),
        (changes.removed, _("Ikke længere medlem af MED-udvalget %(name)s")),
        (changes.role_changed, _("Ny rolle i MED-udvalget %(name)s")),
    ):
        for person in people:
            audit_record(
                request,
                action=AuditEntry.Action.CHANGE,
                subject=person,
                obj=committee,
                summary=text % {"name": committee.name},
            )


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
            members = form.member_roles()
            with transaction.atomic():
                committee = services.med_committee_create(
                    kommune=request.kommune, members=members, **form.committee_fields()
                )
                audit_record(
                    request,
                    action=AuditEntry.Action.CREATE,
                    subject=None,
                    obj=committee,
                    summary=_("MED-udvalg oprettet: %(committee)s")
                    % {"committee": _describe(committee)},
                )
                _audit_members(
                    request, committee, services.MembershipChanges(added=[p for p, _r in members])
                )
            messages.success(request, _("%(name)s er oprettet.") % {"name": committee.name})
            return redirect_after_post(request, reverse("med_committee_list"))
    return render_form(
        request, "kompetence/med_committee_form.html", {"form": form, "committee": None}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def med_committee_edit(request: KommuneRequest, committee_id: int) -> HttpResponse:
    committee = _open_committee_or_404(committee_id)
    form = MEDCommitteeForm(request.POST or None, instance=committee, kommune=request.kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                with transaction.atomic():
                    # The form's instance already carries the new values; reload it.
                    committee = MEDCommittee.objects.select_for_update().get(pk=committee.pk)
                    changes = services.med_committee_update(
                        committee=committee, members=form.member_roles(), **form.committee_fields()
                    )
                    audit_record(
                        request,
                        action=AuditEntry.Action.CHANGE,
                        subject=None,
                        obj=committee,
                        summary=_("MED-udvalg ændret: %(committee)s")
                        % {"committee": _describe(committee)},
                    )
                    _audit_members(request, committee, changes)
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
    committee = _open_committee_or_404(committee_id)
    with transaction.atomic():
        if services.med_committee_close(committee=committee):
            audit_record(
                request,
                action=AuditEntry.Action.CHANGE,
                subject=None,
                obj=committee,
                summary=_("MED-udvalg lukket: %(committee)s") % {"committee": _describe(committee)},
            )
    messages.success(
        request,
        _("%(name)s er lukket. Medlemmerne ser ikke længere udvalgets overblik.")
        % {"name": committee.name},
    )
    return redirect_after_post(request, reverse("med_committee_list"))
