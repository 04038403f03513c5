"""Single sign-on per kommune with OpenID Connect (Azure AD / Entra ID, AD FS).

The kommune's own identity provider signs people in; Kompetence finds the person by the
claim the kommune chose (usually the e-mail) among that kommune's active people and
signs them in. Authlib does the protocol: state and nonce in the session, the code
exchanged at the token endpoint, the ID token's signature checked against the
provider's published keys, and its issuer, audience, expiry and nonce.
"""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.contrib.auth import login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError
from requests import RequestException

from kompetence.models import Kommune, User

NEXT_KEY = "sso_next"


def _client(kommune: Kommune):
    if not (kommune.sso_enabled and kommune.sso_discovery_url and kommune.sso_client_id):
        raise Http404
    return OAuth().register(
        name=f"kommune-{kommune.pk}",
        client_id=kommune.sso_client_id,
        client_secret=kommune.sso_client_secret,
        server_metadata_url=kommune.sso_discovery_url,
        client_kwargs={"scope": "openid email profile", "timeout": 10},
    )


def _refused(request, message: str, status: int = 403) -> HttpResponse:
    return render(request, "registration/sso_failed.html", {"message": message}, status=status)


@require_GET
def sso_login(request) -> HttpResponse:
    """Off to the kommune's identity provider."""
    kommune = getattr(request, "kommune", None)
    if kommune is None:
        raise Http404
    client = _client(kommune)
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        request.session[NEXT_KEY] = target
    try:
        return client.authorize_redirect(
            request, request.build_absolute_uri(reverse("sso_callback"))
        )
    except (OAuthError, RequestException, ValueError):
        return _refused(
            request, _("Kommunens login svarer ikke lige nu. Prøv igen om lidt."), status=503
        )


@require_GET
def sso_callback(request) -> HttpResponse:
    """Back from the identity provider: check everything, then sign the person in."""
    kommune = getattr(request, "kommune", None)
    if kommune is None:
        raise Http404
    client = _client(kommune)
    try:
        token = client.authorize_access_token(request)
    except (OAuthError, JoseError, RequestException, ValueError) as error:
        # JoseError: an ID token with a bad signature, issuer, audience, expiry or nonce.
        reason = getattr(error, "description", "") or type(error).__name__
        return _refused(
            request, _("Login via kommunens login mislykkedes (%(reason)s).") % {"reason": reason}
        )
    claims = token.get("userinfo") or {}
    value = str(claims.get(kommune.sso_claim) or "").strip()
    user = (
        User.objects.filter(
            kommune=kommune, is_active=True, person__is_active=True, email__iexact=value
        ).first()
        if value
        else None
    )
    if user is None:
        return _refused(
            request,
            _(
                "Du er logget ind hos kommunen som %(who)s, men der er ingen aktiv person med "
                "den e-mail i Kompetence hos %(kommune)s. Kontakt HR."
            )
            % {"who": value or "–", "kommune": kommune.name},
        )
    login(request, user, backend="kompetence.auth.KommuneModelBackend")
    return HttpResponseRedirect(request.session.pop(NEXT_KEY, "") or reverse("home"))
