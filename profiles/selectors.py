"""Reads on frameworks, profiles, evaluations and gaps that pages and reports share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Greatest, StrIndex, Substr

from kompetence import permissions
from kompetence.models import Kommune, OrgUnit, Person, Position
from kompetence.selectors import primary_positions
from profiles.models import (
    Assessment,
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    JobProfile,
    JobProfileAssignment,
    JobRequirement,
    RatingScale,
    Role,
    ScaleLevel,
    UnitProfileLevel,
)


@dataclass
class GroupStructure:
    group: CompetenceGroup
    competences: list[Competence] = field(default_factory=list)


@dataclass
class VersionStructure:
    """A framework version's groups, competences and scale, ready to render."""

    version: FrameworkVersion
    groups: list[GroupStructure]
    levels: list[ScaleLevel]

    @property
    def competences(self) -> list[Competence]:
        return [c for g in self.groups for c in g.competences]

    @property
    def not_applicable_values(self) -> set[int]:
        return {level.value for level in self.levels if level.is_not_applicable}

    @property
    def level_values(self) -> set[int]:
        return {level.value for level in self.levels}

    @property
    def max_value(self) -> int:
        return max((lv.value for lv in self.levels if not lv.is_not_applicable), default=0)

    def for_role(self, role: str) -> list[GroupStructure]:
        """Only the rows a person in `role` answers (Hvidovre's role × perspective matrix)."""
        groups = []
        for group in self.groups:
            rows = [c for c in group.competences if c.applies_to(role)]
            if rows:
                groups.append(GroupStructure(group=group.group, competences=rows))
        return groups

    @property
    def default_level(self) -> ScaleLevel | None:
        """The level a rating starts from, when the version says (from Moodle)."""
        return next((lv for lv in self.levels if lv.value == self.version.default_level), None)

    @property
    def proficient_level(self) -> ScaleLevel | None:
        """The lowest level that counts as proficient, when the version says."""
        return next((lv for lv in self.levels if lv.value == self.version.proficient_from), None)

    def level_label(self, value: int | None) -> str:
        for level in self.levels:
            if level.value == value:
                return level.label
        return ""


def _load_structure(version: FrameworkVersion) -> VersionStructure:
    groups = {
        g.pk: GroupStructure(group=g)
        for g in CompetenceGroup.objects.filter(version=version).order_by("order", "pk")
    }
    for competence in Competence.objects.filter(version=version).order_by("order", "pk"):
        groups[competence.group_id].competences.append(competence)
    levels = list(ScaleLevel.objects.filter(scale_id=version.framework.scale_id).order_by("value"))
    ordered = sorted(groups.values(), key=lambda g: (g.group.order, g.group.pk))
    return VersionStructure(version=version, groups=ordered, levels=levels)


def version_structure(version: FrameworkVersion) -> VersionStructure:
    """The structure of `version`. Published and retired versions never change, so
    theirs is cached for good; a draft is read fresh each time."""
    if version.is_draft:
        return _load_structure(version)
    # The publication time is part of the key, so a database rebuilt with reused ids
    # (tests, a restored backup) never meets a stale entry.
    stamp = version.published_at.timestamp() if version.published_at else 0
    key = f"framework-version-structure:{version.kommune_id}:{version.pk}:{stamp}"
    structure = cache.get(key)
    if structure is None:
        structure = _load_structure(version)
        cache.set(key, structure, timeout=None)
    return structure


def current_version(framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=FrameworkVersion.Status.PUBLISHED).first()


def published_versions() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related(
        "framework"
    )


# --- Roles ---------------------------------------------------------------------------


def roles_of(person_ids) -> dict[int, str]:
    """Each person's role in Hvidovre's sense, derived from what they lead:
    the direktion, a centre, a unit with leaders below it, a unit, or nothing."""
    leader_positions = list(Position.objects.active().filter(is_leader=True).select_related("unit"))
    led_paths = {p.unit.path for p in leader_positions}
    rank: dict[str, int] = {
        Role.DIREKTION: 0,
        Role.CENTERCHEF: 1,
        Role.LEDER_AF_LEDERE: 2,
        Role.LEDER_AF_MEDARBEJDERE: 3,
        Role.MEDARBEJDER: 4,
    }
    wanted = set(person_ids)
    roles: dict[int, str] = dict.fromkeys(wanted, Role.MEDARBEJDER)
    for position in leader_positions:
        if position.person_id not in wanted:
            continue
        unit = position.unit
        if unit.kind == OrgUnit.Kind.DIREKTION:
            role = Role.DIREKTION
        elif unit.kind == OrgUnit.Kind.CENTER:
            role = Role.CENTERCHEF
        elif any(p != unit.path and p.startswith(unit.path) for p in led_paths):
            role = Role.LEDER_AF_LEDERE
        else:
            role = Role.LEDER_AF_MEDARBEJDERE
        if rank[role] < rank[roles[position.person_id]]:
            roles[position.person_id] = role
    return roles


