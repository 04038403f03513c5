"""What mandatory training adds to other apps' pages: the employee's requirements on
the MUS preparation page and the conversation screen, and a person's requirements and
functions on their page."""

from __future__ import annotations

from django.template.loader import render_to_string

from catalogue.training.admin_selectors import functions_held
from catalogue.training.selectors import statuses_of
from kompetence import permissions


def conversation_training_panel(request, conversation) -> str:
    """The conversation's employee's requirements and where they stand. The MUS views
    have already checked that the viewer may see the conversation; every conversation,
    a GRUS participant's included, is one employee's."""
    employee = conversation.employee
    if employee is None:
        return ""
    statuses = statuses_of(employee)
    if not statuses:
        return ""
    return render_to_string(
        "catalogue/training/_conversation_panel.html",
        {"statuses": statuses, "employee": employee, "own": employee.pk == request.person.pk},
        request=request,
    )


def person_training_panel(request, person) -> str:
    """A person's requirements with their status, and the functions they hold, on the
    person's page (which only those who may see the person reach: their leaders, HR)."""
    statuses = statuses_of(person)
    functions = functions_held(person)
    if not statuses and not functions:
        return ""
    return render_to_string(
        "catalogue/training/_person_panel.html",
        {
            "statuses": statuses,
            "functions": functions,
            "subject": person,
            # HR of the whole kommune administers requirements and functions: links there.
            "manage": permissions.is_kommune_hr(request.person),
        },
        request=request,
    )
