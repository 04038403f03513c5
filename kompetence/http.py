"""Request typing and the access decorators every kommune view uses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django_htmx.middleware import HtmxDetails

from kompetence import permissions
from kompetence.models import Kommune, Person


class KommuneRequest(HttpRequest):
    """A request on a kommune host by a signed-in person of that kommune."""

    htmx: HtmxDetails
    kommune: Kommune
    person: Person


def person_required(view: Callable) -> Callable:
    """Signed in, on a kommune host, as a person of that kommune (else login or 404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "kommune", None) is None or request.person is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def hr_required(view: Callable) -> Callable:
    """As `person_required`, and the person acts as HR for at least one unit.

    Security contract: everyone else gets 404, so the page's existence is not revealed."""

    @person_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_hr(request.person):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: Callable) -> Callable:
    """As `person_required`, and the person leads or administers at least one unit."""

    @person_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (permissions.is_hr(request.person) or permissions.is_leader(request.person)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def kommune_hr_required(view: Callable) -> Callable:
    """As `person_required`, and the person has the HR role for the whole kommune (not
    only an HR grant for one unit): for what the whole kommune shares, such as
    frameworks, scales and job profiles.

    Security contract: everyone else gets 404."""

    @person_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if permissions.administered_unit_paths(request.person) != [""]:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def server_error(request) -> HttpResponse:
    """The 500 handler. A database that does not answer (a restart, a failover) gets
    its own page and a 503 with Retry-After, so people and load balancers know to
    come back; both pages are static and need no database to render."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(
            loader.get_template("503.html").render(), status=503, content_type="text/html"
        )
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
