"""Pages of the organisation core: home, org tree, units, people, positions, audit log.

Views stay thin: load through `kompetence.access`, call a service or selector, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import access, getting_started, invitations, permissions, selectors, services
from kompetence.audit import audit_search, detail_lines
from kompetence.forms import AuditFilterForm, LoginLockForm, PersonForm, PositionForm, UnitForm
from kompetence.infra.extensions import HOME_PANELS, PERSON_PANELS
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import (
    KommuneRequest,
    hr_required,
    kommune_hr_required,
    person_required,
    staff_required,
)
from kompetence.infra.login_locks import pair_cool_off, pair_failure_limit
from kompetence.models import AuditEntry

if TYPE_CHECKING:
    from django.core.paginator import Page
    from django_stubs_ext import WithAnnotations

    from kompetence.models import Person


@require_GET
@person_required
def home(request: KommuneRequest) -> HttpResponse:
    person = request.person
    return render(
        request,
        "kompetence/home.html",
        {
            "positions": selectors.active_positions(person),
            "leaders": selectors.nearest_leaders(person),
            "panels": [html for panel in HOME_PANELS if (html := panel(request))],
            "checklist": getting_started.checklist_for(person, request.kommune),
        },
    )


@require_GET
@staff_required
def org_tree(request: KommuneRequest) -> HttpResponse:
    units = permissions.visible_units(request.person)
    return render(request, "kompetence/org_tree.html", {"tree": selectors.org_tree(units)})


@require_GET
@staff_required
def unit_detail(request: KommuneRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_or_404(request.person, unit_id)
    visible = permissions.visible_units(request.person)
    return render(
        request,
        "kompetence/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(visible, unit),
            "children": selectors.org_tree(selectors.unit_children(visible, unit)),
            "positions": selectors.unit_people(unit),
            "can_change": permissions.can_change_unit(request.person, unit),
        },
    )


@require_http_methods(["GET", "POST"])
@hr_required
def unit_create(request: KommuneRequest) -> HttpResponse:
    units = permissions.changeable_units(request.person)
    parent = selectors.unit_among(units, request.GET.get("parent"))
    form = UnitForm(request.POST or None, units=units, initial={"parent": parent})
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                unit = services.unit_create(
                    kommune=request.kommune, actor=request.person, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect_after_post(request, reverse("unit_detail", args=[unit.pk]))
    return render_form(request, "kompetence/unit_form.html", {"form": form, "unit": None})


@require_http_methods(["GET", "POST"])
@hr_required
def unit_edit(request: KommuneRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_or_404(request.person, unit_id, change=True)
    form = UnitForm(
        request.POST or None, instance=unit, units=permissions.changeable_units(request.person)
    )
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.unit_update(unit=unit, **form.cleaned_data)
            return redirect_after_post(request, reverse("unit_detail", args=[unit.pk]))
    return render_form(request, "kompetence/unit_form.html", {"form": form, "unit": unit})


@require_GET
@hr_required
def person_list(request: KommuneRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    state = request.GET.get("adgang", "")
    people = invitations.people_by_account_state(
        selectors.person_search(permissions.persons_administered_by(request.person), query),
        kommune=request.kommune,
        state=state,
    )
    # Declared: through Paginator's generics the plugin loses the annotation's fields.
    page: Page[WithAnnotations[Person, invitations.AccountStateColumn]] = Paginator(
        people, 50
    ).get_page(request.GET.get("page"))
    for person in page:
        person.account_label = invitations.AccountState.labels[person.account_state]
    audit_search(
        request,
        summary=_("Søgning i personer"),
        criteria={
            "q": query.strip()[:200],
            "adgang": str(invitations.AccountState.labels.get(state, "")) if state else "",
        },
    )
    return render(
        request,
        "kompetence/person_list.html",
        {"page": page, "q": query, "state": state, "states": invitations.AccountState.choices},
    )


@require_GET
@person_required
def person_detail(request: KommuneRequest, person_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.person, person_id)
    services.person_view_log(viewer=request.person, person=person)
    can_change = permissions.can_change_person(request.person, person)
    return render(
        request,
        "kompetence/person_detail.html",
        {
            "subject": person,
            "positions": selectors.positions_of(person),
            "leaders": selectors.nearest_leaders(person),
            "memberships": selectors.med_memberships_of(person),
            "can_change": can_change,
            "sso_identities": selectors.sso_identities(person)
            if can_change and request.kommune.sso_enabled
            else [],
            **(_account_context(person) if can_change else {}),
            "panels": [html for panel in PERSON_PANELS if (html := panel(request, person))],
        },
    )


def _account_context(person) -> dict:
    """What HR sees of the person's login: its state, the latest invitation, and
    whether an invitation can be sent."""
    state = invitations.account_state(person)
    return {
        "account_state": state,
        "account_state_label": invitations.AccountState.labels[state],
        "invitation": invitations.latest_invitation(person),
        "can_invite": invitations.can_be_invited(person),
    }


@require_http_methods(["GET", "POST"])
@hr_required
def person_create(request: KommuneRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, kommune=request.kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                person = services.person_create(
                    kommune=request.kommune, actor=request.person, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)  # the same person posted twice at once
            else:
                return redirect_after_post(request, reverse("person_detail", args=[person.pk]))
    return render_form(request, "kompetence/person_form.html", {"form": form, "subject": None})


@require_http_methods(["GET", "POST"])
@hr_required
def person_edit(request: KommuneRequest, person_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.person, person_id, change=True)
    form = PersonForm(request.POST or None, instance=person, kommune=request.kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.person_update(person=person, actor=request.person, **form.cleaned_data)
            return redirect_after_post(request, reverse("person_detail", args=[person.pk]))
    return render_form(request, "kompetence/person_form.html", {"form": form, "subject": person})


@require_http_methods(["GET", "POST"])
@hr_required
def person_leave(request: KommuneRequest, person_id: int) -> HttpResponse:
    """HR marks a leaver: asks first, then the login stops working at once."""
    person = access.get_person_or_404(request.person, person_id, change=True)
    if not person.is_active:
        return redirect("person_detail", person_id=person.pk)
    if request.method == "POST":
        try:
            services.person_deactivate(person=person, actor=request.person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(name)s er markeret som fratrådt.") % {"name": person.name}
            )
        return redirect("person_detail", person_id=person.pk)
    return render(request, "kompetence/person_leave.html", {"subject": person})


@require_POST
@hr_required
def person_sso_unlink(request: KommuneRequest, person_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.person, person_id, change=True)
    services.sso_identity_unlink(person=person, actor=request.person)
    return redirect_after_post(request, reverse("person_detail", args=[person.pk]))


@require_http_methods(["GET", "POST"])
@hr_required
def position_create(request: KommuneRequest, person_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.person, person_id, change=True)
    form = PositionForm(request.POST or None, units=permissions.changeable_units(request.person))
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.position_create(person=person, actor=request.person, **form.cleaned_data)
            return redirect_after_post(request, reverse("person_detail", args=[person.pk]))
    return render_form(
        request,
        "kompetence/position_form.html",
        {"form": form, "subject": person, "position": None},
    )


@require_http_methods(["GET", "POST"])
@hr_required
def position_edit(request: KommuneRequest, position_id: int) -> HttpResponse:
    position = access.get_position_or_404(request.person, position_id)
    form = PositionForm(
        request.POST or None, instance=position, units=permissions.changeable_units(request.person)
    )
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.position_update(position=position, actor=request.person, **form.cleaned_data)
            return redirect_after_post(request, reverse("person_detail", args=[position.person_id]))
    return render_form(
        request,
        "kompetence/position_form.html",
        {"form": form, "subject": position.person, "position": position},
    )


@require_GET
@hr_required
def audit_log(request: KommuneRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    action = filters.get("action", "")
    audit_search(
        request,
        summary=_("Søgning i adgangsloggen"),
        criteria={
            "hvis": filters.get("subject", "").strip(),
            "hvem": filters.get("actor", "").strip(),
            "handling": str(AuditEntry.Action(action).label) if action else "",
        },
    )
    entries = selectors.audit_log(
        request.person,
        subject_text=filters.get("subject", ""),
        actor_text=filters.get("actor", ""),
        action=action,
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.detail_lines = detail_lines(entry.details)
    return render(request, "kompetence/audit_log.html", {"form": form, "page": page})


@require_GET
@kommune_hr_required
def login_locks(request: KommuneRequest) -> HttpResponse:
    """The kommune's logins locked after failed sign-ins, each from one address."""
    return render(
        request,
        "kompetence/login_locks.html",
        {
            "locks": selectors.login_locks(kommune=request.kommune),
            "failure_limit": pair_failure_limit(),
            "until_hr_reopens": pair_cool_off() is None,
        },
    )


@require_POST
@kommune_hr_required
def login_lock_lift(request: KommuneRequest) -> HttpResponse:
    form = LoginLockForm(request.POST)
    if not form.is_valid():
        raise Http404
    lock = access.get_login_lock_or_404(request.person, **form.cleaned_data)
    services.login_lock_lift(lock=lock, actor=request.person)
    messages.success(
        request,
        _("%(login)s kan logge ind igen fra %(address)s.")
        % {"login": lock.login, "address": lock.address},
    )
    return redirect_after_post(request, reverse("login_locks"))
