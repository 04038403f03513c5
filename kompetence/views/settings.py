"""The kommune's own settings, kept by its HR for the whole kommune (others get 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kompetence import audit_retention, selectors, services
from kompetence.forms import KommuneSettingsForm
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, kommune_hr_required


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def kommune_settings(request: KommuneRequest) -> HttpResponse:
    # A fresh copy: the form writes its values onto its instance while validating, and
    # the request's kommune must not show a refused value in this page's footer.
    kommune = selectors.kommune_copy(request.kommune)
    form = KommuneSettingsForm(request.POST or None, instance=kommune)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.kommune_settings_update(
                kommune=kommune, actor=request.person, **form.cleaned_data
            )
            messages.success(request, _("Indstillingerne er gemt."))
            return redirect_after_post(request, reverse("kommune_settings"))
    return render_form(
        request,
        "kompetence/kommune_settings.html",
        {"form": form, "last_purge": audit_retention.last_purge(request.kommune)},
    )
