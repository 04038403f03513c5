"""Small helpers for the HTMX form pattern used across the apps."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect


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
