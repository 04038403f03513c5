"""Single sign-on against a real OpenID provider: panva's oidc-provider (OpenID
certified), started in its own Node process from tests/oidc_provider/ (`npm ci` there is
part of `make install-dev`). It behaves as a conforming kommune IdP does: the e-mail is
returned from the UserInfo endpoint only, never in the ID token, and PKCE is required.
The browser's part (the provider's login and consent pages) is played with requests.

Nothing here is skipped: without Node or the provider's packages the tests fail."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from kompetence.models import Kommune, SsoIdentity
from tests.conftest import client_for, host_of

pytestmark = pytest.mark.django_db

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
CLIENT_ID = "kompetence-alfa"
CLIENT_SECRET = "en-lang-hemmelighed-til-testudbyderen"
# The kommune fixtures' host; the provider accepts only this redirect URI.
REDIRECT_URI = "http://alfa.localhost/log-ind/sso/svar/"


class RealProvider:
    def __init__(self, issuer: str, accounts: Path):
        self.issuer = issuer
        self.accounts = accounts

    def set_accounts(self, accounts: dict) -> None:
        """The provider's users by `sub`, read again at every sign-in."""
        self.accounts.write_text(json.dumps(accounts))


@pytest.fixture(scope="module")
def real_provider(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "The test OpenID provider is not installed: needs Node.js 20+ and "
            "`npm ci --prefix tests/oidc_provider` (done by `make install-dev`)."
        )
    folder = tmp_path_factory.mktemp("oidc")
    accounts = folder / "accounts.json"
    accounts.write_text("{}")
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [node, "provider.mjs", str(accounts), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        line = process.stdout.readline()  # the script prints READY once it listens
        if not line.startswith("READY "):
            process.kill()
            pytest.fail(f"The test OpenID provider did not start: {line!r}, see {log.name}")
        yield RealProvider(line.split()[1], accounts)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def provider(org_a, real_provider):
    assert f"http://{host_of(org_a.kommune)}{reverse('sso_callback')}" == REDIRECT_URI
    Kommune.objects.filter(pk=org_a.kommune.pk).update(
        sso_enabled=True,
        sso_discovery_url=f"{real_provider.issuer}/.well-known/openid-configuration",
        sso_client_id=CLIENT_ID,
        sso_client_secret=CLIENT_SECRET,
    )
    real_provider.set_accounts({})
    return real_provider


def at_provider(authorization_url: str, login: str) -> dict:
    """A browser at the provider: signs in as `login` (the account's sub) on its login
    page, consents, and returns the query it sends back to our callback."""
    browser = requests.Session()
    response = browser.get(authorization_url, allow_redirects=False, timeout=10)
    for _step in range(10):
        if response.is_redirect:
            url = urllib.parse.urljoin(response.url, response.headers["Location"])
            if url.startswith(REDIRECT_URI):
                return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
        assert form and prompt, response.text
        data = {"prompt": prompt[1]}
        if prompt[1] == "login":
            data |= {"login": login, "password": "hvad-som-helst"}
        response = browser.post(
            urllib.parse.urljoin(response.url, form[1]),
            data=data,
            allow_redirects=False,
            timeout=10,
        )
    raise AssertionError("The provider never sent the browser back")


def sign_in(client, login: str, *, tamper=None):
    """The whole authorization-code flow for the provider's account `login`; `tamper`
    may change our session before the callback. Returns our callback's response."""
    response = client.get(reverse("sso_login"))
    assert response.status_code == 302
    query = at_provider(response["Location"], login)
    if tamper is not None:
        tamper(client)
    return client.get(reverse("sso_callback"), query)


def test_a_conforming_provider_signs_in_with_the_email_in_userinfo_only(org_a, provider):
    employee = org_a.employee
    provider.set_accounts({"eva-42": {"email": employee.email, "email_verified": True}})
    client = client_for(None, org_a.kommune)
    response = sign_in(client, "eva-42")
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == employee.user_id
    with org_a.scope():
        link = SsoIdentity.objects.get()
    assert (link.user_id, link.issuer, link.subject) == (
        employee.user_id,
        provider.issuer,
        "eva-42",
    )


def test_the_provider_requires_pkce_and_gets_it(org_a, provider):
    provider.set_accounts({"eva-42": {"email": org_a.employee.email, "email_verified": True}})
    client = client_for(None, org_a.kommune)
    authorization_url = client.get(reverse("sso_login"))["Location"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorization_url).query))
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43

    # The provider refuses an authorization request without a challenge ...
    without = {k: v for k, v in query.items() if not k.startswith("code_challenge")}
    answer = at_provider(f"{provider.issuer}/auth?{urllib.parse.urlencode(without)}", "eva-42")
    assert answer["error"] == "invalid_request" and "PKCE" in answer["error_description"]

    # ... and a code exchanged without its verifier: nobody is signed in.
    def forget_the_verifier(client):
        session = client.session
        for key, value in session.items():
            if key.startswith("_state_"):
                value["data"].pop("code_verifier")
                session[key] = value
        session.save()

    client = client_for(None, org_a.kommune)
    response = sign_in(client, "eva-42", tamper=forget_the_verifier)
    assert response.status_code == 403
    # The provider's invalid_grant, passed on in our message.
    assert "mislykkedes (grant request is invalid)" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sub_keeps_signing_in_after_an_email_change_and_no_one_takes_it_over(org_a, provider):
    employee = org_a.employee
    provider.set_accounts({"eva-42": {"email": employee.email, "email_verified": True}})
    assert sign_in(client_for(None, org_a.kommune), "eva-42").status_code == 302

    # At the provider, Eva's e-mail changes, and a new account gets her old one.
    provider.set_accounts(
        {
            "eva-42": {"email": "eva.ny@example.org", "email_verified": True},
            "mallory-7": {"email": employee.email, "email_verified": True},
        }
    )
    client = client_for(None, org_a.kommune)
    assert sign_in(client, "eva-42").status_code == 302
    assert int(client.session["_auth_user_id"]) == employee.user_id

    client = client_for(None, org_a.kommune)
    response = sign_in(client, "mallory-7")
    assert response.status_code == 403
    assert "allerede knyttet til en anden konto" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unverified_email_is_refused(org_a, provider):
    provider.set_accounts({"eva-42": {"email": org_a.employee.email, "email_verified": False}})
    client = client_for(None, org_a.kommune)
    response = sign_in(client, "eva-42")
    assert response.status_code == 403
    assert "ikke er bekræftet" in response.content.decode()
    assert "_auth_user_id" not in client.session
    with org_a.scope():
        assert not SsoIdentity.objects.exists()


def test_no_email_at_all_is_named(org_a, provider):
    provider.set_accounts({"eva-42": {"name": "Eva Medarbejder"}})
    client = client_for(None, org_a.kommune)
    response = sign_in(client, "eva-42")
    assert response.status_code == 403
    assert "sendte ingen e-mailadresse" in response.content.decode()
