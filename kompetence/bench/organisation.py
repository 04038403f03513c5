"""A København-sized organisation, made up but believable, for the benchmarks: a unit
tree of 5–6 levels (direktion → forvaltninger → centre → afdelinger/institutioner →
teams → små teams) and people spread over it, each unit with a leader. Deterministic
for a given seed, so runs can be compared."""

from __future__ import annotations

import random
from dataclasses import dataclass

from kompetence import demo

# The demo's names, and a few more with æ, ø and å (the import must keep them).
FIRST_NAMES = [*demo.FIRST_NAMES, "Åse", "Ørnulf", "Bjørn", "Kåre", "Æbbe", "Jørgen", "Søs"]
LAST_NAMES = [*demo.LAST_NAMES, "Kærgaard", "Østergaard", "Ærbøl", "Frølund", "Bækgaard"]
AREAS = (
    "Børn og Unge",
    "Sundhed og Omsorg",
    "Beskæftigelse og Integration",
    "Teknik og Miljø",
    "Kultur og Fritid",
    "Økonomi",
    "Socialområdet",
)
UNIT_WORDS = [
    "Nord",
    "Syd",
    "Øst",
    "Vest",
    "Centrum",
    "Amager",
    "Valby",
    "Vanløse",
    "Brønshøj",
    "Østerbro",
    "Nørrebro",
    "Vesterbro",
    "Sundby",
    "Bispebjerg",
    "Christianshavn",
    "Ørestad",
    "Husum",
    "Tingbjerg",
    "Sydhavn",
    "Nordvest",
]
TITLES = (
    "Socialrådgiver",
    "Sygeplejerske",
    "Social- og sundhedsassistent",
    "Pædagog",
    "Lærer",
    "Administrativ medarbejder",
    "Fysioterapeut",
    "Ingeniør",
    "Konsulent",
)


@dataclass(frozen=True)
class Unit:
    external_id: str
    name: str
    parent_id: str
    depth: int


@dataclass(frozen=True)
class Employee:
    employee_number: str
    name: str
    email: str
    unit_id: str
    job_title: str
    is_leader: bool


def unit_tree(units: int = 2500, seed: int = 45) -> list[Unit]:
    """`units` units in 6 levels, wide at the bottom as a kommune is."""
    rng = random.Random(seed)
    # Share of the units on each level below the direktion (1 : 7 : 35 : 300 : …).
    shares = [7, 35, 300, 1200]
    counts = [1, *shares]
    counts.append(max(units - sum(counts), 0))
    tree: list[Unit] = [Unit("D", "Direktionen", "", 1)]
    levels = [tree[:]]
    for depth, count in enumerate(counts[1:], start=2):
        parents = levels[-1]
        level = []
        for index in range(count):
            parent = parents[index % len(parents)] if depth <= 3 else rng.choice(parents)
            if depth == 2:
                name = f"{AREAS[index % len(AREAS)]}forvaltningen"
            elif depth == 3:
                name = f"Center for {AREAS[index % len(AREAS)]} {UNIT_WORDS[index % 20]}"
            elif depth == 4:
                name = f"Afdeling {UNIT_WORDS[index % 20]} {index + 1}"
            elif depth == 5:
                name = f"Team {UNIT_WORDS[rng.randrange(20)]} {index + 1}"
            else:
                name = f"Gruppe {index + 1}"
            level.append(Unit(f"E{depth}-{index + 1}", name, parent.external_id, depth))
        tree.extend(level)
        levels.append(level)
    return tree[:units]


def employees(tree: list[Unit], people: int = 45_000, seed: int = 45) -> list[Employee]:
    """One leader per unit, the rest spread over the lower levels."""
    rng = random.Random(seed)
    result: list[Employee] = []

    def person(unit: Unit, title: str, leader: bool) -> Employee:
        number = f"{100000 + len(result)}"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return Employee(number, name, f"m{number}@kommune.example", unit.external_id, title, leader)

    for unit in tree:
        if len(result) < people:
            result.append(person(unit, "Leder", True))
    workplaces = [u for u in tree if u.depth >= 4] or tree
    while len(result) < people:
        result.append(person(rng.choice(workplaces), rng.choice(TITLES), False))
    return result


def org_file(tree: list[Unit], staff: list[Employee]) -> bytes:
    """The organisation-import file (`;`-separated UTF-8) for this tree and staff."""
    from kompetence.infra.tabular import write_csv

    header = [
        "enhed_id",
        "enhed_navn",
        "overenhed_id",
        "medarbejdernr",
        "navn",
        "email",
        "stilling",
        "leder",
        "startdato",
    ]
    units = {u.external_id: u for u in tree}
    rows = [[u.external_id, u.name, u.parent_id, "", "", "", "", "", ""] for u in tree]
    rows += [
        [
            e.unit_id,
            units[e.unit_id].name,
            units[e.unit_id].parent_id,
            e.employee_number,
            e.name,
            e.email,
            e.job_title,
            "ja" if e.is_leader else "nej",
            "01-01-2020",
        ]
        for e in staff
    ]
    return write_csv(header, rows)
