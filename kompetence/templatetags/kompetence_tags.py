"""Template helpers shared by every app's templates."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import mark_safe

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
