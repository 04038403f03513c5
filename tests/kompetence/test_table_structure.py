"""Screen readers read a `<th scope="rowgroup">` as the header of every row in its
`<tbody>`, so a table with groups needs one `<tbody>` per group (HTML_CodeSniffer flags
two group headers in one body; axe does not). The pages that group rows are rendered
with several groups and parsed, and every template using the pattern must be one of
them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.mus.factories import build_conversation
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

# Every template with a row-group header, and the page test below that renders it.
GROUPED_TEMPLATES = {
    "mus/conversation_screen.html",
    "profiles/comparison.html",
    "profiles/my_competences.html",
    "catalogue/admin_overview.html",
}


class _RowGroups(HTMLParser):
    """Counts the rowgroup headers in each `<tbody>`; `bodies` lists the counts."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[int] = []
        self.outside = 0  # rowgroup headers not inside any tbody

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self.bodies.append(0)
        elif tag == "th" and ("scope", "rowgroup") in attrs:
            if self.bodies:
                self.bodies[-1] += 1
            else:
                self.outside += 1


def row_groups(html: str) -> list[int]:
    """The number of rowgroup headers per `<tbody>`, failing on one outside a body."""
    parser = _RowGroups()
    parser.feed(html)
    assert parser.outside == 0, "a rowgroup header outside a <tbody>"
    return parser.bodies


def assert_one_group_per_body(html: str, groups: int) -> None:
    counts = [n for n in row_groups(html) if n]
    assert max(row_groups(html), default=0) <= 1
    assert len(counts) == groups


def test_the_parser_sees_two_groups_sharing_a_body():
    shared = (
        "<table><tbody><tr><th scope=rowgroup>A</th></tr><tr><td>1</td></tr>"
        '<tr><th scope="rowgroup">B</th></tr></tbody></table>'
    )
    assert row_groups(shared) == [2]


def test_every_template_with_row_groups_is_checked_here():
    found = {
        str(path.relative_to(root))
        for root in (Path(d) for d in settings.TEMPLATES[0]["DIRS"])
        for path in root.rglob("*.html")
        if 'scope="rowgroup"' in path.read_text(encoding="utf-8")
    }
    assert found == GROUPED_TEMPLATES


@pytest.fixture
def round_a(org_a):
    # Three competence groups (Udvikling, Kultur, Resultater).
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def test_the_conversation_screen_has_a_body_per_group(org_a, round_a):
    conversation = build_conversation(org_a)
    page = client_for(org_a.leader).get(reverse("conversation_screen", args=[conversation.pk]))
    assert page.status_code == 200
    assert_one_group_per_body(page.text, 3)


def test_the_comparison_has_a_body_per_group(org_a, round_a):
    url = reverse("person_comparison", args=[round_a.pk, org_a.employee.pk])
    page = client_for(org_a.leader).get(url)
    assert page.status_code == 200
    assert_one_group_per_body(page.text, 3)


def test_my_competences_has_a_body_per_group(org_a, round_a):
    page = client_for(org_a.employee).get(reverse("my_competences"))
    assert page.status_code == 200
    assert_one_group_per_body(page.text, 3)


def test_the_catalogue_overview_has_a_body_per_course(org_a):
    for title in ("Konflikthåndtering i praksis", "Skriftlig kommunikation"):
        course = build_course(org_a.kommune, title=title)
        build_session(course)
        build_session(course, days=60)
    page = client_for(org_a.hr).get(reverse("catalogue_overview"))
    assert page.status_code == 200
    assert_one_group_per_body(page.text, 2)