def role_of(person: Person) -> str:
    return roles_of([person.pk])[person.pk]


# --- Required levels ---------------------------------------------------------------


def required_levels(
    person_ids, framework_ids, primary: dict[int, Position] | None = None
) -> dict[tuple[int, int], dict]:
    """{(person_id, framework_id): {competence_key: level}}: from the job profile of the
    person's main position if it belongs to that framework, else from the nearest unit
    profile above (or at) the person's unit. A handful of queries for any number of people.
    `primary` is `primary_positions(person_ids)` when the caller has it already (a
    45,000-person round reads them once).
    """
    if primary is None:
        primary = primary_positions(person_ids)
    assignments = dict(
        JobProfileAssignment.objects.filter(
            position_id__in=[p.pk for p in primary.values()]
        ).values_list("position_id", "job_profile_id")
    )
    profile_framework: dict[int, int] = {}
    job_levels: dict[int, dict] = defaultdict(dict)
    for req in JobRequirement.objects.filter(job_profile_id__in=set(assignments.values())).values(
        "job_profile_id", "job_profile__framework_id", "competence_key", "level"
    ):
        profile_framework[req["job_profile_id"]] = req["job_profile__framework_id"]
        job_levels[req["job_profile_id"]][req["competence_key"]] = req["level"]

    ancestor_ids = {i for p in primary.values() for i in p.unit.ancestor_ids}
    unit_levels: dict[tuple[int, int], dict] = defaultdict(dict)
    for row in UnitProfileLevel.objects.filter(
        unit_id__in=ancestor_ids, framework_id__in=framework_ids
    ).values("unit_id", "framework_id", "competence_key", "level"):
        unit_levels[(row["unit_id"], row["framework_id"])][row["competence_key"]] = row["level"]

    result: dict[tuple[int, int], dict] = {}
    for person_id in person_ids:
        position = primary.get(person_id)
        for framework_id in framework_ids:
            levels: dict = {}
            if position is not None:
                # Inherit top-down: a unit further down overrides the one above it.
                for unit_id in position.unit.ancestor_ids:
                    levels.update(unit_levels.get((unit_id, framework_id), {}))
                profile_id = assignments.get(position.pk)
                if profile_id and profile_framework.get(profile_id) == framework_id:
                    levels.update(job_levels[profile_id])
            result[(person_id, framework_id)] = levels
    return result


def unit_profile_view(unit: OrgUnit, version: FrameworkVersion) -> dict:
    """For each competence key: the unit's own level, and the level it inherits from
    the nearest unit above (with that unit), for the unit profile page."""
    rows = UnitProfileLevel.objects.filter(
        unit_id__in=unit.ancestor_ids, framework_id=version.framework_id
    ).select_related("unit")
    own: dict = {}
    inherited: dict = {}
    for row in sorted(rows, key=lambda r: r.unit.depth):
        if row.unit_id == unit.pk:
            own[row.competence_key] = row.level
        else:
            inherited[row.competence_key] = (row.level, row.unit)
    return {"own": own, "inherited": inherited}


# --- Evaluations ------------------------------------------------------------------


def evaluation_ratings(evaluation: Evaluation) -> dict[int, object]:
    """{competence_id: Rating} of one evaluation."""
    return {r.competence_id: r for r in evaluation.ratings.all()}


def open_evaluations_of(person: Person) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(
            subject=person, kind=Evaluation.Kind.SELF, round__status=EvaluationRound.Status.OPEN
        )
        .select_related("round")
        .order_by("round__deadline")
    )


def latest_round_of(person: Person) -> EvaluationRound | None:
    return (
        EvaluationRound.objects.filter(assessments__person=person)
        .select_related("version__framework")
        .order_by("-opened_at", "-pk")
        .first()
    )


