"""What the catalogue adds to other apps' pages."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from catalogue.models import Enrolment
from catalogue.selectors import approvals_for, enrolments_of
from kompetence import permissions


def home_courses_panel(request) -> str:
    """The person's coming courses and, for leaders, requests waiting for them."""
    person = request.person
    upcoming = list(
        enrolments_of(person)
        .filter(
            status__in=[
                Enrolment.Status.CONFIRMED,
                Enrolment.Status.WAITLISTED,
                Enrolment.Status.REQUESTED,
            ]
        )
        .exclude(session__starts_at__lt=timezone.now())[:5]
    )
    waiting = approvals_for(person).count() if permissions.is_leader(person) else 0
    if not upcoming and not waiting:
        return ""
    return render_to_string(
        "catalogue/_home_panel.html", {"upcoming": upcoming, "waiting": waiting}, request=request
    )


def courses_for_competence_link(competence, row):
    """ "Find kurser" beside a competence the person falls short in."""
    if not row.below_required:
        return None
    url = reverse("catalogue") + "?" + urlencode({"kompetence": str(competence.key)})
    return _("Find kurser"), url
