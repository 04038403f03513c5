"""Reads behind the dashboards ("Overblik") for leaders, HR and MED committees.

For a unit's subtree, per row (the people directly in the unit, and each child unit's
whole subtree) and in total: people, self-evaluations and leader evaluations submitted,
MUS held and development plans signed in the period, plan activities done, gaps by
competence group with the largest gaps, and course places and their cost.

Every figure follows people: a person counts once, in the unit of their main position
now (leadership first, then the oldest: `kompetence.selectors.primary_positions`), so
the rows always add up to the total. Gaps are read by `Assessment.unit`, as the heat-map
reads them, which the profiles services keep at that same unit. Each figure is one
aggregate query grouped by unit over the whole subtree; rows are added up from units in
Python (a loop over units, never over people), so a page issues the same queries for ten
people or 45,000.

For a MED committee, cells built from fewer than k people are hidden by the rules in
`annualcycle.dashboards.anonymity`: per family of figures, on the row's people and on the number
of people the family is built from, consistently across drill-down pages.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import orjson
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from annualcycle.cycle.selectors import current_cycle
from annualcycle.dashboards import anonymity
from annualcycle.models import Cycle, UnitCompetenceFigures, UnitFigures
from catalogue.models import Enrolment
from kompetence import permissions
from kompetence.models import MEDCommittee, OrgUnit, Person, Position, unit_path_ids
from mus.models import Conversation, ConversationKind, PlanActivity, PlanVersion, Signature
from profiles.models import Assessment, Competence, CompetenceGroup, Evaluation, EvaluationRound
from profiles.selectors import rounds_for_unit, version_structure

TOP_GAPS = 5
# For a MED committee, the largest gaps are chosen among this many candidates, each
# checked for anonymity through the whole subtree.
TOP_GAP_CANDIDATES = 10

SMALL = "small"  # hidden: built from fewer than k people
COMPLEMENTARY = "complementary"  # hidden so that another hidden figure cannot be worked out


# --- Period and round ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    cycle: Cycle | None  # None: the last 12 months, because no årshjul covers today

    @property
    def range(self) -> tuple[datetime.date, datetime.date]:
        return (self.start, self.end)


def dashboard_period(today: datetime.date | None = None) -> Period:
    """The current årshjul's period, else the last 12 months up to today."""
    today = today or timezone.localdate()
    cycle = current_cycle(today)
    if cycle is not None:
        return Period(start=cycle.starts_on, end=cycle.ends_on, cycle=cycle)
    return Period(start=today - datetime.timedelta(days=365), end=today, cycle=None)


def dashboard_rounds(unit: OrgUnit) -> list[EvaluationRound]:
    """The rounds that cover `unit`, newest first."""
    return list(rounds_for_unit(unit).order_by("-opened_at", "-pk"))


def default_round(rounds: list[EvaluationRound]) -> EvaluationRound | None:
    """The newest open round, else the newest round."""
    return next((r for r in rounds if r.status == EvaluationRound.Status.OPEN), None) or (
        rounds[0] if rounds else None
    )


# --- Figures per unit --------------------------------------------------------------------


@dataclass
class GroupFigures:
    people: int = 0  # people with at least one rated competence in the group
    rated: int = 0  # assessments with both a required and an assessed level
    below: int = 0  # of those, below the required level
    gap_sum: int = 0

    def add(self, other: GroupFigures) -> None:
        self.people += other.people
        self.rated += other.rated
        self.below += other.below
        self.gap_sum += other.gap_sum


@dataclass
class Figures:
    """The sums for one unit's own people, or for a row (several units added up)."""

    people: int = 0
    mus_held: int = 0
    plans_signed: int = 0
    self_total: int = 0
    self_done: int = 0
    leader_total: int = 0
    leader_done: int = 0
    activity_people: int = 0
    activities: int = 0
    activities_done: int = 0
    enrolled_people: int = 0
    seats: int = 0
    completed: int = 0
    cost: Decimal = Decimal(0)
    # People who held a conversation of each kind in the period (issue 17.2): one
    # person may count under several kinds, so these do not add up to `mus_held`.
    held_mus: int = 0
    held_grus: int = 0
    held_lus: int = 0
    held_senior: int = 0
    groups: dict[int, GroupFigures] = field(default_factory=dict)
    # Competence id → (rated, below, gap_sum), for the largest gaps: filled when the
    # figures are computed and stored in UnitCompetenceFigures, not in `data`; `add`
    # leaves it out, as no row or total shows it.
    competences: dict[int, tuple[int, int, int]] = field(default_factory=dict)

    COUNTS = (
        "people",
        "mus_held",
        "plans_signed",
        "self_total",
        "self_done",
        "leader_total",
        "leader_done",
        "activity_people",
        "activities",
        "activities_done",
        "enrolled_people",
        "seats",
        "completed",
        "held_mus",
        "held_grus",
        "held_lus",
        "held_senior",
    )

    def add(self, other: Figures) -> None:
        # Through __dict__: the whole kommune's dashboard adds up 2,500 units.
        mine, theirs = self.__dict__, other.__dict__
        for name in self.COUNTS:
            mine[name] += theirs[name]
        self.cost += other.cost
        for group_id, figures in other.groups.items():
            self.groups.setdefault(group_id, GroupFigures()).add(figures)

    @property
    def is_empty(self) -> bool:
        return not (
            any(getattr(self, name) for name in self.COUNTS)
            or self.cost
            or self.groups
            or self.competences
        )

    def as_data(self) -> dict:
        """Plain JSON for UnitFigures.data: flat lists of numbers, which decode several
        times faster than objects (the whole kommune's dashboard reads 2,500 of them)."""
        return {
            "n": [getattr(self, name) for name in self.COUNTS],
            "cost": str(self.cost),
            "g": [
                value
                for pk, g in sorted(self.groups.items())
                for value in (pk, g.people, g.rated, g.below, g.gap_sum)
            ],
        }

    @classmethod
    def from_data(cls, data: dict) -> Figures:
        figures = cls(cost=Decimal(data["cost"]))
        figures.__dict__.update(zip(cls.COUNTS, data["n"], strict=True))
        g = data["g"]
        figures.groups = {
            pk: GroupFigures(*values)
            for pk, *values in zip(g[0::5], g[1::5], g[2::5], g[3::5], g[4::5], strict=True)
        }
        return figures


