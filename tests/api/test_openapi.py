"""The OpenAPI description: served by the API, committed as docs/openapi.json (never
drifting from the code) and valid by a real validator."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

from kompetence.api.openapi import openapi_text
from tests.conftest import host_of

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_file_is_what_the_code_describes():
    out = StringIO()
    call_command("export_openapi", stdout=out)
    assert out.getvalue() == openapi_text()
    assert COMMITTED.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/openapi.json is stale: run `manage.py export_openapi > docs/openapi.json`"
    )


def test_the_description_is_valid_openapi():
    validate(json.loads(COMMITTED.read_text(encoding="utf-8")))


def test_paths_are_plural_kebab_case_and_read_only():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, operations in schema["paths"].items():
        assert path.startswith("/api/v1/")
        assert path == path.lower() and "_" not in path
        assert set(operations) == {"get"}
        responses = operations["get"]["responses"]
        assert {"200", "401", "429"} <= set(responses)
        assert "application/problem+json" in responses["401"]["content"]


@pytest.mark.django_db
def test_the_api_serves_it(org_a):
    response = Client(HTTP_HOST=host_of(org_a.kommune)).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["paths"] == json.loads(openapi_text())["paths"]
