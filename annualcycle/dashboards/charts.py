"""Geometry of the dashboards' server-side SVG bar charts. The templates draw it; the
same figures are always in a table beside the chart, so a chart is an addition for
those who see it, never the only place a figure is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABEL_WIDTH = 230
BAR_WIDTH = 320
TEXT_WIDTH = 60
BAR_HEIGHT = 12
BAR_STEP = 15
ROW_PADDING = 14
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
    width: float | None  # None: no figure (hidden or nothing to count)
    css: str
    text: str  # the percentage, or "–"
    text_x: float
    text_y: float


@dataclass
class ChartRow:
    label: str
    label_y: float
    bars: list[Bar]
    is_total: bool = False


@dataclass
class Chart:
    rows: list[ChartRow]
    width: int
    height: int
    ticks: list[tuple[float, int]]
    axis_y: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _share(cell) -> tuple[float | None, bool]:
    """The cell's share, or for a hidden cell the share of its shown part (marked)."""
    if cell.share is None and cell.partial is not None:
        return cell.partial.share, True
    return cell.share, False


def _bar(y: float, share: float | None, partial: bool, css: str, height: int = BAR_HEIGHT) -> Bar:
    text_y = y + height - 2
    if share is None:
        return Bar(y=y, width=None, css=css, text="–", text_x=LABEL_WIDTH + 4, text_y=text_y)
    width = round(share * BAR_WIDTH, 1)
    return Bar(
        y=y,
        width=width,
        css=f"{css} bar-partial" if partial else css,
        text=f"{round(share * 100)} %" + (" *" if partial else ""),
        text_x=LABEL_WIDTH + width + 4,
        text_y=text_y,
    )


def _ticks() -> list[tuple[float, int]]:
    return [(LABEL_WIDTH + BAR_WIDTH * percent / 100, percent) for percent in (0, 25, 50, 75, 100)]


def _row_label(row) -> str:
    if row.is_total:
        return gettext("I alt")
    if row.unit is None:
        return gettext("%(name)s (direkte)") % {"name": row.label}
    return row.label


def completion_chart(rows) -> Chart:
    """Per dashboard row (the total last): one bar per completion figure, 0–100 %."""
    block = len(COMPLETION) * BAR_STEP + ROW_PADDING
    chart_rows = []
    for index, row in enumerate(rows):
        top = index * block
        bars = [
            _bar(top + i * BAR_STEP, *_share(getattr(row, name)), css)
            for i, (name, css, _label) in enumerate(COMPLETION)
        ]
        chart_rows.append(
            ChartRow(
                label=_short(_row_label(row)),
                label_y=top + (len(COMPLETION) * BAR_STEP) / 2 + 4,
                bars=bars,
                is_total=row.is_total,
            )
        )
    height = len(rows) * block + AXIS_HEIGHT
    return Chart(
        rows=chart_rows,
        width=LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH,
        height=height,
        ticks=_ticks(),
        axis_y=height - AXIS_HEIGHT,
    )


def gap_chart(cells) -> Chart:
    """Per competence group: the share of assessments below the required level."""
    step = 30
    chart_rows = []
    for index, cell in enumerate(cells):
        top = index * step
        chart_rows.append(
            ChartRow(
                label=_short(cell.group.name),
                label_y=top + 16,
                bars=[_bar(top + 4, *_share(cell), "bar-gap", height=18)],
            )
        )
    height = len(cells) * step + AXIS_HEIGHT
    return Chart(
        rows=chart_rows,
        width=LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH,
        height=height,
        ticks=_ticks(),
        axis_y=height - AXIS_HEIGHT,
        bar_height=18,
    )
