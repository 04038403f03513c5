"""Reads on the catalogue: what a person may see, search and filters, "matches my
gaps", seats left, approvals waiting for a leader, HR's lists and figures."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence import permissions
from kompetence.models import Kommune, OrgUnit, Person
from kompetence.selectors import primary_positions
from mus.models import PlanActivity
from profiles.models import Assessment, Competence, FrameworkVersion, JobProfile
from profiles.selectors import latest_assessments, latest_round_of, published_versions


def visible_courses(person: Person) -> QuerySet[Course]:
    """Published courses for everyone, or for the person's units or job profiles. HR
    (for the whole kommune) also sees drafts and archived courses."""
    if permissions.is_kommune_hr(person):
        return Course.objects.all()
    position = primary_positions([person.pk]).get(person.pk)
    audience = Q(audience_everyone=True)
    if position is not None:
        audience |= Q(audience_units__in=position.unit.ancestor_ids)
        audience |= Q(audience_job_profiles__assignments__position__person=person)
    published = Course.objects.filter(status=Course.Status.PUBLISHED)
    return published.filter(pk__in=published.filter(audience).values("pk"))


def catalogue_search(
    courses: QuerySet[Course],
    *,
    form: str = "",
    competence_key: str = "",
    starts_from: datetime.date | None = None,
    place: str = "",
    text: str = "",
) -> QuerySet[Course]:
    """`courses` (`published_courses`) narrowed by the catalogue's filters (an empty
    filter narrows nothing): the form, a competence the course develops, a session
    starting on or after `starts_from` (or continuous intake), the course's or a
    session's place, and the search text (`search`)."""
    if form:
        courses = courses.filter(form=form)
    if competence_key:
        courses = courses.filter(competences__competence_key=competence_key)
    if starts_from:
        courses = courses.filter(
            Q(sessions__starts_at__date__gte=starts_from) | Q(sessions__starts_at__isnull=True)
        ).distinct()
    if place:
        courses = courses.filter(
            Q(place__icontains=place) | Q(sessions__place__icontains=place)
        ).distinct()
    return search(courses, text)


def published_courses(person: Person) -> QuerySet[Course]:
    """The catalogue's courses for `person`: visible and published."""
    return visible_courses(person).filter(status=Course.Status.PUBLISHED)


def competence_keys_of(courses: QuerySet[Course]) -> set:
    """The keys of the competences `courses` develop."""
    return set(
        CourseCompetence.objects.filter(course__in=courses).values_list("competence_key", flat=True)
    )


def with_listing_data(courses: QuerySet[Course]) -> QuerySet[Course]:
    """What a list of courses shows, in a constant number of queries."""
    now = timezone.now()
    return courses.annotate(
        next_start=Min(
            "sessions__starts_at",
            filter=Q(sessions__starts_at__gte=now, sessions__is_cancelled=False),
        ),
        open_sessions=Count(
            "sessions",
            filter=Q(sessions__is_cancelled=False)
            & (Q(sessions__starts_at__gte=now) | Q(sessions__starts_at__isnull=True)),
            distinct=True,
        ),
    ).prefetch_related("competences")


def search(courses: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Full-text search in title and description: PostgreSQL's Danish stemming
    ("kurser" finds "kursus"), else a plain word match on other databases."""
    text = text.strip()
    if not text:
        return courses
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="danish") + SearchVector(
            "description", weight="B", config="danish"
        )
        query = SearchQuery(text, config="danish", search_type="websearch")
        return (
            courses.annotate(search_rank=SearchRank(vector, query))
            .filter(search_rank__gt=0)
            .order_by("-search_rank", "title")
        )
    for word in text.split():
        courses = courses.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return courses


@dataclass
class Gap:
    competence: Competence
    required: int
    assessed: int
    size: int


def current_gaps(person: Person) -> dict:
    """{competence key: Gap} from the person's latest evaluation round, largest first."""
    round_ = latest_round_of(person)
    if round_ is None:
        return {}
    rows = (
        Assessment.objects.filter(round=round_, person=person, gap__gt=0)
        .select_related("competence")
        .order_by("-gap", "competence__order")
    )
    return {
        row.competence.key: Gap(row.competence, row.required, row.assessed, row.gap)
        for row in rows
        # Always true here: a gap is set only when both levels are.
        if row.required is not None and row.assessed is not None and row.gap is not None
    }


@dataclass
class Match:
    course: Course
    score: int
    closes: list[tuple[Gap, int]] = field(default_factory=list)  # (gap, level the course reaches)


def rank_by_gaps(courses, gaps: dict) -> list[Match]:
    """Courses that develop a competence the person falls short in, best first.

    A course earns, for each gap it addresses, the number of steps of that gap it can
    close (up to the course's level) times ten plus the gap's size, so the course for
    the largest gap comes first and a course that closes more comes before one that
    closes less."""
    matches = []
    for course in courses:
        match = Match(course=course, score=0)
        for competence in course.competences.all():
            gap = gaps.get(competence.competence_key)
            if gap is None or competence.level <= gap.assessed:
                continue
            closes = min(competence.level, gap.required) - gap.assessed
            match.score += closes * 10 + gap.size
            match.closes.append((gap, competence.level))
        if match.score:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.course.title))
    return matches