def latest_assessments(person_ids, competence_keys) -> dict[tuple[int, object], Assessment]:
    """{(person id, competence key): Assessment} from each person's latest round (as
    `latest_round_of`), for the competences with `competence_keys`: one query, however
    many people (the leader's approvals page)."""
    latest = (
        EvaluationRound.objects.filter(assessments__person=OuterRef("person_id"))
        .order_by("-opened_at", "-pk")
        .values("pk")[:1]
    )
    rows = Assessment.objects.filter(
        person_id__in=set(person_ids),
        competence__key__in=set(competence_keys),
        round=Subquery(latest),
    ).select_related("competence")
    return {(row.person_id, row.competence.key): row for row in rows}


def round_summary(round_: EvaluationRound, persons: QuerySet[Person]) -> dict:
    """People in the round among `persons`, and how many self- and leader evaluations
    they have submitted: one aggregate, whatever the size of the round."""
    submitted = Q(status=Evaluation.Status.SUBMITTED)
    return Evaluation.objects.filter(round=round_, subject__in=persons).aggregate(
        people=Count("subject", distinct=True, filter=Q(kind=Evaluation.Kind.SELF)),
        self_submitted=Count("pk", filter=submitted & Q(kind=Evaluation.Kind.SELF)),
        leader_submitted=Count("pk", filter=submitted & Q(kind=Evaluation.Kind.LEADER)),
    )


def round_people(round_: EvaluationRound, persons: QuerySet[Person]) -> QuerySet[Person]:
    """The people in the round among `persons`, by name (for a page of them)."""
    in_round = Evaluation.objects.filter(round=round_, subject=OuterRef("pk"))
    return persons.filter(Exists(in_round)).order_by("name", "pk")


def round_progress(round_: EvaluationRound, persons: QuerySet[Person] | None = None) -> list[dict]:
    """Per person in the round (optionally only `persons`): self and leader status."""
    evaluations = Evaluation.objects.filter(round=round_, kind__in=["self", "leader"])
    if persons is not None:
        evaluations = evaluations.filter(subject__in=persons)
    rows: dict[int, dict] = {}
    for ev in evaluations.select_related("subject").order_by("subject__name", "subject_id"):
        row = rows.setdefault(ev.subject_id, {"person": ev.subject, "self": None, "leader": None})
        row[ev.kind] = ev
    return list(rows.values())


# --- Gaps --------------------------------------------------------------------------


@dataclass
class GapRow:
    competence: Competence
    group: CompetenceGroup
    required: int | None
    self_level: int | None
    leader_level: int | None
    agreed_level: int | None
    assessed: int | None
    gap: int | None
    # Links other apps offer next to the row; the page sets them (extensions).
    links: list = field(default_factory=list, compare=False, repr=False)

    @property
    def disagreement(self) -> int:
        """How far self and leader are apart (0 when either is missing)."""
        if self.self_level is None or self.leader_level is None:
            return 0
        return abs(self.self_level - self.leader_level)

    @property
    def below_required(self) -> bool:
        return self.gap is not None and self.gap > 0


def person_gaps(person: Person, round_: EvaluationRound) -> list[GapRow]:
    """Per competence: required, self, leader and agreed levels, and the gap, for one
    person in one round. Self/leader values equal to a "not applicable" level are
    shown as given; `assessed` and `gap` leave them out."""
    structure = version_structure(round_.version)
    by_competence = {
        a.competence_id: a for a in Assessment.objects.filter(round=round_, person=person)
    }
    rows = []
    for group in structure.groups:
        for competence in group.competences:
            a = by_competence.get(competence.pk)
            if a is None:
                continue
            rows.append(
                GapRow(
                    competence=competence,
                    group=group.group,
                    required=a.required,
                    self_level=a.self_level,
                    leader_level=a.leader_level,
                    agreed_level=a.agreed_level,
                    assessed=a.assessed,
                    gap=a.gap,
                )
            )
    return rows


# A heat-map cell is a team's figure only when at least this many people's levels
# make it: one person's level (often their leader's rating of them) shown as "the
# team's" would be that person's rating under another name. Below it the cell says
# how many answered, and the leader may open the people behind it.
MIN_TEAM_FIGURE = 2


@dataclass
class HeatCell:
    mean: float | None
    count: int
    below: int
    with_required: int

    @property
    def is_team_figure(self) -> bool:
        return self.count >= MIN_TEAM_FIGURE

    @property
    def share_below(self) -> float | None:
        return self.below / self.with_required if self.with_required else None


@dataclass
class HeatRow:
    label: str
    unit: OrgUnit | None  # None for "directly in the unit"
    people: int
    cells: dict[int, HeatCell]


