"""Tenancy: every request is bound to one kommune, and nothing crosses over."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlsafe_base64_encode
from django_scopes import ScopeError, scope

from kompetence.infra.kommune_cache import kommune_for_label
from kompetence.infra.tenancy import kommune_label
from kompetence.models import Kommune, OrgUnit, Person, Position
from tests.conftest import Org, client_for
from tests.factories import KommuneFactory
from tests.url_objects import OBJECT_IDS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("host", "label"),
    [
        ("fredericia.localhost:8000", "fredericia"),
        ("FREDERICIA.localhost", "fredericia"),
        ("localhost:8000", None),
        ("127.0.0.1:8000", None),
        ("example.org", None),
        ("a.b.localhost", "a.b"),
    ],
)
def test_kommune_label_is_the_first_label_under_the_domain(host, label):
    assert kommune_label(host) == label


def test_unknown_kommune_host_is_404(client):
    response = client.get("/log-ind/", HTTP_HOST="nowhere.localhost")
    assert response.status_code == 404


def test_bare_domain_lists_kommuner_and_nothing_private(org_a, client):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "Alfa Kommune" in response.text
    assert org_a.employee.name not in response.text


def test_login_page_is_danish(org_a):
    response = client_for(None, org_a.kommune).get("/log-ind/")
    assert response.status_code == 200
    assert '<html lang="da">' in response.text
    assert "Log ind hos Alfa Kommune" in response.text


def test_user_of_another_kommune_gets_404_on_its_host(org_a, org_b):
    client = client_for(org_b.employee, org_a.kommune)
    assert client.get("/").status_code == 404


def test_query_outside_any_scope_raises(org_a):
    with scope(), pytest.raises(ScopeError):
        list(Person.objects.all())
    with scope(), pytest.raises(ScopeError):
        Position.objects.filter(is_leader=True).count()


def test_query_inside_a_scope_sees_only_that_kommune(org_a, org_b):
    with org_a.scope():
        names = set(Person.objects.values_list("name", flat=True))
    assert org_a.employee.name in names
    with org_b.scope():
        assert not Person.objects.filter(pk=org_a.employee.pk).exists()


def test_every_tenant_model_has_a_scoped_manager():
    """A new model with a `kommune` field cannot forget its scoped manager."""
    tenant_models = [
        model
        for model in apps.get_models()
        if any(f.name == "kommune" for f in model._meta.get_fields())
        and model._meta.label != "kompetence.User"
    ]
    assert len(tenant_models) >= 6
    for model in tenant_models:
        with scope(), pytest.raises(ScopeError):
            list(model._default_manager.all())


# --- The URL walk -------------------------------------------------------------------
#
# Every URL pattern of a kommune host is requested by a signed-in user of kommune B:
#   1. on kommune A's host: always 404 (the middleware refuses the foreign user);
#   2. on B's own host, with the ids of A's objects: 404 (the objects are not in B).
# New patterns are covered automatically; a pattern with a new kind of id fails the
# test until OBJECT_IDS says which of A's objects to ask for.

# Path arguments that are not ids of tenant objects (the password reset link).
NON_OBJECT_ARGS = {
    "uidb64": lambda org: urlsafe_base64_encode(str(org.employee.user_id).encode()),
    "token": lambda org: "abc-123",
    "kind": lambda org: "xlsx",
    "importer": lambda org: "organisation",
    "rest": lambda org: "ingen-ressource",
    "slug": lambda org: "fredericia-kompetencehjulet",
}


def _walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _url_for(name: str, pattern: URLPattern, org: Org) -> tuple[str, bool]:
    kwargs, has_object = {}, False
    with org.scope():
        for arg in pattern.pattern.converters:
            if arg in OBJECT_IDS:
                kwargs[arg], has_object = OBJECT_IDS[arg](org), True
            elif arg in NON_OBJECT_ARGS:
                kwargs[arg] = NON_OBJECT_ARGS[arg](org)
            else:
                pytest.fail(
                    f"URL '{name}' takes '{arg}': add it to OBJECT_IDS in tests/url_objects.py"
                )
    return reverse(name, kwargs=kwargs), has_object


def _status(client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url, {}).status_code
    return status


def tenant_patterns():
    return sorted(_walk(get_resolver()), key=lambda item: item[0])


def test_url_walk_covers_every_pattern():
    names = [name for name, _ in tenant_patterns()]
    assert "person_detail" in names and "unit_detail" in names
    assert len(names) == len(set(names))


def test_foreign_user_gets_404_for_every_url_on_another_kommunes_host(org_a, org_b):
    client = client_for(org_b.hr, org_a.kommune)
    failures = []
    for name, pattern in tenant_patterns():
        url, _ = _url_for(name, pattern, org_a)
        status = _status(client, url)
        if status != 404:
            failures.append(f"{name} {url}: {status}")
    assert failures == []


def test_foreign_objects_are_404_on_ones_own_host(org_a, org_b):
    # B's HR may see everything in B, so any non-404 would be a leak of A's object.
    client = client_for(org_b.hr)
    failures = []
    checked = 0
    for name, pattern in tenant_patterns():
        url, has_object = _url_for(name, pattern, org_a)
        if not has_object:
            continue
        checked += 1
        status = _status(client, url)
        if status != 404:
            failures.append(f"{name} {url}: {status}")
    assert checked >= 4
    assert failures == []


def test_outsider_gets_404_even_for_a_unit_of_the_same_name(org_a, org_b):
    client = client_for(org_b.hr)
    assert client.get(reverse("unit_detail", args=[org_a.team.pk])).status_code == 404
    with org_b.scope():
        own = OrgUnit.objects.get(name="Team Nord")
    assert client.get(reverse("unit_detail", args=[own.pk])).status_code == 200


# --- The kommune of a host, cached (kompetence.infra.kommune_cache) ---------------------


def test_a_kommune_is_read_from_the_cache_once_known(org_a):
    client = client_for(org_a.employee)
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not [q for q in queries if 'FROM "kompetence_kommune"' in q["sql"]]


def test_every_write_to_a_kommune_reaches_the_next_request_at_once(org_a):
    """Saved, updated in bulk or renamed: the cached kommune is never the old one."""
    client = client_for(org_a.employee)
    assert client.get(reverse("home")).status_code == 200  # cached now
    Kommune.objects.filter(pk=org_a.kommune.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 403  # closed
    kommune = Kommune.objects.get(pk=org_a.kommune.pk)
    kommune.is_active = True
    kommune.save(update_fields=["is_active"])
    assert client.get(reverse("home")).status_code == 200
    Kommune.objects.filter(pk=kommune.pk).update(slug="alfa2")
    assert client.get(reverse("home")).status_code == 404  # the old host is no kommune now
    assert (
        client_for(org_a.employee, Kommune.objects.get(pk=kommune.pk))
        .get(reverse("home"))
        .status_code
        == 200
    )


def test_a_host_without_a_kommune_finds_one_made_later(db, client):
    assert client.get("/log-ind/", HTTP_HOST="gamma.localhost").status_code == 404
    KommuneFactory(slug="gamma")
    assert client.get("/log-ind/", HTTP_HOST="gamma.localhost").status_code == 200


def test_the_sso_secret_is_not_kept_in_the_cache(org_a):
    client_for(None, org_a.kommune).get(reverse("login"))
    cached = kommune_for_label("alfa", lambda label: pytest.fail("not cached"))
    assert cached is not None and cached.pk == org_a.kommune.pk
    assert "sso_client_secret" in cached.get_deferred_fields()
