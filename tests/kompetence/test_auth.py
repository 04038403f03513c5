"""Signing in, out and resetting a password, always within one kommune."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kompetence.models import User
from kompetence.settings import base
from tests.conftest import client_for
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def test_login_on_own_host_works(org_a):
    client = client_for(None, org_a.kommune)
    response = client.post(
        reverse("login"), {"username": org_a.employee.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_a_password_stored_with_pbkdf2_signs_in_and_is_stored_again_with_argon2(org_a):
    """The real hashers (the test settings use a fast one): an older hash still signs
    in, and that sign-in upgrades it to Argon2."""
    user = org_a.employee.user
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client_for(None, org_a.kommune).post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
    assert make_password("ny-kode-123").startswith("argon2$")


def test_right_password_on_another_kommunes_host_is_refused(org_a, org_b):
    client = client_for(None, org_a.kommune)
    response = client.post(
        reverse("login"), {"username": org_b.employee.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Indtast venligst korrekt" in response.text
    assert "_auth_user_id" not in client.session


def test_same_username_in_two_kommuner_are_two_people(org_a, org_b):
    PersonFactory(kommune=org_a.kommune, username="anna", password="alfa-password-1")
    PersonFactory(kommune=org_b.kommune, username="anna", password="beta-password-1")
    client = client_for(None, org_a.kommune)
    assert (
        client.post(
            reverse("login"), {"username": "anna", "password": "beta-password-1"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            reverse("login"), {"username": "anna", "password": "alfa-password-1"}
        ).status_code
        == 302
    )


def test_a_leaver_cannot_log_in(org_a):
    from kompetence import services

    with org_a.scope():
        services.person_deactivate(person=org_a.colleague)
    client = client_for(None, org_a.kommune)
    response = client.post(
        reverse("login"), {"username": org_a.colleague.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_platform_operator_cannot_enter_a_kommune(org_a):
    operator = User.objects.create_superuser(
        username="op", email="op@x.dk", password="op-password-1"
    )
    client = client_for(None, org_a.kommune)
    client.force_login(operator)
    assert client.get(reverse("home")).status_code == 404


def test_logout_needs_post_and_ends_the_session(org_a):
    client = client_for(org_a.employee)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_mails_only_users_of_this_kommune_with_a_link_to_its_host(
    org_a, org_b, django_capture_on_commit_callbacks
):
    client = client_for(None, org_a.kommune)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": org_b.employee.email})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": org_a.employee.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org_a.employee.email]
    assert "Alfa Kommune" in message.subject
    link = re.search(r"http://alfa\.localhost(/nulstil/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Vælg ny adgangskode" in response.text
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "en-helt-ny-adgangskode", "new_password2": "en-helt-ny-adgangskode"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=org_a.employee.user_id).check_password("en-helt-ny-adgangskode")


def test_a_reset_link_of_one_kommune_is_invalid_on_another(
    org_a, org_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(None, org_a.kommune).post(
            reverse("password_reset"), {"email": org_a.employee.email}
        )
    path = re.search(r"http://alfa\.localhost(/nulstil/\S+/)", mail.outbox[0].body).group(1)
    response = client_for(None, org_b.kommune).get(path, follow=True)
    assert "Linket er ugyldigt" in response.text


def test_sessions_expire(settings_module=settings):
    assert settings_module.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings_module.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings_module.SESSION_REFRESH_SECONDS <= 60


def test_a_session_is_kept_alive_by_requests_but_written_at_most_once_a_minute(org_a, monkeypatch):
    """The idle time-out counts from the last request, to the minute, without a write of
    the session on every request (kompetence.infra.sessions)."""
    from django.contrib.sessions.models import Session

    from kompetence.infra import sessions

    now = [time.time()]
    monkeypatch.setattr(sessions.time, "time", lambda: now[0])
    client = client_for(org_a.employee)
    client.get(reverse("home"))
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries)
    assert Session.objects.get(pk=key).expire_date == first
    now[0] += settings.SESSION_REFRESH_SECONDS
    client.get(reverse("home"))
    assert Session.objects.get(pk=key).expire_date > first


def test_an_anonymous_visit_makes_no_session(org_a):
    from django.contrib.sessions.models import Session

    client_for(None, org_a.kommune).get(reverse("login"))
    assert not Session.objects.exists()


def test_language_switch_is_remembered_on_the_user(org_a):
    client = client_for(org_a.employee)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("home"))
    assert '<html lang="en">' in page.text
    assert "Welcome, Eva Medarbejder" in page.text
    assert User.objects.get(pk=org_a.employee.user_id).language == "en"


def test_danish_is_the_default_whatever_the_browser_says(org_a):
    client = client_for(org_a.employee)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="da">' in page.text


def test_set_language_refuses_foreign_redirects(org_a):
    response = client_for(org_a.employee).post(
        reverse("set_language"), {"language": "da", "next": "https://evil.example/"}
    )
    assert response.url == "/"
