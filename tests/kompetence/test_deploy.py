"""`manage.py check --deploy` is clean with the production settings."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_prints_no_warnings():
    # A production environment: nothing the test run itself set (the browser tests
    # allow sync ORM calls next to Playwright's event loop, which production must not).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "kompetence.settings.production",
        "SECRET_KEY": "k2Jx9-pQ7vR4tY1uW8zA3bC6dE0fG5hI2jK7lM9nO4pQ1rS8tU3vW6xY0zB5cD7e",
        "DATABASE_URL": "postgres://kompetence:secret@db.internal:5432/kompetence",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "ALLOWED_HOSTS": ".kompetence.dk",
        "KOMPETENCE_DOMAIN": "kompetence.dk",
        "CSRF_TRUSTED_ORIGINS": "https://*.kompetence.dk",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def _production_setting(name: str, **extra: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "kompetence.settings.production",
        "SECRET_KEY": "k2Jx9-pQ7vR4tY1uW8zA3bC6dE0fG5hI2jK7lM9nO4pQ1rS8tU3vW6xY0zB5cD7e",
        "DATABASE_URL": "postgres://kompetence:secret@db.internal:5432/kompetence",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_cookies_are_secure_unless_a_plain_http_trial_says_otherwise():
    assert _production_setting("SESSION_COOKIE_SECURE") == "True"
    assert _production_setting("CSRF_COOKIE_SECURE") == "True"
    plain = {"SECURE_COOKIES": "false", "SECURE_SSL_REDIRECT": "false"}
    assert _production_setting("SESSION_COOKIE_SECURE", **plain) == "False"
    assert _production_setting("CSRF_COOKIE_SECURE", **plain) == "False"
