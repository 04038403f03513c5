"""The API's OpenAPI description as the text committed in docs/openapi.json."""

from __future__ import annotations

import json

from django.urls import reverse


def openapi_schema() -> dict:
    from kompetence.api.api import api

    reverse("api-v1:api-root")  # loads the URLs, which register the operations
    return dict(api.get_openapi_schema())


def openapi_text() -> str:
    return json.dumps(openapi_schema(), indent=2, ensure_ascii=False) + "\n"
