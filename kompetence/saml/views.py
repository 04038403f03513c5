"""SAML 2.0 login on a kommune host: start, assertion consumer service, our metadata,
and HR's settings page.

The ACS receives a cross-site POST from the identity provider, which a SameSite=Lax
session cookie does not come along with. So the request id that the answer must be
in response to (and where to go afterwards) travels in its own short-lived, signed,
HttpOnly, Secure cookie with SameSite=None; a used or unknown id is refused, and each
assertion id is remembered until it expires, so a response is never accepted twice.
"""

from __future__ import annotations

import json
import logging
import time

from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from saml2.xmldsig import SIG_RSA_SHA256

from kompetence.infra.htmx import redirect_after_post
from kompetence.infra.http import KommuneRequest, kommune_hr_required
from kompetence.saml import attributes, services, sp
from kompetence.saml.forms import SamlProviderForm
from kompetence.saml.models import SamlProvider
from kompetence.services import SsoRefused

logger = logging.getLogger(__name__)

REQUEST_COOKIE = "kompetence_saml"
REQUEST_MAX_AGE = 10 * 60


def _enabled_provider(request: HttpRequest) -> SamlProvider:
    """The SAML provider of the request's kommune host when it is switched on; 404 on
    any other host or when it is off."""
    kommune = getattr(request, "kommune", None)
    if kommune is None:
        raise Http404
    provider = services.saml_provider_for(kommune)
    if provider is None or not provider.enabled or not provider.idp_metadata:
        raise Http404
    return provider


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "registration/sso_failed.html", {"message": message}, status=status)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _(
            "Kommunens SAML-login kan ikke bruges lige nu: identitetsudbyderens metadata "
            "eller Kompetences nøgle er ikke i orden. Kontakt kommunens IT."
        ),
        status=503,
    )


@require_GET
def saml_login(request: HttpRequest) -> HttpResponse:
    """Off to the kommune's identity provider with a signed AuthnRequest."""
    provider = _enabled_provider(request)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    try:
        request_id, info = sp.client(request, provider).prepare_for_authenticate(
            entityid=provider.idp_entity_id,
            binding=sp.LOGIN_BINDING,
            sigalg=SIG_RSA_SHA256,
        )
    except Exception:  # broken metadata or keys: pysaml2 raises many kinds
        logger.exception("SAML login could not start for kommune %s", provider.kommune_id)
        return _unavailable(request)
    response = HttpResponseRedirect(dict(info["headers"])["Location"])
    response.set_signed_cookie(
        REQUEST_COOKIE,
        json.dumps({"id": request_id, "next": target}),
        salt=REQUEST_COOKIE,
        max_age=REQUEST_MAX_AGE,
        httponly=True,
        # SameSite=None needs Secure; browsers keep a Secure cookie from http://*.localhost
        # too, so the demo works on plain HTTP there.
        secure=True,
        samesite="None",
    )
    return response


def _outstanding(request: HttpRequest) -> dict[str, str]:
    try:
        value = json.loads(
            request.get_signed_cookie(REQUEST_COOKIE, salt=REQUEST_COOKIE, max_age=REQUEST_MAX_AGE)
            or ""
        )
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    return {str(value["id"]): str(value.get("next", ""))}


@csrf_exempt  # the identity provider posts here; the signed assertion is the proof
@require_POST
def saml_acs(request: HttpRequest) -> HttpResponse:
    """The identity provider's answer: check it all, then sign the person in."""
    provider = _enabled_provider(request)
    outstanding = _outstanding(request)
    try:
        saml = sp.client(request, provider)
    except Exception:
        logger.exception("SAML metadata of kommune %s is broken", provider.kommune_id)
        return _unavailable(request)
    try:
        answer = saml.parse_authn_request_response(
            request.POST.get("SAMLResponse", ""), sp.BINDING_HTTP_POST, outstanding=outstanding
        )
    except Exception as error:  # unsigned, tampered, expired, wrong audience, unsolicited
        logger.warning("SAML response refused for kommune %s: %r", provider.kommune_id, error)
        answer = None
    if answer is None or answer.assertion is None:
        return _refused(
            request,
            _(
                "Svaret fra kommunens login kunne ikke godkendes (underskrift, modtager, "
                "gyldighed eller forespørgsel passer ikke). Prøv at logge ind igen."
            ),
        )
    lifetime = max(int((answer.not_on_or_after or 0) - time.time()), 0) + 120
    if not cache.add(f"saml-assertion:{provider.kommune_id}:{answer.assertion.id}", 1, lifetime):
        return _refused(request, _("Svaret fra kommunens login er allerede brugt."))

    values = answer.ava
    level = attributes.first(values, attributes.LOA)
    if provider.level_rank(level) < provider.level_rank(provider.min_level):
        return _refused(
            request,
            _(
                "Du er logget ind med sikringsniveau %(level)s, men %(kommune)s kræver "
                "mindst NSIS-niveau %(minimum)s til Kompetence. Log ind med et stærkere "
                "login (f.eks. MitID Erhverv)."
            )
            % {
                "level": level or _("(intet)"),
                "kommune": provider.kommune.name,
                "minimum": provider.get_min_level_display(),
            },
        )
    subject = attributes.first(values, attributes.PROFESSIONAL_UUID) or str(
        getattr(answer.name_id, "text", "") or ""
    )
    if not subject:
        return _refused(request, _("Kommunens login sendte ikke, hvem du er."))
    try:
        privileges = attributes.privileges(values)
        signed_in = services.saml_sign_in(
            provider=provider,
            issuer=answer.issuer(),
            subject=subject,
            email=attributes.first(values, attributes.EMAIL),
            privileges=privileges,
        )
    except attributes.BadPrivileges:
        return _refused(
            request, _("Kommunens login sendte en liste over privilegier, der ikke kan læses.")
        )
    except SsoRefused as refusal:
        return _refused(request, refusal.message)
    login(request, signed_in.user, backend="kompetence.auth.KommuneModelBackend")
    for note in signed_in.notes:
        messages.warning(request, note)
    target = outstanding.get(str(answer.in_response_to), "") or reverse("home")
    response = HttpResponseRedirect(target)
    response.delete_cookie(REQUEST_COOKIE)
    return response


@require_GET
def saml_metadata(request: HttpRequest) -> HttpResponse:
    """Our service provider's metadata on this kommune host: public, for the kommune to
    register at its identity provider."""
    kommune = getattr(request, "kommune", None)
    if kommune is None:
        raise Http404
    try:
        xml = sp.metadata_xml(request)
    except ImproperlyConfigured:
        return _unavailable(request)
    response = HttpResponse(xml, content_type="application/samlmetadata+xml")
    response["Content-Disposition"] = (
        f'attachment; filename="kompetence-{kommune.slug}-saml-metadata.xml"'
    )
    return response


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def saml_settings(request: KommuneRequest) -> HttpResponse:
    provider = services.saml_provider_for(request.kommune) or SamlProvider(kommune=request.kommune)
    form = SamlProviderForm(request.POST or None, request.FILES or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uploaded = data.pop("metadata_file")
        if uploaded is not None:
            data["idp_metadata"], data["idp_entity_id"] = uploaded
        services.saml_provider_save(kommune=request.kommune, actor=request.person, **data)
        messages.success(request, _("SAML-indstillingerne er gemt."))
        return redirect_after_post(request, reverse("saml_settings"))
    return render(
        request,
        "saml/settings.html",
        {
            "form": form,
            "provider": provider,
            "entity_id": sp.entity_id(request),
            "acs_url": sp.acs_url(request),
        },
    )