# Each family of figures and the number of people it is built from (see anonymity.py).
# Keyed by name; a dashboard adds ("group", pk) families of its own.
FAMILIES: dict[Hashable, Callable] = {
    "people": lambda f: f.people,  # people, MUS held, plans signed
    "self": lambda f: f.self_total,
    "leader": lambda f: f.leader_total,
    "activities": lambda f: f.activity_people,
    "enrolments": lambda f: f.enrolled_people,
}


class TreeUnit(NamedTuple):
    """What a dashboard needs of each unit of the subtree: as plain tuples, because
    2,500 model instances took longer to build than the rest of the page."""

    pk: int
    parent_id: int | None
    name: str
    path: str
    figures_version: int


def _first_position(person) -> QuerySet[Position]:
    """The main active position of `person` (an OuterRef): leadership first, then the
    oldest, as `kompetence.selectors.primary_positions` chooses."""
    return (
        Position.objects.active()
        .filter(person=person)
        .order_by("-is_leader", "start_date", "pk")
        .values("pk")[:1]
    )


@dataclass(frozen=True)
class Units:
    """Which units a figure query covers: a subtree (by path) or a set of unit ids (the
    stale ones to recompute)."""

    path: str = ""
    ids: tuple[int, ...] = ()

    def q(self, unit: str) -> Q:
        """The filter on the OrgUnit foreign key at `unit` (a lookup path)."""
        if self.ids:
            return Q(**{f"{unit}_id__in": self.ids})
        return Q(**{f"{unit}__path__startswith": self.path})


def _main_positions(units: Units) -> QuerySet[Position]:
    """One row per active person whose main position is in `units`."""
    return Position.objects.active().filter(
        units.q("unit"),
        person__is_active=True,
        pk=Subquery(_first_position(OuterRef("person"))),
    )


def _main_position_in(units: Units, person: str) -> Q:
    """Rows whose `person` (the path of a Person foreign key) is active and has their
    main position in `units`. One filter() call makes one join to that position,
    which `{person}__positions__unit_id` then reads. The main position is found by an
    indexed lookup among the person's own positions (an IN over all main positions of
    the subtree is what SQLite would recompute for every row)."""
    return Q(
        units.q(f"{person}__positions__unit"),
        **{
            f"{person}__is_active": True,
            f"{person}__positions__pk": Subquery(_first_position(OuterRef(f"{person}_id"))),
        },
    )


def _latest_plan_versions(period: Period) -> QuerySet[PlanVersion]:
    """The newest version of each plan from a MUS conversation in the period."""
    newer = PlanVersion.objects.filter(plan=OuterRef("plan"), number__gt=OuterRef("number"))
    return PlanVersion.objects.filter(
        plan__conversation__starts_at__date__range=period.range
    ).exclude(Exists(newer))


def _people_by_unit(units: Units, period: Period) -> QuerySet:
    held = Conversation.objects.filter(
        employee=OuterRef("person"), status=Conversation.Status.HELD
    ).filter(
        Q(held_at__date__range=period.range)
        | Q(held_at__isnull=True, starts_at__date__range=period.range)
    )
    signed = (
        _latest_plan_versions(period)
        .filter(plan__employee=OuterRef("person"))
        .filter(
            Exists(Signature.objects.filter(version=OuterRef("pk"), role=Signature.Role.EMPLOYEE)),
            Exists(Signature.objects.filter(version=OuterRef("pk"), role=Signature.Role.LEADER)),
        )
    )
    return (
        _main_positions(units)
        .values(at_unit=F("unit_id"))
        .annotate(
            people=Count("pk"),
            mus_held=Count("pk", filter=Exists(held)),
            plans_signed=Count("pk", filter=Exists(signed)),
            **{
                f"held_{kind}": Count("pk", filter=Exists(held.filter(kind=kind)))
                for kind in ConversationKind.values
            },
        )
        .order_by()
    )


