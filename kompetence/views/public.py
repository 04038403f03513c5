"""The bare domain: a front page that lists nothing private."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kompetence import selectors


@require_GET
def landing(request):
    # Listing the kommuner is allowed: their names are public, their data is not.
    kommuner = selectors.active_kommuner()
    port = request.get_port()
    suffix = f"{settings.KOMPETENCE_DOMAIN}" + (f":{port}" if port not in ("80", "443") else "")
    links = [(k, f"{request.scheme}://{k.slug}.{suffix}/") for k in kommuner]
    return render(request, "public/landing.html", {"links": links})


@require_GET
def accessibility(request):
    """The platform's own accessibility statement, linked from the bare domain's footer
    unless ACCESSIBILITY_STATEMENT_URL names one made in the WAS tool."""
    return render(request, "public/accessibility.html")
