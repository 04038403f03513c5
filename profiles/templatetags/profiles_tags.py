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
    # A heat-map cell of one person's level is no team figure and gets no colour;
    # the dashboards' and action plans' figures, which use this too, are k-checked.
    if cell is None or cell.share_below is None or not getattr(cell, "is_team_figure", True):
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
def heat_cell(cell, people_url: str = "", competence_id: int | None = None) -> str:
    """One heat-map cell, whole. A tag rather than template markup: a subtree's grid has
    thousands of cells, and per-cell template nodes were most of the page's time.

    With `people_url` (the leader's own heat-map) the cell links to the people behind
    it. A cell from one person's level shows no mean: it is no team figure."""
    if not (cell and cell.count):
        return format_html('<td class="heat-cell {}">–</td>', heat_class(cell))
    if cell.is_team_figure:
        below = ""
        if cell.share_below is not None:
            below = _("%(share)s under krav") % {"share": percent(cell.share_below)}
        content = format_html(
            '<span class="mean">{}</span> <span class="detail">{}</span>'
            ' <span class="detail">n = {}</span>',
            number_format(cell.mean, 1),
            below,
            cell.count,
        )
    else:
        content = format_html(
            '<span class="detail">{}</span>',
            _("%(count)s svar – for få til et tal for teamet") % {"count": cell.count},
        )
    if people_url:
        content = format_html(
            '<a href="{}&amp;kompetence={}">{}<span class="visually-hidden"> {}</span></a>',
            people_url,
            competence_id,
            content,
            _("Se personerne"),
        )
    return format_html('<td class="heat-cell {}">{}</td>', heat_class(cell), content)
