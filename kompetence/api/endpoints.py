"""The operations of the API's version 1 (see kompetence.api.api for its contract).

Each list is one page of a fixed number of queries (a count and the page), whatever the
kommune's size. Properties are camelCase, as the JSON of the Danish guidelines is, so
the schemas spell them so rather than translating field names on the way out.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Schema

from annualcycle.dashboards import selectors as dashboards
from annualcycle.training import selectors as training
from catalogue.models import Course, CourseSession, TrainingRequirement
from kompetence.api.api import api
from kompetence.models import OrgUnit, unit_path_ids
from profiles.models import Competence, EvaluationRound, Framework, FrameworkVersion

MAX_PAGE_SIZE = 500


class Links(Schema):
    self: str
    first: str
    previous: str | None
    next: str | None
    last: str


class Page[Item: Schema](Schema):
    items: list[Item]
    page: int
    pageSize: int
    totalItems: int
    totalPages: int
    links: Links


class Paging(Schema):
    page: int = Field(1, ge=1, description="Sidens nummer, fra 1.")
    pageSize: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Antal pr. side.")


def _link(request: HttpRequest, page: int, page_size: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    query["pageSize"] = str(page_size)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paged(
    request: HttpRequest,
    rows: QuerySet | Sequence,
    paging: Paging,
    serialize: Callable[[Any], dict],
) -> dict:
    """One page of `rows` in the envelope: the items, the totals and the links."""
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    size = paging.pageSize
    pages = max(1, math.ceil(total / size))
    if paging.page > pages:
        raise Http404
    start = (paging.page - 1) * size
    return {
        "items": [serialize(row) for row in rows[start : start + size]],
        "page": paging.page,
        "pageSize": size,
        "totalItems": total,
        "totalPages": pages,
        "links": {
            "self": _link(request, paging.page, size),
            "first": _link(request, 1, size),
            "previous": _link(request, paging.page - 1, size) if paging.page > 1 else None,
            "next": _link(request, paging.page + 1, size) if paging.page < pages else None,
            "last": _link(request, pages, size),
        },
    }


# --- The organisation ----------------------------------------------------------------------


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: str
    parentId: int | None
    externalId: str
    path: list[int]
    depth: int
    isActive: bool


def _org_unit(unit: dict) -> dict:
    return {
        "id": unit["pk"],
        "name": unit["name"],
        "kind": unit["kind"],
        "parentId": unit["parent_id"],
        "externalId": unit["external_id"],
        "path": unit_path_ids(unit["path"]),
        "depth": unit["depth"],
        "isActive": unit["is_active"],
    }


@api.get(
    "/org-units",
    response=Page[OrgUnitOut],
    summary="Organisationens enheder",
    tags=["organisation"],
    operation_id="listOrgUnits",
)
def org_units(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The units of the kommune's organisation tree, in tree order; `path` holds the
    ids from the root down to the unit."""
    rows = OrgUnit.objects.order_by("path", "pk").values(
        "pk", "name", "kind", "parent_id", "external_id", "path", "depth", "is_active"
    )
    return paged(request, rows, paging, _org_unit)


# --- The catalogue -------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    code: str
    title: str
    description: str
    form: str
    provider: str
    providerName: str
    duration: str
    price: float | None
    isOnline: bool
    place: str
    requiresApproval: bool
    status: str
    createdAt: datetime.datetime
    updatedAt: datetime.datetime


def _course(course: Course) -> dict:
    return {
        "id": course.pk,
        "code": course.code,
        "title": course.title,
        "description": course.description,
        "form": course.form,
        "provider": course.provider,
        "providerName": course.provider_name,
        "duration": course.duration,
        "price": float(course.price) if course.price is not None else None,
        "isOnline": course.is_online,
        "place": course.place,
        "requiresApproval": course.requires_approval,
        "status": course.status,
        "createdAt": course.created_at,
        "updatedAt": course.updated_at,
    }


@api.get(
    "/courses",
    response=Page[CourseOut],
    summary="Kursuskataloget",
    tags=["catalogue"],
    operation_id="listCourses",
)
def courses(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The catalogue's published and archived courses (drafts are HR's work in
    progress). The contact person and who proposed a course are left out."""
    rows = (
        Course.objects.exclude(status=Course.Status.DRAFT)
        .order_by("title", "pk")
        .defer("contact", "proposed_by")
    )
    return paged(request, rows, paging, _course)


class CourseSessionOut(Schema):
    id: int
    courseId: int
    startsAt: datetime.datetime | None
    endsAt: datetime.datetime | None
    place: str
    capacity: int | None
    registrationDeadline: datetime.date | None
    isCancelled: bool


def _session(session: CourseSession) -> dict:
    return {
        "id": session.pk,
        "courseId": session.course_id,
        "startsAt": session.starts_at,
        "endsAt": session.ends_at,
        "place": session.place,
        "capacity": session.capacity,
        "registrationDeadline": session.registration_deadline,
        "isCancelled": session.is_cancelled,
    }


@api.get(
    "/course-sessions",
    response=Page[CourseSessionOut],
    summary="Kursernes hold",
    tags=["catalogue"],
    operation_id="listCourseSessions",
)
def course_sessions(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The sessions (hold) of the published and archived courses; no participants."""
    rows = (
        CourseSession.objects.exclude(course__status=Course.Status.DRAFT)
        .order_by("starts_at", "pk")
        .only(
            "pk",
            "course_id",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "registration_deadline",
            "is_cancelled",
        )
    )
    return paged(request, rows, paging, _session)


