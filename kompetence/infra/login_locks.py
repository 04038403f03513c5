"""Failed logins lock a login only from the address they came from.

django-axes counts failures. A lock is on one pair, (login, address): ten wrong
passwords typed for someone else's login from address X lock X out of that login and
leave the real user, signing in from Y, untouched. A login is the kommune and the
username (`kompetence.auth.login_key`), so the same username in another kommune is a
different login.

Each address also has its own, much higher limit over every login it tries
(`LOGIN_ADDRESS_FAILURE_LIMIT` within `LOGIN_ADDRESS_LOCK_MINUTES`): one machine
guessing passwords for many logins is stopped there, while a kommune's town hall,
where hundreds of people share one address, does not lock on ordinary typing errors.
An address lock always ends by itself; it belongs to no kommune, so no kommune's HR
lifts it.

A pair lock ends after `LOGIN_LOCKOUT_COOLOFF_MINUTES`, or, when that is None, only
when the kommune's HR reopens it (many Danish data-processing agreements ask for a
lock after 3-5 failures that only an administrator lifts). A successful login resets
its own pair and nothing else, so an attacker cannot reset an address's count by
signing in to their own account.

The settings are read on every request, so a test or a deployment changes them in one
place (`kompetence/settings/base.py` sets them from the environment).
"""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone


def pair_failure_limit(request=None, credentials=None) -> int:
    """Failures of one login from one address before that pair is locked (axes'
    AXES_FAILURE_LIMIT)."""
    return settings.LOGIN_FAILURE_LIMIT


def pair_cool_off() -> datetime.timedelta | None:
    """How long a pair lock lasts; None: until HR reopens it."""
    minutes = settings.LOGIN_LOCKOUT_COOLOFF_MINUTES
    return None if minutes is None else datetime.timedelta(minutes=minutes)


def pair_attempts(*, now: datetime.datetime) -> QuerySet[AccessAttempt]:
    """The failure rows that still count towards a pair lock at `now`."""
    cool_off = pair_cool_off()
    attempts = AccessAttempt.objects.all()
    return attempts if cool_off is None else attempts.filter(attempt_time__gte=now - cool_off)


def address_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_ADDRESS_LOCK_MINUTES)


def address_failures(ip_address: str | None, *, now: datetime.datetime) -> int:
    """Failures from one address over every login within the address window."""
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=now - address_window()
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_locked(ip_address: str | None, *, now: datetime.datetime) -> bool:
    return address_failures(ip_address, now=now) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginLockHandler(AxesDatabaseHandler):
    """axes' database handler with the pair cool-off (or none) from our settings and
    the separate per-address limit on top.

    axes counts the pair itself (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]);
    this class adds the address count to `is_locked` and to the decision after a
    failure, and keeps rows as long as either count needs them."""

    def get_user_attempts(self, request, credentials=None):
        counting = pair_attempts(now=request.axes_attempt_time)
        return [counting & attempts for attempts in self.filter_user_attempts(request, credentials)]

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        cool_off = pair_cool_off()
        if cool_off is None:
            # Counts are kept until a success or HR resets the pair; the address count
            # looks at its own window and ignores older rows.
            return 0
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        threshold = now - max(cool_off, address_window())
        count, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
        return count

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_locked(
            request.axes_ip_address, now=request.axes_attempt_time
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if address_locked(request.axes_ip_address, now=request.axes_attempt_time):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=None,
                ip_address=request.axes_ip_address,
            )


def lockout_minutes(request, credentials) -> int | None:
    """Minutes the lock that stops this request lasts; None: until HR reopens it."""
    if AxesProxyHandler.get_failures(request, credentials) >= pair_failure_limit():
        cool_off = pair_cool_off()
        return None if cool_off is None else int(cool_off.total_seconds() // 60)
    return settings.LOGIN_ADDRESS_LOCK_MINUTES
