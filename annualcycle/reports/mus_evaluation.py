"""Reads for HovedMED's yearly MUS evaluation: who may order it, which reports a person
sees, and what a report shows.

The framework agreement on competence development asks the top MED committee to
evaluate regularly how MUS is used. The report covers a unit's subtree and a period
(from–to), and counts, per unit:

* people: active people whose main position lies in the unit now, each counted once,
  at their main unit (as the dashboards and the gap report count them);
* conversations held, by kind: status "held" with `held_at` in the period (a held
  conversation without a time, by its start); a GRUS counts once per participant,
  since each has their own conversation and plan. Conversations planned and
  cancelled: status "scheduled" / "cancelled" with their start in the period;
* people who had a held conversation in the period, and their share of the people;
* plans signed: plans with a version both the employee and the leader signed, both
  signatures in the period;
* the period's plans: the plans of the conversations held in the period; of those,
  awaiting signature: the newest version still lacks a signature today;
* follow-ups due: plans whose newest version's follow-up date lies in the period;
  done: the plan had a check-in dated in the period, or every activity of that version
  is done (dropped activities do not count; at least one is done);
* check-ins: mid-year check-ins (`PlanCheckIn`) dated in the period;
* the goals' themes: the goals in the newest version of the period's plans, per
  competence group (by name) of the competences each goal is about. A goal about
  competences of two groups counts in both; a goal about no competence counts as
  "no competence chosen".

Every report is k-anonymous, whoever orders it (it is written to be shared in MED),
by the dashboards' rule (`annualcycle.dashboards.anonymity`, k = the kommune's
`med_min_group_size`), decided once per cell of the unit tree so that every report
and every dashboard page agrees:

* the "people" family: every figure above is about the row's people, so a row whose
  head count the tree rule hides (fewer than k people, or hidden so that one cannot
  be worked out by subtraction) shows nothing at all, as on the dashboards;
* each theme is a family of its own, whose n is the number of people with goals in
  it: a theme is shown in a row only where neither its family nor the row's people
  are hidden.

As on the dashboards, the rule is about the people a figure is built from, within
one period. Two reports on the same unit for overlapping periods differ by what
happened between their ends; that difference is about the same unit's people, but
not hidden when few of them had a conversation or goals in the gap.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from annualcycle.cycle.selectors import current_cycle
from annualcycle.dashboards import anonymity
from annualcycle.dashboards.selectors import TreeUnit, committees_of, subtree_units
from annualcycle.models import MusEvaluationReport
from annualcycle.reports.selectors import main_positions, scope_people
from kompetence import permissions
from kompetence.models import OrgUnit, Person, unit_path_ids
from mus.models import (
    Conversation,
    ConversationKind,
    Plan,
    PlanActivity,
    PlanCheckIn,
    PlanGoal,
    PlanVersion,
    Signature,
)

REPORT_LIST_LIMIT = 50
PEOPLE = "people"  # the head-count family
NO_THEME = ""  # the theme of goals about no competence
KINDS = [kind for kind, _label in ConversationKind.choices]
HELD = [f"held_{kind}" for kind in KINDS]
# Every count of a row, in the order the documents show them.
COUNTS = (
    "people",
    *HELD,
    "held",
    "scheduled",
    "cancelled",
    "with_held",
    "signed",
    "period_plans",
    "awaiting",
    "follow_ups_due",
    "follow_ups_done",
    "check_ins",
)
# Between the names of the units above a unit, in the spreadsheet's "Placering".
PLACEMENT_SEPARATOR = " \u203a "


def theme_family(name: str) -> tuple:
    return ("theme", name)


# --- Who may order and see ---------------------------------------------------------------


def _reach_paths(viewer: Person) -> list[str]:
    """The subtrees `viewer` may order a report for: where they act as HR (everywhere
    for kommune HR) and the units their open MED committees cover."""
    return permissions.administered_unit_paths(viewer) + [
        committee.unit.path for committee in committees_of(viewer)
    ]


def may_order(viewer: Person) -> bool:
    """HR (for some unit or the whole kommune) and members of an open MED committee."""
    return bool(_reach_paths(viewer))


def orderable_units(viewer: Person) -> QuerySet[OrgUnit]:
    """The units `viewer` may order a report for, in tree order."""
    paths = _reach_paths(viewer)
    if not paths:
        return OrgUnit.objects.none()
    under = reduce(or_, (Q(path__startswith=path) for path in paths))
    return OrgUnit.objects.filter(under, kommune_id=viewer.kommune_id).order_by("path")


def reports_for(viewer: Person) -> QuerySet[MusEvaluationReport]:
    """The reports about units `viewer` may order a report for: a committee's members
    share the reports about the units it covers, and HR sees those of the units it
    administers (kommune HR: all). A report is k-anonymous, so sharing it reveals no
    more than the dashboards."""
    return MusEvaluationReport.objects.filter(
        kommune_id=viewer.kommune_id, unit__in=orderable_units(viewer).order_by()
    ).select_related("unit", "requested_by")


def report_list(viewer: Person) -> list[MusEvaluationReport]:
    """The newest of `viewer`'s reports (`reports_for`), newest first."""
    return list(reports_for(viewer).order_by("-requested_at", "-pk")[:REPORT_LIST_LIMIT])


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The årshjul year running today, else the last calendar year."""
    today = today or timezone.localdate()
    cycle = current_cycle(today)
    if cycle is not None:
        return cycle.starts_on, cycle.ends_on
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


# --- The figures per unit ------------------------------------------------------------------


@dataclass
class UnitCounts:
    """The counts about the people directly in one unit, or added up for a subtree."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    # Theme name → [goals, people with goals in it].
    themes: dict[str, list[int]] = field(default_factory=dict)

    def add(self, other: UnitCounts) -> None:
        for name, value in other.counts.items():
            self.counts[name] += value
        for theme, (goals, people) in other.themes.items():
            mine = self.themes.setdefault(theme, [0, 0])
            mine[0] += goals
            mine[1] += people


