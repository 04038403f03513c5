"""Where apps further along the data flow plug into the organisation core's pages.

The core does not import `profiles`, `mus`, `catalogue` or `annualcycle`; instead
they register here (in their AppConfig.ready) navigation links, panels on a person's
page and panels on the home page, as pretix's plugins do through signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str  # a lazy translation
    roles: frozenset[str]  # shown to people with any of these roles: employee, leader, hr, med
    order: int = 100


NAV_LINKS: list[NavLink] = []
# Callables (request, person) -> HTML string or "" shown on a person's page.
PERSON_PANELS: list[Callable] = []
# Callables (request) -> HTML string or "" shown on the home page, in order.
HOME_PANELS: list[Callable] = []


def register_nav(*links: NavLink) -> None:
    for link in links:
        if link not in NAV_LINKS:
            NAV_LINKS.append(link)
    NAV_LINKS.sort(key=lambda link: link.order)


def register_person_panel(panel: Callable) -> None:
    if panel not in PERSON_PANELS:
        PERSON_PANELS.append(panel)


def register_home_panel(panel: Callable, *, first: bool = False) -> None:
    if panel not in HOME_PANELS:
        HOME_PANELS.insert(0, panel) if first else HOME_PANELS.append(panel)


# Sent (with `person_ids`, `kommune`) after positions change, so apps that keep
# figures derived from the organisation (e.g. required levels) can bring them up to date.
positions_changed = Signal()
# Sent (with `kommune`) when the platform operator creates a kommune, so apps can give
# it their defaults (e.g. the default årshjul).
kommune_created = Signal()

__all__ = [
    "HOME_PANELS",
    "NAV_LINKS",
    "PERSON_PANELS",
    "NavLink",
    "kommune_created",
    "positions_changed",
    "register_home_panel",
    "register_nav",
    "register_person_panel",
]
