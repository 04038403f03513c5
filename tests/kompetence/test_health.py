from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_json_on_the_bare_domain(client):
    response = client.get("/healthz/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_answers_on_a_kommune_host_without_login(org_a, client):
    response = client.get("/healthz/", HTTP_HOST="alfa.localhost")
    assert response.status_code == 200


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.OperationalError("database is down")  # type: ignore[attr-defined]

    monkeypatch.setattr("kompetence.infra.health._check_database", broken)
    response = client.get("/healthz/", HTTP_HOST="localhost")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz/", HTTP_HOST="localhost")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
