"""What every page's layout needs: the kommune and a role-aware navigation."""

from kompetence import permissions


def navigation(request) -> dict:
    person = getattr(request, "person", None)
    if person is None:
        return {"kommune": getattr(request, "kommune", None), "nav_roles": set()}
    roles = {"employee"}
    if permissions.is_leader(person):
        roles.add("leader")
    if permissions.is_hr(person):
        roles.add("hr")
    if person.med_memberships.exists():
        roles.add("med")
    return {"kommune": request.kommune, "nav_roles": roles}
