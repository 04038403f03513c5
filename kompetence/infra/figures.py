"""Telling the dashboards that figures changed.

The dashboards keep each unit's figures pre-aggregated (annualcycle.UnitFigures) and
recompute a unit when its `OrgUnit.figures_version` has moved. Every write that changes
a figure about a person — an answer, a submitted evaluation, a MUS held, a signature,
an activity, an enrolment, a position — raises the version of the units the person is
or was placed in, inside the writer's transaction: a reader either sees the new data
and the new version, or neither. Single saves are caught by signals (annualcycle.apps);
bulk writes call these functions themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F, Q

from kompetence.models import OrgUnit, Position


def units_changed(unit_ids: Iterable[int | None]) -> None:
    ids = sorted({pk for pk in unit_ids if pk is not None})
    for start in range(0, len(ids), 5000):
        OrgUnit.objects.filter(pk__in=ids[start : start + 5000]).update(
            figures_version=F("figures_version") + 1
        )


def people_changed(person_ids: Iterable[int | None]) -> None:
    """Every unit the people hold or held a position in: a superset of the units whose
    figures count them (their main position now, and before a move)."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    units: set[int] = set()
    for start in range(0, len(ids), 5000):
        units.update(
            Position.objects.filter(person_id__in=ids[start : start + 5000]).values_list(
                "unit_id", flat=True
            )
        )
    units_changed(units)


def positions_turning(today) -> None:
    """The one change no write makes: a position starts or ends with the calendar. Run
    each night (Celery beat) for the units whose people count changes today."""
    turning = Position.objects.filter(
        Q(start_date=today) | Q(end_date=today - datetime.timedelta(days=1))
    )
    units_changed(turning.values_list("unit_id", flat=True))
