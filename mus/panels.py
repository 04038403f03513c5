"""Panels the MUS app adds to the home page and to a person's page."""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from mus.models import Conversation
from mus.selectors import conversations_for, follow_ups_for


def home_mus_panel(request) -> str:
    """The person's next MUS conversations, as employee or as leader."""
    person = request.person
    upcoming = list(
        conversations_for(person)
        .filter(Q(employee=person) | Q(leader=person))
        .filter(status=Conversation.Status.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at")[:5]
    )
    if not upcoming:
        return ""
    return render_to_string("mus/_home_panel.html", {"upcoming": upcoming}, request=request)


def home_follow_up_panel(request) -> str:
    """Development plans whose agreed follow-up is near or just passed, for the employee
    and the leader: a task until the date has been passed for a month."""
    today = timezone.localdate()
    follow_ups = follow_ups_for(request.person, today)
    if not follow_ups:
        return ""
    return render_to_string(
        "mus/_home_follow_up.html", {"follow_ups": follow_ups, "today": today}, request=request
    )


def person_mus_panel(request, person) -> str:
    """MUS conversations and plans of a person, for those allowed to see them."""
    conversations = list(
        conversations_for(request.person).filter(employee=person).select_related("plan")[:10]
    )
    if not conversations:
        return ""
    return render_to_string(
        "mus/_person_panel.html", {"conversations": conversations}, request=request
    )
