"""The home page's offer to give one's leader feedback."""

from __future__ import annotations

from django.template.loader import render_to_string

from mus.upward import selectors


def home_upward_panel(request) -> str:
    """The leaders the person may still answer about this year, if any."""
    pending = selectors.pending_feedback(request.person, selectors.current_period())
    if not pending:
        return ""
    return render_to_string("mus/upward/_home_panel.html", {"pending": pending}, request=request)
