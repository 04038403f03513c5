"""The årshjul drawn as a wheel: twelve months around a circle (starting at the top with
the cycle's first month), the phases as coloured arcs, a numbered marker on the ring
for the tasks' deadlines, and a marker for today. The geometry is computed here; the
template draws it as SVG, with the numbered list of deadlines beside it."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CENTER = 210
OUTER = 190
INNER = 120
LABEL = 160
# Deadline markers sit on the ring; one that would overlap its neighbour moves to an
# inner or outer lane, so each number stays readable.
MARKER_RADIUS = 11
LANES = ((OUTER + INNER) / 2, INNER + MARKER_RADIUS + 2, OUTER - MARKER_RADIUS - 2)


@dataclass
class Arc:
    path: str
    css: str
    label: str


@dataclass
class Tick:
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    label: str


@dataclass
class Deadline:
    """The tasks due in one week, drawn as one numbered marker: several deadlines in a
    week would otherwise overlap on the ring."""

    number: int
    x: float
    y: float
    week: int
    tasks: list  # Task, soonest first
    label: str  # the marker's text alternative: when, and what


@dataclass
class Wheel:
    size: int
    arcs: list[Arc]
    ticks: list[Tick]
    today: Tick | None
    deadlines: list[Deadline]


def _point(angle: float, radius: float) -> tuple[float, float]:
    """Angle 0 is at the top, growing clockwise."""
    return (
        round(CENTER + radius * math.sin(angle), 2),
        round(CENTER - radius * math.cos(angle), 2),
    )


def _angle(day: datetime.date, start: datetime.date, end: datetime.date) -> float:
    length = (end - start).days + 1
    return 2 * math.pi * ((day - start).days / length)


def _ring(a0: float, a1: float) -> str:
    large = 1 if a1 - a0 > math.pi else 0
    x0, y0 = _point(a0, OUTER)
    x1, y1 = _point(a1, OUTER)
    x2, y2 = _point(a1, INNER)
    x3, y3 = _point(a0, INNER)
    return (
        f"M {x0} {y0} A {OUTER} {OUTER} 0 {large} 1 {x1} {y1} "
        f"L {x2} {y2} A {INNER} {INNER} 0 {large} 0 {x3} {y3} Z"
    )


def _deadline_label(week: int, tasks: list) -> str:
    items = "; ".join(
        _("%(date)s: %(title)s")
        % {"date": formats.date_format(task.deadline, "DATE_FORMAT"), "title": task.title}
        for task in tasks
    )
    return ngettext(
        "Uge %(week)s, %(count)s frist: %(items)s",
        "Uge %(week)s, %(count)s frister: %(items)s",
        len(tasks),
    ) % {"week": week, "count": len(tasks), "items": items}


def deadlines(tasks, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """The tasks' deadlines as markers, one per week that has any, in date order."""
    weeks: dict[tuple[int, int], list] = {}
    for task in sorted(tasks, key=lambda t: (t.deadline, t.pk)):
        weeks.setdefault(task.deadline.isocalendar()[:2], []).append(task)
    placed: list[tuple[float, float]] = []
    markers = []
    for number, ((_year, week), due) in enumerate(weeks.items(), start=1):
        first, last = due[0].deadline, due[-1].deadline
        middle = min(max(first + (last - first) / 2, start), end)
        angle = _angle(middle, start, end)
        # The first lane where the marker clears every marker already placed.
        candidates = [_point(angle, radius) for radius in LANES]
        x, y = next(
            (
                point
                for point in candidates
                if all(math.dist(point, other) > 2 * MARKER_RADIUS + 1 for other in placed)
            ),
            candidates[0],
        )
        placed.append((x, y))
        markers.append(Deadline(number, x, y, week, due, _deadline_label(week, due)))
    return markers


def wheel(cycle, phases, today: datetime.date) -> Wheel:
    start, end = cycle.starts_on, cycle.ends_on
    arcs = [
        Arc(
            path=_ring(
                _angle(p.starts_on, start, end),
                _angle(p.ends_on + datetime.timedelta(days=1), start, end) - 0.01,
            ),
            css=f"phase-{index % 4}",
            label=p.name,
        )
        for index, p in enumerate(phases)
    ]
    ticks = []
    month = datetime.date(start.year, start.month, 1)
    while month <= end:
        angle = _angle(max(month, start), start, end)
        x1, y1 = _point(angle, INNER - 6)
        x2, y2 = _point(angle, OUTER + 6)
        middle = _angle(min(month + datetime.timedelta(days=15), end), start, end)
        label_x, label_y = _point(middle, LABEL - 62)
        ticks.append(
            Tick(x1, y1, x2, y2, label_x, label_y, formats.date_format(month, "M").capitalize())
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    marker = None
    if start <= today <= end:
        angle = _angle(today, start, end)
        x1, y1 = _point(angle, 30)
        x2, y2 = _point(angle, OUTER + 14)
        marker = Tick(x1, y1, x2, y2, x2, y2, "")
    return Wheel(
        size=CENTER * 2,
        arcs=arcs,
        ticks=ticks,
        today=marker,
        deadlines=deadlines([t for p in phases for t in p.tasks.all()], start, end),
    )