def _main_unit(person_ref) -> Subquery:
    return Subquery(main_positions(person_ref).values("unit_id")[:1])


def _held(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Conversation.Status.HELD}) & (
        Q(**{f"{prefix}held_at__date__range": (start, end)})
        | Q(**{f"{prefix}held_at__isnull": True, f"{prefix}starts_at__date__range": (start, end)})
    )


def _newest_versions() -> QuerySet[PlanVersion]:
    newer = PlanVersion.objects.filter(plan_id=OuterRef("plan_id"), number__gt=OuterRef("number"))
    return PlanVersion.objects.exclude(Exists(newer))


def _rows(queryset: QuerySet, person: str) -> QuerySet:
    """`queryset` grouped by the main unit of its `person` (a lookup to a person id):
    the aggregates annotated next are per unit."""
    return queryset.annotate(at=_main_unit(OuterRef(person))).values("at")


def unit_counts(unit: OrgUnit, start: datetime.date, end: datetime.date) -> dict[int, UnitCounts]:
    """{unit id: the counts about the people directly in it}, for `unit`'s subtree: seven
    aggregate queries grouped by unit, whatever the number of people."""
    people = scope_people(unit=unit)
    ids = people.values("pk")
    period = (start, end)
    result: dict[int, UnitCounts] = defaultdict(UnitCounts)

    def put(rows: QuerySet) -> None:
        for row in rows.order_by():
            counts = result[row.pop("at")].counts
            for name, value in row.items():
                counts[name] = value or 0

    held = Conversation.objects.filter(employee_id=OuterRef("pk")).filter(_held(start, end))
    put(
        _rows(people, "pk").annotate(people=Count("pk"), with_held=Count("pk", filter=Exists(held)))
    )

    held_q = _held(start, end)
    starts = Q(starts_at__date__range=period)
    conversations = Conversation.objects.filter(employee_id__in=ids).filter(held_q | starts)
    put(
        _rows(conversations, "employee_id").annotate(
            held=Count("pk", filter=held_q),
            scheduled=Count("pk", filter=starts & Q(status=Conversation.Status.SCHEDULED)),
            cancelled=Count("pk", filter=starts & Q(status=Conversation.Status.CANCELLED)),
            **{
                name: Count("pk", filter=held_q & Q(kind=kind))
                for name, kind in zip(HELD, KINDS, strict=True)
            },
        )
    )

    def signed_by(role: str, version: str = "pk", **within) -> Exists:
        return Exists(Signature.objects.filter(version_id=OuterRef(version), role=role, **within))

    both = PlanVersion.objects.filter(plan_id=OuterRef("pk")).filter(
        signed_by(Signature.Role.EMPLOYEE, signed_at__date__range=period),
        signed_by(Signature.Role.LEADER, signed_at__date__range=period),
    )
    plans = Plan.objects.filter(employee_id__in=ids)
    put(_rows(plans.filter(Exists(both)), "employee_id").annotate(signed=Count("pk")))

    newest = _newest_versions().filter(plan_id=OuterRef("pk")).values("pk")[:1]
    period_plans = plans.filter(_held(start, end, "conversation__")).annotate(
        newest=Subquery(newest)
    )
    fully_signed = Q(signed_by(Signature.Role.EMPLOYEE, "newest")) & Q(
        signed_by(Signature.Role.LEADER, "newest")
    )
    put(
        _rows(period_plans, "employee_id").annotate(
            period_plans=Count("pk"), awaiting=Count("pk", filter=~fully_signed)
        )
    )

    check_in = PlanCheckIn.objects.filter(
        version__plan_id=OuterRef("plan_id"), held_on__range=period
    )
    activities = PlanActivity.objects.filter(version_id=OuterRef("pk"))
    all_done = Q(Exists(activities.filter(status=PlanActivity.Status.DONE))) & ~Q(
        Exists(
            activities.exclude(status__in=[PlanActivity.Status.DONE, PlanActivity.Status.CANCELLED])
        )
    )
    follow_ups = _newest_versions().filter(plan__employee_id__in=ids, follow_up_date__range=period)
    put(
        _rows(follow_ups, "plan__employee_id").annotate(
            follow_ups_due=Count("pk"),
            follow_ups_done=Count("pk", filter=Q(Exists(check_in)) | all_done),
        )
    )

    check_ins = PlanCheckIn.objects.filter(
        version__plan__employee_id__in=ids, held_on__range=period
    )
    put(_rows(check_ins, "version__plan__employee_id").annotate(check_ins=Count("pk")))

    for row in _theme_rows(people, start, end):
        result[row["at"]].themes[row["theme"] or NO_THEME] = [row["goals"], row["people"]]
    for counts in result.values():
        counts.counts["held"] = sum(counts.counts[name] for name in HELD)
    return dict(result)


