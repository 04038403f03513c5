"""`manage.py export_openapi > docs/openapi.json`: the API's OpenAPI description, as
served at /api/v1/openapi.json. tests/api/test_openapi.py fails when the committed
file differs, so it never drifts from the code."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kompetence.api.openapi import openapi_text


class Command(BaseCommand):
    help = "Writes the BI API's OpenAPI description to standard output."

    def handle(self, *args, **options) -> None:
        self.stdout.write(openapi_text(), ending="")
