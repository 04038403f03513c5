"""One date style per language (settings.FORMAT_MODULE_PATH): "2. december 2026" in
Danish, "2 December 2026" in English. Templates name these formats
(`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`, `|date:"MONTH_DAY_FORMAT"`,
`|with_weekday:...`) instead of spelling out a pattern, and Python code calls
`django.utils.formats.date_format` with the same names; tests/kompetence/test_dates.py
holds every template to that. Formats not set here fall back to Django's own locale
files (input formats, number separators)."""
