"""Single sign-on per kommune through OpenID Connect, against a real (local) identity
provider: discovery, the authorisation redirect, the code exchanged over HTTP, and an
ID token signed with the provider's key and checked against its published keys."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from kompetence.models import Kommune
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CLIENT_ID = "kompetence-alfa"


class FakeProvider:
    """An OpenID provider on 127.0.0.1 that issues ID tokens for `claims`."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, private=True)
        self.key_id = "test-key"
        self.claims: dict = {}
        self.sign_with = self.key
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data):
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata)
                elif self.path == "/jwks":
                    public = provider.key.as_dict(private=False)
                    self._json({"keys": [{**public, "kid": provider.key_id, "use": "sig"}]})
                else:
                    self.send_error(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if self.path != "/token" or form.get("code") != ["good-code"]:
                    self.send_error(400)
                    return
                now = int(time.time())
                header = {"alg": "RS256", "kid": provider.key_id}
                payload = {
                    "iss": provider.issuer,
                    "aud": CLIENT_ID,
                    "sub": "abc",
                    "iat": now,
                    "exp": now + 300,
                    **provider.claims,
                }
                token = jwt.encode(header, payload, provider.sign_with)
                self._json(
                    {
                        "access_token": "at",
                        "token_type": "Bearer",
                        "id_token": token,
                        "expires_in": 300,
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.metadata = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def provider(org_a):
    fake = FakeProvider()
    Kommune.objects.filter(pk=org_a.kommune.pk).update(
        sso_enabled=True,
        sso_label="Log ind med Microsoft",
        sso_discovery_url=f"{fake.issuer}/.well-known/openid-configuration",
        sso_client_id=CLIENT_ID,
        sso_client_secret="hemmelig",
    )
    yield fake
    fake.close()


def start(client) -> dict:
    """The redirect to the provider; its query (state, nonce, client_id, …)."""
    response = client.get(reverse("sso_login"))
    assert response.status_code == 302
    url = urllib.parse.urlsplit(response["Location"])
    return dict(urllib.parse.parse_qsl(url.query))


def test_a_person_signs_in_through_the_kommunes_login(org_a, provider):
    client = client_for(None, org_a.kommune)
    page = client.get(reverse("login"))
    assert "Log ind med Microsoft" in page.text
    query = start(client)
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    provider.claims = {"email": org_a.employee.email.upper(), "nonce": query["nonce"]}
    response = client.get(reverse("sso_callback"), {"code": "good-code", "state": query["state"]})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert int(client.session["_auth_user_id"]) == org_a.employee.user_id


@pytest.mark.parametrize(
    "case", ["wrong_state", "wrong_nonce", "foreign_key", "unknown_person", "other_kommune"]
)
def test_what_is_not_proven_signs_no_one_in(org_a, org_b, provider, case):
    client = client_for(None, org_a.kommune)
    query = start(client)
    email = {"unknown_person": "ukendt@alfa.dk", "other_kommune": org_b.employee.email}.get(
        case, org_a.employee.email
    )
    provider.claims = {
        "email": email,
        "nonce": "forged" if case == "wrong_nonce" else query["nonce"],
    }
    if case == "foreign_key":
        provider.sign_with = RSAKey.generate_key(2048, private=True)
    state = "forged" if case == "wrong_state" else query["state"]
    response = client.get(reverse("sso_callback"), {"code": "good-code", "state": state})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert "Login mislykkedes" in response.text


def test_without_sso_the_pages_do_not_exist_and_password_login_can_be_switched_off(
    org_a, org_b, provider
):
    assert client_for(None, org_b.kommune).get(reverse("sso_login")).status_code == 404
    Kommune.objects.filter(pk=org_a.kommune.pk).update(password_login=False)
    client = client_for(None, org_a.kommune)
    assert "Adgangskode" not in client.get(reverse("login")).text
    response = client.post(
        reverse("login"),
        {"username": org_a.employee.user.username, "password": "test-password-123"},
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
