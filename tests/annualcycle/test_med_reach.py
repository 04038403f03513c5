"""Everything a MED member can reach, walked as an attacker would: every URL pattern of
the project (with every unit and round as drill-down), every page that answers 200
parsed for the figures it shows per unit, and then every figure that can be worked out
from them by adding and subtracting (across all pages) checked against k.

The organisation under test: a centre with no one directly in it and two teams below,
"Team Stor" (8 people) and "Team Lille" (4 people, below k = 5). Everyone has answered
every competence, so each figure's number of people is the unit's head count. Each
unit has an action plan the committee reads. Parent minus the shown children must
never give Team Lille's figures, on one page or across pages."""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict
from fractions import Fraction
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, reverse

from annualcycle.action_plans import services as action_plans
from kompetence import services as org_services
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import MEDMembership, OrgUnit
from profiles import services as profile_services
from profiles.models import Competence
from tests.catalogue.training_factories import certificate, requirement_for
from tests.conftest import Org, client_for
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory
from tests.kompetence.test_tenancy import NON_OBJECT_ARGS, tenant_patterns
from tests.profiles.factories import build_framework, evaluation_of, open_round
from tests.url_objects import OBJECT_IDS

pytestmark = pytest.mark.django_db

K = 5

# MED-reachable pages that show no figure about a group of people (the member's own
# data, forms, the catalogue, the årshjul). A new page a MED member reaches must be
# named here or parsed in FIGURE_PAGES, or the walk fails and says so.
NO_FIGURE_PAGES = {
    "home": "the member's own positions and tasks",
    "set_language": "a redirect",
    "login": "the login form",
    "logout": "a redirect",
    "password_reset": "a form",
    "password_reset_done": "a message",
    "password_reset_complete": "a message",
    "my_data": "the member's own data",
    "my_data_download": "the member's own data (ZIP)",
    "action_plan_list": "plans by unit: activities and budget the leader typed",
    "mus_evaluation_list": (
        "the order form and the evaluations' list, whose head count is shown only when the "
        "evaluation's own total is (tests/annualcycle/test_mus_evaluation.py); the figures "
        "are in the downloads, built by the same tree rule"
    ),
    "dashboard": "the list of the member's committees",
    "healthz": "the service's health",
    "password_reset_confirm": "a form",
    "my_competences": "the member's own evaluations",
    "my_courses": "the member's own course places",
    "my_training": "the member's own mandatory training and certificates",
    "evidence_upload": "a form for the member's own proof of training",
    "mus_overview": "the member's own conversations",
    "upward_results": (
        "the leaders the member may give feedback on; the upward feedback's figures are "
        "for leaders and HR, released in steps of k (tests/mus/test_upward_feedback.py)"
    ),
    "catalogue": "courses and free places: not about any unit's people",
    "course_detail": "a course and its free places: not about any unit's people",
    "cycle": "the årshjul's phases and tasks",
    "cycle_detail": "the årshjul's phases and tasks",
    "signed_in_again": "a message after signing in again",
    "saml_metadata": "Kompetence's public SAML metadata: keys and addresses, no people",
    "api-v1:openapi-json": "the API's public description: no data (the API itself needs a key)",
}


