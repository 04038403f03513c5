"""Reads for gap reports: who and what a report covers, its aggregates, and the
reports a person may see.

Built to scale to København (45,000 people × 40 competences): every figure is an
aggregate computed by the database over the pre-computed `Assessment` rows; the rows
that are long lists (units, development-plan activities) are querysets the spreadsheet
streams (`annualcycle.reports.documents`).

Who is "in" a report: people with an active position whose main position (a leadership
first, then the oldest, as `kompetence.selectors.primary_positions`) lies in the unit's
subtree and, with a job profile, has that profile. Assessment rows carry the unit of
the person's main position already, so the subtree filter on them is one indexed
`path LIKE` condition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from annualcycle.models import GapReport
from kompetence import permissions
from kompetence.models import OrgUnit, Person, Position
from mus.models import PlanActivity, PlanGoal, PlanVersion
from profiles.models import (
    Assessment,
    CompetenceGroup,
    EvaluationRound,
    FrameworkVersion,
    JobProfile,
    JobProfileAssignment,
)
from profiles.selectors import VersionStructure, rounds_for_unit, version_structure

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TOP_GAPS = 10
REPORT_LIST_LIMIT = 50


# --- The reports a person sees -----------------------------------------------------------


def reports_for(viewer: Person) -> QuerySet[GapReport]:
    """The reports `viewer` ordered; HR for the whole kommune: all of the kommune's."""
    rows = GapReport.objects.filter(kommune_id=viewer.kommune_id).select_related(
        "unit", "job_profile", "requested_by"
    )
    if permissions.is_kommune_hr(viewer):
        return rows
    return rows.filter(requested_by=viewer)


def report_list(viewer: Person) -> list[GapReport]:
    """The newest of `viewer`'s reports (`reports_for`), newest first."""
    return list(reports_for(viewer).order_by("-requested_at", "-pk")[:REPORT_LIST_LIMIT])


def orderable_units(viewer: Person) -> QuerySet[OrgUnit]:
    """The units `viewer` may order a report for (they lead or administer), in tree order."""
    return permissions.visible_units(viewer).order_by("path")


def job_profiles(viewer: Person) -> QuerySet[JobProfile]:
    """The job profiles of `viewer`'s kommune, by name, for narrowing a report."""
    return JobProfile.objects.filter(kommune_id=viewer.kommune_id).order_by("name")


# --- Who and what a report covers ------------------------------------------------------


def main_positions(person_ref) -> QuerySet[Position]:
    """The active positions of the person `person_ref` (an OuterRef), main one first:
    for correlated subqueries, in the order of `primary_positions`."""
    return (
        Position.objects.active()
        .filter(person_id=person_ref)
        .order_by("-is_leader", "start_date", "pk")
    )


def scope_people(*, unit: OrgUnit, job_profile: JobProfile | None = None) -> QuerySet[Person]:
    """Active people whose main position lies in `unit`'s subtree (and has
    `job_profile`). A queryset, so callers count it or use it as a subquery."""
    main = main_positions(OuterRef("pk"))
    in_subtree = Position.objects.active().filter(
        kommune_id=unit.kommune_id, unit__path__startswith=unit.path
    )
    people = (
        Person.objects.filter(
            kommune_id=unit.kommune_id, is_active=True, pk__in=in_subtree.values("person_id")
        )
        .annotate(main_unit_path=Subquery(main.values("unit__path")[:1]))
        .filter(main_unit_path__startswith=unit.path)
    )
    if job_profile is not None:
        people = people.annotate(main_position_id=Subquery(main.values("pk")[:1])).filter(
            main_position_id__in=JobProfileAssignment.objects.filter(
                job_profile=job_profile
            ).values("position_id")
        )
    return people


def competence_group_names() -> list[str]:
    """Group names of the kommune's published frameworks, for choosing a group."""
    return list(
        CompetenceGroup.objects.filter(version__status=FrameworkVersion.Status.PUBLISHED)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )


