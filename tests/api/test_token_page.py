"""HR's page for the API tokens: issue (the secret shown once, only its hash kept),
revoke; everyone else, and every other kommune's user, gets 404."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from kompetence.api import services
from kompetence.api.models import ApiToken
from kompetence.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_hr_issues_a_token_and_sees_the_secret_once(org_a):
    client = client_for(org_a.hr)
    response = client.post(reverse("api_token_list"), {"name": "Power BI, HR-stab"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["issued"].secret
    assert secret.startswith("kbi_") and secret in response.content.decode()
    with org_a.scope():
        token = ApiToken.objects.get()
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in str(ApiToken.objects.values().get())
        assert token.prefix == secret[:12] and token.created_by == org_a.hr
        assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()
    page = client.get(reverse("api_token_list")).content.decode()
    assert "Power BI, HR-stab" in page and token.prefix in page
    assert secret not in page


def test_a_token_may_expire_on_a_future_day_only(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("api_token_list"), {"name": "Gammel", "expires_on": "2000-01-01"}
    )
    assert response.status_code == 200 and response.context["issued"] is None
    with org_a.scope():
        assert not ApiToken.objects.exists()


def test_hr_revokes_a_token_and_it_stops_working(org_a):
    with org_a.scope():
        issued = services.api_token_create(actor=org_a.hr, name="Power BI")
    client = client_for(org_a.hr)
    response = client.post(reverse("api_token_revoke", args=[issued.token.pk]))
    assert response.status_code == 302
    with org_a.scope():
        assert ApiToken.objects.get().revoked_at is not None
    api = client_for(None, org_a.kommune)
    refused = api.get("/api/v1/org-units", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert refused.status_code == 401
    assert "Tilbagekaldt" in client.get(reverse("api_token_list")).content.decode()


def test_revoking_needs_post(org_a):
    with org_a.scope():
        issued = services.api_token_create(actor=org_a.hr, name="Power BI")
    response = client_for(org_a.hr).get(reverse("api_token_revoke", args=[issued.token.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("who", ["employee", "leader", "director"])
def test_everyone_but_kommune_hr_gets_404(org_a, who):
    with org_a.scope():
        issued = services.api_token_create(actor=org_a.hr, name="Power BI")
    client = client_for(getattr(org_a, who))
    assert client.get(reverse("api_token_list")).status_code == 404
    assert client.post(reverse("api_token_list"), {"name": "x"}).status_code == 404
    assert client.post(reverse("api_token_revoke", args=[issued.token.pk])).status_code == 404
    with org_a.scope():
        assert ApiToken.objects.get().revoked_at is None


def test_another_kommunes_hr_gets_404(org_a, org_b):
    with org_a.scope():
        issued = services.api_token_create(actor=org_a.hr, name="Power BI")
    on_a = client_for(org_b.hr, org_a.kommune)
    assert on_a.get(reverse("api_token_list")).status_code == 404
    # On their own host, A's token is not found either.
    on_b = client_for(org_b.hr)
    assert on_b.post(reverse("api_token_revoke", args=[issued.token.pk])).status_code == 404
    with org_a.scope():
        assert ApiToken.objects.get().revoked_at is None


def test_the_settings_page_links_to_the_tokens(org_a):
    page = client_for(org_a.hr).get(reverse("kommune_settings")).content.decode()
    assert reverse("api_token_list") in page


def test_the_page_issues_a_constant_number_of_queries(org_a, django_assert_max_num_queries):
    client = client_for(org_a.hr)
    client.get(reverse("api_token_list"))
    for index in range(5):
        with org_a.scope():
            services.api_token_create(actor=org_a.hr, name=f"Nøgle {index}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api_token_list")).status_code == 200
