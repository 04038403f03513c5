"""Single sign-on per kommune with OpenID Connect (Azure AD / Entra ID, AD FS).

The kommune's own identity provider signs people in. Authlib does the protocol: state,
nonce and a PKCE code verifier (S256) in the session, the code exchanged at the token
endpoint with the verifier, the ID token's signature checked against the provider's
published keys, and its issuer, audience, expiry and nonce.

The ID token's `iss` and `sub` name the person's account at the provider; an account
seen before signs in to the login it was linked to (`services.sso_user_for`). The
first time, the person is found by the claim the kommune chose (usually the e-mail).
A conforming provider may put that claim only in the UserInfo response (OpenID Connect
Core 5.4: with response_type "code", the claims of the "email" scope are returned from
the UserInfo endpoint), so when the ID token lacks it, the UserInfo endpoint is asked
with the access token, and its answer is used only if it is about the same `sub` (5.3.2).
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

from kompetence.models import Kommune
from kompetence.services import SsoRefused, sso_user_for

NEXT_KEY = "sso_next"


def _client(kommune: Kommune):
    if not (kommune.sso_enabled and kommune.sso_discovery_url and kommune.sso_client_id):
        raise Http404
    return OAuth().register(
        name=f"kommune-{kommune.pk}",
        client_id=kommune.sso_client_id,
        client_secret=kommune.sso_client_secret,
        server_metadata_url=kommune.sso_discovery_url,
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "timeout": 10,
        },
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
    id_claims = token.get("userinfo")
    if not id_claims:
        return _refused(
            request, _("Kommunens login sendte intet ID-token, så Kompetence ved ikke, hvem du er.")
        )
    try:
        user = sso_user_for(
            kommune=kommune,
            issuer=str(id_claims["iss"]),
            subject=str(id_claims["sub"]),
            claims=lambda: _claims_with_userinfo(client, token, id_claims, kommune.sso_claim),
        )
    except SsoRefused as refusal:
        return _refused(request, refusal.message)
    login(request, user, backend="kompetence.auth.KommuneModelBackend")
    return HttpResponseRedirect(request.session.pop(NEXT_KEY, "") or reverse("home"))


def _claims_with_userinfo(client, token: dict, id_claims: dict, wanted: str) -> dict:
    """The ID token's claims, completed from the UserInfo endpoint when they lack
    `wanted`. UserInfo that is about another `sub` than the ID token is refused."""
    if id_claims.get(wanted) or not client.load_server_metadata().get("userinfo_endpoint"):
        return dict(id_claims)
    try:
        info = client.userinfo(token=token)
    except (OAuthError, RequestException, ValueError) as error:
        raise SsoRefused(
            _(
                "Kommunens login svarede ikke på spørgsmålet om dine oplysninger "
                "(UserInfo): %(reason)s."
            )
            % {"reason": getattr(error, "description", "") or type(error).__name__}
        ) from error
    if str(info.get("sub")) != str(id_claims["sub"]):
        raise SsoRefused(
            _(
                "Kommunens login sendte oplysninger (UserInfo) om en anden bruger end den, "
                "der loggede ind."
            )
        )
    return {**id_claims, **info}
