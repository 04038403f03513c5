"""Request typing and the access decorators every kommune view uses."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

import psycopg
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django_htmx.middleware import HtmxDetails
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

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
        if not permissions.is_hr_for_some_unit(request.person):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: Callable) -> Callable:
    """As `person_required`, and the person leads or administers at least one unit."""

    @person_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (
            permissions.is_hr_for_some_unit(request.person) or permissions.is_leader(request.person)
        ):
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
        if not permissions.is_kommune_hr(request.person):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# What a service outage raises: Django's database errors, the driver's own (raised where
# code talks to psycopg directly, as the row-level-security binding does), and Redis or
# the Celery broker being away.
OUTAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
)


def is_outage(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is a service outage."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def server_error(request) -> HttpResponse:
    """The 500 handler. A database, cache or broker that does not answer (a restart, a
    failover) gets its own page and a 503 with Retry-After, so people and load balancers
    know to come back; both pages are static and need no database to render."""
    if is_outage(sys.exc_info()[1]):
        response = HttpResponse(
            loader.get_template("503.html").render(), status=503, content_type="text/html"
        )
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
