"""The console's pages on the bare domain, for platform operators (console.access)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kompetence.console import selectors, services
from kompetence.console.access import OperatorRequest, get_kommune_or_404, operator_required
from kompetence.console.forms import (
    AccessibilityForm,
    HrInviteForm,
    KommuneCreateForm,
    KommuneSsoForm,
    OperatorLoginForm,
)
from kompetence.infra.tenancy import kommune_url
from kompetence.models import Kommune


class LoginView(auth_views.LoginView):
    """Operators sign in here, with django-axes counting failures as on every login
    page (the login key of the bare domain is "-/<username>", kompetence.auth)."""

    template_name = "console/login.html"
    authentication_form = OperatorLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("console:kommune_list")


@require_http_methods(["GET"])
@operator_required
def kommune_list(request: OperatorRequest) -> HttpResponse:
    return render(request, "console/kommune_list.html", {"rows": selectors.kommune_rows()})


@require_http_methods(["GET", "POST"])
@operator_required
def kommune_create(request: OperatorRequest) -> HttpResponse:
    form = KommuneCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kommune = services.kommune_create(operator=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s er oprettet. Invitér nu kommunens første HR-administrator.")
            % {"name": kommune.name},
        )
        return HttpResponseRedirect(reverse("console:kommune_detail", args=[kommune.pk]))
    return render(request, "console/kommune_create.html", {"form": form})


def _detail(request: OperatorRequest, kommune: Kommune, **refused) -> HttpResponse:
    """The kommune's page, with any form that was just refused in place of its blank."""
    context = {
        "kommune_shown": kommune,
        "address": kommune_url(kommune),
        "people": selectors.people_count(kommune),
        "sign_in": selectors.sign_in_mode(kommune),
        "actions": selectors.actions_for(kommune),
        "sso_form": refused.get("sso_form") or KommuneSsoForm(instance=kommune, prefix="sso"),
        "accessibility_form": refused.get("accessibility_form")
        or AccessibilityForm(instance=kommune, prefix="tilgaengelighed"),
        "invite_form": refused.get("invite_form") or HrInviteForm(prefix="hr"),
    }
    return render(request, "console/kommune_detail.html", context)


def _back_to(kommune: Kommune, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:kommune_detail", args=[kommune.pk]) + anchor)


@require_http_methods(["GET"])
@operator_required
def kommune_detail(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    return _detail(request, get_kommune_or_404(request.user, kommune_id))


@require_POST
@operator_required
def kommune_deactivate(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    kommune = get_kommune_or_404(request.user, kommune_id)
    if services.kommune_deactivate(operator=request.user, kommune=kommune):
        messages.success(request, _("%(name)s er lukket.") % {"name": kommune.name})
    return _back_to(kommune)


@require_POST
@operator_required
def kommune_reactivate(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    kommune = get_kommune_or_404(request.user, kommune_id)
    if services.kommune_reactivate(operator=request.user, kommune=kommune):
        messages.success(request, _("%(name)s er åbnet igen.") % {"name": kommune.name})
    return _back_to(kommune)


@require_POST
@operator_required
def kommune_sso(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    kommune = get_kommune_or_404(request.user, kommune_id)
    # A copy: the form writes onto its instance while validating, and a refused value
    # must not show as the kommune's current state on the page.
    form = KommuneSsoForm(request.POST, instance=copy.copy(kommune), prefix="sso")
    if not form.is_valid():
        return _detail(request, kommune, sso_form=form)
    services.kommune_sso_update(operator=request.user, kommune=kommune, **form.cleaned_data)
    messages.success(request, _("SSO-indstillingerne er gemt."))
    return _back_to(kommune, "#sso")


@require_POST
@operator_required
def kommune_accessibility(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    kommune = get_kommune_or_404(request.user, kommune_id)
    form = AccessibilityForm(request.POST, instance=copy.copy(kommune), prefix="tilgaengelighed")
    if not form.is_valid():
        return _detail(request, kommune, accessibility_form=form)
    services.kommune_accessibility_update(
        operator=request.user,
        kommune=kommune,
        accessibility_statement_url=form.cleaned_data["accessibility_statement_url"],
    )
    messages.success(request, _("Tilgængelighedserklæringen er gemt."))
    return _back_to(kommune, "#tilgaengelighed")


@require_POST
@operator_required
def kommune_invite_hr(request: OperatorRequest, kommune_id: int) -> HttpResponse:
    kommune = get_kommune_or_404(request.user, kommune_id)
    form = HrInviteForm(request.POST, prefix="hr")
    if form.is_valid():
        try:
            result = services.hr_admin_invite(
                operator=request.user, kommune=kommune, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.invited:
                text = _("Invitation sendt til %(name)s (%(email)s).")
            else:
                text = _(
                    "%(name)s (%(email)s) er oprettet som HR-administrator og logger ind med "
                    "kommunens login (SSO)."
                )
            messages.success(request, text % form.cleaned_data)
            return _back_to(kommune)
    return _detail(request, kommune, invite_form=form)


@require_http_methods(["GET"])
@operator_required
def operator_log(request: OperatorRequest) -> HttpResponse:
    page = Paginator(selectors.operator_actions(), 50).get_page(request.GET.get("page"))
    return render(request, "console/operator_log.html", {"page": page})
