"""Every page links its tilgængelighedserklæring (Danish web accessibility law): a
kommune's host the kommune's own statement, the bare domain the platform's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kompetence.models import AuditEntry, Kommune
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WAS = "https://www.was.digst.dk/kompetence-alfa-kommune"


def _link(url: str) -> str:
    return f'<a href="{url}">Tilgængelighedserklæring</a>'


def test_hr_sets_the_statement_and_every_page_of_the_kommune_links_it(org_a):
    hr = client_for(org_a.hr)
    assert hr.get(reverse("kommune_settings")).status_code == 200
    response = hr.post(reverse("kommune_settings"), {"accessibility_statement_url": WAS})
    assert response.status_code == 302
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.accessibility_statement_url == WAS
    with org_a.scope():
        assert AuditEntry.objects.filter(summary__contains=WAS).exists()

    anonymous = client_for(None, org_a.kommune)
    assert _link(WAS) in anonymous.get(reverse("login")).text
    assert _link(WAS) in client_for(org_a.employee).get("/").text
    assert _link(WAS) in client_for(org_a.employee).get("/findes-ikke/").text  # the 404 page


def test_only_https_addresses_are_taken(org_a):
    hr = client_for(org_a.hr)
    for bad in ("http://www.was.digst.dk/x", "javascript:alert(1)", "ikke en adresse"):
        response = hr.post(reverse("kommune_settings"), {"accessibility_statement_url": bad})
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.text or "errorlist" in response.text
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.accessibility_statement_url == ""


def test_without_its_own_statement_a_kommune_links_the_platforms(org_a, settings):
    page = client_for(None, org_a.kommune).get(reverse("login"))
    assert _link("http://localhost/tilgaengelighed/") in page.text
    settings.ACCESSIBILITY_STATEMENT_URL = "https://www.was.digst.dk/kompetence"
    page = client_for(None, org_a.kommune).get(reverse("login"))
    assert _link("https://www.was.digst.dk/kompetence") in page.text


def test_the_bare_domain_links_the_platforms_statement(client, settings, org_a):
    Kommune.objects.filter(pk=org_a.kommune.pk).update(accessibility_statement_url=WAS)
    front = client.get("/", HTTP_HOST="localhost")
    assert _link("/tilgaengelighed/") in front.text and WAS not in front.text
    statement = client.get("/tilgaengelighed/", HTTP_HOST="localhost")
    assert statement.status_code == 200
    assert "WCAG 2.1" in statement.text and "axe-core" in statement.text
    settings.ACCESSIBILITY_STATEMENT_URL = "https://www.was.digst.dk/kompetence"
    front = client.get("/", HTTP_HOST="localhost")
    assert _link("https://www.was.digst.dk/kompetence") in front.text


def test_the_statement_page_reads_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/tilgaengelighed/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert "Accessibility statement" in page.text


@pytest.mark.parametrize("who", ["employee", "leader", "director"])
def test_only_hr_for_the_whole_kommune_reaches_the_settings(org_a, who):
    client = client_for(getattr(org_a, who))
    assert client.get(reverse("kommune_settings")).status_code == 404
    assert (
        client.post(reverse("kommune_settings"), {"accessibility_statement_url": WAS}).status_code
        == 404
    )


def test_a_user_of_another_kommune_gets_404_on_the_settings(org_a, org_b):
    client = client_for(org_b.hr, org_a.kommune)
    assert client.get(reverse("kommune_settings")).status_code == 404
    response = client.post(reverse("kommune_settings"), {"accessibility_statement_url": WAS})
    assert response.status_code == 404
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.accessibility_statement_url == ""
