"""/healthz/: is the database there, can the application read its tenant tables, and
(in production) is the Celery broker there?"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_tenant_tables() -> str:
    """The role every kommune scope runs as can read a tenant table. A restore that lost
    the application role or its grants leaves "SELECT 1" working and every kommune page
    failing; this check sees it. Row-level security shows no rows outside a scope, which
    is fine: the question is whether the read is allowed at all."""
    if connection.vendor != "postgresql":
        return "n/a"
    with transaction.atomic(), connection.cursor() as cursor:
        if settings.DATABASE_APP_ROLE:
            cursor.execute(
                f"SET LOCAL ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}"
            )
        cursor.execute("SELECT 1 FROM kompetence_orgunit LIMIT 1")
        cursor.fetchall()
    return "ok"


def _check_broker() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("tenant_tables", _check_tenant_tables),
        ("broker", _check_broker),
    ):
        started = time.perf_counter()
        try:
            checks[name] = check()
        except Exception as error:
            checks[name] = f"error: {type(error).__name__}"
            healthy = False
        checks[f"{name}_ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