def latest_round(unit: OrgUnit) -> EvaluationRound | None:
    """The newest evaluation round covering `unit` (opened on it or above it)."""
    return rounds_for_unit(unit).order_by("-opened_at", "-pk").first()


def scope_assessments(
    *,
    round_: EvaluationRound,
    unit: OrgUnit,
    job_profile: JobProfile | None = None,
    group_name: str = "",
) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(
        kommune_id=unit.kommune_id, round=round_, unit__path__startswith=unit.path
    )
    if job_profile is not None:
        rows = rows.filter(
            person_id__in=scope_people(unit=unit, job_profile=job_profile).values("pk")
        )
    if group_name:
        rows = rows.filter(group__name=group_name)
    return rows


def plan_activities(*, people: QuerySet[Person], group_name: str = "") -> QuerySet[PlanActivity]:
    """The activities in the newest version of every development plan of `people`
    ("samle op på udviklingsplaner"); with `group_name`, only those whose goal is
    about a competence of that group."""
    newer = PlanVersion.objects.filter(
        plan_id=OuterRef("version__plan_id"), number__gt=OuterRef("version__number")
    )
    activities = PlanActivity.objects.filter(
        version__plan__employee_id__in=people.values("pk")
    ).exclude(Exists(newer))
    if group_name:
        activities = activities.filter(
            goal_id__in=PlanGoal.objects.filter(competences__group__name=group_name).values("pk")
        )
    return activities


class UnitColumns(TypedDict):
    unit_name: str | None
    unit_path: str | None


def with_unit(
    activities: QuerySet[PlanActivity],
) -> QuerySet[WithAnnotations[PlanActivity, UnitColumns]]:
    """Adds the name and path of the employee's main unit, for listing and sorting."""
    main = main_positions(OuterRef("version__plan__employee_id"))
    return activities.annotate(
        unit_name=Subquery(main.values("unit__name")[:1]),
        unit_path=Subquery(main.values("unit__path")[:1]),
    ).order_by("unit_path", "version__plan__employee__name", "version__plan_id", "order", "pk")


# --- Aggregates ------------------------------------------------------------------------


def _gap_aggregates(condition: Q | None = None) -> dict:
    """Mean assessed level, how many rows are below their required level, how many have
    both a required and an assessed level (the denominator of the share), and answers."""
    q = condition or Q()
    return {
        "mean": Avg("assessed", filter=q),
        "below": Count("pk", filter=q & Q(gap__gt=0)),
        "with_required": Count("pk", filter=q & Q(required__isnull=False, assessed__isnull=False)),
        "n": Count("assessed", filter=q),
    }


def share(below: int, with_required: int) -> float | None:
    return below / with_required if with_required else None


@dataclass
class Figures:
    """Gap figures of one slice (a competence group, a competence, everything)."""

    name: str
    people: int
    mean: float | None
    below: int
    with_required: int
    n: int
    group: str = ""
    required_mean: float | None = None
    self_mean: float | None = None
    leader_mean: float | None = None
    mean_gap: float | None = None

    @property
    def share_below(self) -> float | None:
        return share(self.below, self.with_required)


def totals(assessments: QuerySet[Assessment]) -> Figures:
    row = assessments.aggregate(people=Count("person_id", distinct=True), **_gap_aggregates())
    return Figures(name="", **row)


def group_figures(assessments: QuerySet[Assessment], structure: VersionStructure) -> list[Figures]:
    """Per competence group, in framework order: one GROUP BY."""
    rows = {
        row["group_id"]: row
        for row in assessments.values("group_id")
        .annotate(people=Count("person_id", distinct=True), **_gap_aggregates())
        .order_by()
    }
    result = []
    for group in structure.groups:
        row = rows.get(group.group.pk)
        if row is not None:
            figures: dict[str, Any] = {k: v for k, v in row.items() if k != "group_id"}
            result.append(Figures(name=group.group.name, **figures))
    return result