def _theme_rows(people: QuerySet[Person], start: datetime.date, end: datetime.date):
    versions = _newest_versions().filter(
        plan__employee_id__in=people.values("pk"),
        plan__in=Plan.objects.filter(_held(start, end, "conversation__")),
    )
    return (
        PlanGoal.objects.filter(version__in=versions)
        .annotate(
            at=_main_unit(OuterRef("version__plan__employee_id")),
            theme=F("competences__group__name"),
        )
        .values("at", "theme")
        .annotate(
            goals=Count("pk", distinct=True),
            people=Count("version__plan__employee_id", distinct=True),
        )
        .order_by()
    )


# --- Rows and suppression ------------------------------------------------------------------


@dataclass
class Row:
    """One row of the report: a unit's subtree (`direct`: only the people directly in
    it). Hidden figures are None; a row whose people are hidden shows nothing."""

    label: str
    unit_id: int
    depth: int
    placement: str
    direct: bool
    counts: dict[str, int | None]
    themes: dict[str, list[int] | None]  # theme → [goals, people], None when hidden

    @property
    def hidden(self) -> bool:
        return self.counts["people"] is None

    @property
    def people(self) -> int | None:
        return self.counts["people"]

    @property
    def share_held(self) -> float | None:
        people, with_held = self.counts["people"], self.counts["with_held"]
        return with_held / people if people and with_held is not None else None

    @property
    def share_follow_ups_done(self) -> float | None:
        due, done = self.counts["follow_ups_due"], self.counts["follow_ups_done"]
        return done / due if due and done is not None else None

    def count(self, name: str) -> int | None:
        return self.counts[name]

    def goals(self, theme: str) -> int | None:
        value = self.themes.get(theme)
        return value[0] if value is not None else None


@dataclass
class MusEvaluation:
    """Everything the spreadsheet and the PDF show."""

    report: MusEvaluationReport
    k: int
    themes: list[str]  # theme names by number of goals, "no competence" last
    total: Row
    page: list[Row]  # the people directly in the unit, then each child unit's subtree
    units: list[Row]  # every unit of the subtree with people, in tree order
    generated_at: datetime.datetime

    @property
    def shown_part(self) -> Row | None:
        """When the total is hidden: the sum of the rows shown beside it, which anyone
        could add up and so tells nothing new ("uden skjulte tal", as the dashboards
        show it). None when the total is shown or no row is."""
        shown = [row for row in self.page if not row.hidden]
        if not self.total.hidden or not shown:
            return None
        counts: dict[str, int | None] = {
            name: sum(row.counts[name] or 0 for row in shown) for name in COUNTS
        }
        return Row(
            label=self.total.label,
            unit_id=self.total.unit_id,
            depth=0,
            placement="",
            direct=False,
            counts=counts,
            themes=dict.fromkeys(self.themes),
        )