def sessions_with_seats(course: Course) -> list[CourseSession]:
    """The course's sessions, each with `seated` and `waiting` counts."""
    return list(
        course.sessions.annotate(
            seated=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        ).order_by("starts_at", "pk")
    )


def live_enrolments_by_session(person: Person, course: Course) -> dict[int, Enrolment]:
    """{session id: enrolment} of the person's enrolments on the course that are not
    declined or cancelled."""
    return {
        e.session_id: e
        for e in enrolments_of(person)
        .filter(course=course)
        .exclude(status__in=[Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED])
    }


def open_plan_activities(person: Person) -> list[PlanActivity]:
    """Open activities of the person's current development plans, for linking."""
    activities = PlanActivity.objects.filter(
        version__plan__employee=person,
        status__in=[PlanActivity.Status.PLANNED, PlanActivity.Status.IN_PROGRESS],
    ).select_related("version__plan")
    current: dict[int, int] = {}
    for activity in activities.order_by("version__plan_id", "-version__number", "order"):
        current.setdefault(activity.version.plan_id, activity.version.number)
    return [a for a in activities if a.version.number == current[a.version.plan_id]]


def enrolments_of(person: Person) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person=person)
        .select_related("course", "session")
        .order_by("-requested_at", "-pk")
    )


def approvals_for(leader: Person) -> QuerySet[Enrolment]:
    """Requests from the people the leader leads, oldest first."""
    return (
        Enrolment.objects.filter(
            status=Enrolment.Status.REQUESTED, person__in=permissions.persons_led_by(leader)
        )
        .select_related("person", "course", "session")
        .order_by("requested_at", "pk")
    )


@dataclass
class Standing:
    """Where the person stands on one competence the course develops: their assessed
    and required levels in their latest round (None: not assessed, no requirement)."""

    name: str
    course_level: int
    assessed: int | None
    required: int | None

    @property
    def gap(self) -> int:
        if self.assessed is None or self.required is None:
            return 0
        return max(self.required - self.assessed, 0)


@dataclass
class ApprovalRequest:
    enrolment: Enrolment
    standings: list[Standing]


def approval_requests(leader: Person) -> list[ApprovalRequest]:
    """`approvals_for`, each request with the person's standing on the competences the
    course develops and the plan activity it came from, in a constant number of
    queries however many requests wait."""
    enrolments = list(
        approvals_for(leader)
        .select_related("plan_activity__version")
        .prefetch_related("course__competences")
    )
    keys = {c.competence_key for e in enrolments for c in e.course.competences.all()}
    assessments = latest_assessments({e.person_id for e in enrolments}, keys)
    names = competence_names(keys)
    requests = []
    for enrolment in enrolments:
        standings = []
        for course_competence in enrolment.course.competences.all():
            key = course_competence.competence_key
            assessment = assessments.get((enrolment.person_id, key))
            standings.append(
                Standing(
                    name=names.get(key, "?"),
                    course_level=course_competence.level,
                    assessed=assessment.assessed if assessment else None,
                    required=assessment.required if assessment else None,
                )
            )
        standings.sort(key=lambda s: (-s.gap, s.name))
        requests.append(ApprovalRequest(enrolment=enrolment, standings=standings))
    return requests


def gaps_without_courses(courses: QuerySet[Course], gaps: dict) -> list[Gap]:
    """The person's gaps (`current_gaps`) that no course among `courses` develops beyond
    the level the person has, largest first: "no course for this yet"."""
    reaching = CourseCompetence.objects.filter(
        course__in=courses, competence_key__in=list(gaps)
    ).values_list("competence_key", "level")
    covered = {key for key, level in reaching if level > gaps[key].assessed}
    return [gap for key, gap in gaps.items() if key not in covered]


