"""Builders for courses, sessions and enrolments in tests, through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from catalogue import services
from catalogue.models import Course, CourseSession, Enrolment
from kompetence.infra.tenancy import kommune_scope


def build_course(
    kommune,
    *,
    title: str = "Konflikthåndtering i praksis",
    description: str = "To dage om at forebygge og tage hånd om konflikter med borgere.",
    publish: bool = True,
    price: str = "2500",
    requires_approval: bool = True,
    levels: dict | None = None,
    framework=None,
    **fields,
) -> Course:
    """A course; `levels` ({competence key: level}) with `framework` says what it develops."""
    with kommune_scope(kommune):
        course = services.course_create(
            kommune=kommune,
            title=title,
            description=description,
            price=Decimal(price),
            requires_approval=requires_approval,
            **fields,
        )
        if levels:
            services.course_set_competences(course=course, framework=framework, levels=levels)
        if publish:
            services.course_publish(course=course)
        return course


def build_session(course: Course, *, capacity: int | None = 12, days: int = 30) -> CourseSession:
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=days)
    with kommune_scope(course.kommune):
        return services.session_create(
            course=course,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            place="Rådhuset, mødesal A",
            capacity=capacity,
            registration_deadline=(starts - datetime.timedelta(days=7)).date(),
        )


@dataclass
class CatalogueObjects:
    course: Course
    session: CourseSession
    enrolment: Enrolment


def build_catalogue(org) -> CatalogueObjects:
    """One of each catalogue object in an org, for the URL walk."""
    course = build_course(org.kommune)
    session = build_session(course)
    with kommune_scope(org.kommune):
        enrolment = services.enrolment_request(session=session, person=org.employee)
    return CatalogueObjects(course=course, session=session, enrolment=enrolment)