def _cells(tree: dict[int, int | None], sizes: dict[int, int], k: int) -> anonymity.Cells:
    return anonymity.suppressed_cells(
        {pk: (parent, sizes.get(pk, 0)) for pk, parent in tree.items()}, k
    )


def _build_row(
    unit: TreeUnit,
    figures: UnitCounts,
    *,
    direct: bool,
    label: str,
    placement: str,
    depth: int,
    cells: dict[Hashable, anonymity.Cells],
    themes: list[str],
) -> Row:
    def hidden(family: Hashable) -> bool:
        c = cells.get(family)
        if c is None:
            return False
        return unit.pk in (c.direct if direct else c.units)

    if hidden(PEOPLE):
        return Row(
            label=label,
            unit_id=unit.pk,
            depth=depth,
            placement=placement,
            direct=direct,
            counts=dict.fromkeys(COUNTS),
            themes=dict.fromkeys(themes),
        )
    return Row(
        label=label,
        unit_id=unit.pk,
        depth=depth,
        placement=placement,
        direct=direct,
        counts=dict(figures.counts),
        themes={
            theme: None if hidden(theme_family(theme)) else list(figures.themes.get(theme, [0, 0]))
            for theme in themes
        },
    )


def evaluation_content(report: MusEvaluationReport) -> MusEvaluation:
    """The report's figures, k-anonymous by the dashboards' tree rule."""
    unit = report.unit
    k = report.kommune.med_min_group_size
    units = subtree_units(unit)
    tree = {u.pk: (u.parent_id if u.pk != unit.pk else None) for u in units}
    direct = unit_counts(unit, report.period_start, report.period_end)

    # Subtree sums, children before parents (units come in path order).
    subtree: dict[int, UnitCounts] = {u.pk: UnitCounts() for u in units}
    for u in reversed(units):
        if u.pk in direct:
            subtree[u.pk].add(direct[u.pk])
        if u.pk != unit.pk and u.parent_id in subtree:
            subtree[u.parent_id].add(subtree[u.pk])

    goals_by_theme: dict[str, int] = defaultdict(int)
    for counts in direct.values():
        for theme, (goals, _people) in counts.themes.items():
            goals_by_theme[theme] += goals
    themes = sorted(goals_by_theme, key=lambda t: (t == NO_THEME, -goals_by_theme[t], t.casefold()))
    cells: dict[Hashable, anonymity.Cells] = {
        PEOPLE: _cells(tree, {pk: c.counts["people"] for pk, c in direct.items()}, k)
    }
    for theme in themes:
        sizes = {pk: c.themes[theme][1] for pk, c in direct.items() if theme in c.themes}
        cells[theme_family(theme)] = _cells(tree, sizes, k)

    names = {u.pk: u.name for u in units}
    top_depth = len(unit_path_ids(unit.path))

    def placement(u: TreeUnit) -> str:
        ids = unit_path_ids(u.path)
        return PLACEMENT_SEPARATOR.join(names[pk] for pk in ids[top_depth - 1 : -1])

    def row(u: TreeUnit, *, is_direct: bool, label: str = "") -> Row:
        return _build_row(
            u,
            (direct.get(u.pk) or UnitCounts()) if is_direct else subtree[u.pk],
            direct=is_direct,
            label=label or u.name,
            placement=placement(u),
            depth=len(unit_path_ids(u.path)) - top_depth,
            cells=cells,
            themes=themes,
        )

    has_children = {u.parent_id for u in units if u.pk != unit.pk}
    top = units[0]
    page: list[Row] = []
    own = direct.get(unit.pk)
    if own is not None and own.counts["people"] and unit.pk in has_children:
        page.append(row(top, is_direct=True))
    for child in sorted(
        (u for u in units if u.parent_id == unit.pk and u.pk != unit.pk), key=lambda u: u.name
    ):
        if subtree[child.pk].counts["people"]:
            page.append(row(child, is_direct=False))
    listed: list[Row] = []
    for u in units:
        if not subtree[u.pk].counts["people"]:
            continue
        listed.append(row(u, is_direct=False))
        own = direct.get(u.pk)
        if u.pk in has_children and own is not None and own.counts["people"]:
            listed.append(row(u, is_direct=True))
    return MusEvaluation(
        report=report,
        k=k,
        themes=themes,
        total=row(top, is_direct=False),
        page=page,
        units=listed,
        generated_at=timezone.now(),
    )
