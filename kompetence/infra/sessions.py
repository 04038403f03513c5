"""Sessions that end after SESSION_IDLE_MINUTES without a request, written at most once
a minute.

Django's SESSION_SAVE_EVERY_REQUEST keeps an idle time-out by writing the session (a
database UPDATE, and Redis in front) on every request, an autosave included. Here the
session is written when it changed, or when its last write is SESSION_REFRESH_SECONDS
old: it still ends SESSION_COOKIE_AGE after the last request, give or take that minute.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

REFRESHED = "_refreshed"  # when the session was last written (Unix seconds)


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            refreshed = session.get(REFRESHED, 0)
            # Reading it loads the session: one that expired or was deleted has no key now.
            if (
                session.session_key is not None
                and not session.is_empty()
                and time.time() - refreshed >= settings.SESSION_REFRESH_SECONDS
            ):
                session[REFRESHED] = int(time.time())
        return super().process_response(request, response)
