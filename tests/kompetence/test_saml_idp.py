"""SAML 2.0 login against a real identity provider: samlify's IdentityProvider (Node),
started in its own process from tests/saml_idp/ (`npm ci` there is part of
`make install-dev`). It checks the signature of our AuthnRequest (HTTP-Redirect),
answers with an OIOSAML 3 assertion, signed and encrypted to our key, carrying the
NSIS level, the professional UUID, the e-mail and an OIO-BPP privilege list. The
browser's part (the IdP's login form and its auto-post to our ACS) is played with
requests. Our side is pysaml2; the two share no code.

Nothing here is skipped: without Node or the IdP's packages the tests fail."""

from __future__ import annotations

import base64
import datetime
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from kompetence.models import AuditEntry, Person, SsoIdentity
from kompetence.saml import sp
from kompetence.saml.models import SamlProvider
from tests.conftest import client_for, host_of

pytestmark = pytest.mark.django_db

IDP_DIR = Path(__file__).resolve().parent.parent / "saml_idp"
IDP_ENTITY_ID = "https://context-handler.test/runtime/saml2auth/metadata.idp"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
EMAIL = "https://data.gov.dk/model/core/eid/email"
PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
HR = "http://kompetence.dk/roles/usersystemrole/hr/1"
LEADER = "http://kompetence.dk/roles/usersystemrole/leder/1"
ORG_UNIT = "http://sts.kombit.dk/constraints/orgenhed/1"


