"""The proof the employee uploaded, on both MUS pages (`mus.extensions`)."""

from __future__ import annotations

from django.template.loader import render_to_string

from catalogue.training.evidence_access import may_see_evidence_of
from catalogue.training.evidence_selectors import evidence_of


def evidence_conversation_panel(request, conversation) -> str:
    """The conversation's employee's evidence, for the parties of the conversation (the
    MUS pages let no one else in); the files link only for those who may download them
    (`catalogue.training.evidence_access`). Nothing when the employee has uploaded none."""
    employee = conversation.employee
    evidence = evidence_of(employee)
    if not evidence:
        return ""
    return render_to_string(
        "catalogue/training/_evidence_panel.html",
        {
            "evidence": evidence,
            "employee": employee,
            "may_download": may_see_evidence_of(request.person, employee),
        },
        request=request,
    )
