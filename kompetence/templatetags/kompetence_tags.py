"""Template helpers shared by every app's templates."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def with_weekday(value, format_name: str = "DATE_FORMAT") -> str:
    """A date (or date and time) in the language's style, after the day of the week:
    "onsdag 2. december 2026 10:00", "Wednesday 2 December 2026 10:00". `format_name`
    is one of the named formats in kompetence/formats."""
    if value in (None, ""):
        return ""
    return f"{date_filter(value, 'l')} {date_filter(value, format_name)}"


@register.filter
def css_string(value) -> str:
    """Text made safe inside a double-quoted CSS string (e.g. a PDF page header)."""
    text = str(value)
    for char, escaped in (
        ("\\", "\\\\"),
        ('"', '\\"'),
        ("\n", "\\a "),
        ("<", "\\3c "),
        (">", "\\3e "),
    ):
        text = text.replace(char, escaped)
    # Inside <style> the browser does not decode HTML entities, so the CSS escapes
    # above are the right ones and HTML escaping would only garble "&".
    return mark_safe(text)  # noqa: S308 - every character that could end the string or the element is escaped


@register.simple_tag
def org_tree(nodes) -> str:
    """The organisation tree's nested list (kompetence.selectors.org_tree), whole. A tag
    rather than a template included once a unit: for København's 2,500 units the
    includes took over a second; this writes the same markup in a few milliseconds."""
    url = reverse("unit_detail", args=[_PLACEHOLDER_ID])
    return mark_safe(_tree_items(nodes, url))  # noqa: S308  (every part escaped in _tree_items)


_PLACEHOLDER_ID = 2_147_483_647


def _tree_items(nodes, url: str) -> str:
    parts = []
    for node in nodes:
        unit = node.unit
        people = ngettext("%(n)s person", "%(n)s personer", node.people) % {"n": node.people}
        item = format_html(
            '<li>\n  <a href="{}">{}</a>\n  <span class="muted">{} · {}</span>',
            url.replace(str(_PLACEHOLDER_ID), str(unit.pk)),
            unit.name,
            unit.get_kind_display(),
            people,
        )
        if node.children:
            count = len(node.children)
            summary = ngettext("%(n)s underenhed", "%(n)s underenheder", count) % {"n": count}
            item += format_html(
                '\n  <details class="tree-children"{}>\n    <summary>{}'
                '<span class="visually-hidden"> {} {}</span></summary>\n    <ul>{}</ul>\n'
                "  </details>",
                mark_safe(" open") if unit.depth < 3 else "",
                summary,
                gettext("under"),
                unit.name,
                mark_safe(_tree_items(node.children, url)),  # noqa: S308  (escaped below)
            )
        parts.append(item + "\n</li>")
    return "".join(parts)
