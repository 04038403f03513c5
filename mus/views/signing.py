"""Signing a plan version, and delegating the leader's signature (or ending that)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetence.infra.http import KommuneRequest, person_required
from mus import access, selectors, signing
from mus.forms import SignatureDelegationForm, SignForm
from mus.views.plans import after_edit, form_error, plan_context


@require_POST
@person_required
def plan_sign(request: KommuneRequest, plan_version_id: int) -> HttpResponse:
    """Signs what the signer's screen showed. If the plan changed since, nothing is
    stored and the page comes back with what changed, to read and sign again."""
    version = access.get_version_or_404(request.person, plan_version_id)
    form = SignForm(request.POST)
    if not form.is_valid() and "password" in form.errors:
        return after_edit(request, version, form_error(form))
    # A form without (valid) revision and hash showed nothing we can check: refused.
    seen = form.cleaned_data
    try:
        signing.plan_sign(
            version=version,
            signer=request.person,
            password=seen["password"],
            seen_revision=seen.get("revision", -1),
            seen_hash=seen.get("content_hash", ""),
            request=request,
        )
    except signing.PlanChangedSinceRead as exc:
        context = plan_context(request, version.plan)
        context["sign_refused"] = exc.messages
        context["changes"] = signing.changes_since_read(
            version=version,
            seen_content=seen.get("content", ""),
            seen_hash=seen.get("content_hash", ""),
        )
        return render(request, "mus/plan_detail.html", context, status=409)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Planen er underskrevet."))
    return redirect("plan_detail", plan_id=version.plan_id)


@require_POST
@person_required
def plan_delegation(request: KommuneRequest, plan_id: int) -> HttpResponse:
    """The conversation's leader or HR lets someone sign as leader."""
    plan = access.get_plan_or_404(request.person, plan_id, delegating=True)
    form = SignatureDelegationForm(request.POST, candidates=selectors.delegation_candidates(plan))
    if form.is_valid():
        try:
            delegation = signing.signature_delegation_grant(
                plan=plan,
                to_person=form.cleaned_data["to_person"],
                granted_by=request.person,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("%(name)s kan nu underskrive planen som leder.")
                % {"name": delegation.to_person.name},
            )
            return redirect("plan_detail", plan_id=plan.pk)
    else:
        error = form_error(form)
    for message in error.messages:
        messages.error(request, message)
    return redirect("plan_detail", plan_id=plan.pk)


@require_POST
@person_required
def plan_delegation_revoke(request: KommuneRequest, plan_id: int) -> HttpResponse:
    """The conversation's leader or HR ends a delegation (its id in `revoke`)."""
    plan = access.get_plan_or_404(request.person, plan_id, delegating=True)
    value = request.POST.get("revoke", "")
    if not value.isdigit():
        raise Http404
    delegation = access.get_delegation_or_404(request.person, int(value), plan=plan)
    signing.signature_delegation_revoke(
        delegation=delegation, revoked_by=request.person, request=request
    )
    messages.success(request, _("Fuldmagten er tilbagekaldt."))
    return redirect("plan_detail", plan_id=plan.pk)
