"""The development plan as a PDF, drawn by WeasyPrint from an HTML template.

WeasyPrint never fetches anything from the network: the stylesheet is inside the
template, and the URL fetcher allows only inline `data:` URLs (no http, https, ftp or
file), so user text that smuggles in a URL can never make the server fetch it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from mus.models import PlanVersion


def offline_url_fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def plan_pdf_bytes(version: PlanVersion, *, language: str, context: dict) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "mus/plan_pdf.html", {**context, "version": version, "generated_at": timezone.now()}
        )
    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf()
