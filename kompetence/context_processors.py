"""What every page's layout needs: the kommune and a role-aware navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from kompetence import permissions
from kompetence.infra.extensions import NAV_GROUPS, NAV_LINKS, NavLink
from kompetence.infra.tenancy import kommune_scope

# A menu of more entries than this (counting "Forside") is shown in groups; fewer stay
# flat, as an employee's, a MED member's and a leader's do.
FLAT_MENU_MAX = 14
# A flat menu of more entries than this is one row that scrolls sideways on a phone.
STRIP_AFTER = 6


def roles_of(person) -> set[str]:
    """The navigation roles of a person: employee always; leader, hr (HR for some or all
    units), kommune_hr (HR for the whole kommune) and med as they hold."""
    roles = {"employee"}
    if permissions.is_leader(person):
        roles.add("leader")
    if permissions.is_hr_for_some_unit(person):
        roles.add("hr")
        if permissions.is_kommune_hr(person):
            roles.add("kommune_hr")
    if person.med_memberships.filter(committee__closed_on__isnull=True).exists():
        roles.add("med")
    return roles


def accessibility_statement_url(request) -> str:
    """The link every page's footer gives to the accessibility statement, as Danish law
    requires: the kommune's own on its host, else the platform's (ACCESSIBILITY_STATEMENT_URL,
    or our page on the bare domain)."""
    kommune = getattr(request, "kommune", None)
    if kommune is not None and kommune.accessibility_statement_url:
        return kommune.accessibility_statement_url
    if settings.ACCESSIBILITY_STATEMENT_URL:
        return settings.ACCESSIBILITY_STATEMENT_URL
    path = reverse("accessibility", urlconf=settings.PUBLIC_URLCONF)
    if kommune is None:
        return path
    port = request.get_port()
    suffix = f":{port}" if port not in ("80", "443") else ""
    return f"{request.scheme}://{settings.KOMPETENCE_DOMAIN}{suffix}{path}"


@dataclass
class MenuEntry:
    """One entry of the main menu: a link (`url`), or a group of links (`links`) shown
    as a disclosure button. `current` marks the link of the page one is on (exactly
    one link of the menu, or none), and the group that holds it."""

    label: object
    url: str = ""
    current: bool = False
    key: str = ""
    links: list[MenuEntry] = field(default_factory=list)


def _current_url(path: str, urls: list[str]) -> str | None:
    """The menu address the page at `path` belongs to: the longest one `path` starts
    with ("/katalog/godkendelser/" belongs to the approvals, not the catalogue), or
    the home page only when on it."""
    if path == "/":
        return "/"
    matches = [url for url in urls if url != "/" and path.startswith(url)]
    return max(matches, key=len) if matches else None


def build_menu(path: str, links: list[NavLink]) -> list[MenuEntry]:
    """The main menu of a person who sees `links`, on the page at `path`."""
    entries = [MenuEntry(_("Forside"), url=reverse("home"))]
    entries += [MenuEntry(link.label, url=reverse(link.url_name), key=link.group) for link in links]
    current = _current_url(path, [entry.url for entry in entries])
    for entry in entries:
        entry.current = entry.url == current
    if len(entries) <= FLAT_MENU_MAX:
        return entries
    home, rest = entries[0], entries[1:]
    grouped: list[MenuEntry] = [home]
    for group in NAV_GROUPS:
        members = [entry for entry in rest if entry.key == group.key]
        if len(members) == 1:
            grouped.append(members[0])
        elif members:
            grouped.append(
                MenuEntry(
                    group.label,
                    key=group.key,
                    links=members,
                    current=any(entry.current for entry in members),
                )
            )
    known = {group.key for group in NAV_GROUPS}
    grouped += [entry for entry in rest if entry.key not in known]
    return grouped


def navigation(request) -> dict:
    person = getattr(request, "person", None)
    accessibility = SimpleLazyObject(lambda: accessibility_statement_url(request))
    if person is None:
        return {
            "kommune": getattr(request, "kommune", None),
            "nav_roles": set(),
            "nav_links": [],
            "nav_menu": [],
            "nav_strip": False,
            "accessibility_statement_url": accessibility,
        }

    def roles() -> set[str]:
        if getattr(request, "_nav_roles", None) is None:
            # Error pages can render after the middleware's scope has closed (an
            # exception raised on the way out); the person's own kommune is right here.
            with kommune_scope(request.kommune):
                request._nav_roles = roles_of(person)
        return request._nav_roles

    def links() -> list[NavLink]:
        return [link for link in NAV_LINKS if link.roles & roles()]

    def menu() -> list[MenuEntry]:
        if getattr(request, "_nav_menu", None) is None:
            request._nav_menu = build_menu(request.path, links())
        return request._nav_menu

    # Lazy: an HTMX partial (an autosave answer) shows no navigation and pays nothing.
    return {
        "kommune": request.kommune,
        "nav_roles": SimpleLazyObject(roles),
        "nav_links": SimpleLazyObject(links),
        "nav_menu": SimpleLazyObject(menu),
        # A long flat menu (a leader's) is one row on a phone that the thumb swipes.
        "nav_strip": SimpleLazyObject(
            lambda: len(menu()) > STRIP_AFTER and not any(entry.links for entry in menu())
        ),
        "accessibility_statement_url": accessibility,
    }