def _applicable(field: str, not_applicable: set[int]) -> Q:
    condition = Q(**{f"{field}__isnull": False})
    if not_applicable:
        condition &= ~Q(**{f"{field}__in": sorted(not_applicable)})
    return condition


def competence_figures(
    assessments: QuerySet[Assessment], structure: VersionStructure
) -> list[Figures]:
    """Per competence, in framework order: required, self, leader and assessed means
    and the share below required. Self and leader answers of "not applicable" are left
    out of their means as they are of the assessed level. One GROUP BY."""
    not_applicable = structure.not_applicable_values
    rows = {
        row["competence_id"]: row
        for row in assessments.values("competence_id")
        .annotate(
            # A person has one row per competence in a round: no DISTINCT needed.
            people=Count("pk"),
            required_mean=Avg("required"),
            self_mean=Avg("self_level", filter=_applicable("self_level", not_applicable)),
            leader_mean=Avg("leader_level", filter=_applicable("leader_level", not_applicable)),
            mean_gap=Avg("gap"),
            **_gap_aggregates(),
        )
        .order_by()
    }
    result = []
    for group in structure.groups:
        for competence in group.competences:
            row = rows.get(competence.pk)
            if row is not None:
                figures: dict[str, Any] = {k: v for k, v in row.items() if k != "competence_id"}
                result.append(Figures(name=competence.name, group=group.group.name, **figures))
    return result


def top_gaps(competences: list[Figures], limit: int = TOP_GAPS) -> list[Figures]:
    """The competences with the largest share below required (then the largest mean gap)."""
    below = [f for f in competences if f.below]
    below.sort(key=lambda f: (-(f.share_below or 0), -(f.mean_gap or 0), f.name))
    return below[:limit]


def unit_rows(
    assessments: QuerySet[Assessment], groups: list[tuple[int, str]]
) -> Iterator[Mapping[str, Any]]:
    """Per unit of the subtree with answers (in tree order): people, and per competence
    group the mean assessed level and the rows below required. One aggregate query
    grouped by unit, with one filtered aggregate per group, streamed."""
    aggregates = {"people": Count("person_id", distinct=True)}
    for index, (group_id, _name) in enumerate(groups):
        for key, aggregate in _gap_aggregates(Q(group_id=group_id)).items():
            aggregates[f"{key}_{index}"] = aggregate
    return (
        assessments.values("unit_id", "unit__name", "unit__path")
        .annotate(**aggregates)
        .order_by("unit__path")
        .iterator(chunk_size=2000)
    )


# --- What a report shows --------------------------------------------------------------


@dataclass
class ReportContent:
    """Everything the PDF shows and the spreadsheet's first sheets hold."""

    report: GapReport
    round: EvaluationRound | None
    structure: VersionStructure | None
    people: int
    totals: Figures
    groups: list[Figures]
    competences: list[Figures]
    generated_at: datetime.datetime

    @property
    def top_gaps(self) -> list[Figures]:
        return top_gaps(self.competences)


def report_content(report: GapReport) -> ReportContent:
    round_ = latest_round(report.unit)
    structure = version_structure(round_.version) if round_ else None
    people = scope_people(unit=report.unit, job_profile=report.job_profile).count()
    if round_ is None:
        empty = Figures(name="", people=0, mean=None, below=0, with_required=0, n=0)
        return ReportContent(report, None, None, people, empty, [], [], timezone.now())
    assessments = report_assessments(report, round_)
    assert structure is not None  # there is a round
    return ReportContent(
        report=report,
        round=round_,
        structure=structure,
        people=people,
        totals=totals(assessments),
        groups=group_figures(assessments, structure),
        competences=competence_figures(assessments, structure),
        generated_at=timezone.now(),
    )


def report_assessments(report: GapReport, round_: EvaluationRound) -> QuerySet[Assessment]:
    return scope_assessments(
        round_=round_,
        unit=report.unit,
        job_profile=report.job_profile,
        group_name=report.group_name,
    )
