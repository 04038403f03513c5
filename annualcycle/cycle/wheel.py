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
MARKER_RADIUS = 13
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
    """The tasks due within one week, drawn as one numbered marker: several deadlines
    in a week would otherwise overlap on the ring."""

    number: int
    x: float
    y: float
    tasks: list  # Task, soonest first
    label: str  # the marker's text alternative: when, and what
    is_next: bool = False  # the first week whose deadlines have not all passed


@dataclass
class Wheel:
    size: int
    arcs: list[Arc]
    ticks: list[Tick]
    today: Tick | None
    deadlines: list[Deadline]
    marker_radius: int = MARKER_RADIUS


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


def _deadline_label(tasks: list) -> str:
    items = "; ".join(
        _("%(date)s: %(title)s")
        % {"date": formats.date_format(task.deadline, "DATE_FORMAT"), "title": task.title}
        for task in tasks
    )
    return ngettext("%(count)s frist: %(items)s", "%(count)s frister: %(items)s", len(tasks)) % {
        "count": len(tasks),
        "items": items,
    }


def _weeks(tasks) -> list[list]:
    """The tasks in date order, in groups that each span less than a week: a group
    starts at its first deadline, so groups start at least seven days apart."""
    groups: list[list] = []
    for task in sorted(tasks, key=lambda t: (t.deadline, t.pk)):
        if groups and task.deadline - groups[-1][0].deadline < datetime.timedelta(days=7):
            groups[-1].append(task)
        else:
            groups.append([task])
    return groups


def _clearance(point: tuple[float, float], placed: list[tuple[float, float]]) -> float:
    return min((math.dist(point, other) for other in placed), default=math.inf)


def _free_spot(angle: float, placed: list[tuple[float, float]]) -> tuple[float, float]:
    """Where a marker at `angle` clears every marker placed so far: the first lane that
    does; else (the ring's last week meeting its first) a little earlier on the ring;
    else the roomiest lane."""
    for step in range(13):
        for radius in LANES:
            point = _point(angle - step * 0.01, radius)
            if _clearance(point, placed) > 2 * MARKER_RADIUS + 1:
                return point
    return max((_point(angle, r) for r in LANES), key=lambda p: _clearance(p, placed))


def deadlines(
    tasks, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[Deadline]:
    """The tasks' deadlines as numbered markers, in date order, one for the deadlines
    of each week (`_weeks`); with `today`, the next one to come is marked.

    A marker sits at its first deadline. Seven days on the ring are less than two
    markers wide, so a marker that would touch one already placed moves to the ring's
    inner or outer lane (`_free_spot`)."""
    placed: list[tuple[float, float]] = []
    markers = []
    for number, due in enumerate(_weeks(tasks), start=1):
        angle = _angle(min(max(due[0].deadline, start), end), start, end)
        x, y = _free_spot(angle, placed)
        placed.append((x, y))
        markers.append(Deadline(number, x, y, due, _deadline_label(due)))
    upcoming = [m for m in markers if today is not None and m.tasks[-1].deadline >= today]
    if upcoming:
        upcoming[0].is_next = True
        upcoming[0].label = _("Næste: %(deadlines)s") % {"deadlines": upcoming[0].label}
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
        deadlines=deadlines([t for p in phases for t in p.tasks.all()], start, end, today),
    )
