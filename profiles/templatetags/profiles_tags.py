"""Template helpers for levels, gaps and the heat-map."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def level_label(structure, value):
    """The scale's label for a level value ("" when unanswered)."""
    if value is None or structure is None:
        return ""
    return structure.level_label(value)


@register.filter
def heat_class(cell) -> str:
    """Colour band of a heat-map cell by the share of people below their required level."""
    if cell is None or cell.share_below is None:
        return "heat-none"
    share = cell.share_below
    if share < 0.10:
        return "heat-0"
    if share < 0.25:
        return "heat-1"
    if share < 0.50:
        return "heat-2"
    return "heat-3"


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    return f"{round(value * 100)} %"


@register.simple_tag
def heat_cell(cell) -> str:
    """One heat-map cell, whole. A tag rather than template markup: a subtree's grid has
    thousands of cells, and per-cell template nodes were most of the page's time."""
    if not (cell and cell.count):
        return format_html('<td class="heat-cell {}">–</td>', heat_class(cell))
    below = ""
    if cell.share_below is not None:
        below = _("%(share)s under krav") % {"share": percent(cell.share_below)}
    return format_html(
        '<td class="heat-cell {}"><span class="mean">{}</span> <span class="detail">{}</span>'
        ' <span class="detail">n = {}</span></td>',
        heat_class(cell),
        number_format(cell.mean, 1),
        below,
        cell.count,
    )
