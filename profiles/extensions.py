"""Where apps further along the data flow add to the profiles pages: links beside a
competence in "Mine kompetencer" (e.g. courses that develop it)."""

from __future__ import annotations

from collections.abc import Callable

# Callables (competence, gap_row) -> (label, url) or None.
COMPETENCE_LINKS: list[Callable] = []


def register_competence_link(link: Callable) -> None:
    if link not in COMPETENCE_LINKS:
        COMPETENCE_LINKS.append(link)


def links_for(row) -> list[dict]:
    links = []
    for link in COMPETENCE_LINKS:
        result = link(row.competence, row)
        if result:
            label, url = result
            links.append({"label": label, "url": url})
    return links
