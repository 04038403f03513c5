"""Single sign-on per kommune through OpenID Connect, against a local fake identity
provider: discovery, the authorisation redirect with PKCE, the code exchanged over HTTP,
an ID token signed with the provider's key and checked against its published keys, the
UserInfo endpoint, and each refusal with its reason. test_sso_provider.py runs the same
flow against a real, certified provider implementation."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from kompetence.models import AuditEntry, Kommune, SsoIdentity
from kompetence.personal_data import personal_data_files
from kompetence.services import person_deactivate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CLIENT_ID = "kompetence-alfa"


class FakeProvider:
    """An OpenID provider on 127.0.0.1 that issues ID tokens for `sub` with `claims`,
    and answers its UserInfo endpoint with `userinfo` (only `sub` unless set)."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, private=True)
        self.key_id = "test-key"
        self.sub = "abc"
        self.claims: dict = {}
        self.userinfo: dict | None = None
        self.token_requests: list[dict] = []
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
                elif self.path == "/userinfo" and self.headers["Authorization"] == "Bearer at":
                    self._json(
                        provider.userinfo
                        if provider.userinfo is not None
                        else {"sub": provider.sub}
                    )
                else:
                    self.send_error(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                if self.path != "/token" or form.get("code") != ["good-code"]:
                    self.send_error(400)
                    return
                now = int(time.time())
                header = {"alg": "RS256", "kid": provider.key_id}
                payload = {
                    "iss": provider.issuer,
                    "aud": CLIENT_ID,
                    "sub": provider.sub,
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
            "userinfo_endpoint": f"{self.issuer}/userinfo",
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
    # PKCE (RFC 7636): an S256 challenge went out, and its verifier came with the code.
    assert query["code_challenge_method"] == "S256"
    (verifier,) = provider.token_requests[-1]["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]


def callback(client, provider, *, sub: str = "abc", **claims):
    """One round trip: the provider's account `sub` signs in with ID-token `claims`."""
    query = start(client)
    provider.sub = sub
    provider.claims = {**claims, "nonce": query["nonce"]}
    return client.get(reverse("sso_callback"), {"code": "good-code", "state": query["state"]})


def test_the_email_is_fetched_from_userinfo_when_the_id_token_lacks_it(org_a, provider):
    client = client_for(None, org_a.kommune)
    provider.userinfo = {"sub": "abc", "email": org_a.employee.email, "email_verified": True}
    response = callback(client, provider)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == org_a.employee.user_id


@pytest.mark.parametrize(
    ("id_token", "userinfo", "says"),
    [
        ({}, {"sub": "abc"}, "sendte ingen e-mailadresse"),
        ({}, {"sub": "abc", "email": ""}, "sendte ingen e-mailadresse"),
        ({"email": "EMAIL", "email_verified": False}, None, "ikke er bekræftet"),
        ({}, {"sub": "abc", "email": "EMAIL", "email_verified": "false"}, "ikke er bekræftet"),
        ({}, {"sub": "someone-else", "email": "EMAIL"}, "om en anden bruger"),
        ({"email": "ukendt@alfa.dk"}, None, "ingen aktiv person med den e-mail"),
    ],
    ids=[
        "no_email",
        "empty_email",
        "unverified",
        "unverified_in_userinfo",
        "foreign_sub",
        "unknown",
    ],
)
def test_each_refusal_says_what_was_missing(org_a, provider, id_token, userinfo, says):
    email = org_a.employee.email
    provider.userinfo = userinfo and {k: email if v == "EMAIL" else v for k, v in userinfo.items()}
    client = client_for(None, org_a.kommune)
    response = callback(
        client, provider, **{k: email if v == "EMAIL" else v for k, v in id_token.items()}
    )
    assert response.status_code == 403
    assert says in response.text
    assert "_auth_user_id" not in client.session
    with org_a.scope():
        assert not SsoIdentity.objects.exists()


def test_the_refusals_read_in_english(org_a, provider):
    client = client_for(None, org_a.kommune)
    client.cookies["django_language"] = "en"
    response = callback(client, provider, email=org_a.employee.email, email_verified=False)
    assert response.status_code == 403
    assert "is not verified" in response.text


def test_the_account_is_linked_at_first_sign_in_and_followed_after(org_a, provider):
    employee = org_a.employee
    assert (
        callback(client_for(None, org_a.kommune), provider, email=employee.email).status_code == 302
    )
    with org_a.scope():
        link = SsoIdentity.objects.get()
    assert (link.user_id, link.issuer, link.subject) == (employee.user_id, provider.issuer, "abc")
    with org_a.scope():
        login = json.loads(personal_data_files(employee, private=True)["person.json"])["login"]
    assert [(a["issuer"], a["subject"]) for a in login["sso_accounts"]] == [
        (provider.issuer, "abc")
    ]

    # The person's e-mail changes at the provider: the link still signs them in.
    client = client_for(None, org_a.kommune)
    assert callback(client, provider, email="eva.privat@example.org").status_code == 302
    assert int(client.session["_auth_user_id"]) == employee.user_id
    # Another account that now has the e-mail does not take the login over.
    client = client_for(None, org_a.kommune)
    response = callback(client, provider, sub="new-account", email=employee.email)
    assert response.status_code == 403
    assert "allerede knyttet til en anden konto" in response.text
    assert "_auth_user_id" not in client.session
    # A leaver's account signs in to nothing, even with a colleague's e-mail.
    with org_a.scope():
        person_deactivate(person=employee)
    client = client_for(None, org_a.kommune)
    response = callback(client, provider, email=org_a.colleague.email)
    assert response.status_code == 403
    assert "ikke længere er aktiv" in response.text
    assert "_auth_user_id" not in client.session


def test_an_outsider_gets_404_on_the_kommunes_sso_pages(org_a, org_b, provider):
    outsider = client_for(org_b.employee, org_a.kommune)
    assert outsider.get(reverse("sso_login")).status_code == 404
    assert outsider.get(reverse("sso_callback"), {"code": "good-code"}).status_code == 404


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


def test_hr_sees_the_link_and_removes_it_so_a_replaced_account_can_sign_in(org_a, org_b, provider):
    employee = org_a.employee
    assert (
        callback(client_for(None, org_a.kommune), provider, email=employee.email).status_code == 302
    )
    page = client_for(org_a.hr).get(reverse("person_detail", args=[employee.pk]))
    assert "Knyttet til personens konto siden" in page.text
    unlink = reverse("person_sso_unlink", args=[employee.pk])
    # The employee, their leader and an outsider cannot remove it; GET is not allowed.
    assert client_for(employee).post(unlink).status_code in (403, 404)
    assert client_for(org_a.leader).post(unlink).status_code in (403, 404)
    assert client_for(org_b.hr, org_a.kommune).post(unlink).status_code == 404
    assert client_for(org_a.hr).get(unlink).status_code == 405
    with org_a.scope():
        assert SsoIdentity.objects.count() == 1

    response = client_for(org_a.hr).post(unlink)
    assert response.status_code == 302
    with org_a.scope():
        assert not SsoIdentity.objects.exists()
        assert AuditEntry.objects.filter(
            subject=employee, summary="Koblingen til kommunens login fjernet"
        ).exists()
    client = client_for(None, org_a.kommune)
    assert callback(client, provider, sub="replaced", email=employee.email).status_code == 302
    assert int(client.session["_auth_user_id"]) == employee.user_id