def _evaluations_by_unit(units: Units, round_: EvaluationRound) -> QuerySet:
    self_kind = Q(kind=Evaluation.Kind.SELF)
    leader_kind = Q(kind=Evaluation.Kind.LEADER)
    submitted = Q(status=Evaluation.Status.SUBMITTED)
    return (
        Evaluation.objects.filter(
            round=round_,
            kind__in=[Evaluation.Kind.SELF, Evaluation.Kind.LEADER],
        )
        .filter(_main_position_in(units, "subject"))
        # The join the filter made, so each evaluation meets its subject's main position.
        .values(at_unit=F("subject__positions__unit_id"))
        .annotate(
            self_total=Count("pk", filter=self_kind),
            self_done=Count("pk", filter=self_kind & submitted),
            leader_total=Count("pk", filter=leader_kind),
            leader_done=Count("pk", filter=leader_kind & submitted),
        )
        .order_by()
    )


def _activities_by_unit(units: Units, period: Period) -> QuerySet:
    """Activities of the newest plan versions; dropped activities do not count."""
    return (
        PlanActivity.objects.filter(version__in=_latest_plan_versions(period))
        .filter(_main_position_in(units, "version__plan__employee"))
        .exclude(status=PlanActivity.Status.CANCELLED)
        .values(at_unit=F("version__plan__employee__positions__unit_id"))
        .annotate(
            activity_people=Count("version__plan__employee_id", distinct=True),
            activities=Count("pk"),
            activities_done=Count("pk", filter=Q(status=PlanActivity.Status.DONE)),
        )
        .order_by()
    )


def _enrolments_by_unit(units: Units, period: Period) -> QuerySet:
    """Places taken on sessions in the period (undated sessions by request date), as
    `catalogue.selectors.costs` counts them; a no-show costs but holds no place."""
    return (
        Enrolment.objects.filter(status__in=Enrolment.COSTED)
        .filter(
            Q(session__starts_at__date__range=period.range)
            | Q(session__starts_at__isnull=True, requested_at__date__range=period.range)
        )
        .filter(_main_position_in(units, "person"))
        .values(at_unit=F("person__positions__unit_id"))
        .annotate(
            enrolled_people=Count("person_id", distinct=True),
            seats=Count("pk", filter=Q(status__in=Enrolment.SEATED)),
            completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
            cost=Sum("course__price"),
        )
        .order_by()
    )


def _rated(units: Units, round_: EvaluationRound) -> QuerySet[Assessment]:
    """Assessments with both a required and an assessed level, in `units`.

    By `Assessment.unit`, as the heat-map: the services keep it at the unit of the
    person's main position, and reading it needs no join for the largest table."""
    return Assessment.objects.filter(
        units.q("unit"),
        round=round_,
        gap__isnull=False,
        person__is_active=True,
    )


def _gaps_by_unit(units: Units, round_: EvaluationRound) -> QuerySet:
    return (
        _rated(units, round_)
        .values("group_id", at_unit=F("unit_id"))
        .annotate(
            people=Count("person_id", distinct=True),
            rated=Count("pk"),
            below=Count("pk", filter=Q(gap__gt=0)),
            gap_sum=Sum("gap"),
        )
        .order_by()
    )


def _competence_gaps_by_unit(units: Units, round_: EvaluationRound) -> QuerySet:
    """Per unit and competence; one assessment per person and competence, so the
    number rated is also the number of people."""
    return (
        _rated(units, round_)
        .values("competence_id", at_unit=F("unit_id"))
        .annotate(
            rated=Count("pk"),
            below=Count("pk", filter=Q(gap__gt=0)),
            gap_sum=Sum("gap"),
        )
        .order_by()
    )


def _compute(units: Units, round_: EvaluationRound | None, period: Period) -> dict[int, Figures]:
    """{unit id: Figures of the people whose main position is directly in that unit}:
    three (six with a round) aggregate queries whatever the number of people."""
    result: dict[int, Figures] = defaultdict(Figures)
    queries = [
        _people_by_unit(units, period),
        _activities_by_unit(units, period),
        _enrolments_by_unit(units, period),
    ]
    if round_ is not None:
        queries.append(_evaluations_by_unit(units, round_))
    for queryset in queries:
        for row in queryset:
            figures = result[row.pop("at_unit")]
            for name, value in row.items():
                setattr(figures, name, value or 0)
    if round_ is not None:
        for row in _gaps_by_unit(units, round_):
            result[row["at_unit"]].groups[row["group_id"]] = GroupFigures(
                people=row["people"],
                rated=row["rated"],
                below=row["below"],
                gap_sum=row["gap_sum"] or 0,
            )
        for row in _competence_gaps_by_unit(units, round_):
            result[row["at_unit"]].competences[row["competence_id"]] = (
                row["rated"],
                row["below"],
                row["gap_sum"] or 0,
            )
    return result


# Above this many stale units, one query over the subtree is cheaper than a long IN list
# (and SQLite takes at most 999 parameters).
STALE_BY_ID = 500


