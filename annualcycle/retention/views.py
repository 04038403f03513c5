"""GDPR retention for HR: the rule, the dry run, and the switch
(annualcycle.retention.services)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annualcycle.retention import selectors
from annualcycle.retention import services as retention
from annualcycle.retention.forms import RetentionForm
from kompetence.infra.http import KommuneRequest, kommune_hr_required


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def retention_settings(request: KommuneRequest) -> HttpResponse:
    kommune = request.kommune
    form = RetentionForm(
        request.POST or None,
        initial={"years": kommune.retention_years, "active": kommune.retention_active},
    )
    if request.method == "POST" and form.is_valid():
        retention.retention_set(
            kommune=kommune, years=form.cleaned_data["years"], active=form.cleaned_data["active"]
        )
        messages.success(request, _("Reglen for sletning er gemt."))
        return redirect("retention_settings")
    return render(
        request,
        "annualcycle/retention.html",
        {
            "form": form,
            "dry_run": retention.retention_dry_run(kommune=kommune),
            "recent": selectors.recent_erasures(kommune),
        },
        status=400 if form.errors else 200,
    )
