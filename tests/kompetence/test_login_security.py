"""Login security: failed logins lock a login from one address, and an address over many
logins, for a while or until HR reopens them (kompetence/infra/login_locks.py on django-axes),
per kommune; the headers that keep the browser strict are on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from kompetence.models import AuditEntry
from tests.conftest import client_for, host_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def attempt(kommune, username: str, password: str, address: str = "10.0.0.1"):
    client = Client(HTTP_HOST=host_of(kommune), REMOTE_ADDR=address)
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_passwords_from_one_address_do_not_lock_the_real_user_out(org_a):
    """Anybody can type ten wrong passwords for a colleague's login; that must not lock
    the colleague, who signs in from their own address."""
    username = org_a.employee.user.username
    for _ in range(10):
        attempt(org_a.kommune, username, "forkert-kode", address="10.0.0.66")
    response = attempt(org_a.kommune, username, PASSWORD, address="10.0.0.99")
    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(org_a.employee.user.pk)


def test_ten_failures_lock_the_login_from_that_address_even_with_the_right_password(org_a):
    username = org_a.employee.user.username
    for _ in range(9):
        assert attempt(org_a.kommune, username, "forkert-kode").status_code == 200
    response = attempt(org_a.kommune, username, "forkert-kode")
    assert response.status_code == 429
    locked = attempt(org_a.kommune, username, PASSWORD)
    assert locked.status_code == 429
    assert "For mange forsøg på at logge ind" in locked.text
    assert "prøve igen om 15 minutter" in locked.text
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_failures_over_many_logins_lock_the_address(org_a, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for index in range(29):
        attempt(org_a.kommune, f"gaet-{index}", "forkert-kode", address="10.0.0.7")
    # One's own success does not reset the address's count.
    assert (
        attempt(org_a.kommune, org_a.hr.user.username, PASSWORD, address="10.0.0.7").status_code
        == 302
    )
    assert (
        attempt(org_a.kommune, "gaet-sidste", "forkert-kode", address="10.0.0.7").status_code == 429
    )
    response = attempt(org_a.kommune, org_a.leader.user.username, PASSWORD, address="10.0.0.7")
    assert response.status_code == 429
    assert "prøve igen om 15 minutter" in response.text
    # No login was locked on its own: another address signs in as usual.
    other = attempt(org_a.kommune, org_a.leader.user.username, PASSWORD, address="10.0.0.8")
    assert other.status_code == 302


def test_the_address_limit_is_much_higher_than_the_login_limit(org_a):
    # Ten people behind one town-hall address each mistyping a few times lock nobody.
    for person in (org_a.employee, org_a.leader, org_a.hr):
        for _ in range(9):
            attempt(org_a.kommune, person.user.username, "forkert-kode", address="10.0.0.9")
    assert (
        attempt(org_a.kommune, org_a.leader.user.username, PASSWORD, address="10.0.0.9").status_code
        == 302
    )


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


def lock(kommune, username: str, address: str, times: int = 10) -> None:
    for _ in range(times):
        attempt(kommune, username, "forkert-kode", address=address)


def test_hr_sees_and_lifts_a_lock_and_the_user_signs_in_again(org_a, as_person):
    username = org_a.employee.user.username
    lock(org_a.kommune, username, "10.0.4.4")
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.4.4").status_code == 429
    hr = as_person(org_a.hr)

    page = hr.get(reverse("login_locks"))
    assert page.status_code == 200
    assert org_a.employee.name in page.text
    assert "10.0.4.4" in page.text

    response = hr.post(
        reverse("login_lock_lift"), {"login": username.lower(), "address": "10.0.4.4"}
    )
    assert response.status_code == 302
    assert "Ingen logins er låst lige nu." in hr.get(reverse("login_locks")).text
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.4.4").status_code == 302
    with org_a.scope():
        entry = AuditEntry.objects.get(actor=org_a.hr, subject=org_a.employee)
    assert entry.action == AuditEntry.Action.CHANGE
    assert "10.0.4.4" in entry.summary


def test_lifting_one_lock_leaves_the_login_locked_from_other_addresses(org_a, as_person):
    username = org_a.employee.user.username
    lock(org_a.kommune, username, "10.0.5.1")
    lock(org_a.kommune, username, "10.0.5.2")
    as_person(org_a.hr).post(
        reverse("login_lock_lift"), {"login": username.lower(), "address": "10.0.5.1"}
    )
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.5.2").status_code == 429
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.5.1").status_code == 302


def travel(days: int) -> None:
    """Moves every recorded failure `days` into the past: the clock moved forward."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(days=days))