def figures_by_unit(
    unit: OrgUnit, round_: EvaluationRound | None, period: Period, versions: dict[int, int]
) -> dict[int, Figures]:
    """{unit id: Figures} for the units of `unit`'s subtree (`versions`: unit id →
    figures_version), from the pre-aggregated rows where they are current; the units
    whose figures changed since are recomputed and stored again."""
    round_key = round_.pk if round_ is not None else 0
    key = {"round_key": round_key, "period_start": period.start, "period_end": period.end}
    where = (
        Q(unit_id__in=list(versions))
        if len(versions) <= STALE_BY_ID
        else Q(unit__path__startswith=unit.path)
    )
    # As text, parsed by orjson: the JSON field's own decoding was half the page's time.
    stored = UnitFigures.objects.filter(where, **key).values_list(
        "unit_id", "version", Cast("data", TextField())
    )
    result: dict[int, Figures] = {}
    for unit_id, version, data in stored:
        if versions.get(unit_id) == version:
            parsed = orjson.loads(data)
            # A row stored before a figure was added is recomputed, as a stale one.
            if len(parsed["n"]) == len(Figures.COUNTS):
                result[unit_id] = Figures.from_data(parsed)
    stale = sorted(pk for pk in versions if pk not in result)
    if stale:
        units = Units(ids=tuple(stale)) if len(stale) <= STALE_BY_ID else Units(path=unit.path)
        fresh = _compute(units, round_, period)
        UnitFigures.objects.bulk_create(
            [
                UnitFigures(
                    kommune_id=unit.kommune_id,
                    unit_id=pk,
                    round=round_,
                    version=versions[pk],
                    data=fresh.get(pk, Figures()).as_data(),
                    **key,
                )
                for pk in stale
            ],
            update_conflicts=True,
            unique_fields=["unit", "round_key", "period_start", "period_end"],
            update_fields=["version", "data"],
            batch_size=500,
        )
        _store_competences(unit, key, fresh, set(stale))
        result.update((pk, fresh[pk]) for pk in stale if pk in fresh)
    return {pk: figures for pk, figures in result.items() if not figures.is_empty}


def _store_competences(unit: OrgUnit, key: dict, fresh: dict[int, Figures], stale: set) -> None:
    """The competence rows of the recomputed units, replacing their old ones."""
    where = (
        Q(unit_id__in=sorted(stale))
        if len(stale) <= STALE_BY_ID
        else Q(unit__path__startswith=unit.path)
    )
    ids = {
        unit_id: pk
        for unit_id, pk in UnitFigures.objects.filter(where, **key).values_list("unit_id", "pk")
        if unit_id in stale
    }
    stored = sorted(ids.values())
    for start in range(0, len(stored), STALE_BY_ID):
        UnitCompetenceFigures.objects.filter(
            figures_id__in=stored[start : start + STALE_BY_ID]
        ).delete()
    UnitCompetenceFigures.objects.bulk_create(
        (
            UnitCompetenceFigures(
                kommune_id=unit.kommune_id,
                figures_id=ids[unit_id],
                competence_id=competence_id,
                rated=rated,
                below=below,
                gap_sum=gap_sum,
            )
            for unit_id, figures in fresh.items()
            if unit_id in ids
            for competence_id, (rated, below, gap_sum) in figures.competences.items()
        ),
        batch_size=5000,
    )


def _competence_rows(
    unit: OrgUnit, round_: EvaluationRound, period: Period, *, alone: bool = False
):
    """The stored competence figures of `unit`'s subtree (`alone`: of the unit only)."""
    where = Q(figures__unit=unit) if alone else Q(figures__unit__path__startswith=unit.path)
    return UnitCompetenceFigures.objects.filter(
        where,
        figures__round_key=round_.pk,
        figures__period_start=period.start,
        figures__period_end=period.end,
    )


# --- Rows, cells and suppression -----------------------------------------------------------


@dataclass
class Cell:
    """A shown figure (`value` of `total`, when it is a share), or a hidden one."""

    value: int | Decimal
    total: int | None = None
    hidden: str = ""  # "", SMALL or COMPLEMENTARY
    # For a unit hidden only so that another figure cannot be worked out: the sum of
    # the figures shown inside it, which tells nothing new (see `_Hiding.visible_part`).
    partial: Cell | None = None

    @property
    def share(self) -> float | Decimal | None:
        if self.hidden or not self.total:
            return None
        return self.value / self.total


@dataclass
class GapCell:
    group: CompetenceGroup
    people: int
    rated: int
    below: int
    gap_sum: int
    hidden: str = ""
    partial: GapCell | None = None

    @property
    def share(self) -> float | None:
        return self.below / self.rated if self.rated and not self.hidden else None

    @property
    def mean(self) -> float | None:
        return self.gap_sum / self.rated if self.rated and not self.hidden else None


@dataclass
class Row:
    DIRECT = "direct"
    CHILD = "child"
    TOTAL = "total"

    kind: str
    label: str
    unit: TreeUnit | None  # the child unit to drill into (None: direct and total rows)
    people: Cell
    self_eval: Cell
    leader_eval: Cell
    mus: Cell
    plans: Cell
    activities: Cell
    seats: Cell
    completed: Cell
    cost: Cell
    held_mus: Cell
    held_grus: Cell
    held_lus: Cell
    held_senior: Cell
    gaps: list[GapCell]

    @property
    def is_total(self) -> bool:
        return self.kind == self.TOTAL


