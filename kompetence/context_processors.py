"""What every page's layout needs: the kommune and a role-aware navigation."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from kompetence import permissions
from kompetence.infra.extensions import NAV_LINKS
from kompetence.infra.tenancy import kommune_scope


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


def navigation(request) -> dict:
    person = getattr(request, "person", None)
    accessibility = SimpleLazyObject(lambda: accessibility_statement_url(request))
    if person is None:
        return {
            "kommune": getattr(request, "kommune", None),
            "nav_roles": set(),
            "nav_links": [],
            "accessibility_statement_url": accessibility,
        }

    def roles() -> set[str]:
        if getattr(request, "_nav_roles", None) is None:
            # Error pages can render after the middleware's scope has closed (an
            # exception raised on the way out); the person's own kommune is right here.
            with kommune_scope(request.kommune):
                request._nav_roles = roles_of(person)
        return request._nav_roles

    # Lazy: an HTMX partial (an autosave answer) shows no navigation and pays nothing.
    return {
        "kommune": request.kommune,
        "nav_roles": SimpleLazyObject(roles),
        "nav_links": SimpleLazyObject(lambda: [link for link in NAV_LINKS if link.roles & roles()]),
        "accessibility_statement_url": accessibility,
    }
