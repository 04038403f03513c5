"""Login security: failed logins lock the login and the address for a while (django-axes),
per kommune; the headers that keep the browser strict are on every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import host_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def attempt(kommune, username: str, password: str, address: str = "10.0.0.1"):
    client = Client(HTTP_HOST=host_of(kommune), REMOTE_ADDR=address)
    return client.post(reverse("login"), {"username": username, "password": password})


def test_ten_failed_logins_lock_the_login_even_with_the_right_password(org_a):
    username = org_a.employee.user.username
    for _ in range(9):
        assert attempt(org_a.kommune, username, "forkert-kode").status_code == 200
    response = attempt(org_a.kommune, username, "forkert-kode")
    assert response.status_code == 429
    # From another address too: the login itself is locked.
    locked = attempt(org_a.kommune, username, PASSWORD, address="10.0.0.99")
    assert locked.status_code == 429
    assert "For mange forsøg på at logge ind" in locked.text
    assert "prøve igen om 15 minutter" in locked.text
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_ten_failures_from_one_address_lock_the_address(org_a):
    for index in range(10):
        attempt(org_a.kommune, f"gaet-{index}", "forkert-kode", address="10.0.0.7")
    response = attempt(org_a.kommune, org_a.leader.user.username, PASSWORD, address="10.0.0.7")
    assert response.status_code == 429
    # Another address signs in as usual.
    other = attempt(org_a.kommune, org_a.leader.user.username, PASSWORD, address="10.0.0.8")
    assert other.status_code == 302


def test_a_lock_in_one_kommune_does_not_lock_the_same_username_in_another(org_a, org_b):
    username = org_a.employee.user.username
    org_b_user = org_b.employee.user
    org_b_user.username = username
    org_b_user.save()
    for _ in range(10):
        attempt(org_a.kommune, username, "forkert-kode", address="10.0.1.1")
    assert attempt(org_b.kommune, username, PASSWORD, address="10.0.2.2").status_code == 302


def test_a_success_resets_the_count(org_a):
    username = org_a.employee.user.username
    for _ in range(9):
        attempt(org_a.kommune, username, "forkert-kode", address="10.0.3.3")
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.3.3").status_code == 302
    for _ in range(9):
        attempt(org_a.kommune, username, "forkert-kode", address="10.0.3.3")
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.3.3").status_code == 302


def test_strict_headers_on_every_page(org_a):
    client = Client(HTTP_HOST=host_of(org_a.kommune))
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