@dataclass
class CompetenceGap:
    competence: Competence
    group: CompetenceGroup
    people: int
    rated: int
    below: int
    gap_sum: int

    @property
    def share(self) -> float:
        return self.below / self.rated

    @property
    def mean(self) -> float:
        return self.gap_sum / self.rated


@dataclass
class Dashboard:
    unit: OrgUnit
    round: EvaluationRound | None
    period: Period
    rows: list[Row]  # direct and child rows; the total is separate
    total: Row
    groups: list[CompetenceGroup]
    top_gaps: list[CompetenceGap]
    k: int | None  # None: nothing is hidden (leaders and HR)

    @property
    def shown_gap_figures(self) -> tuple[int, int]:
        """(assessments, of which below the required level) over the competence groups
        of the whole unit, counting only what the page shows (a hidden cell's shown
        part), so that the sentence beside the largest gaps agrees with the tables."""
        rated = below = 0
        for cell in self.total.gaps:
            shown = cell.partial if cell.partial is not None else None if cell.hidden else cell
            if shown is not None:
                rated, below = rated + shown.rated, below + shown.below
        return rated, below


# Each cell of a row: its family of figures and how it is built from a row's sums.
CELLS = {
    "people": ("people", lambda f: Cell(f.people)),
    "mus": ("people", lambda f: Cell(f.mus_held, f.people)),
    "plans": ("people", lambda f: Cell(f.plans_signed, f.people)),
    "self_eval": ("self", lambda f: Cell(f.self_done, f.self_total)),
    "leader_eval": ("leader", lambda f: Cell(f.leader_done, f.leader_total)),
    "activities": ("activities", lambda f: Cell(f.activities_done, f.activities)),
    "seats": ("enrolments", lambda f: Cell(f.seats)),
    "completed": ("enrolments", lambda f: Cell(f.completed)),
    "cost": ("enrolments", lambda f: Cell(f.cost)),
    # Conversations held per kind: counts of the row's people, hidden with its people.
    "held_mus": ("people", lambda f: Cell(f.held_mus)),
    "held_grus": ("people", lambda f: Cell(f.held_grus)),
    "held_lus": ("people", lambda f: Cell(f.held_lus)),
    "held_senior": ("people", lambda f: Cell(f.held_senior)),
}


def _group_size(group_id: int):
    return lambda f: f.groups[group_id].people if group_id in f.groups else 0


def _gap_cell(group: CompetenceGroup):
    def build(figures: Figures) -> GapCell:
        g = figures.groups.get(group.pk, GroupFigures())
        return GapCell(
            group=group, people=g.people, rated=g.rated, below=g.below, gap_sum=g.gap_sum
        )

    return build


class _Hiding:
    """Which cells of one page are hidden. A cell is hidden if its row's people are
    hidden (a row about fewer than k people shows nothing at all, not even a zero), or
    if its own family's figure is; hiding more never makes anything else derivable."""

    def __init__(self, tree: dict, by_unit: dict[int, Figures], families, k: int):
        self.k, self.by_unit = k, by_unit
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, parent in tree.items():
            if parent is not None:
                self.children[parent].append(pk)
        self.cells = {
            family: anonymity.suppressed_cells(
                {
                    pk: (parent, size_of(by_unit[pk]) if pk in by_unit else 0)
                    for pk, parent in tree.items()
                },
                k,
            )
            for family, size_of in families.items()
        }

    def hidden(self, family, kind: str, key: int) -> bool:
        def hidden_in(cells) -> bool:
            return key in cells.direct if kind == Row.DIRECT else key in cells.units

        return hidden_in(self.cells["people"]) or hidden_in(self.cells[family])

    def reason(self, family, kind: str, key: int, n: int, people: int) -> str:
        if not self.hidden(family, kind, key):
            return ""
        return SMALL if people < self.k or 0 < n < self.k else COMPLEMENTARY

    def visible_part(self, family, key: int) -> Figures:
        """The sum of the `family` figures shown inside the hidden unit `key`: its own
        shown rows, and inside its hidden children, theirs. Each part is shown on some
        page of the subtree, so the sum tells nothing new; it lets the page show how
        far the figures that may be shown go."""
        part = Figures()
        stack = [key]
        while stack:
            unit_id = stack.pop()
            if unit_id in self.by_unit and not self.hidden(family, Row.DIRECT, unit_id):
                part.add(self.by_unit[unit_id])
            for child in self.children[unit_id]:
                if self.hidden(family, Row.CHILD, child):
                    stack.append(child)
                else:
                    part.add(self._subtree_sum(child))
        return part

    def _subtree_sum(self, key: int) -> Figures:
        total, stack = Figures(), [key]
        while stack:
            unit_id = stack.pop()
            if unit_id in self.by_unit:
                total.add(self.by_unit[unit_id])
            stack.extend(self.children[unit_id])
        return total