# --- Competence frameworks -----------------------------------------------------------------


class FrameworkVersionOut(Schema):
    id: int
    number: int
    status: str
    publishedAt: datetime.datetime | None


class FrameworkOut(Schema):
    id: int
    name: str
    description: str
    versions: list[FrameworkVersionOut]


def _framework(framework: Framework) -> dict:
    return {
        "id": framework.pk,
        "name": framework.name,
        "description": framework.description,
        "versions": [
            {
                "id": version.pk,
                "number": version.number,
                "status": version.status,
                "publishedAt": version.published_at,
            }
            for version in framework.shown_versions  # type: ignore[attr-defined]
        ],
    }


@api.get(
    "/competence-frameworks",
    response=Page[FrameworkOut],
    summary="Kompetencerammer",
    tags=["competences"],
    operation_id="listCompetenceFrameworks",
)
def competence_frameworks(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The competence frameworks with their published and retired versions."""
    published = FrameworkVersion.objects.exclude(status=FrameworkVersion.Status.DRAFT).order_by(
        "number"
    )
    rows = Framework.objects.order_by("name", "pk").prefetch_related(
        Prefetch("versions", queryset=published, to_attr="shown_versions")
    )
    return paged(request, rows, paging, _framework)


class CompetenceOut(Schema):
    id: int
    frameworkId: int
    frameworkVersionId: int
    groupId: int
    groupName: str
    name: str
    shortDescription: str
    kind: str
    order: int


def _competence(competence: dict) -> dict:
    return {
        "id": competence["pk"],
        "frameworkId": competence["version__framework_id"],
        "frameworkVersionId": competence["version_id"],
        "groupId": competence["group_id"],
        "groupName": competence["group__name"],
        "name": competence["name"],
        "shortDescription": competence["short_description"],
        "kind": competence["kind"],
        "order": competence["order"],
    }


class CompetenceFilter(Paging):
    frameworkVersionId: int | None = None


@api.get(
    "/competences",
    response=Page[CompetenceOut],
    summary="Kompetencer",
    tags=["competences"],
    operation_id="listCompetences",
)
def competences(request: HttpRequest, filters: Query[CompetenceFilter]) -> dict:
    """The competences of the published and retired framework versions; filter by
    `frameworkVersionId`."""
    rows = Competence.objects.exclude(version__status=FrameworkVersion.Status.DRAFT)
    if filters.frameworkVersionId is not None:
        rows = rows.filter(version_id=filters.frameworkVersionId)
    values = rows.order_by("version_id", "group__order", "order", "pk").values(
        "pk",
        "version__framework_id",
        "version_id",
        "group_id",
        "group__name",
        "name",
        "short_description",
        "kind",
        "order",
    )
    return paged(request, values, filters, _competence)


# --- k-anonymous figures -------------------------------------------------------------------


class EvaluationRoundOut(Schema):
    id: int
    name: str
    frameworkVersionId: int
    unitId: int | None
    deadline: datetime.date
    status: str
    openedAt: datetime.datetime


def _round(round_: dict) -> dict:
    return {
        "id": round_["pk"],
        "name": round_["name"],
        "frameworkVersionId": round_["version_id"],
        "unitId": round_["unit_id"],
        "deadline": round_["deadline"],
        "status": round_["status"],
        "openedAt": round_["opened_at"],
    }


@api.get(
    "/evaluation-rounds",
    response=Page[EvaluationRoundOut],
    summary="Evalueringsrunder",
    tags=["figures"],
    operation_id="listEvaluationRounds",
)
def evaluation_rounds(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The kommune's evaluation rounds, newest first: the ids `unit-figures` takes."""
    rows = EvaluationRound.objects.order_by("-opened_at", "-pk").values(
        "pk", "name", "version_id", "unit_id", "deadline", "status", "opened_at"
    )
    return paged(request, rows, paging, _round)


class Share(Schema):
    """A count of people out of a number of people; both null when hidden."""

    count: int | None
    of: int | None


class GroupGapOut(Schema):
    groupId: int
    groupName: str
    people: int | None
    assessed: int | None
    belowRequired: int | None
    meanGap: float | None


class UnitFiguresOut(Schema):
    unitId: int
    people: int | None
    musHeld: int | None
    developmentPlansSigned: int | None
    conversationsHeld: dict[str, int | None]
    selfEvaluationsSubmitted: Share
    leaderEvaluationsSubmitted: Share
    competenceGroupGaps: list[GroupGapOut]


class FiguresQuery(Paging):
    evaluationRoundId: int | None = None


class Period(Schema):
    start: datetime.date
    end: datetime.date


class UnitFiguresPage(Page[UnitFiguresOut]):
    minGroupSize: int
    period: Period
    evaluationRoundId: int | None


def _shown(cell: dashboards.Cell) -> int | None:
    return None if cell.hidden else int(cell.value)


def _share(cell: dashboards.Cell) -> dict:
    if cell.hidden:
        return {"count": None, "of": None}
    return {"count": int(cell.value), "of": cell.total}


def _gap(cell: dashboards.GapCell) -> dict:
    hidden = bool(cell.hidden)
    return {
        "groupId": cell.group.pk,
        "groupName": cell.group.name,
        "people": None if hidden else cell.people,
        "assessed": None if hidden else cell.rated,
        "belowRequired": None if hidden else cell.below,
        "meanGap": None if hidden else cell.mean,
    }


def _unit_figures(item: tuple[dashboards.TreeUnit, dashboards.Row]) -> dict:
    unit, row = item
    return {
        "unitId": unit.pk,
        "people": _shown(row.people),
        "musHeld": _shown(row.mus),
        "developmentPlansSigned": _shown(row.plans),
        "conversationsHeld": {
            "mus": _shown(row.held_mus),
            "grus": _shown(row.held_grus),
            "lus": _shown(row.held_lus),
            "senior": _shown(row.held_senior),
        },
        "selfEvaluationsSubmitted": _share(row.self_eval),
        "leaderEvaluationsSubmitted": _share(row.leader_eval),
        "competenceGroupGaps": [_gap(cell) for cell in row.gaps],
    }


@api.get(
    "/unit-figures",
    response=UnitFiguresPage,
    summary="Anonyme tal pr. enhed",
    tags=["figures"],
    operation_id="listUnitFigures",
)
def unit_figures(request: HttpRequest, filters: Query[FiguresQuery]) -> dict:
    """Per unit, the figures of its whole subtree for the current årshjul (else the
    last 12 months), as the total of the unit's MED dashboard shows them: every
    figure built from fewer than `minGroupSize` people, and every figure that would
    give one away, is null. With `evaluationRoundId`, the round's evaluations and
    the gaps per competence group too."""
    kommune = request.kommune  # type: ignore[attr-defined]
    round_ = None
    if filters.evaluationRoundId is not None:
        round_ = (
            EvaluationRound.objects.select_related("version")
            .filter(pk=filters.evaluationRoundId)
            .first()
        )
        if round_ is None:
            raise Http404
    period = dashboards.dashboard_period()
    rows = dashboards.kommune_unit_totals(kommune.pk, round_, period, k=kommune.med_min_group_size)
    page = paged(request, rows, filters, _unit_figures)
    page.update(
        minGroupSize=kommune.med_min_group_size,
        period={"start": period.start, "end": period.end},
        evaluationRoundId=round_.pk if round_ is not None else None,
    )
    return page


# --- Mandatory training --------------------------------------------------------------------


class TrainingRequirementOut(Schema):
    id: int
    name: str
    description: str
    validityMonths: int | None
    isActive: bool


def _requirement(requirement: dict) -> dict:
    return {
        "id": requirement["pk"],
        "name": requirement["name"],
        "description": requirement["description"],
        "validityMonths": requirement["validity_months"],
        "isActive": requirement["is_active"],
    }


@api.get(
    "/training-requirements",
    response=Page[TrainingRequirementOut],
    summary="Obligatoriske uddannelseskrav",
    tags=["catalogue"],
    operation_id="listTrainingRequirements",
)
def training_requirements(request: HttpRequest, paging: Query[Paging]) -> dict:
    """The kommune's mandatory training requirements (certificates to hold)."""
    rows = TrainingRequirement.objects.order_by("name", "pk").values(
        "pk", "name", "description", "validity_months", "is_active"
    )
    return paged(request, rows, paging, _requirement)


class RequirementFiguresOut(Schema):
    requirementId: int
    people: int | None
    valid: int | None
    expiring: int | None
    expired: int | None
    due: int | None
    missing: int | None


class UnitRequirementFiguresOut(Schema):
    unitId: int
    requirements: list[RequirementFiguresOut]


class UnitRequirementFiguresPage(Page[UnitRequirementFiguresOut]):
    minGroupSize: int


def _unit_requirements(item: tuple) -> dict:
    unit, figures = item
    return {
        "unitId": unit.pk,
        "requirements": [
            {"requirementId": f.requirement.pk, "people": f.people, **f.states} for f in figures
        ],
    }


@api.get(
    "/training-requirement-figures",
    response=UnitRequirementFiguresPage,
    summary="Anonyme tal for uddannelseskrav pr. enhed",
    tags=["figures"],
    operation_id="listTrainingRequirementFigures",
)
def training_requirement_figures(request: HttpRequest, paging: Query[Paging]) -> dict:
    """Per unit and requirement, the people of the unit's subtree subject to it and
    how many are in each state today, as the total of the unit's MED table shows
    them: figures built from fewer than `minGroupSize` people, and figures that would
    give one away, are null."""
    kommune = request.kommune  # type: ignore[attr-defined]
    rows = training.kommune_requirement_totals(kommune.pk, kommune.med_min_group_size)
    page = paged(request, rows, paging, _unit_requirements)
    page["minGroupSize"] = kommune.med_min_group_size
    return page