def heatmap(unit: OrgUnit, round_: EvaluationRound) -> list[HeatRow]:
    """Units × competences for `unit`'s subtree in one round: one row for the people
    directly in the unit and one per child unit (its whole subtree), each cell with the
    mean assessed level, how many are below their required level, and the count.

    The leaders of `unit` itself are left out: their own evaluation is not a figure
    of the team they lead (the leader of a child unit is in that unit's row, as one
    of the people `unit`'s leader leads).

    One aggregate query, grouped by the first path step below `unit`."""
    prefix_length = len(unit.path)
    rest = Substr("unit__path", prefix_length + 1)
    assessments = (
        team_assessments(unit, round_)
        # PostgreSQL refuses a negative length, so the people directly in `unit`
        # (whose rest is empty) get length 0, i.e. the bucket "".
        .annotate(bucket=Substr(rest, 1, Greatest(StrIndex(rest, Value("/")) - 1, Value(0))))
        .values("bucket", "competence_id")
        .annotate(
            mean=Avg("assessed"),
            count=Count("assessed"),
            people=Count("person_id", distinct=True),
            below=Count("pk", filter=Q(gap__gt=0)),
            with_required=Count("pk", filter=Q(required__isnull=False, assessed__isnull=False)),
        )
    )
    buckets: dict[str, dict] = defaultdict(dict)
    people: dict[str, int] = defaultdict(int)
    for row in assessments:
        buckets[row["bucket"]][row["competence_id"]] = HeatCell(
            mean=row["mean"],
            count=row["count"],
            below=row["below"],
            with_required=row["with_required"],
        )
        people[row["bucket"]] = max(people[row["bucket"]], row["people"])
    children = {str(c.pk): c for c in OrgUnit.objects.filter(parent=unit).order_by("name")}
    rows = []
    if "" in buckets:
        rows.append(HeatRow(label=unit.name, unit=None, people=people[""], cells=buckets[""]))
    for key, child in children.items():
        if key in buckets:
            rows.append(
                HeatRow(label=child.name, unit=child, people=people[key], cells=buckets[key])
            )
    return rows


def team_assessments(unit: OrgUnit, round_: EvaluationRound) -> QuerySet[Assessment]:
    """The assessments in `unit`'s subtree in `round_` that make its team figures:
    everyone's but those of the leaders of `unit` itself."""
    unit_leaders = Position.objects.active().filter(unit=unit, is_leader=True)
    return Assessment.objects.filter(round=round_, unit__path__startswith=unit.path).exclude(
        person_id__in=unit_leaders.values("person_id")
    )


def heatmap_people(
    viewer: Person,
    unit: OrgUnit,
    round_: EvaluationRound,
    competence: Competence,
    *,
    direct: bool,
) -> list[Assessment]:
    """The people behind one heat-map cell, for their leader: the assessments on
    `competence` of the people `viewer` leads directly in `unit` (`direct`: the row
    "unit (direkte)" of `unit`'s own heat-map, without its leaders) or in its whole
    subtree (the row of `unit` on its parent's heat-map), exactly those the cell
    counts, by name."""
    if direct:
        assessments = team_assessments(unit, round_).filter(unit=unit)
    else:
        assessments = Assessment.objects.filter(round=round_, unit__path__startswith=unit.path)
    assessments = assessments.filter(
        competence=competence, person__in=permissions.persons_led_by(viewer)
    )
    return list(assessments.select_related("person").order_by("person__name", "person_id"))


def rounds_for_unit(unit: OrgUnit) -> QuerySet[EvaluationRound]:
    """Rounds that cover `unit` (opened on it or on a unit above it)."""
    return EvaluationRound.objects.filter(unit_id__in=unit.ancestor_ids).select_related(
        "version__framework"
    )


# --- Pages: frameworks, scales, job profiles ----------------------------------------


def frameworks_with_versions(kommune: Kommune) -> QuerySet[Framework]:
    """The kommune's frameworks by name, each with its versions newest first."""
    return (
        Framework.objects.filter(kommune=kommune)
        .select_related("scale")
        .prefetch_related(
            Prefetch("versions", queryset=FrameworkVersion.objects.order_by("-number"))
        )
        .order_by("name", "pk")
    )


def frameworks_of(kommune: Kommune) -> QuerySet[Framework]:
    return Framework.objects.filter(kommune=kommune).order_by("name", "pk")