def _row(
    kind: str,
    label: str,
    unit: TreeUnit | None,
    key: int,
    figures: Figures,
    groups: list[CompetenceGroup],
    hiding: _Hiding | None,
    families: dict,
) -> Row:
    def cell(family, build):
        shown = build(figures)
        if hiding is None:
            return shown
        size = families[family]
        shown.hidden = hiding.reason(family, kind, key, size(figures), figures.people)
        if shown.hidden == COMPLEMENTARY and kind != Row.DIRECT:
            part = hiding.visible_part(family, key)
            if size(part):
                shown.partial = build(part)
        return shown

    return Row(
        kind=kind,
        label=label,
        unit=unit,
        gaps=[cell(("group", group.pk), _gap_cell(group)) for group in groups],
        **{name: cell(family, build) for name, (family, build) in CELLS.items()},
    )


def _gap_sums(
    unit: OrgUnit, round_: EvaluationRound, period: Period, *, alone: bool = False
) -> dict[int, tuple[int, int, int]]:
    """Competence id → (rated, below, gap sum), summed in SQL over the subtree."""
    rows = (
        _competence_rows(unit, round_, period, alone=alone)
        .values("competence_id")
        .annotate(rated=Sum("rated"), below=Sum("below"), gap_sum=Sum("gap_sum"))
        .values_list("competence_id", "rated", "below", "gap_sum")
        .order_by()
    )
    return {pk: (rated, below, gap_sum) for pk, rated, below, gap_sum in rows}


def _largest_first(sums: dict[int, tuple[int, int, int]]) -> list[tuple]:
    """(competence id, rated, below, gap sum), largest share below the required first."""
    totals = [(pk, *values) for pk, values in sums.items() if values[1] > 0]
    totals.sort(key=lambda r: (-r[2] / r[1], -r[3] / r[1]))
    return totals


def _gap_totals(unit: OrgUnit, round_: EvaluationRound, period: Period) -> list[tuple]:
    return _largest_first(_gap_sums(unit, round_, period))


def _top_gaps(
    unit: OrgUnit,
    round_: EvaluationRound,
    period: Period,
    structure,
    tree: dict,
    k: int | None,
    gap_totals: list[tuple] | None = None,
) -> list[CompetenceGap]:
    """The competences with the largest share of assessments below the required level,
    summed in SQL over the stored per-unit competence figures of the subtree (current:
    `figures_by_unit` has just recomputed what changed). For a MED committee, a
    competence is left out when its figure is hidden."""
    totals = list(gap_totals) if gap_totals is not None else _gap_totals(unit, round_, period)
    competences = {c.pk: c for c in structure.competences}
    groups = {g.group.pk: g.group for g in structure.groups}
    if k is not None:
        totals = totals[:TOP_GAP_CANDIDATES]
        # One assessment per person and competence: the number rated is the people.
        sizes: dict[int, dict[int, int]] = defaultdict(dict)
        for competence_id, unit_id, rated in (
            _competence_rows(unit, round_, period)
            .filter(competence_id__in=[r[0] for r in totals])
            .values_list("competence_id", "figures__unit_id", "rated")
        ):
            sizes[competence_id][unit_id] = rated
        shown = []
        for row in totals:
            cells = anonymity.suppressed_cells(
                {pk: (parent, sizes[row[0]].get(pk, 0)) for pk, parent in tree.items()}, k
            )
            if unit.pk not in cells.units:
                shown.append(row)
        totals = shown
    result = []
    for competence_id, rated, below, gap_sum in totals:
        competence = competences.get(competence_id)
        if competence is None:
            continue
        result.append(
            CompetenceGap(
                competence=competence,
                group=groups[competence.group_id],
                people=rated,
                rated=rated,
                below=below,
                gap_sum=gap_sum,
            )
        )
        if len(result) == TOP_GAPS:
            break
    return result


SUMS_SECONDS = 24 * 3600  # a key names one exact state; old states simply expire


def _states(units: list[TreeUnit], kids: dict[int | None, list[TreeUnit]]) -> dict[int, str]:
    """Unit id → a digest of the exact state of its subtree: each unit's place and
    figures version, and its children's digests (units in path order: a unit's
    descendants come after it, so the reverse order meets children first)."""
    states: dict[int, bytes] = {}
    for u in reversed(units):
        digest = hashlib.blake2b(
            f"{u.pk}:{u.parent_id}:{u.figures_version}".encode(), digest_size=16
        )
        for child in kids[u.pk]:
            digest.update(states[child.pk])
        states[u.pk] = digest.digest()
    return {pk: state.hex() for pk, state in states.items()}


