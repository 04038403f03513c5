"""The read-only API for BI tools, version 1: `https://<kommune>.<domain>/api/v1/...`.

Security contract: a call is answered only for a usable API token of the kommune whose
host it is sent to (`Authorization: Bearer <token>`); a missing, unknown, revoked or
expired token and a token of another kommune get the same 401. Everything runs inside
the kommune's scope, opened by `KommuneMiddleware` as for every page. The API reads the
organisation, the catalogue and figures about groups of people that pass the MED
dashboards' k-anonymity rule (`annualcycle.dashboards.anonymity`); no answer holds a
person's name, answers or any other row about one person. Every call, refused ones
included, is written to the audit log; each token may make `API_RATE_LIMIT` calls.

Conventions (the Danish Agency for Digital Government's REST guidelines, where they
apply): plural nouns in kebab-case paths, the major version in the path, camelCase
properties, ISO 8601 dates, paging by `page` and `pageSize` in an envelope with the
totals and links, and errors as `application/problem+json` (RFC 9457) in Danish, or
in English for `Accept-Language: en`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from kompetence.api import services
from kompetence.api.models import ApiToken
from kompetence.audit import audit_write
from kompetence.models import AuditEntry

PROBLEM = "application/problem+json"

logger = logging.getLogger(__name__)


def api_language(request: HttpRequest) -> str:
    """Danish unless the caller's Accept-Language prefers English (the API has no
    session and no language cookie)."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in ("da", "en"):
            return base
    return settings.LANGUAGE_CODE


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        kommune = getattr(request, "kommune", None)
        if kommune is None or not token:
            return None
        return services.api_token_authenticate(kommune_id=kommune.pk, secret=token)


class TokenThrottle(SimpleRateThrottle):
    """`settings.API_RATE_LIMIT` calls per token, counted in the Django cache (Redis in
    production, shared by every worker). The rate is read on each call, so a change of
    the setting needs no restart of this class."""

    scope = "api-token"

    def __init__(self) -> None:  # the rate is read per call, not once
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        # By the token's hash, not its id: ids come back after a database is rebuilt.
        return None if token is None else f"api-throttle:{token.token_hash}"


PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "RFC 9457 problem details, in Danish (English for Accept-Language: en).",
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"parameter": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
_PROBLEM_CONTENT = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
ERROR_RESPONSES = {
    "400": {"description": "Ugyldig parameter", "content": _PROBLEM_CONTENT},
    "401": {
        "description": "Manglende, ukendt, tilbagekaldt eller udløbet nøgle",
        "content": _PROBLEM_CONTENT,
    },
    "404": {"description": "Findes ikke", "content": _PROBLEM_CONTENT},
    "405": {"description": "Kun GET er tilladt", "content": _PROBLEM_CONTENT},
    "429": {
        "description": "For mange kald",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _PROBLEM_CONTENT,
    },
}


class KompetenceAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's description, with the problem+json errors every operation may give."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for item in schema["paths"].values():
            for operation in item.values():
                operation["responses"].update(ERROR_RESPONSES)
        return schema


api = KompetenceAPI(
    title="Kompetence BI-API",
    version="1",
    description=(
        "Read-only API for a kommune's BI tools: the organisation, the course catalogue, "
        "the competence frameworks and k-anonymous figures per unit. Never any person's "
        "name, answers or per-person rows. Authenticate with `Authorization: Bearer "
        "<token>` (a token HR issues under Indstillinger → API-nøgler)."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    # Swagger UI loads its scripts from a CDN, which the Content Security Policy forbids.
    docs_url=None,
    auth=BearerToken(),
    throttle=TokenThrottle(),
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> JsonResponse:
    """An RFC 9457 problem details answer."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JsonResponse(
        body, status=status, content_type=PROBLEM, json_dumps_params={"ensure_ascii": False}
    )


def _unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
    response = problem(
        request,
        401,
        _("Ikke godkendt"),
        _("Send en gyldig API-nøgle fra denne kommune i Authorization: Bearer <nøgle>."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="kompetence"'
    return response


def _throttled(request: HttpRequest, exc: Any) -> HttpResponse:
    wait = math.ceil(exc.wait) if exc.wait else None
    detail = (
        _("Nøglen har brugt sine kald for nu. Prøv igen om %(seconds)s sekunder.")
        % {"seconds": wait}
        if wait is not None
        else _("Nøglen har brugt sine kald for nu.")
    )
    response = problem(request, 429, _("For mange kald"), detail)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    errors = [
        {
            "parameter": ".".join(str(part) for part in error.get("loc", ())[1:]),
            "reason": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return problem(
        request, 400, _("Ugyldig forespørgsel"), _("En parameter er ugyldig."), errors=errors
    )


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(request, 404, _("Findes ikke"), _("Der er ingen ressource på denne adresse."))


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


api.add_exception_handler(AuthenticationError, _unauthorized)
api.add_exception_handler(Throttled, _throttled)
api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(HttpError, _http_error)


def _method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = problem(
        request,
        405,
        _("Metoden er ikke tilladt"),
        _("API'et kan kun læse: brug GET."),
    )
    response["Allow"] = allowed
    return response


def audited(view: Callable) -> Callable:
    """Runs an API view in the caller's language, answers every method but GET with
    405 and writes every call made with a valid token, answered or not, to the audit
    log. A call without a valid token reads no data, so it goes to the server log
    only: anyone can reach the host, and the audit log must not fill with their noise."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kommune = getattr(request, "kommune", None)
        if kommune is None:  # the API lives on a kommune's host only
            raise Http404
        language = api_language(request)
        with translation.override(language):
            if request.method != "GET":
                response = _method_not_allowed(request, "GET")
            else:
                response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        token = getattr(request, "auth", None)
        details = {
            "method": request.method,
            "path": request.path,
            "query": {key: request.GET.getlist(key) for key in request.GET},
            "status": response.status_code,
        }
        if token is None:
            logger.warning(
                "API call without a valid token: kommune=%s %s %s -> %s",
                kommune.slug,
                request.method,
                request.path,
                response.status_code,
            )
            return response
        details.update(tokenId=token.pk, tokenPrefix=token.prefix)
        summary = f"API: {token.name} ({token.prefix}…) {request.method} {request.path}"
        audit_write(
            kommune_id=kommune.pk,
            actor=None,
            action=AuditEntry.Action.API,
            subject=None,
            summary=summary,
            details=details,
        )
        return response

    return wrapper


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _not_found(request, Http404())


def api_urls() -> list:
    """The API's URL patterns, each audited, and a problem+json 404 for the rest."""
    from kompetence.api import endpoints  # noqa: F401  (registers the operations)

    patterns: list[URLPattern] = []
    for pattern in api.urls[0]:
        if isinstance(pattern, URLPattern) and pattern.name != "api-root":
            pattern.callback = audited(pattern.callback)
            patterns.append(pattern)
    patterns.append(path("<path:rest>", audited(not_found), name="api-not-found"))
    patterns.append(path("", audited(not_found), name="api-root"))
    return patterns
