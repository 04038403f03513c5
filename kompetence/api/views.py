"""HR's page for the API tokens: issue one (the secret is shown once), revoke one.
For HR for the whole kommune only; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kompetence.api import services
from kompetence.api.forms import ApiTokenForm
from kompetence.api.models import ApiToken
from kompetence.infra.htmx import redirect_after_post
from kompetence.infra.http import KommuneRequest, kommune_hr_required


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def api_token_list(request: KommuneRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.api_token_create(
            actor=request.person, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
        form = ApiTokenForm()
    tokens = (
        ApiToken.objects.filter(kommune=request.kommune)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )
    response = render(
        request,
        "api/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens,
            "api_base": request.build_absolute_uri("/api/v1/"),
        },
    )
    # The page holds a secret once: no copy of it in any cache.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@kommune_hr_required
def api_token_revoke(request: KommuneRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(kommune=request.kommune, pk=token_id).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.person, token=token)
    messages.success(request, _("Nøglen %(name)s er tilbagekaldt.") % {"name": token.name})
    return redirect_after_post(request, reverse("api_token_list"))