def _unit_parts(
    top: OrgUnit, ids: list[int], versions: dict[int, int], round_, period: Period
) -> dict[int, tuple[Figures, dict]]:
    """Unit id → (Figures, gap sums) of the people directly in each of `ids` (units of
    `top`'s subtree): from the stored figures, recomputing the stale ones."""
    stored = figures_by_unit(top, round_, period, {pk: versions[pk] for pk in ids})
    gaps: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    if round_ is not None:
        where = (
            Q(figures__unit_id__in=ids)
            if len(ids) <= STALE_BY_ID
            else Q(figures__unit__path__startswith=top.path)
        )
        rows = UnitCompetenceFigures.objects.filter(
            where,
            figures__round_key=round_.pk,
            figures__period_start=period.start,
            figures__period_end=period.end,
        ).values_list("figures__unit_id", "competence_id", "rated", "below", "gap_sum")
        wanted = set(ids)
        for unit_id, competence_id, rated, below, gap_sum in rows:
            if unit_id in wanted:
                gaps[unit_id][competence_id] = (rated, below, gap_sum)
    parts = {}
    for pk in ids:
        figures = stored.get(pk) or Figures()
        figures.competences = {}  # the gap sums beside it say the same
        parts[pk] = (figures, gaps.get(pk, {}))
    return parts


def _added(parts) -> tuple[Figures, dict]:
    figures = Figures()
    gaps: dict[int, tuple[int, int, int]] = {}
    for part_figures, part_gaps in parts:
        figures.add(part_figures)
        for competence_id, (rated, below, gap_sum) in part_gaps.items():
            r, b, g = gaps.get(competence_id, (0, 0, 0))
            gaps[competence_id] = (r + rated, b + below, g + gap_sum)
    return figures, gaps


def _kept_rows(unit: OrgUnit, units: list[TreeUnit], round_, period: Period):
    """The row sums of a leader's or HR's page, and the subtree's gap totals.

    Every subtree's sums (and every unit's own figures) are kept in the cache under a
    key naming the exact state below it, so a change in one unit recomputes that unit
    and adds up again only the subtrees on its path to the top, each from its
    children's kept sums: the page reads the cache one tree level at a time."""
    kids: dict[int | None, list[TreeUnit]] = defaultdict(list)
    for u in units[1:]:  # `unit` comes first
        kids[u.parent_id].append(u)
    states = _states(units, kids)
    versions = {u.pk: u.figures_version for u in units}
    round_key = round_.pk if round_ is not None else 0
    # The number of figures is in the key: sums kept before a figure was added are
    # not read back.
    suffix = f"{round_key}:{period.start}:{period.end}:n{len(Figures.COUNTS)}"

    def own(pk: int) -> str:
        return f"dashboard-unit:{pk}:{versions[pk]}:{suffix}"

    def below(pk: int) -> str:
        return f"dashboard-subtree:{pk}:{states[pk]}:{suffix}"

    # Down the tree, one cache read per level, as far as the sums are missing.
    parts: dict[str, tuple[Figures, dict]] = {}
    missing_units: list[int] = []
    to_add: list[int] = []  # units whose subtree sums are missing, parents first

    def parts_of(pk: int) -> list[tuple[str, int, bool]]:
        """What the subtree of `pk` adds up: (key, unit id, is a subtree) of the unit's
        own figures and of each child's subtree."""
        return [(own(pk), pk, False)] + [(below(c.pk), c.pk, True) for c in kids[pk]]

    wanted = parts_of(unit.pk)
    while wanted:
        found = cache.get_many([key for key, _pk, _subtree in wanted])
        parts.update(found)
        next_level: list[tuple[str, int, bool]] = []
        for key, pk, is_subtree in wanted:
            if key in found:
                continue
            if is_subtree:
                to_add.append(pk)
                next_level += parts_of(pk)
            else:
                missing_units.append(pk)
        wanted = next_level

    fresh: dict[str, tuple[Figures, dict]] = {}
    if missing_units:
        for pk, part in _unit_parts(unit, missing_units, versions, round_, period).items():
            fresh[own(pk)] = part
    parts.update(fresh)
    for pk in reversed(to_add):  # children's sums before their parent's
        part = _added([parts[key] for key, _pk, _subtree in parts_of(pk)])
        parts[below(pk)] = fresh[below(pk)] = part
    if fresh:
        cache.set_many(fresh, SUMS_SECONDS)

    rows = parts_of(unit.pk)
    row_figures = {pk: parts[key][0] for key, pk, _subtree in rows}
    _, gap_sums = _added([parts[key] for key, _pk, _subtree in rows])
    return row_figures, _largest_first(gap_sums)


def _row_sums(unit: OrgUnit, units: list[TreeUnit], by_unit: dict[int, Figures]) -> dict:
    """Each unit's figures added to its row: the unit itself, or the child it lies under."""
    depth = len(unit_path_ids(unit.path))
    row_figures: dict[int, Figures] = defaultdict(Figures)
    for u in units:
        figures = by_unit.get(u.pk)
        if figures is None:
            continue
        ids = unit_path_ids(u.path)
        key = ids[depth] if len(ids) > depth else unit.pk
        row_figures[key].add(figures)
    return dict(row_figures)


def subtree_units(unit: OrgUnit) -> list[TreeUnit]:
    """The units of `unit`'s subtree, `unit` first, each unit before its descendants."""
    rows = (
        OrgUnit.objects.filter(path__startswith=unit.path)
        .order_by("path")
        .values_list("pk", "parent_id", "name", "path", "figures_version")
    )
    return [TreeUnit(*row) for row in rows]