class Page(HTMLParser):
    """The tables of a page (caption, rows of (tag, text, hidden, partial) cells) and
    its text."""

    def __init__(self, html: str):
        super().__init__()
        self.html = html
        self.tables: list[dict] = []
        self.text_parts: list[str] = []
        self._cell = None
        self._caption = None
        self._depth_hidden = 0
        self.feed(html)
        self.text = re.sub(r"\s+", " ", " ".join(self.text_parts))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption" and self.tables:
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]["rows"]:
            self._cell = {"tag": tag, "text": [], "hidden": False, "partial": False}
        elif self._cell is not None and tag == "span":
            classes = (attrs.get("class") or "").split()
            self._cell["hidden"] |= "suppressed" in classes
            self._cell["partial"] |= "partial-note" in classes

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = " ".join("".join(self._cell["text"]).split())
            self.tables[-1]["rows"][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell["text"].append(data)

    def table(self, caption: str) -> list[list[dict]]:
        """The body rows (header row left out) of the table whose caption is or starts
        with `caption` followed by a space."""
        for table in self.tables:
            if table["caption"] == caption or table["caption"].startswith(caption + " "):
                return [row for row in table["rows"] if row and row[0]["tag"] == "th"][1:]
        return []


def _shown(cell: dict) -> bool:
    """A figure is shown: not hidden, not the "uden skjulte tal" sum of shown figures
    (which adds nothing), and a number."""
    return not cell["hidden"] and not cell["partial"] and bool(re.search(r"\d", cell["text"]))


def _dashboard_figures(page: Page, units: dict[str, OrgUnit]) -> set:
    """(quantity, unit, "subtree" | "direct") of every figure a dashboard page shows."""
    unit = units[re.search(r'<li aria-current="page">([^<]+)</li>', page.html).group(1)]
    found = re.search(r"Evalueringer og gab fra (.+?)\.", page.text)
    round_name = found.group(1) if found else ""
    figures = set()

    def row_unit(header: str) -> tuple[OrgUnit, str]:
        if header == "I alt":
            return unit, "subtree"
        if header.endswith(" (direkte)"):
            return units[header.removesuffix(" (direkte)")], "direct"
        return units[header], "subtree"

    for caption, columns in (
        ("Fremdrift pr. enhed", ["people", "self", "leader", "mus", "plans", "activities"]),
        ("Pladser på kurser", ["seats", "completed", "cost"]),
    ):
        for row in page.table(caption):
            row_of, scope = row_unit(row[0]["text"])
            for name, cell in zip(columns, row[1:], strict=True):
                if _shown(cell):
                    figures.add((("dashboard", name), row_of.pk, scope))
    for row in page.table("Gab pr. kompetencegruppe"):
        if any(_shown(cell) for cell in row[1:]):
            figures.add((("gap-group", round_name, row[0]["text"]), unit.pk, "subtree"))
    by_unit = [t for t in page.tables if t["caption"].startswith("Andel under krav pr. enhed")]
    if by_unit:
        header, *rows = by_unit[0]["rows"]
        groups = [cell["text"] for cell in header[1:]]
        for row in rows:
            row_of, scope = row_unit(row[0]["text"])
            for group, cell in zip(groups, row[1:], strict=True):
                if _shown(cell):
                    figures.add((("gap-group", round_name, group), row_of.pk, scope))
    for row in page.table("De kompetencer, hvor flest vurderinger ligger under det krævede niveau"):
        figures.add((("gap-competence", round_name, row[0]["text"]), unit.pk, "subtree"))
    return figures


def _action_plan_figures(page: Page, units: dict[str, OrgUnit]) -> set:
    unit = units[re.search(r"Handlingsplan for (.+?) \d{4}", page.text).group(1)]
    found = re.search(r"Fra evalueringsrunden (.+?), for enheden", page.text)
    round_name = found.group(1) if found else ""
    figures = set()
    if re.search(r"\d+ personer? er vurderet", page.text):
        figures.add((("gap-total", round_name), unit.pk, "subtree"))
    for row in page.table("Pr. kompetencegruppe"):
        if any(_shown(cell) for cell in row[1:]):
            figures.add((("gap-group", round_name, row[0]["text"]), unit.pk, "subtree"))
    for row in page.table("Pr. kompetence"):
        if any(_shown(cell) for cell in row[1:]):
            figures.add((("gap-competence", round_name, row[0]["text"]), unit.pk, "subtree"))
    if re.search(r"\d+ aktiviteter i udviklingsplanerne", page.text):
        figures.add((("plan-activities",), unit.pk, "subtree"))
    for row in page.table("Aktiviteter pr. type"):
        figures.add((("plan-activities", row[0]["text"]), unit.pk, "subtree"))
    return figures


def _training_figures(page: Page, units: dict[str, OrgUnit]) -> set:
    """The mandatory-training overview's MED aggregates: per requirement (a table with
    the requirement as its caption) and column, the rows' figures."""
    found = re.search(r"Krav og certifikater i ([^<]+)</h2>", page.html)
    if found is None:
        assert "Personer og krav" not in page.text, "a MED member sees people by name"
        return set()
    unit = units[found.group(1)]
    figures = set()
    for table in page.tables:
        header, *rows = table["rows"]
        columns = [cell["text"] for cell in header[1:]]
        for row in rows:
            label = row[0]["text"]
            if label == "I alt":
                row_of, scope = unit, "subtree"
            elif label.endswith(" (direkte)"):
                row_of, scope = units[label.removesuffix(" (direkte)")], "direct"
            else:
                row_of, scope = units[label], "subtree"
            for column, cell in zip(columns, row[1:], strict=True):
                if _shown(cell):
                    figures.add((("training", table["caption"], column), row_of.pk, scope))
    return figures


FIGURE_PAGES = {
    "training_overview": _training_figures,
    "med_dashboard": _dashboard_figures,
    "action_plan_detail": _action_plan_figures,
    "action_plan_comment": _action_plan_figures,  # the plan page again, with the form
}


# --- What can be worked out --------------------------------------------------------------


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    rank, columns = 0, len(rows[0]) if rows else 0
    for col in range(columns):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col]:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def derivable_small_groups(shown: set, tree: dict[int, int | None], people: dict[int, int]):
    """Every set of units whose figure follows from the shown ones by adding and
    subtracting (it lies in their span) and that holds 0 < n < k people.

    `shown`: (quantity, unit, scope) as the pages show them; `tree`: unit → parent;
    `people`: unit → people directly in it. Each figure is a sum over the people of its
    units (a unit's subtree, or the unit alone), so a figure is a 0/1 vector over units
    and any vector in the span of the shown ones can be worked out."""
    children = defaultdict(list)
    for key, parent in tree.items():
        if parent is not None:
            children[parent].append(key)

    def subtree(key):
        found, stack = set(), [key]
        while stack:
            unit = stack.pop()
            found.add(unit)
            stack.extend(children[unit])
        return found

    atoms = sorted(tree)
    by_quantity = defaultdict(set)
    for quantity, unit, scope in shown:
        members = subtree(unit) if scope == "subtree" else {unit}
        by_quantity[quantity].add(frozenset(members))
    leaks = []
    for quantity, sets in by_quantity.items():
        vectors = [[Fraction(int(a in s)) for a in atoms] for s in sets]
        rank = _rank(vectors)
        support = sorted(set().union(*sets))
        for size in range(1, len(support) + 1):
            for group in itertools.combinations(support, size):
                n = sum(people.get(a, 0) for a in group)
                if not 0 < n < K:
                    continue
                vector = [Fraction(int(a in group)) for a in atoms]
                if _rank([*vectors, vector]) == rank:
                    leaks.append((quantity, sorted(group), n))
    return leaks


