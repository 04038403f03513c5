"""Template helpers for levels, gaps and the heat-map."""

from django import template

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
