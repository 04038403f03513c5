"""Which kommune a request belongs to, and the scope its work runs in.

The kommune comes from the host's first label (`fredericia.localhost:8000`). The bare
domain serves only the public pages. A logged-in user of another kommune gets the same
404 as an unknown kommune: nothing tells them the kommune or the object exists.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import Http404, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django_scopes import scope

from kompetence.infra.kommune_cache import kommune_for_label
from kompetence.infra.rls import database_kommune
from kompetence.models import Kommune, Person, User


def kommune_label(host: str) -> str | None:
    """The kommune label of `host`, or None for the bare domain and foreign hosts."""
    hostname, _port = split_domain_port(host)
    base = settings.KOMPETENCE_DOMAIN.lower()
    suffix = f".{base}"
    if not hostname.endswith(suffix):
        return None
    return hostname[: -len(suffix)] or None


def kommune_url(kommune: Kommune, path: str = "/") -> str:
    """An absolute link into the kommune's own host, for e-mails."""
    return (
        f"{settings.SITE_SCHEME}://{kommune.slug}.{settings.KOMPETENCE_DOMAIN}"
        f"{settings.SITE_PORT}{path}"
    )


@contextmanager
def kommune_scope(kommune: Kommune):
    """Everything done for one kommune runs inside this: requests, tasks, commands."""
    with scope(kommune=kommune), database_kommune(kommune.pk):
        yield


def _signed_in_elsewhere(request, kommune: Kommune) -> bool:
    """Whether the request's session belongs to a login that is not this kommune's.

    Read inside the kommune's scope: on PostgreSQL the login table shows this kommune's
    logins only, so another kommune's login is not found and `request.user` is
    anonymous although the session names a login. Without row-level security (SQLite)
    the login is read and its kommune compared."""
    if request.user.is_authenticated:
        return request.user.kommune_id != kommune.pk
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return False
    # An inactive login of this kommune is found (Django just does not sign it in); a
    # deleted one is not, and gets the same 404 as another kommune's until it expires.
    return not User.objects.filter(pk=User._meta.pk.to_python(user_id)).exists()


def _person_of(request) -> Person | None:
    """The signed-in person. A leaver's session ends here, on the first request after
    they were deactivated (by HR or the import): Django already treats an inactive
    login as signed out, and the session is flushed so it cannot come back."""
    if not request.user.is_authenticated:
        if request.session.get(SESSION_KEY) is not None:
            logout(request)  # the session names a login that is no longer active
        return None
    # The login backend reads the person with the login (KommuneModelBackend.get_user).
    try:
        person = request.user.person
    except Person.DoesNotExist:
        person = None
    if person is not None and not person.is_active:
        logout(request)
        return None
    return person


def _load_kommune(label: str) -> Kommune | None:
    # Kommune is the tenant itself and not scoped; this is the tenant lookup.
    return Kommune.objects.filter(slug=label).defer("sso_client_secret").first()


def _closed(request, kommune: Kommune) -> HttpResponse:
    """A kommune the platform operator has closed (console): every address of its host
    says so, and nobody signs in or gets further, whatever their session. Its name is
    public anyway (the front page lists the open ones); nothing else of it is shown."""
    request.kommune = kommune
    request.person = None
    return render(request, "public/kommune_closed.html", status=403)


class KommuneMiddleware:
    """Binds each request to one kommune and runs the view and its template rendering
    inside `scope(kommune=...)`, as pretix does for organizers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        label = kommune_label(request.get_host())
        if label is None:
            request.kommune = None
            request.person = None
            request.urlconf = settings.PUBLIC_URLCONF
            return self.get_response(request)

        kommune = kommune_for_label(label, _load_kommune)
        if kommune is None:
            raise Http404
        if not kommune.is_active:
            return _closed(request, kommune)

        request.kommune = kommune
        with kommune_scope(kommune):
            # The session's login is read here, behind the wall (kompetence.infra.rls).
            if _signed_in_elsewhere(request, kommune):
                raise Http404
            request.person = _person_of(request)
            response = self.get_response(request)
            # A TemplateResponse renders lazily; render it while the scope is open.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response
