"""Kompetence as a SAML 2.0 service provider, one per kommune host, built on pysaml2.

pysaml2 does the protocol and the cryptography (through the `xmlsec1` program): it
signs the AuthnRequest, decrypts an encrypted assertion with our key, requires the
assertion to be signed by a key in the identity provider's metadata, and checks the
audience (our entity ID on this kommune's host), the recipient (our ACS URL on it), the
time conditions and InResponseTo against the requests this browser started.

The entity ID is the metadata URL on the kommune's host, so each kommune registers its
own service provider at its identity provider, and an assertion made for one kommune is
refused on another's host (wrong audience, unknown issuer).
"""

from __future__ import annotations

import datetime
import functools
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from kompetence.saml.models import SamlProvider


@functools.cache
def _dev_key_pair() -> tuple[str, str]:
    """A throwaway key and self-signed certificate for this process (tests, demo)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kompetence SAML (udvikling)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="kompetence-saml-"))
    key_file, cert_file = folder / "sp.key", folder / "sp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def key_pair() -> tuple[str, str]:
    """The service provider's key file and certificate file."""
    if settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE:
        files = (settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE)
        # docker-compose names the files whether or not the operator has put them there.
        if not all(Path(name).is_file() for name in files):
            raise ImproperlyConfigured("SAML_SP_KEY_FILE or SAML_SP_CERT_FILE is missing.")
        return files
    if not settings.SAML_DEV_KEYS:
        raise ImproperlyConfigured("SAML needs SAML_SP_KEY_FILE and SAML_SP_CERT_FILE.")
    return _dev_key_pair()


def entity_id(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("saml_metadata"))


def acs_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("saml_acs"))


def config(request: HttpRequest, provider: SamlProvider | None) -> SPConfig:
    """The service provider on this request's kommune host; with `provider`, it knows
    that identity provider (and only it). Raises on broken metadata or missing keys."""
    key_file, cert_file = key_pair()
    conf: dict = {
        "entityid": entity_id(request),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "key_file": key_file,
        "cert_file": cert_file,
        # OIOSAML 3 encrypts the assertion to the key in our metadata.
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Kompetence",
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(request), BINDING_HTTP_POST)],
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
            }
        },
    }
    if provider is not None:
        conf["metadata"] = {"inline": [provider.idp_metadata]}
    sp_config = SPConfig()
    sp_config.load(conf)
    return sp_config


def client(request: HttpRequest, provider: SamlProvider) -> Saml2Client:
    return Saml2Client(config=config(request, provider))


def metadata_xml(request: HttpRequest) -> str:
    """Our metadata on this kommune host, for the kommune to register at its IdP."""
    descriptor = entity_descriptor(config(request, None))
    # pysaml2 lists every algorithm xmlsec1 knows (MD5 and SHA-1 included) as supported;
    # we sign with RSA-SHA256 and say nothing more.
    descriptor.extensions = None
    return str(descriptor)


LOGIN_BINDING = BINDING_HTTP_REDIRECT


class BadMetadata(ValueError):
    pass


def idp_entity_id(xml: str) -> str:
    """The entity ID of the one identity provider that `xml` describes, checked as
    pysaml2 will use it: it has a signing certificate (assertions are checked against
    it) and a single sign-on endpoint for the HTTP-Redirect binding. BadMetadata
    otherwise."""
    from saml2.attribute_converter import ac_factory
    from saml2.mdstore import InMemoryMetaData

    metadata = InMemoryMetaData(ac_factory(), xml)
    try:
        metadata.load()
    except Exception as error:  # pysaml2 raises many kinds for XML it cannot read
        raise BadMetadata(type(error).__name__) from error
    providers = [eid for eid, entity in metadata.items() if "idpsso_descriptor" in entity]
    if len(providers) != 1:
        raise BadMetadata("IDPSSODescriptor")
    found = providers[0]
    if not metadata.certs(found, "idpsso", "signing"):
        raise BadMetadata("signing")
    if not metadata.service(
        found, "idpsso_descriptor", "single_sign_on_service", BINDING_HTTP_REDIRECT
    ):
        raise BadMetadata("SingleSignOnService")
    return found
