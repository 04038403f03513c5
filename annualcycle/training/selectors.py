"""The mandatory-training overview ("Certifikater"): who must act on which requirement.

* A leader sees the people of the subtrees they lead (an HR delegate those they
  administer), HR for the whole kommune everyone; each person's requirements that
  need action (expired, missing, expiring, due), with counts per requirement on top.
* A MED committee member sees, for the committee's subtree, per requirement the number
  of people in each state, per unit: aggregates only, through the dashboards' one
  k-anonymity rule (`annualcycle.dashboards.anonymity`, k = the kommune's
  `med_min_group_size`). A requirement's figures for a row are built from the people
  subject to it there (counted at their main position, as the dashboards count), so
  each requirement is a family of its own, decided by the tree rule on that number:
  no row about fewer than k people, and no hidden row recoverable by subtracting the
  shown ones from the total, on this page or on the page of any other committee.

Statuses come from `catalogue.training.selectors.statuses_for`: a fixed number of
queries whatever the number of people.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from annualcycle.dashboards import anonymity
from annualcycle.dashboards.selectors import TreeUnit, subtree_units
from catalogue.models import TrainingRequirement
from catalogue.training.selectors import RequirementStatus, State, requirements, statuses_for
from kompetence import permissions
from kompetence.models import MEDCommittee, OrgUnit, Person, Position

# The page lists at most this many rows; the filters and the spreadsheet give the rest.
ROW_LIMIT = 500

# The states a leader filters by: the ones that ask for action, and the valid ones.
FILTER_STATES = (*State.TO_ACT, State.VALID)
# The MED table's columns, in order.
MED_STATES = (State.VALID, State.EXPIRING, State.EXPIRED, State.DUE, State.MISSING)


# --- Whose people ------------------------------------------------------------------------


def may_see_people(viewer: Person) -> bool:
    """Leaders and HR (for the kommune or for some units) see people by name."""
    return permissions.is_leader(viewer) or permissions.is_hr_for_some_unit(viewer)


def people_in_scope(viewer: Person) -> QuerySet[Person]:
    """The active people whose training `viewer` sees: the whole kommune for kommune
    HR, else the people they lead and those they administer as HR."""
    people = Person.objects.filter(kommune_id=viewer.kommune_id, is_active=True)
    if permissions.is_kommune_hr(viewer):
        return people
    return people.filter(
        Q(pk__in=permissions.persons_led_by(viewer).values("pk"))
        | Q(pk__in=permissions.persons_administered_by(viewer).values("pk"))
    ).exclude(pk=viewer.pk)


def filter_units(viewer: Person) -> QuerySet[OrgUnit]:
    """The units `viewer` may narrow the overview to."""
    return permissions.visible_units(viewer).order_by("path")


# --- The leader's and HR's overview --------------------------------------------------------


@dataclass(frozen=True)
class Row:
    status: RequirementStatus
    person_id: int
    name: str
    employee_number: str
    unit: str


@dataclass
class RequirementCounts:
    requirement: TrainingRequirement
    counts: Counter = field(default_factory=Counter)  # state → people


@dataclass
class Overview:
    rows: list[Row]  # filtered, worst first; on the page at most ROW_LIMIT
    total: int  # rows matching the filters
    counts: list[RequirementCounts]  # per requirement, over everyone in scope
    requirements: list[TrainingRequirement]

    @property
    def shown(self) -> list[Row]:
        return self.rows[:ROW_LIMIT]


def overview(
    viewer: Person,
    *,
    unit: OrgUnit | None = None,
    state: str = "",
    requirement: TrainingRequirement | None = None,
    today: datetime.date | None = None,
) -> Overview:
    """The people in `viewer`'s scope (within `unit`'s subtree if given) with their
    requirements, filtered to `state` (default: every state that needs action) and
    `requirement`."""
    today = today or timezone.localdate()
    people = people_in_scope(viewer)
    if unit is not None:
        in_unit = Position.objects.active(today).filter(unit__path__startswith=unit.path)
        people = people.filter(pk__in=in_unit.values("person_id"))
    requirement_list = list(requirements().prefetch_related("assignments__unit"))
    statuses = statuses_for(people.values("pk"), today=today, requirement_list=requirement_list)
    counts = {r.pk: RequirementCounts(r) for r in requirement_list}
    for status in statuses:
        counts[status.requirement.pk].counts[status.state] += 1
    wanted = (state,) if state else State.TO_ACT
    matching = [
        s
        for s in statuses
        if s.state in wanted and (requirement is None or s.requirement.pk == requirement.pk)
    ]
    names = dict(people.values_list("pk", "name"))
    numbers = dict(people.values_list("pk", "employee_number"))
    units = _main_unit_names(people, today)
    rows = [
        Row(
            status=s,
            person_id=s.person_id,
            name=names.get(s.person_id, ""),
            employee_number=numbers.get(s.person_id, ""),
            unit=units.get(s.person_id, ""),
        )
        for s in matching
    ]
    rows.sort(key=lambda r: (*r.status.sort_key, r.name, r.person_id, r.status.requirement.name))
    return Overview(
        rows=rows,
        total=len(rows),
        counts=[counts[r.pk] for r in requirement_list if counts[r.pk].counts],
        requirements=requirement_list,
    )


def _main_positions(people: QuerySet[Person], today: datetime.date):
    """(person id, unit id, unit name) of each person's positions, main one first (a
    leadership, then the oldest, as `kompetence.selectors.primary_positions` chooses)."""
    return (
        Position.objects.active(today)
        .filter(person_id__in=people.values("pk"))
        .order_by("person_id", "-is_leader", "start_date", "pk")
        .values_list("person_id", "unit_id", "unit__name")
    )


def _main_unit_names(people: QuerySet[Person], today: datetime.date) -> dict[int, str]:
    found: dict[int, str] = {}
    for person_id, _unit_id, name in _main_positions(people, today):
        found.setdefault(person_id, name)
    return found


# --- The MED committee's aggregates --------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: str = ""  # "small": about fewer than k; "complement": hides another hidden one


@dataclass(frozen=True)
class MedRow:
    label: str
    kind: str  # "direct", "child" or "total"
    people: Cell  # subject to the requirement
    states: list[Cell]  # in MED_STATES order

    @property
    def is_total(self) -> bool:
        return self.kind == "total"

    @property
    def is_direct(self) -> bool:
        return self.kind == "direct"


@dataclass(frozen=True)
class MedTable:
    requirement: TrainingRequirement
    rows: list[MedRow]  # direct, children by name, total last


@dataclass(frozen=True)
class MedOverview:
    committee: MEDCommittee
    unit: OrgUnit
    k: int
    tables: list[MedTable]


def _main_units(unit: OrgUnit, units: list[TreeUnit], today: datetime.date) -> dict[int, int]:
    """Each person with a position in `unit`'s subtree whose main position is in it:
    person id → the unit of that main position."""
    inside = {u.pk for u in units}
    in_subtree = Position.objects.active(today).filter(unit__path__startswith=unit.path)
    people = Person.objects.filter(pk__in=in_subtree.values("person_id"), is_active=True)
    main: dict[int, int] = {}
    for person_id, unit_id, _name in _main_positions(people, today):
        main.setdefault(person_id, unit_id)
    return {person_id: unit_id for person_id, unit_id in main.items() if unit_id in inside}


def med_overview(
    committee: MEDCommittee, k: int, *, today: datetime.date | None = None
) -> MedOverview:
    """Per requirement, the committee's subtree in rows: the people directly in its
    unit, each child unit's subtree and the total, each with the number of people
    subject and of people per state; every cell the tree rule hides is hidden."""
    today = today or timezone.localdate()
    unit = committee.unit
    units = subtree_units(unit)
    top = unit.pk
    parents = {u.pk: (u.parent_id if u.pk != top else None) for u in units}
    # The row of each unit: the top's own people, or the child of the top it lies under.
    row_of: dict[int, int] = {}
    for u in units:  # parents before children
        parent = parents[u.pk]
        row_of[u.pk] = u.pk if parent is None or parent == top else row_of[parent]
    children = sorted((u for u in units if parents[u.pk] == top), key=lambda u: (u.name, u.pk))
    main = _main_units(unit, units, today)
    requirement_list = list(requirements().prefetch_related("assignments__unit"))
    statuses = statuses_for(list(main), today=today, requirement_list=requirement_list)
    direct: dict[int, Counter] = defaultdict(Counter)  # requirement → unit → n subject
    states: dict[tuple[int, int], Counter] = defaultdict(Counter)  # (req, row) → state → n
    for status in statuses:
        unit_id = main[status.person_id]
        direct[status.requirement.pk][unit_id] += 1
        states[(status.requirement.pk, row_of[unit_id])][status.state] += 1
    tables = []
    for requirement in requirement_list:
        by_unit = direct.get(requirement.pk)
        if not by_unit:
            continue  # applies to no one here
        cells = anonymity.suppressed_cells(
            {pk: (parent, by_unit.get(pk, 0)) for pk, parent in parents.items()}, k
        )
        sizes = Counter({row: 0 for row in [top, *(c.pk for c in children)]})
        for unit_id, n in by_unit.items():
            sizes[row_of[unit_id]] += n

        def row(label: str, kind: str, n: int, counts: Counter, hidden: bool) -> MedRow:
            reason = ("small" if n < k else "complement") if hidden else ""
            return MedRow(
                label=label,
                kind=kind,
                people=Cell(n, reason),
                states=[Cell(counts[s], reason) for s in MED_STATES],
            )

        total: Counter = Counter()
        rows = []
        if sizes[top]:
            counts = states[(requirement.pk, top)]
            total.update(counts)
            rows.append(row(unit.name, "direct", sizes[top], counts, top in cells.direct))
        for child in children:
            counts = states[(requirement.pk, child.pk)]
            total.update(counts)
            if sizes[child.pk]:
                rows.append(
                    row(child.name, "child", sizes[child.pk], counts, child.pk in cells.units)
                )
        rows.append(row(unit.name, "total", sum(sizes.values()), total, top in cells.units))
        tables.append(MedTable(requirement=requirement, rows=rows))
    return MedOverview(committee=committee, unit=unit, k=k, tables=tables)


@dataclass(frozen=True)
class UnitRequirementFigures:
    requirement: TrainingRequirement
    people: int | None  # people subject to it in the unit's subtree; None: hidden
    states: dict[str, int | None]  # MED_STATES → people in that state; None: hidden


def kommune_requirement_totals(
    kommune_id: int, k: int, *, today: datetime.date | None = None
) -> list[tuple[TreeUnit, list[UnitRequirementFigures]]]:
    """Every unit of the kommune, in tree order, with per requirement its subtree's
    people in each state, as the total row of that unit's MED table shows it (for the
    read-only API): the same tree rule, decided once over the whole kommune, so no
    figure is shown here that a MED committee's page hides."""
    today = today or timezone.localdate()
    # Every unit's path starts with "/": a stand-in for the top of the whole kommune.
    everything = OrgUnit(kommune_id=kommune_id, path="/")
    units = subtree_units(everything)
    if not units:
        return []
    parents = {u.pk: u.parent_id for u in units}
    main = _main_units(everything, units, today)
    requirement_list = list(requirements().prefetch_related("assignments__unit"))
    statuses = statuses_for(list(main), today=today, requirement_list=requirement_list)
    direct: dict[int, Counter] = defaultdict(Counter)  # requirement → unit → n subject
    states: dict[tuple[int, int], Counter] = defaultdict(Counter)  # (req, unit) → state → n
    for status in statuses:
        unit_id = main[status.person_id]
        direct[status.requirement.pk][unit_id] += 1
        states[(status.requirement.pk, unit_id)][status.state] += 1
    figures: dict[int, list[UnitRequirementFigures]] = defaultdict(list)
    for requirement in requirement_list:
        by_unit = direct.get(requirement.pk)
        if not by_unit:
            continue  # applies to no one
        cells = anonymity.suppressed_cells(
            {pk: (parent, by_unit.get(pk, 0)) for pk, parent in parents.items()}, k
        )
        size: Counter = Counter()
        counts: dict[int, Counter] = defaultdict(Counter)
        for u in reversed(units):  # descendants before their ancestors
            size[u.pk] += by_unit.get(u.pk, 0)
            counts[u.pk].update(states[(requirement.pk, u.pk)])
            if u.parent_id is not None:
                size[u.parent_id] += size[u.pk]
                counts[u.parent_id].update(counts[u.pk])
        for u in units:
            if not size[u.pk]:
                continue
            hidden = u.pk in cells.units
            figures[u.pk].append(
                UnitRequirementFigures(
                    requirement=requirement,
                    people=None if hidden else size[u.pk],
                    states={s: None if hidden else counts[u.pk][s] for s in MED_STATES},
                )
            )
    return [(u, figures.get(u.pk, [])) for u in units]