def competence_names(keys) -> dict:
    """{competence key: name} from the newest framework version that has the key."""
    names: dict = {}
    for key, name in (
        Competence.objects.filter(key__in=set(keys))
        .order_by("key", "-version__number")
        .values_list("key", "name")
    ):
        names.setdefault(key, name)
    return names


# --- HR's lists -----------------------------------------------------------------------------


def courses_by_status(kommune: Kommune) -> list[dict]:
    """The kommune's courses in one section per status ({status, label, courses}),
    each course with who proposed it and its `session_count`."""
    courses = (
        Course.objects.filter(kommune=kommune)
        .select_related("proposed_by")
        .annotate(session_count=Count("sessions"))
        .order_by("title", "pk")
    )
    by_status: dict[str, list[Course]] = {status: [] for status in Course.Status.values}
    for course in courses:
        by_status[course.status].append(course)
    return [
        {"status": status, "label": label, "courses": by_status[status]}
        for status, label in Course.Status.choices
    ]


def audience_unit_choices(person: Person) -> QuerySet[OrgUnit]:
    """The units the course form offers as audience: those `person` may see, as a tree."""
    return permissions.visible_units(person).order_by("path")


def job_profile_choices() -> QuerySet[JobProfile]:
    return JobProfile.objects.order_by("name", "pk")


def course_levels(course: Course) -> dict:
    """{competence key: level} the course develops."""
    return dict(
        CourseCompetence.objects.filter(course=course).values_list("competence_key", "level")
    )


def kommune_framework_versions(kommune: Kommune) -> QuerySet[FrameworkVersion]:
    """The kommune's published framework versions, by framework name."""
    return (
        published_versions()
        .filter(kommune=kommune)
        .select_related("framework__scale")
        .order_by("framework__name", "framework_id")
    )


def waiting_count(session: CourseSession) -> int:
    return session.enrolments.filter(status=Enrolment.Status.WAITLISTED).count()


def roster(session: CourseSession) -> dict[str, list[Enrolment]]:
    """The session's enrolments in the roster's four lists, in one query."""
    enrolments = (
        Enrolment.objects.filter(session=session)
        .select_related("person", "unit", "decided_by", "plan_activity")
        .order_by("requested_at", "pk")
    )
    lists: dict[str, list[Enrolment]] = {
        "seated": [],
        "waiting": [],
        "requested": [],
        "history": [],
    }
    for enrolment in enrolments:
        if enrolment.status in Enrolment.SEATED or enrolment.status == Enrolment.Status.NO_SHOW:
            lists["seated"].append(enrolment)
        elif enrolment.status == Enrolment.Status.WAITLISTED:
            lists["waiting"].append(enrolment)
        elif enrolment.status == Enrolment.Status.REQUESTED:
            lists["requested"].append(enrolment)
        else:
            lists["history"].append(enrolment)
    lists["seated"].sort(key=lambda e: (e.person.name, e.pk))
    lists["waiting"].sort(key=lambda e: (e.waitlisted_at or e.requested_at, e.pk))
    return lists


# --- HR's figures -------------------------------------------------------------------------------


def overview_courses(kommune: Kommune) -> QuerySet[Course]:
    """The kommune's published and archived courses, for HR's overview."""
    return Course.objects.filter(
        kommune=kommune,
        status__in=[Course.Status.PUBLISHED, Course.Status.ARCHIVED],
    ).order_by("title", "pk")


def cost_units(kommune: Kommune) -> QuerySet[OrgUnit]:
    """The centres (the units right below the direktion); a kommune whose tree is only
    one level deep gets its top units."""
    centres = OrgUnit.objects.filter(kommune=kommune, depth=2)
    if centres.exists():
        return centres
    return OrgUnit.objects.filter(kommune=kommune, depth=1)


def session_overview(courses: QuerySet[Course]) -> list[dict]:
    """Per course and session: requests, confirmed places, waiting list, completion."""
    counts = (
        Enrolment.objects.filter(course__in=courses)
        .values("session_id", "status")
        .annotate(n=Count("pk"))
    )
    by_session: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        by_session[row["session_id"]][row["status"]] = row["n"]
    result = []
    for course in courses.prefetch_related(
        Prefetch("sessions", queryset=CourseSession.objects.order_by("starts_at", "pk"))
    ):
        sessions = []
        for session in course.sessions.all():
            status = by_session.get(session.pk, {})
            sessions.append(
                {
                    "session": session,
                    "requested": status.get(Enrolment.Status.REQUESTED, 0),
                    "seated": sum(status.get(s, 0) for s in Enrolment.SEATED),
                    "waiting": status.get(Enrolment.Status.WAITLISTED, 0),
                    "completed": status.get(Enrolment.Status.COMPLETED, 0),
                    "no_show": status.get(Enrolment.Status.NO_SHOW, 0),
                }
            )
        result.append({"course": course, "sessions": sessions})
    return result


