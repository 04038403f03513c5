"""The kommune's own settings, kept by its HR for the whole kommune (others get 404)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kompetence import services
from kompetence.audit import audit_record
from kompetence.forms import KommuneSettingsForm
from kompetence.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.http import KommuneRequest, kommune_hr_required
from kompetence.models import AuditEntry, Kommune


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def kommune_settings(request: KommuneRequest) -> HttpResponse:
    # A fresh copy: the form writes its values onto its instance while validating, and
    # the request's kommune must not show a refused value in this page's footer.
    kommune = Kommune.objects.get(pk=request.kommune.pk)
    form = KommuneSettingsForm(request.POST or None, instance=kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            with transaction.atomic():
                services.kommune_settings_update(kommune=kommune, **form.cleaned_data)
                audit_record(
                    request,
                    action=AuditEntry.Action.CHANGE,
                    subject=None,
                    obj=kommune,
                    summary=_("Tilgængelighedserklæring: %(url)s")
                    % {"url": kommune.accessibility_statement_url or "–"},
                )
            messages.success(request, _("Indstillingerne er gemt."))
            return redirect_after_post(request, reverse("kommune_settings"))
    return render_form(request, "kompetence/kommune_settings.html", {"form": form})
