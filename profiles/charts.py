"""Server-side SVG chart geometry. The templates draw it; the same numbers are always
in a table beside the chart, so the chart is an addition, never the only source.

The chart fills its card at any width: horizontal positions are percentages of the
chart's width (SVG accepts them without a viewBox, so the text keeps its size instead
of shrinking with the drawing), vertical ones are pixels. Each competence's name
stands above its bar, so a long name needs no room beside the bars and is never cut."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

AXIS_LINE_HEIGHT = 15  # px between the lines of a level name on the axis
LABEL_HEIGHT = 18  # px for a competence's name above its bar
BAR_HEIGHT = 16
ROW_GAP = 10
# A level name is broken into lines of about this many characters, so that five or six
# names fit side by side on a phone.
AXIS_LABEL_CHARS = 10


@dataclass
class AxisLabel:
    """A level of the scale: its name (in lines) centred in its band, and the band's
    end, which is where a bar of that level ends."""

    lines: list[str]
    x: float  # % of the chart width, the middle of the band
    end: float  # % of the chart width


@dataclass
class Bar:
    label: str
    label_y: int
    y: int
    width: float | None  # assessed level, % of the chart width
    required_x: float | None  # % of the chart width
    below: bool
    text: str  # the assessed level's name


@dataclass
class BarChart:
    bars: list[Bar]
    axis: list[AxisLabel]
    axis_height: int
    height: int
    bar_height: int = BAR_HEIGHT


def _percent(value: int, top: int) -> float:
    return round(100 * value / top, 2)


def gap_bars(rows, structure) -> BarChart:
    """One bar per competence: the assessed level, with a marker at the required level.
    The axis names the scale's levels (not applicable left out): level n's band ends
    where a bar of level n ends."""
    top = structure.max_value or 1
    levels = [level for level in structure.levels if not level.is_not_applicable]
    axis = []
    previous = 0
    for level in levels:
        axis.append(
            AxisLabel(
                lines=textwrap.wrap(level.label, AXIS_LABEL_CHARS, break_long_words=False) or [""],
                x=_percent(previous + level.value, 2 * top),
                end=_percent(level.value, top),
            )
        )
        previous = level.value
    lines = max((len(label.lines) for label in axis), default=1)
    axis_height = lines * AXIS_LINE_HEIGHT + 8
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for index, row in enumerate(rows):
        top_y = axis_height + ROW_GAP + index * step
        bars.append(
            Bar(
                label=row.competence.name,
                label_y=top_y + LABEL_HEIGHT - 5,
                y=top_y + LABEL_HEIGHT,
                width=_percent(row.assessed, top) if row.assessed is not None else None,
                required_x=_percent(row.required, top) if row.required is not None else None,
                below=row.below_required,
                text=structure.level_label(row.assessed) if row.assessed is not None else "",
            )
        )
    return BarChart(
        bars=bars,
        axis=axis,
        axis_height=axis_height,
        height=axis_height + ROW_GAP + len(rows) * step,
    )