@dataclass
class CostReport:
    by_unit: list[tuple[OrgUnit | None, int, Decimal]]
    by_group: list[tuple[str, int, Decimal]]
    total_participants: int
    total_cost: Decimal


def costs(
    *, start: datetime.date, end: datetime.date, units: QuerySet[OrgUnit] | None = None
) -> CostReport:
    """Price × participants for sessions starting in [start, end] (undated sessions by
    request date), per unit (the unit the person was in when enrolling, rolled up to
    the top units of `units`) and per competence group (a course's price is split
    evenly between the groups of the competences it develops)."""
    enrolments = Enrolment.objects.filter(status__in=Enrolment.COSTED).filter(
        Q(session__starts_at__date__range=(start, end))
        | Q(session__starts_at__isnull=True, requested_at__date__range=(start, end))
    )
    rows = list(enrolments.values("unit_id", "unit__path", "course_id", "course__price"))
    tops = (
        list(units.order_by("path")) if units is not None else list(OrgUnit.objects.filter(depth=1))
    )
    unit_totals: dict[int | None, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows:
        top = next((u.pk for u in tops if (row["unit__path"] or "").startswith(u.path)), None)
        unit_totals[top][0] += 1
        unit_totals[top][1] += row["course__price"]
    units_by_pk: dict[int | None, OrgUnit] = {u.pk: u for u in tops}

    course_ids = {row["course_id"] for row in rows}
    groups_of_course: dict[int, set[str]] = defaultdict(set)
    keys_of_course: dict[int, list] = defaultdict(list)
    for course_id, key in CourseCompetence.objects.filter(course_id__in=course_ids).values_list(
        "course_id", "competence_key"
    ):
        keys_of_course[course_id].append(key)
    group_names: dict = {}
    for key, name in (
        Competence.objects.filter(key__in={k for keys in keys_of_course.values() for k in keys})
        .order_by("key", "-version__number")
        .values_list("key", "group__name")
    ):
        group_names.setdefault(key, name)  # the newest version's group
    for course_id, keys in keys_of_course.items():
        groups_of_course[course_id] = {group_names[k] for k in keys if k in group_names}
    group_totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows:
        groups = sorted(groups_of_course.get(row["course_id"], ())) or [""]
        share = row["course__price"] / len(groups)
        for group in groups:
            group_totals[group][0] += 1
            group_totals[group][1] += share
    return CostReport(
        by_unit=[
            (units_by_pk.get(pk), count, cost)
            for pk, (count, cost) in sorted(unit_totals.items(), key=lambda item: -item[1][1])
        ],
        by_group=[
            (name, count, cost.quantize(Decimal("0.01")))
            for name, (count, cost) in sorted(group_totals.items(), key=lambda item: -item[1][1])
        ],
        total_participants=len(rows),
        total_cost=sum((row["course__price"] for row in rows), Decimal(0)),
    )


# --- Courses on development plans ------------------------------------------------------------


@dataclass
class PlanCourseChoices:
    """What a plan activity may name from the catalogue, for the activity form: the
    courses and sessions the choice is checked against (the kommune's; the service
    refuses what is not published or has started) and the options offered: the
    employee's published courses, those that match their gaps first, and their open
    sessions by course."""

    courses: QuerySet[Course]
    sessions: QuerySet[CourseSession]
    course_options: list
    session_options: list


def _open_sessions() -> QuerySet[CourseSession]:
    """Sessions one may still ask to join: not cancelled, not started, the deadline
    not passed (continuous intake included)."""
    return CourseSession.objects.filter(is_cancelled=False).filter(
        Q(starts_at__isnull=True) | Q(starts_at__gte=timezone.now()),
        Q(registration_deadline__isnull=True) | Q(registration_deadline__gte=timezone.localdate()),
    )


def session_label(session: CourseSession) -> str:
    """A session as a choice reads: its start and place, or continuous intake."""
    if session.starts_at is None:
        when = _("Løbende optag")
    else:
        when = date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
    return f"{when}, {session.place}" if session.place else when


def plan_course_choices(
    employee: Person,
    *,
    text: str = "",
    course_id: int | None = None,
    keep: PlanActivity | None = None,
) -> PlanCourseChoices:
    """The catalogue as the activity form of `employee`'s plan offers it, narrowed by the
    search `text`; the sessions of `course_id` only when given. `keep`: an activity
    being edited, whose course and session stay on offer even if no longer open.
    A constant number of queries whatever the catalogue's size."""
    kommune_id = employee.kommune_id
    offered = list(search(published_courses(employee), text).prefetch_related("competences")[:200])
    if keep is not None and keep.course is not None and keep.course not in offered:
        offered.append(keep.course)
    matches = rank_by_gaps(offered, current_gaps(employee))
    matched = [m.course for m in matches]
    others = sorted((c for c in offered if c not in matched), key=lambda c: (c.title, c.pk))

    def option(course: Course) -> tuple[int, str]:
        return (course.pk, f"{course.title} ({course.code})" if course.code else course.title)

    course_options: list = [("", _("Vælg et kursus"))]
    if matched:
        course_options.append(
            (_("Passer til medarbejderens udviklingsbehov"), [option(c) for c in matched])
        )
    if others:
        course_options.append(
            (_("Andre kurser") if matched else _("Kurser"), [option(c) for c in others])
        )

    wanted = [course_id] if course_id is not None else [c.pk for c in offered]
    sessions = list(
        _open_sessions()
        .filter(course_id__in=wanted)
        .select_related("course")
        .order_by("course__title", "course_id", "starts_at", "pk")
    )
    kept = keep.session if keep is not None else None
    if (
        kept is not None
        and kept not in sessions
        and (course_id is None or kept.course_id == course_id)
    ):
        sessions.append(kept)
    by_course: dict[int, list] = defaultdict(list)
    titles: dict[int, str] = {}
    for session in sessions:
        by_course[session.course_id].append((session.pk, session_label(session)))
        titles[session.course_id] = session.course.title
    session_options: list = [("", _("Intet hold valgt endnu"))]
    session_options += [(titles[pk], options) for pk, options in by_course.items()]
    return PlanCourseChoices(
        courses=Course.objects.filter(kommune_id=kommune_id),
        sessions=CourseSession.objects.filter(kommune_id=kommune_id),
        course_options=course_options,
        session_options=session_options,
    )


@dataclass
class PlanCourseState:
    """A catalogue activity's enrolment on the plan page: the newest enrolment made
    from the activity in any version of the plan (a live one before a declined or
    cancelled one), and the open sessions of its course to ask for."""

    enrolment: Enrolment | None
    sessions: list[CourseSession]

    @property
    def may_request(self) -> bool:
        """No enrolment yet, or only one that was declined or cancelled."""
        return self.enrolment is None or self.enrolment.status in (
            Enrolment.Status.DECLINED,
            Enrolment.Status.CANCELLED,
        )


def plan_course_states(plan_id: int, activities: list[PlanActivity]) -> None:
    """Sets `course_state` on each of `activities` (one plan version's) that names a
    course. An enrolment points at the activity row of the version it was made from;
    the activity keeps its key from version to version, so the lookup is by key. Two
    queries whatever the number of activities."""
    with_course = [a for a in activities if a.course_id is not None]
    if not with_course:
        return
    newest: dict = {}
    enrolments = (
        Enrolment.objects.filter(
            plan_activity__version__plan_id=plan_id,
            plan_activity__key__in=[a.key for a in with_course],
        )
        .select_related("session", "plan_activity")
        .order_by("requested_at", "pk")
    )
    dead = (Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED)
    for enrolment in enrolments:
        assert enrolment.plan_activity is not None  # filtered on it
        key = enrolment.plan_activity.key
        previous = newest.get(key)
        if previous is None or previous.status in dead or enrolment.status not in dead:
            newest[key] = enrolment
    open_by_course: dict[int, list[CourseSession]] = defaultdict(list)
    for session in (
        _open_sessions()
        .filter(course_id__in={a.course_id for a in with_course})
        .order_by("starts_at", "pk")
    ):
        open_by_course[session.course_id].append(session)
    for activity in with_course:
        activity.course_state = PlanCourseState(
            enrolment=newest.get(activity.key),
            sessions=open_by_course.get(activity.course_id or 0, []),
        )