def unit_dashboard(
    unit: OrgUnit,
    round_: EvaluationRound | None,
    period: Period,
    *,
    k: int | None = None,
) -> Dashboard:
    """The dashboard of `unit`'s subtree. With `k` (MED committees), every cell built
    from fewer than k people, and every cell that would give one away, is hidden."""
    units = subtree_units(unit)
    # unit id → parent id inside the subtree (None for `unit` itself).
    top = unit.pk
    tree = {u.pk: (u.parent_id if u.pk != top else None) for u in units}
    structure = version_structure(round_.version) if round_ is not None else None
    groups = [g.group for g in structure.groups] if structure else []
    children = {u.pk: u for u in units if u.parent_id == top and u.pk != top}

    if k is None:
        row_figures, gap_totals = _kept_rows(unit, units, round_, period)
        hiding, families = None, FAMILIES
    else:
        by_unit = figures_by_unit(unit, round_, period, {u.pk: u.figures_version for u in units})
        row_figures, gap_totals = _row_sums(unit, units, by_unit), None
        families = dict(FAMILIES)
        families.update({("group", group.pk): _group_size(group.pk) for group in groups})
        hiding = _Hiding(tree, by_unit, families, k)
    total = Figures()  # the rows add up to the total: every unit lies in exactly one
    for figures in row_figures.values():
        total.add(figures)

    rows = []
    direct = row_figures.get(unit.pk)
    if direct is not None and direct.people:
        rows.append(_row(Row.DIRECT, unit.name, None, unit.pk, direct, groups, hiding, families))
    for child in sorted(children.values(), key=lambda c: c.name):
        figures = row_figures.get(child.pk)
        if figures is not None and figures.people:
            rows.append(
                _row(Row.CHILD, child.name, child, child.pk, figures, groups, hiding, families)
            )
    total_row = _row(Row.TOTAL, unit.name, None, unit.pk, total, groups, hiding, families)
    top_gaps = []
    if round_ is not None and not total_row.people.hidden:
        top_gaps = _top_gaps(unit, round_, period, structure, tree, k, gap_totals)
    return Dashboard(
        unit=unit,
        round=round_,
        period=period,
        rows=rows,
        total=total_row,
        groups=groups,
        top_gaps=top_gaps,
        k=k,
    )


# --- Whose dashboard, and which units it covers ------------------------------------------


def committees_of(person: Person) -> QuerySet[MEDCommittee]:
    """The open MED committees `person` is a member of, with their units."""
    return MEDCommittee.objects.open().filter(memberships__person=person).select_related("unit")


def committee_list(person: Person) -> list[MEDCommittee]:
    """`committees_of(person)` by kind (Hoved-MED first) and name."""
    return list(committees_of(person).order_by("kind", "name"))


def top_units(person: Person, units: QuerySet[OrgUnit]) -> list[OrgUnit]:
    """The tops of the subtrees `person` leads or administers (several for a leader of
    two units, or a leader who is also HR for another centre)."""
    if permissions.is_kommune_hr(person):
        return []
    paths = sorted(
        set(permissions.led_unit_paths(person) + permissions.administered_unit_paths(person))
    )
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(units.filter(path__in=tops).order_by("path"))


def first_unit(units: QuerySet[OrgUnit]) -> OrgUnit | None:
    """The top of `units` (the shallowest, then the first in tree order)."""
    return units.order_by("depth", "path").first()


def subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """`unit` and every unit below it."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def ancestors_within(unit: OrgUnit, units: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """The units above `unit` that are among `units`, top first (the breadcrumb)."""
    return units.filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth")


def kommune_unit_totals(
    kommune_id: int, round_: EvaluationRound | None, period: Period, *, k: int
) -> list[tuple[TreeUnit, Row]]:
    """Every unit of the kommune, in tree order, with its subtree's figures exactly as
    the total of that unit's MED dashboard shows them (for the read-only API): the same
    stored figures and the same tree rule over the whole kommune, so no figure is shown
    here that a MED committee's page hides, and none can be worked out from the others."""
    # Every unit's path starts with "/": a stand-in for the top of the whole kommune.
    everything = OrgUnit(kommune_id=kommune_id, path="/")
    units = subtree_units(everything)
    if not units:
        return []
    by_unit = figures_by_unit(everything, round_, period, {u.pk: u.figures_version for u in units})
    tree = {u.pk: u.parent_id for u in units}
    structure = version_structure(round_.version) if round_ is not None else None
    groups = [g.group for g in structure.groups] if structure else []
    families = dict(FAMILIES)
    families.update({("group", group.pk): _group_size(group.pk) for group in groups})
    hiding = _Hiding(tree, by_unit, families, k)
    sums: dict[int, Figures] = defaultdict(Figures)
    for u in reversed(units):  # descendants before their ancestors
        if u.pk in by_unit:
            sums[u.pk].add(by_unit[u.pk])
        if u.parent_id is not None:
            sums[u.parent_id].add(sums[u.pk])
    return [
        (u, _row(Row.TOTAL, u.name, u, u.pk, sums[u.pk], groups, hiding, families)) for u in units
    ]
