"""What the GDPR flows do with the årshjul's, the dashboards' and the reports' rows
(see kompetence.personal_data). Nothing here is about one person alone, so this app
adds no files to the export and nothing to the deletion; each decision says why."""

from __future__ import annotations

from annualcycle.models import (
    ActionPlan,
    ActionPlanComment,
    ActionPlanItem,
    Cycle,
    GapReport,
    MusEvaluationReport,
    Phase,
    ReminderSent,
    Task,
    UnitCompetenceFigures,
    UnitFigures,
)
from kompetence.infra.extensions import DataDecision, Reason, not_personal_data

CYCLE = "the kommune's årshjul: phases and tasks for roles, not for people"
FIGURES = (
    "a unit's pre-aggregated figures, through the anonymity rule (annualcycle.anonymity), "
    "recomputed when the people they count change"
)
ACTION_PLAN = "a unit's action plan; who last changed it is kept as its author"

DECISIONS = {
    ReminderSent: DataDecision(
        export=Reason("the reminder job's record of what it sent, so it never sends twice"),
        erase=Reason("kept: so a re-run never reminds anyone twice; it holds no text"),
    ),
    GapReport: DataDecision(
        export=Reason("a report about a unit that a leader or HR ordered, not about one person"),
        erase=Reason(
            "kept: a dated report as it was built; its spreadsheet lists the unit's "
            "development-plan activities by employee as they stood that day"
        ),
    ),
    MusEvaluationReport: DataDecision(
        export=Reason(
            "a k-anonymous report about a unit's MUS that a MED member or HR ordered, "
            "not about one person"
        ),
        erase=Reason("kept: aggregates only, no figure from fewer than k people"),
    ),
    ActionPlanComment: DataDecision(
        export=Reason("a MED member's comment on a unit's action plan, part of that plan"),
        erase=Reason("kept: part of the unit's action plan; its author is anonymised"),
    ),
    Cycle: not_personal_data(f"{CYCLE}; who confirmed it was reviewed is kept as its author"),
    Phase: not_personal_data(CYCLE),
    Task: not_personal_data(CYCLE),
    ActionPlan: not_personal_data(ACTION_PLAN),
    ActionPlanItem: not_personal_data(ACTION_PLAN),
    UnitFigures: not_personal_data(FIGURES),
    UnitCompetenceFigures: not_personal_data(FIGURES),
}