def test_the_span_check_finds_parent_minus_child():
    tree = {1: None, 2: 1, 3: 1}
    people = {1: 0, 2: 8, 3: 4}
    leaks = derivable_small_groups({(("q",), 1, "subtree"), (("q",), 2, "subtree")}, tree, people)
    assert leaks == [(("q",), [1, 3], 4)]
    assert derivable_small_groups({(("q",), 2, "subtree")}, tree, people) == []
    # Figures of different quantities are not subtracted from each other.
    assert (
        derivable_small_groups({(("q",), 1, "subtree"), (("r",), 2, "subtree")}, tree, people) == []
    )


# --- The walk ----------------------------------------------------------------------------


def build_med_case(org: Org):
    """The centre (no one directly in it), Team Stor (8) and Team Lille (4) under the
    root, one evaluation round everyone has answered, a plan for each unit, and a
    Center-MED for the centre with a member in Team Stor."""
    centre = OrgUnitFactory(kommune=org.kommune, parent=org.root, name="Center for Trivsel")
    big = OrgUnitFactory(kommune=org.kommune, parent=centre, name="Team Stor")
    small = OrgUnitFactory(kommune=org.kommune, parent=centre, name="Team Lille")
    staff = []
    for unit, count in ((big, 8), (small, 4)):
        for index in range(count):
            person = PersonFactory(kommune=org.kommune, name=f"{unit.name} person {index}")
            PositionFactory(person=person, unit=unit, job_title="Pædagog")
            staff.append((person, unit))
    version = build_framework(org.kommune, by=org.hr)
    with kommune_scope(org.kommune):
        competences = list(Competence.objects.filter(version=version))
        profile_services.unit_profile_set(
            unit=centre, framework=version.framework, levels={c.key: 3 for c in competences}
        )
    round_ = open_round(version, org.root, by=org.hr)
    with kommune_scope(org.kommune):
        answers = [
            (evaluation_of(round_, person), competence, 2 if unit == small else 4, "")
            for person, unit in staff
            for competence in competences
        ]
        profile_services.ratings_bulk_set(round_=round_, answers=answers, submit=True)
        member = staff[0][0]
        committee = org_services.med_committee_create(
            kommune=org.kommune,
            name="Center-MED Trivsel",
            kind="center",
            unit=centre,
            members=[(member, MEDMembership.Role.MEMBER)],
        )
        plans = [
            action_plans.action_plan_create(kommune=org.kommune, unit=unit, year=2027, by=org.hr)
            for unit in (centre, big, small)
        ]
    return member, committee, plans, round_, [centre, big, small]


def _training_case(case_units) -> None:
    """A requirement for everyone, met by some of each team: valid, expiring, expired."""
    [_centre, big, small] = case_units
    requirement = requirement_for(big.kommune)
    today = datetime.date.today()
    for unit in (big, small):
        people = [p.person for p in unit.positions.select_related("person")]
        for person, days in zip(people, (400, 30, -5), strict=False):
            certificate(person, requirement, today + datetime.timedelta(days=days))


