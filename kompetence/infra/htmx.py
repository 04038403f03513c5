"""Small helpers for the HTMX form pattern used across the apps."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


def field_validation_response(request, form) -> HttpResponse | None:
    """Answers an inline-validation POST (`_validate=<field>`) with that field alone,
    re-rendered with its errors. Nothing is saved. None for a normal submit."""
    if "_validate" not in request.POST:
        return None
    name = request.POST["_validate"]
    if form.prefix and name.startswith(f"{form.prefix}-"):
        name = name[len(form.prefix) + 1 :]
    if name not in form.fields:
        # Never fall through to a real submit: a validation request saves nothing.
        return HttpResponse(status=204)
    form.is_valid()
    return HttpResponse(form[name].as_field_group())


def redirect_after_post(request, url: str) -> HttpResponse:
    """A full-page redirect for both HTMX and plain form posts."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def render_form(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The whole page, or only its `form` partial when HTMX submitted the form."""
    name = f"{template}#form" if request.htmx else template
    return render(request, name, context, status=status)


class SignedOutMiddleware:
    """An HTMX request (an autosave) from someone whose session has ended is answered
    401, not with a redirect to the login page: htmx would follow the redirect and swap
    the whole login page into the answer's row. The page's script sees the 401, keeps
    the unsaved answer and asks the person to sign in again (static/js/app.js)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)
        ):
            signed_out = HttpResponse(status=401)
            signed_out["HX-Reswap"] = "none"
            return signed_out
        return response


class _AskedHtmxDetails(HtmxDetails):
    """`request.htmx` that remembers whether the view or a template asked
    `if request.htmx`."""

    asked = False

    def __bool__(self) -> bool:
        self.asked = True
        return super().__bool__()


class VaryOnHtmxMiddleware:
    """`Vary: HX-Request` on every response built after asking `if request.htmx`: such
    a URL answers a whole page to the browser and a fragment to htmx, and no cache (the
    browser's back button included) may hand out one for the other. Set here once, so
    no view has to remember it. Comes after `SignedOutMiddleware`, which asks every
    response on its way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = htmx = _AskedHtmxDetails(request)
        response = self.get_response(request)
        if htmx.asked:
            patch_vary_headers(response, ("HX-Request",))
        return response
