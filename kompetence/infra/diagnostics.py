"""Measuring the running site (`make bench`): with BENCH_DIAGNOSTICS on, every response
says how many SQL queries it took (`X-Query-Count`), and a trivial signed-in page
(`/_bench/ping/`) gives the floor of the stack — middleware, session, tenancy — that
every real page pays. Off by default; never needed in production."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from kompetence.infra.http import KommuneRequest, person_required


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
            # A streamed or lazily rendered body would query after this point.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["X-Query-Count"] = str(count[0])
        return response


@require_GET
@person_required
def ping(request: KommuneRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