def _urls(name: str, pattern: URLPattern, org: Org, objects: dict) -> list[str]:
    """The pattern with every combination of the objects its arguments name."""
    choices = []
    with org.scope():
        for arg in pattern.pattern.converters:
            if arg in objects:
                choices.append([(arg, pk) for pk in objects[arg]])
            elif arg in OBJECT_IDS:
                choices.append([(arg, OBJECT_IDS[arg](org))])
            elif arg in NON_OBJECT_ARGS:
                choices.append([(arg, NON_OBJECT_ARGS[arg](org))])
            else:
                pytest.fail(f"URL '{name}' takes '{arg}': add it to OBJECT_IDS")
    return [reverse(name, kwargs=dict(combo)) for combo in itertools.product(*choices)]


def test_no_figure_a_med_member_reaches_gives_away_fewer_than_k_people(org_a):
    member, committee, plans, round_, case_units = build_med_case(org_a)
    with kommune_scope(org_a.kommune):
        _training_case(case_units)
        all_units = list(OrgUnit.objects.all())
        people = {
            unit.pk: unit.positions.filter(person__is_active=True).count() for unit in all_units
        }
    units_by_name = {unit.name: unit for unit in all_units}
    tree = {unit.pk: unit.parent_id for unit in all_units}
    objects = {"action_plan_id": [plan.pk for plan in plans], "committee_id": [committee.pk]}
    # Drill-down by hand as well as by link: every unit of the centre, and one outside.
    drill = [""] + [
        f"?enhed={unit.pk}{extra}"
        for unit in [*case_units, org_a.team]
        for extra in ("", f"&runde={round_.pk}")
    ]

    shown, reached, unclassified = set(), set(), []
    for name, pattern in tenant_patterns():
        for url in _urls(name, pattern, org_a, objects):
            for query in drill:
                client = client_for(member)  # fresh: a POST may log out
                response = client.get(url + query)
                if response.status_code == 405:
                    response = client.post(url + query, {})
                if response.status_code != 200:
                    if not query:
                        break  # the page itself is closed: no drill-down either
                    continue
                reached.add(name)
                if name in FIGURE_PAGES:
                    shown |= FIGURE_PAGES[name](Page(response.text), units_by_name)
                elif name not in NO_FIGURE_PAGES:
                    unclassified.append(name)
    assert sorted(set(unclassified)) == [], (
        f"classify these MED-reachable pages: {sorted(set(unclassified))}"
    )
    # The walk reached the pages that matter, and they showed figures.
    assert {"med_dashboard", "action_plan_detail", "training_overview"} <= reached
    assert any(unit == case_units[1].pk for _q, unit, _s in shown)
    assert any(q[0] == "training" and unit == case_units[1].pk for q, unit, _s in shown)

    leaks = derivable_small_groups(shown, tree, people)
    assert leaks == [], "\n".join(map(str, leaks))


def test_a_drill_down_page_never_shows_a_total_its_parent_page_hid(org_a):
    """A centre with one person directly in it, an area whose own page hides its 2 + 3
    people but shows its total, and a team of 9: the centre's total minus the team and
    the area's total would give the one person away."""
    centre = OrgUnitFactory(kommune=org_a.kommune, parent=org_a.root, name="Center for Trivsel")
    area = OrgUnitFactory(kommune=org_a.kommune, parent=centre, name="Område Vest")
    sizes = [(centre, 1), (OrgUnitFactory(kommune=org_a.kommune, parent=centre, name="Team Ni"), 9)]
    sizes += [
        (OrgUnitFactory(kommune=org_a.kommune, parent=area, name=name), n)
        for name, n in (("Team To", 2), ("Team Tre", 3), ("Team Otte", 8))
    ]
    member = None
    for unit, count in sizes:
        for index in range(count):
            person = PersonFactory(kommune=org_a.kommune, name=f"{unit.name} person {index}")
            PositionFactory(person=person, unit=unit, job_title="Pædagog")
            member = member or person
    with kommune_scope(org_a.kommune):
        committee = org_services.med_committee_create(
            kommune=org_a.kommune,
            name="Center-MED Trivsel",
            kind="center",
            unit=centre,
            members=[(member, MEDMembership.Role.MEMBER)],
        )
        all_units = list(OrgUnit.objects.all())
        people = {u.pk: u.positions.count() for u in all_units}
    units_by_name = {unit.name: unit for unit in all_units}
    client = client_for(member)
    shown = set()
    for unit, _n in [*sizes[:1], (area, 0), *sizes[1:]]:
        url = reverse("med_dashboard", args=[committee.pk]) + f"?enhed={unit.pk}"
        response = client.get(url)
        assert response.status_code == 200
        shown |= _dashboard_figures(Page(response.text), units_by_name)
    assert any(unit == area.pk for _q, unit, _s in shown)
    tree = {unit.pk: unit.parent_id for unit in all_units}
    leaks = derivable_small_groups(shown, tree, people)
    assert leaks == [], "\n".join(map(str, leaks))
