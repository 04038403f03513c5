"""Who may use the platform console, and its one lookup of an object by id.

Security contract: every console page is for platform operators only, the same people
the Django admin let in before it was replaced: an active login that belongs to no
kommune and has `is_staff` (`manage.py createsuperuser` makes one). Someone not signed
in is sent to the console's login page; any other signed-in login gets 404, as pages
that are not theirs do everywhere else. The console exists on the bare domain only: a
kommune host's URLs (kompetence.urls) do not include it, and a kommune's logins cannot
sign in on the bare domain (kompetence.auth).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

from kompetence.models import Kommune, User


class OperatorRequest(HttpRequest):
    """A request on the bare domain by a signed-in platform operator."""

    user: User


def is_operator(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.kommune_id is None
    )


def operator_required(view: Callable) -> Callable:
    """Signed in (else the console's login page) as a platform operator (else 404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "kommune", None) is not None or not is_operator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def get_kommune_or_404(operator: User, kommune_id: int) -> Kommune:
    """The kommune, open or closed: an operator (`operator_required` has checked
    `operator`) may manage every kommune. A missing one raises Http404."""
    assert is_operator(operator)
    kommune = Kommune.objects.filter(pk=kommune_id).first()
    if kommune is None:
        raise Http404
    return kommune
