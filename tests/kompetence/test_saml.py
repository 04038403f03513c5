"""SAML login's settings page, metadata and attribute reading, without an identity
provider (the whole login runs against a real one in test_saml_idp.py)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kompetence.saml import attributes
from kompetence.saml.models import SamlProvider
from tests.conftest import client_for
from tests.kompetence.test_saml_idp import _key_pair

IDP = "https://idp.example.dk/saml"


def idp_metadata(tmp_path) -> str:
    _key_file, cert_file = _key_pair(tmp_path)
    cert = "".join(
        line for line in Path(cert_file).read_text().splitlines() if not line.startswith("-----")
    )
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{cert}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.dk/sso"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


@pytest.mark.django_db
def test_the_metadata_names_this_kommune_host(org_a, org_b):
    for org in (org_a, org_b):
        response = client_for(None, org.kommune).get(reverse("saml_metadata"))
        assert response.status_code == 200
        xml = response.content.decode()
        host = f"http://{org.kommune.slug}.localhost"
        assert f'entityID="{host}/saml/metadata/"' in xml
        assert f'Location="{host}/saml/acs/"' in xml
        assert 'AuthnRequestsSigned="true"' in xml and 'WantAssertionsSigned="true"' in xml
        assert 'use="encryption"' in xml


@pytest.mark.django_db
def test_hr_uploads_the_metadata_and_sets_the_rules(org_a, tmp_path):
    client = client_for(org_a.hr)
    assert client.get(reverse("saml_settings")).status_code == 200
    response = client.post(
        reverse("saml_settings"),
        {
            "enabled": "on",
            "label": "Log ind med KOMBIT",
            "min_level": "High",
            "hr_privilege": "http://kompetence.dk/roles/hr",
            "leader_privilege": "",
            "metadata_file": SimpleUploadedFile("idp.xml", idp_metadata(tmp_path).encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()
    with org_a.scope():
        provider = SamlProvider.objects.get(kommune=org_a.kommune)
    assert (provider.enabled, provider.idp_entity_id, provider.min_level) == (True, IDP, "High")
    login_page = client_for(None, org_a.kommune).get(reverse("login")).content.decode()
    assert "Log ind med KOMBIT" in login_page


@pytest.mark.django_db
def test_metadata_that_is_not_an_idp_is_refused_in_danish(org_a):
    response = client_for(org_a.hr).post(
        reverse("saml_settings"),
        {
            "enabled": "on",
            "min_level": "Substantial",
            "metadata_file": SimpleUploadedFile("idp.xml", b"<html>not metadata</html>"),
        },
    )
    assert response.status_code == 200
    assert "ikke metadata for én SAML-identitetsudbyder" in response.content.decode()
    with org_a.scope():
        assert not SamlProvider.objects.exists()


@pytest.mark.django_db
def test_switching_on_without_metadata_is_refused(org_a):
    response = client_for(org_a.hr).post(
        reverse("saml_settings"), {"enabled": "on", "min_level": "Substantial"}
    )
    assert "Upload identitetsudbyderens metadata" in response.content.decode()


@pytest.mark.django_db
def test_only_the_kommunes_hr_sees_the_settings(org_a, org_b):
    assert client_for(org_a.employee).get(reverse("saml_settings")).status_code == 404
    assert client_for(org_a.leader).get(reverse("saml_settings")).status_code == 404
    # Another kommune's HR, on this kommune's host.
    assert client_for(org_b.hr, org_a.kommune).get(reverse("saml_settings")).status_code == 404


@pytest.mark.django_db
def test_broken_stored_metadata_answers_503_not_500(org_a):
    with org_a.scope():
        SamlProvider.objects.create(
            kommune=org_a.kommune, enabled=True, idp_metadata="<broken", idp_entity_id=IDP
        )
    response = client_for(None, org_a.kommune).get(reverse("saml_login"))
    assert response.status_code == 503
    assert "metadata" in response.content.decode()
    response = client_for(None, org_a.kommune).post(reverse("saml_acs"), {"SAMLResponse": "x"})
    assert response.status_code == 503


@pytest.mark.django_db
def test_saml_switched_off_is_404(org_a):
    client = client_for(None, org_a.kommune)
    assert client.get(reverse("saml_login")).status_code == 404
    assert client.post(reverse("saml_acs"), {"SAMLResponse": "x"}).status_code == 404


def _privilege_list(body: str) -> dict:
    xml = f'<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">{body}</bpp:PrivilegeList>'
    return {attributes.PRIVILEGES: [base64.b64encode(xml.encode()).decode()]}


def test_privileges_with_scopes_and_units():
    found = attributes.privileges(
        _privilege_list(
            '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189900">'
            "<Privilege>urn:hr</Privilege><Privilege>urn:leder</Privilege>"
            '<Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">A, B</Constraint>'
            '<Constraint Name="http://sts.kombit.dk/constraints/kle/1">00.01</Constraint>'
            "</PrivilegeGroup>"
        )
    )
    assert [(p.name, p.units) for p in found] == [
        ("urn:hr", frozenset({"A", "B"})),
        ("urn:leder", frozenset({"A", "B"})),
    ]
    assert found[0].scope == "urn:dk:gov:saml:cvrNumberIdentifier:29189900"


def test_no_privileges_and_unreadable_privileges():
    assert attributes.privileges({}) == []
    with pytest.raises(attributes.BadPrivileges):
        attributes.privileges({attributes.PRIVILEGES: ["bm90IHhtbA=="]})
    with pytest.raises(attributes.BadPrivileges):
        attributes.privileges({attributes.PRIVILEGES: [base64.b64encode(b"<Other/>").decode()]})


@pytest.mark.django_db
def test_the_metadata_offers_no_weak_algorithms(org_a):
    xml = client_for(None, org_a.kommune).get(reverse("saml_metadata")).content.decode()
    assert "md5" not in xml and "sha1" not in xml
