"""A URL that answers a whole page to the browser and a fragment to htmx says so with
`Vary: HX-Request`, set once by `VaryOnHtmxMiddleware` wherever `request.htmx` was
asked; a page that answers the same either way does not vary on it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.cache import has_vary_header

from tests.conftest import client_for
from tests.profiles.factories import build_framework

pytestmark = pytest.mark.django_db


def test_a_form_page_and_its_fragment_vary_on_hx_request(org_a, org_b):
    url = reverse("unit_create")
    hr = client_for(org_a.hr)

    page = hr.get(url)
    fragment = hr.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and "<html" not in fragment.text
    assert has_vary_header(page, "HX-Request")
    assert has_vary_header(fragment, "HX-Request")

    # A user of another kommune gets 404 on this kommune's host.
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404


def test_the_framework_editor_varies_on_hx_request(org_a, org_b):
    version = build_framework(org_a.kommune, by=org_a.hr)
    url = reverse("framework_version", args=[version.pk])
    hr = client_for(org_a.hr)

    for response in (hr.get(url), hr.get(url, HTTP_HX_REQUEST="true")):
        assert response.status_code == 200
        assert has_vary_header(response, "HX-Request")
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404


def test_a_page_that_never_asks_does_not_vary_on_hx_request(org_a, org_b):
    url = reverse("unit_detail", args=[org_a.team.pk])
    response = client_for(org_a.hr).get(url)
    assert response.status_code == 200
    assert not has_vary_header(response, "HX-Request")
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404
