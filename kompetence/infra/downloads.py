"""File names of downloads, with their Danish letters.

A report on "Center for Børn og Familie" is saved as
`gabrapport-center-for-børn-og-familie-….xlsx`: `slugify` without `allow_unicode`
would drop the ø (`…-brn-og-familie-…`). The Content-Disposition header carries the
exact name in RFC 5987's `filename*` (UTF-8, percent-encoded), which every current
browser uses, and an ASCII spelling (ø → oe, æ → ae, å → aa) in `filename` for clients
that know only that.
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.text import slugify

DANISH_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def filename_part(text: str, default: str) -> str:
    """`text` as a lower-case, dash-separated part of a file name, letters kept."""
    return slugify(text, allow_unicode=True) or default


def _ascii_fallback(filename: str) -> str:
    text = filename.translate(DANISH_ASCII)
    text = text.encode("ascii", "ignore").decode("ascii")
    return text.replace("\\", "").replace('"', "") or "download"


def attachment_header(filename: str) -> str:
    """The Content-Disposition value that makes the browser save the download as
    `filename`."""
    fallback = _ascii_fallback(filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