def test_a_lock_ends_by_itself_after_the_cool_off(org_a):
    username = org_a.employee.user.username
    lock(org_a.kommune, username, "10.0.6.6")
    travel(days=1)
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.6.6").status_code == 302


def test_with_manual_reopen_only_hr_lifts_the_lock(org_a, as_person, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_COOLOFF_MINUTES = None
    username = org_a.employee.user.username
    lock(org_a.kommune, username, "10.0.7.7", times=3)
    travel(days=30)
    locked = attempt(org_a.kommune, username, PASSWORD, address="10.0.7.7")
    assert locked.status_code == 429
    assert "kun igen af kommunens HR" in locked.text
    assert "minutter" not in locked.text

    hr = as_person(org_a.hr)
    assert "Når HR åbner" in hr.get(reverse("login_locks")).text
    hr.post(reverse("login_lock_lift"), {"login": username.lower(), "address": "10.0.7.7"})
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.7.7").status_code == 302


def test_another_kommunes_hr_neither_sees_nor_lifts_a_lock(org_a, org_b, as_person):
    username = org_a.employee.user.username
    lock(org_a.kommune, username, "10.0.8.8")
    other_hr = as_person(org_b.hr)
    page = other_hr.get(reverse("login_locks"))
    assert page.status_code == 200
    assert "10.0.8.8" not in page.text
    lift = {"login": username.lower(), "address": "10.0.8.8"}
    assert other_hr.post(reverse("login_lock_lift"), lift).status_code == 404
    # On A's host B's HR is a stranger.
    on_a = client_for(org_b.hr, org_a.kommune)
    assert on_a.get(reverse("login_locks")).status_code == 404
    assert on_a.post(reverse("login_lock_lift"), lift).status_code == 404
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.8.8").status_code == 429


def test_hr_lifts_the_same_username_only_in_their_own_kommune(org_a, org_b, as_person):
    username = org_a.employee.user.username
    org_b_user = org_b.employee.user
    org_b_user.username = username
    org_b_user.save()
    lock(org_a.kommune, username, "10.0.8.9")
    lock(org_b.kommune, username, "10.0.8.9")
    lift = {"login": username.lower(), "address": "10.0.8.9"}
    assert as_person(org_b.hr).post(reverse("login_lock_lift"), lift).status_code == 302
    assert attempt(org_b.kommune, username, PASSWORD, address="10.0.8.9").status_code == 302
    assert attempt(org_a.kommune, username, PASSWORD, address="10.0.8.9").status_code == 429


def test_only_the_kommunes_hr_reaches_the_locks(org_a, as_person):
    lock(org_a.kommune, org_a.employee.user.username, "10.0.9.9")
    lift = {"login": org_a.employee.user.username.lower(), "address": "10.0.9.9"}
    for person in (org_a.employee, org_a.leader):
        client = as_person(person)
        assert client.get(reverse("login_locks")).status_code == 404
        assert client.post(reverse("login_lock_lift"), lift).status_code == 404


def test_lifting_a_lock_that_is_not_there_is_404(org_a, as_person):
    hr = as_person(org_a.hr)
    for data in (
        {"login": org_a.employee.user.username.lower(), "address": "10.0.10.10"},
        {"login": org_a.employee.user.username.lower(), "address": "ikke-en-adresse"},
        {},
    ):
        assert hr.post(reverse("login_lock_lift"), data).status_code == 404


def test_the_locks_page_issues_a_constant_number_of_queries(
    org_a, as_person, django_assert_max_num_queries
):
    for index in range(3):
        lock(org_a.kommune, org_a.employee.user.username, f"10.0.11.{index}")
    hr = as_person(org_a.hr)
    with django_assert_max_num_queries(15):
        response = hr.get(reverse("login_locks"))
    assert response.text.count("10.0.11.") == 6  # each address in its row and its form
