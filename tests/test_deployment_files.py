"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so
their shape is checked: the services the README promises, wired to each other."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_web_worker_beat_postgres_and_redis():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["web"]["command"][1] == "kompetence.wsgi:application"
    assert services["worker"]["command"][:4] == ["celery", "-A", "kompetence", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "kompetence", "beat"]


def test_app_services_share_one_configuration_from_the_environment():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "kompetence.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "/app/media" in services[name]["volumes"][0]


def test_web_waits_for_migrations_and_databases_are_healthchecked():
    services = _compose()["services"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])


def test_only_the_migrate_step_logs_in_as_the_owner():
    """web, worker and beat use the application's login, which `app_login_role` (run by
    the owner after the migrations) keeps unable to leave row-level security."""
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://kompetence_app:")
        assert environment["DATABASE_APP_ROLE"] == "kompetence_app"
        assert "DATABASE_LOGIN_BEHIND_RLS" not in environment  # production's default: on
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://kompetence:")
    assert migrate["environment"]["DATABASE_LOGIN_BEHIND_RLS"] == "false"
    assert migrate["command"][-1].endswith(
        "manage.py migrate --noinput && python manage.py app_login_role"
    )
    assert services["postgres"]["environment"]["POSTGRES_USER"] == "kompetence"


def test_dockerfile_copies_what_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+) \./", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), source
    assert "kompetence.settings.production" in dockerfile


def test_worker_and_beat_have_health_checks():
    services = _compose()["services"]
    worker = " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in worker
    beat = " ".join(services["beat"]["healthcheck"]["test"])
    schedule = "--schedule=/tmp/celerybeat-schedule"
    assert schedule in services["beat"]["command"]
    assert schedule.removeprefix("--schedule=") in beat


def test_the_image_leaves_out_local_environments_data_and_history():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".venv", "media", ".git", "*.sqlite3", "db.sqlite3*", ".env", "node_modules"):
        assert path in ignored, path


def test_the_stack_can_be_tried_on_plain_http_by_settings_alone():
    environment = _compose()["services"]["web"]["environment"]
    assert environment["SECURE_COOKIES"] == "${SECURE_COOKIES:-true}"
    assert environment["SITE_SCHEME"] == "${SITE_SCHEME:-https}"
    assert environment["CSRF_TRUSTED_ORIGINS"].startswith("${SITE_SCHEME:-https}://")
