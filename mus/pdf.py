"""The development plan as a PDF, drawn by WeasyPrint from an HTML template.

WeasyPrint never fetches anything from the network: the stylesheet is inside the
template, and the URL fetcher allows only inline `data:` URLs (no http, https, ftp or
file), so user text that smuggles in a URL can never make the server fetch it.

Every PDF is tagged for screen readers: PDF/UA-1, with the language of `<html lang>`,
the `<title>` as the document title, row and column headers on the tables and every font
embedded. A version both parties have signed can also be had as PDF/A-2a, the archival
variant (also tagged); WeasyPrint makes one variant per file, so the two are two files.

WeasyPrint takes about a second to import, so it is imported where a PDF is drawn,
not by every process that loads the app (the web server only asks for PDFs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mus.content import content_hash
from mus.models import PlanPdf, PlanVersion
from mus.selectors import plan_document

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher


def offline_url_fetcher() -> URLFetcher:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


# The PDF variants WeasyPrint writes: the accessible one every download gets, and the
# archival one (PDF/A-2, conformance level "a": tagged as well) for signed plans.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-2a"


def html_to_pdf(html: str, *, variant: str = ACCESSIBLE) -> bytes:
    """The PDF of a complete HTML document, offline, in `variant`."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf(pdf_variant=variant)


def plan_pdf_bytes(
    version: PlanVersion, *, language: str, context: dict, archival: bool = False
) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "mus/plan_pdf.html", {**context, "version": version, "generated_at": timezone.now()}
        )
    return html_to_pdf(html, variant=ARCHIVAL if archival else ACCESSIBLE)


def pdf_render(*, pdf_id: int) -> PlanPdf:
    """Renders and stores the PDF. Idempotent: a PDF already made is not made again, and
    a re-delivered task (after a worker died) overwrites its own unfinished file under
    the same name, so exactly one file results. A failure is stored on the PDF by the
    task (`kompetence.tasks.WorkTask`), with its reason."""
    pdf = PlanPdf.objects.select_related("version__plan").get(pk=pdf_id)
    if (
        pdf.status == PlanPdf.Status.READY
        and pdf.file
        and default_storage.exists(cast(str, pdf.file.name))
    ):
        return pdf
    version = pdf.version
    suffix = "-arkiv" if pdf.archival else ""
    name = (
        f"plans/{version.kommune_id}/"
        f"plan-{version.plan_id}-v{version.number}-{pdf.language}{suffix}.pdf"
    )
    data = plan_pdf_bytes(
        version, language=pdf.language, context=plan_document(version), archival=pdf.archival
    )
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    PlanPdf.objects.filter(pk=pdf.pk).update(
        status=PlanPdf.Status.READY,
        file=stored,
        content_hash=content_hash(version),
        finished_at=timezone.now(),
        error="",
    )
    pdf.refresh_from_db()
    return pdf