def _key_pair(folder: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Context Handler")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class RealIdp:
    def __init__(self, base: str, config_file: Path, config: dict):
        self.base = base
        self.config_file = config_file
        self.config = config

    def set(self, **changes) -> None:
        """Changes what the IdP does from the next request on."""
        self.config.update(changes)
        self.config_file.write_text(json.dumps(self.config))

    def metadata(self) -> str:
        return requests.get(f"{self.base}/metadata", timeout=10).text


@pytest.fixture(scope="module")
def real_idp(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "samlify").is_dir():
        pytest.fail(
            "The test SAML identity provider is not installed: needs Node.js 20+ and "
            "`npm ci --prefix tests/saml_idp` (done by `make install-dev`)."
        )
    folder = tmp_path_factory.mktemp("saml")
    key_file, cert_file = _key_pair(folder)
    config = {"entity_id": IDP_ENTITY_ID, "key_file": key_file, "cert_file": cert_file}
    config_file = folder / "idp.json"
    config_file.write_text(json.dumps(config))
    log = (folder / "idp.log").open("w")
    process = subprocess.Popen(
        [node, "idp.mjs", str(config_file)],
        cwd=IDP_DIR,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("READY "):
            process.kill()
            pytest.fail(f"The test SAML IdP did not start: {line!r}, see {log.name}")
        yield RealIdp(line.split()[1], config_file, config)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def privileges(*groups: tuple[str, list[str]]) -> str:
    """An OIO-BPP privilege list, base64: one group per (privilege, unit ids)."""
    body = "".join(
        f'<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189900">'
        f"<Privilege>{name}</Privilege>"
        + "".join(f'<Constraint Name="{ORG_UNIT}">{unit}</Constraint>' for unit in units)
        + "</PrivilegeGroup>"
        for name, units in groups
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">'
        f"{body}</bpp:PrivilegeList>"
    )
    return base64.b64encode(xml.encode()).decode()


def account(person: Person, *, loa="Substantial", uuid="", groups=()) -> dict:
    attributes = {
        LOA: [loa],
        UUID: [uuid or f"urn:uuid:{person.pk:08d}-0000-4000-8000-000000000000"],
        EMAIL: [person.email],
    }
    if groups:
        attributes[PRIVILEGES] = [privileges(*groups)]
    return {"name_id": attributes[UUID][0], "attributes": attributes}


def _connect(idp: RealIdp, kommune) -> SamlProvider:
    sp_metadata = client_for(None, kommune).get(reverse("saml_metadata")).content.decode()
    idp.set(sp_metadata=sp_metadata, encrypt=True, sign_assertion=True, users={})
    idp_metadata = idp.metadata()
    return SamlProvider.objects.create(
        kommune=kommune,
        enabled=True,
        label="Log ind med KOMBIT",
        idp_metadata=idp_metadata,
        idp_entity_id=sp.idp_entity_id(idp_metadata),
        hr_privilege=HR,
        leader_privilege=LEADER,
    )


@pytest.fixture
def idp(org_a, real_idp):
    with org_a.scope():
        _connect(real_idp, org_a.kommune)
    return real_idp


def at_idp(client, login: str, *, next_url: str = "") -> dict:
    """Start at our login, sign in as `login` on the IdP's form, and return the form
    the IdP has the browser post to our ACS: {"action", "SAMLResponse", "RelayState"}."""
    response = client.get(reverse("saml_login") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content.decode()
    browser = requests.Session()
    page = browser.get(response["Location"], timeout=10)
    assert page.status_code == 200, page.text  # the IdP accepted our signed request
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text)[1]
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)[1]
    answer = browser.post(action, data={"ticket": ticket, "login": login}, timeout=10)
    assert answer.status_code == 200, answer.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', answer.text))
    return {
        "action": html.unescape(re.search(r'action="([^"]+)"', answer.text)[1]),
        **{key: html.unescape(value) for key, value in fields.items()},
    }


def post_to_acs(client, form: dict):
    return client.post(
        reverse("saml_acs"),
        {"SAMLResponse": form["SAMLResponse"], "RelayState": form.get("RelayState", "")},
    )


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_the_whole_login_signs_in_on_the_kommune_host(org_a, idp):
    employee = org_a.employee
    idp.set(users={"eva": account(employee)})
    client = client_for(None, org_a.kommune)
    form = at_idp(client, "eva", next_url="/personer/")
    assert form["action"] == f"http://{host_of(org_a.kommune)}{reverse('saml_acs')}"
    # The assertion travels encrypted: neither the e-mail nor the level shows.
    decoded = base64.b64decode(form["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in decoded and employee.email not in decoded

    response = post_to_acs(client, form)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/personer/"
    assert signed_in_as(client) == employee.user_id
    with org_a.scope():
        link = SsoIdentity.objects.get()
    assert (link.user_id, link.issuer) == (employee.user_id, IDP_ENTITY_ID)
    assert link.subject.startswith("urn:uuid:")


def test_the_login_page_shows_the_button(org_a, idp):
    page = client_for(None, org_a.kommune).get(reverse("login")).content.decode()
    assert "Log ind med KOMBIT" in page and reverse("saml_login") in page


def test_a_replayed_response_is_refused(org_a, idp):
    idp.set(users={"eva": account(org_a.employee)})
    client = client_for(None, org_a.kommune)
    form = at_idp(client, "eva")
    assert post_to_acs(client, form).status_code == 302
    # The same response again, in the same browser and in another one.
    again = client_for(None, org_a.kommune)
    again.cookies = client.cookies
    for browser in (client, again, client_for(None, org_a.kommune)):
        browser.logout()
        response = post_to_acs(browser, form)
        assert response.status_code == 403
        assert signed_in_as(browser) is None


def test_a_response_for_another_kommune_is_refused_there(org_a, org_b, idp, real_idp):
    # Beta uses the same IdP: Alfa's assertion is for Alfa's entity ID and ACS only.
    with org_b.scope():
        SamlProvider.objects.create(
            kommune=org_b.kommune,
            enabled=True,
            idp_metadata=idp.metadata(),
            idp_entity_id=IDP_ENTITY_ID,
        )
    idp.set(users={"eva": account(org_a.employee)})
    alfa = client_for(None, org_a.kommune)
    form = at_idp(alfa, "eva")
    beta = client_for(None, org_b.kommune)
    beta.cookies = alfa.cookies  # even with the browser's request cookie
    response = post_to_acs(beta, form)
    assert response.status_code == 403
    assert signed_in_as(beta) is None


def test_a_kommune_without_saml_answers_404(org_a, org_b, idp):
    idp.set(users={"eva": account(org_a.employee)})
    form = at_idp(client_for(None, org_a.kommune), "eva")
    beta = client_for(None, org_b.kommune)
    assert post_to_acs(beta, form).status_code == 404
    assert beta.get(reverse("saml_login")).status_code == 404


def test_an_assertion_that_is_not_signed_is_refused(org_a, idp):
    # The IdP signs only the response around it (and leaves the assertion in clear, as
    # encrypting it would break the response's signature).
    idp.set(users={"eva": account(org_a.employee)}, sign_assertion=False, encrypt=False)
    client = client_for(None, org_a.kommune)
    response = post_to_acs(client, at_idp(client, "eva"))
    assert response.status_code == 403
    assert "kunne ikke godkendes" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_tampered_assertion_is_refused(org_a, idp):
    idp.set(users={"eva": account(org_a.employee, loa="Low")}, encrypt=False)
    client = client_for(None, org_a.kommune)
    form = at_idp(client, "eva")
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    assert ">Low<" in xml
    form["SAMLResponse"] = base64.b64encode(xml.replace(">Low<", ">High<").encode()).decode()
    response = post_to_acs(client, form)
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_a_too_low_nsis_level_is_refused_in_danish(org_a, idp):
    idp.set(users={"eva": account(org_a.employee, loa="Low")})
    client = client_for(None, org_a.kommune)
    response = post_to_acs(client, at_idp(client, "eva"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "sikringsniveau Low" in page and "NSIS-niveau Betydelig" in page
    assert signed_in_as(client) is None


def test_an_unknown_person_is_refused(org_a, idp):
    stranger = account(org_a.employee)
    stranger["attributes"][EMAIL] = ["ukendt@example.org"]
    idp.set(users={"x": stranger})
    client = client_for(None, org_a.kommune)
    response = post_to_acs(client, at_idp(client, "x"))
    assert response.status_code == 403
    assert "ingen aktiv person" in response.content.decode()
    assert signed_in_as(client) is None


def test_the_hr_privilege_grants_and_takes_the_hr_role(org_a, idp):
    employee = org_a.employee
    idp.set(users={"eva": account(employee, groups=[(HR, [])])})
    client = client_for(None, org_a.kommune)
    assert post_to_acs(client, at_idp(client, "eva")).status_code == 302
    with org_a.scope():
        assert Person.objects.get(pk=employee.pk).is_hr
        assert AuditEntry.objects.filter(subject=employee, summary__contains="HR-rollen").exists()

    idp.set(users={"eva": account(employee)})
    client = client_for(None, org_a.kommune)
    assert post_to_acs(client, at_idp(client, "eva")).status_code == 302
    with org_a.scope():
        assert not Person.objects.get(pk=employee.pk).is_hr


def test_a_leader_privilege_is_checked_against_the_positions(org_a, idp):
    with org_a.scope():
        type(org_a.team).objects.filter(pk=org_a.team.pk).update(external_id="ENH-7")
        type(org_a.centre).objects.filter(pk=org_a.centre.pk).update(external_id="ENH-1")
    leader = org_a.leader
    # Lise leads Team Nord (backed by her position), not Center for Omsorg.
    idp.set(users={"lise": account(leader, groups=[(LEADER, ["ENH-7", "ENH-1"])])})
    client = client_for(None, org_a.kommune)
    response = post_to_acs(client, at_idp(client, "lise"))
    assert response.status_code == 302
    assert signed_in_as(client) == leader.user_id
    page = client.get(reverse("home")).content.decode()
    assert "leder af Center for Omsorg, men det står ikke i Kompetence" in page
    assert "leder af Team Nord" not in page


def test_no_email_at_the_first_sign_in_is_named(org_a, idp):
    nameless = account(org_a.employee)
    del nameless["attributes"][EMAIL]
    idp.set(users={"eva": nameless})
    client = client_for(None, org_a.kommune)
    response = post_to_acs(client, at_idp(client, "eva"))
    assert response.status_code == 403
    assert "sendte ingen e-mailadresse (attributten" in response.content.decode()
