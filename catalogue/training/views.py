"""The person's own mandatory training: what applies to them and where they stand."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalogue.training import admin_selectors, evidence_selectors, selectors
from kompetence.infra.http import KommuneRequest, person_required


@require_GET
@person_required
def my_training(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/training/my_training.html",
        {
            "statuses": selectors.statuses_of(request.person),
            "functions": admin_selectors.functions_held(request.person),
            "evidence": evidence_selectors.evidence_of(request.person),
        },
    )
