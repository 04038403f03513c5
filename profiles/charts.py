"""Server-side SVG chart geometry. The templates draw it; the same numbers are always
in a table beside the chart, so the chart is an addition, never the only source."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 250
BAR_WIDTH = 320
ROW_HEIGHT = 30


@dataclass
class Bar:
    label: str
    y: int
    width: float | None  # assessed level
    required_x: float | None
    below: bool
    text: str


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    width: int
    ticks: list[tuple[float, int]]
    label_width: int = LABEL_WIDTH


def gap_bars(rows, structure) -> BarChart:
    """One bar per competence: the assessed level, with a marker at the required level."""
    top = structure.max_value or 1
    scale = BAR_WIDTH / top
    bars = []
    for index, row in enumerate(rows):
        bars.append(
            Bar(
                label=row.competence.name
                if len(row.competence.name) <= 34
                else row.competence.name[:33] + "…",
                y=index * ROW_HEIGHT,
                width=row.assessed * scale if row.assessed is not None else None,
                required_x=LABEL_WIDTH + row.required * scale if row.required is not None else None,
                below=row.below_required,
                text=structure.level_label(row.assessed) if row.assessed is not None else "",
            )
        )
    ticks = [(LABEL_WIDTH + value * scale, value) for value in range(0, top + 1)]
    return BarChart(
        bars=bars,
        height=len(rows) * ROW_HEIGHT + 24,
        width=LABEL_WIDTH + BAR_WIDTH + 20,
        ticks=ticks,
    )
