"""The main menu by role: a short menu stays flat, HR's long one comes in groups, and
every page in the menu marks exactly one item as the current one — its own."""

from __future__ import annotations

import re

import pytest

from kompetence.models import MEDCommittee, MEDMembership
from kompetence.services import med_committee_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="main-nav".*?</nav>', re.DOTALL)
CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')
LINK = re.compile(r'<a href="([^"]+)"')


def _nav(response) -> str:
    match = NAV.search(response.content.decode())
    assert match, "the page has no main menu"
    return match.group(0)


def _menu_for(person):
    client = client_for(person)
    response = client.get("/")
    assert response.status_code == 200
    return client, response.context["nav_menu"], _nav(response)


def _every_page_marks_itself_once(person) -> int:
    client, _menu, nav = _menu_for(person)
    urls = LINK.findall(nav)
    assert len(urls) == len(set(urls)), "a page is in the menu twice"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CURRENT.findall(_nav(response)) == [url], url
    return len(urls)


@pytest.fixture
def med_member(org_a):
    with org_a.scope():
        med_committee_create(
            kommune=org_a.kommune,
            name="Center-MED Omsorg",
            kind=MEDCommittee.Kind.CENTER,
            unit=org_a.centre,
            members=[(org_a.colleague, MEDMembership.Role.MEMBER)],
        )
    return org_a.colleague


def test_an_employee_has_a_short_flat_menu(org_a):
    _client, menu, nav = _menu_for(org_a.employee)
    assert all(not entry.links for entry in menu)
    assert "<details" not in nav
    assert _every_page_marks_itself_once(org_a.employee) <= 6


def test_a_leader_keeps_a_flat_menu(org_a):
    _client, menu, _nav_html = _menu_for(org_a.leader)
    assert all(not entry.links for entry in menu)
    assert _every_page_marks_itself_once(org_a.leader) >= 10


def test_a_med_member_has_a_flat_menu(med_member):
    _client, menu, _nav_html = _menu_for(med_member)
    assert all(not entry.links for entry in menu)
    _every_page_marks_itself_once(med_member)


def test_hrs_menu_comes_in_a_few_groups(org_a):
    _client, menu, nav = _menu_for(org_a.hr)
    assert len(menu) <= 8
    groups = [str(entry.label) for entry in menu if entry.links]
    assert groups == ["Organisation", "Kompetencer", "Kurser", "Overblik", "Indstillinger"]
    # Each group is a disclosure whose button is the summary; no JavaScript needed.
    assert nav.count("<details data-nav-group>") == len(groups)
    assert nav.count("<summary>") == len(groups)
    assert _every_page_marks_itself_once(org_a.hr) >= 15


def test_the_page_below_a_menu_item_marks_the_longest_match_only(org_a):
    # /katalog/godkendelser/ and /katalog/administration/ lie below /katalog/.
    client = client_for(org_a.hr)
    nav = _nav(client.get("/katalog/administration/"))
    assert CURRENT.findall(nav) == ["/katalog/administration/"]
    # The group holding it is marked as the current one's group, for the eye.
    assert re.search(
        r'class="nav-group nav-group-current">\s*<details data-nav-group>\s*<summary>Kurser', nav
    )
    leader = client_for(org_a.leader)
    assert CURRENT.findall(_nav(leader.get("/katalog/godkendelser/"))) == ["/katalog/godkendelser/"]
    # A page below one (the employee's own courses) belongs to the catalogue.
    assert CURRENT.findall(_nav(leader.get("/katalog/mine/"))) == ["/katalog/"]


def test_the_home_page_is_current_only_on_itself(org_a):
    client = client_for(org_a.employee)
    assert CURRENT.findall(_nav(client.get("/"))) == ["/"]
    assert CURRENT.findall(_nav(client.get("/mine-data/"))) == []