def framework_versions(framework_id: int) -> list[FrameworkVersion]:
    """Every version of a framework, newest first."""
    return list(FrameworkVersion.objects.filter(framework_id=framework_id).order_by("-number"))


def published_versions_of(kommune: Kommune) -> list[FrameworkVersion]:
    """The kommune's published versions with framework and scale, by framework name."""
    return list(
        published_versions()
        .filter(kommune=kommune)
        .select_related("framework__scale")
        .order_by("framework__name", "framework_id")
    )


def scales_of(kommune: Kommune) -> QuerySet[RatingScale]:
    return RatingScale.objects.filter(kommune=kommune).order_by("name", "pk")


def scales_with_level_counts(kommune: Kommune) -> QuerySet[RatingScale]:
    return scales_of(kommune).annotate(level_count=Count("levels"))


def scale_levels(scale: RatingScale) -> QuerySet[ScaleLevel]:
    return ScaleLevel.objects.filter(scale=scale).order_by("value")


def frameworks_on_scale(scale: RatingScale) -> QuerySet[Framework]:
    return Framework.objects.filter(scale=scale).order_by("name")


def item_at_edge(item: CompetenceGroup | Competence, direction: int) -> bool:
    """Whether moving a group or competence by `direction` (-1 up, +1 down) would take
    it past the first or last place among its siblings."""
    siblings = (
        CompetenceGroup.objects.filter(version_id=item.version_id)
        if isinstance(item, CompetenceGroup)
        else Competence.objects.filter(group_id=item.group_id)
    )
    order = list(siblings.order_by("order", "pk").values_list("pk", flat=True))
    return not 0 <= order.index(item.pk) + direction < len(order)


def job_profiles_with_counts(kommune: Kommune) -> QuerySet[JobProfile]:
    """The kommune's job profiles by name, with `position_count` and `requirement_count`."""
    return (
        JobProfile.objects.filter(kommune=kommune)
        .select_related("framework")
        .annotate(
            position_count=Count("assignments", distinct=True),
            requirement_count=Count("requirements", distinct=True),
        )
        .order_by("name", "pk")
    )


def job_requirement_levels(job_profile: JobProfile) -> dict:
    """{competence key: required level} of a job profile."""
    return dict(job_profile.requirements.values_list("competence_key", "level"))


def position_assignment(position: Position) -> JobProfileAssignment | None:
    return (
        JobProfileAssignment.objects.filter(position=position).select_related("job_profile").first()
    )


def position_with_job_profile(position: Position) -> Position:
    """`position` read afresh, with its unit and job profile."""
    return Position.objects.select_related("unit", "job_profile_assignment__job_profile").get(
        pk=position.pk
    )


# --- Pages: units and rounds ---------------------------------------------------------


def top_units(viewer: Person) -> QuerySet[OrgUnit]:
    """The roots of the organisation tree, among the units `viewer` sees."""
    return permissions.visible_units(viewer).filter(parent=None)


def unit_visible_to(viewer: Person, unit_id: int) -> bool:
    return permissions.visible_units(viewer).filter(pk=unit_id).exists()


def first_visible_unit(viewer: Person) -> OrgUnit | None:
    """The highest unit `viewer` sees: where a unit page starts without a choice."""
    return permissions.visible_units(viewer).order_by("depth", "path").first()


def visible_ancestors(viewer: Person, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The units above `unit` that `viewer` sees, from the top down."""
    return permissions.visible_units(viewer).filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth")


def visible_children(viewer: Person, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return permissions.visible_units(viewer).filter(parent=unit).order_by("name", "pk")


def led_units(viewer: Person) -> QuerySet[OrgUnit]:
    """The units `viewer` leads (not those below them)."""
    return permissions.visible_units(viewer).filter(path__in=permissions.led_unit_paths(viewer))


def round_page_progress(
    round_: EvaluationRound, persons: QuerySet[Person], page_people
) -> list[dict]:
    """`round_progress` for one page of a round's people, among `persons`."""
    return round_progress(round_, persons.filter(pk__in=[p.pk for p in page_people]))


def round_evaluations(round_: EvaluationRound, subject: Person) -> dict[str, Evaluation]:
    """{kind: evaluation} of `subject` in `round_`."""
    return {e.kind: e for e in Evaluation.objects.filter(round=round_, subject=subject)}


def unit_rounds_newest_first(unit: OrgUnit) -> list[EvaluationRound]:
    return list(rounds_for_unit(unit).order_by("-opened_at", "-pk"))
