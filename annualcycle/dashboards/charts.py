"""Geometry of the dashboards' server-side SVG bar charts. The templates draw it; the
same figures are always in a table beside the chart, so a chart is an addition for
those who see it, never the only place a figure is.

A chart fills its card at any width: horizontal positions are percentages of the
chart's width (SVG accepts them without a viewBox, so the text keeps its size), vertical
ones are pixels. Each unit's or group's name stands above its bars, whole, broken into
lines where it is long, so no name is cut off ("Center for Børn og Familie (d…")."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BAR_SPAN = 82  # % of the width a 100 % bar takes; the rest holds its percentage
LABEL_CHARS = 40  # a name is broken into lines of about this many characters
LINE_HEIGHT = 16
BAR_HEIGHT = 12
BAR_STEP = 15
ROW_PADDING = 12
AXIS_HEIGHT = 22

# The completion figures, each with its bar's CSS class.
COMPLETION = [
    ("self_eval", "bar-self", _("Selvevaluering indsendt")),
    ("leader_eval", "bar-leader", _("Ledervurdering indsendt")),
    ("mus", "bar-mus", _("MUS holdt")),
    ("plans", "bar-plans", _("Udviklingsplan underskrevet")),
]


@dataclass
class Bar:
    y: float
    width: float | None  # % of the chart width; None: no figure (hidden or nothing to count)
    css: str
    text: str  # the percentage, or "–"
    text_x: float  # % of the chart width
    text_y: float


@dataclass
class ChartRow:
    lines: list[str]  # the label, whole, in lines
    label_y: float  # the first line's baseline
    bars: list[Bar]
    is_total: bool = False


@dataclass
class Chart:
    rows: list[ChartRow]
    height: int
    ticks: list[tuple[float, int]]
    axis_y: int
    bar_height: int = BAR_HEIGHT
    line_height: int = LINE_HEIGHT


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARS, break_long_words=False) or [label]


def _share(cell) -> tuple[float | None, bool]:
    """The cell's share, or for a hidden cell the share of its shown part (marked)."""
    if cell.share is None and cell.partial is not None:
        return cell.partial.share, True
    return cell.share, False


def _bar(y: float, share: float | None, partial: bool, css: str, height: int = BAR_HEIGHT) -> Bar:
    text_y = y + height - 2
    if share is None:
        return Bar(y=y, width=None, css=css, text="–", text_x=0, text_y=text_y)
    width = round(share * BAR_SPAN, 2)
    return Bar(
        y=y,
        width=width,
        css=f"{css} bar-partial" if partial else css,
        text=f"{round(share * 100)} %" + (" *" if partial else ""),
        text_x=width,
        text_y=text_y,
    )


def _ticks() -> list[tuple[float, int]]:
    return [(BAR_SPAN * percent / 100, percent) for percent in (0, 25, 50, 75, 100)]


def _row_label(row) -> str:
    if row.is_total:
        return gettext("I alt")
    if row.unit is None:
        return gettext("%(name)s (direkte)") % {"name": row.label}
    return row.label


def completion_chart(rows) -> Chart:
    """Per dashboard row (the total last): its name, then one bar per completion
    figure, 0–100 %."""
    chart_rows = []
    top = 0
    for row in rows:
        lines = _lines(_row_label(row))
        bars_top = top + len(lines) * LINE_HEIGHT + 2
        bars = [
            _bar(bars_top + i * BAR_STEP, *_share(getattr(row, name)), css)
            for i, (name, css, _label) in enumerate(COMPLETION)
        ]
        chart_rows.append(
            ChartRow(lines=lines, label_y=top + LINE_HEIGHT - 4, bars=bars, is_total=row.is_total)
        )
        top = bars_top + len(COMPLETION) * BAR_STEP + ROW_PADDING
    height = top + AXIS_HEIGHT
    return Chart(rows=chart_rows, height=height, ticks=_ticks(), axis_y=height - AXIS_HEIGHT)


def gap_chart(cells) -> Chart:
    """Per competence group: its name, then the share of assessments below the required
    level."""
    chart_rows = []
    top = 0
    for cell in cells:
        lines = _lines(cell.group.name)
        bars_top = top + len(lines) * LINE_HEIGHT + 2
        chart_rows.append(
            ChartRow(
                lines=lines,
                label_y=top + LINE_HEIGHT - 4,
                bars=[_bar(bars_top, *_share(cell), "bar-gap", height=18)],
            )
        )
        top = bars_top + 18 + ROW_PADDING
    height = top + AXIS_HEIGHT
    return Chart(
        rows=chart_rows, height=height, ticks=_ticks(), axis_y=height - AXIS_HEIGHT, bar_height=18
    )
