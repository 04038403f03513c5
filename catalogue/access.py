"""Who may load which course, session and enrolment: every catalogue view that takes
an object's id from the URL or a form goes through one of these helpers.

Security contract of every `get_*_or_404`: only objects of the viewer's kommune (on top
of the scope the middleware opened) that the viewer is entitled to; anything else — an
id that does not exist, another kommune's object, or one that is none of the viewer's
business — raises the same Http404, so a 404 never tells which of them it was.

`manage=True` is the catalogue's administration (HR of the whole kommune, who sees
drafts and archived courses and every enrolment); for anyone else it answers 404, even
when the view's decorator has already done so.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from catalogue.models import Course, CourseSession, Enrolment
from catalogue.selectors import visible_courses
from kompetence import permissions
from kompetence.models import Person


def get_course_or_404(viewer: Person, course_id: int, *, manage: bool = False) -> Course:
    """The course `course_id`.

    Security contract: without `manage`, a course the viewer may see in the catalogue
    (`selectors.visible_courses`): a draft, an archived course or a course for another
    audience is as absent as a course of another kommune. With `manage`, any course of
    the viewer's kommune (with who proposed it), for HR of the whole kommune only.
    Everything else raises Http404."""
    courses: QuerySet[Course]
    if manage:
        if not permissions.is_kommune_hr(viewer):
            raise Http404
        courses = Course.objects.select_related("proposed_by").filter(kommune=viewer.kommune_id)
    else:
        courses = visible_courses(viewer)
    course = courses.filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def get_session_or_404(viewer: Person, session_id: int, *, manage: bool = False) -> CourseSession:
    """The session `session_id`, with its course.

    Security contract: as `get_course_or_404` for the session's course: without
    `manage`, a session of a course the viewer may see; with `manage`, any session of
    the viewer's kommune, for HR of the whole kommune only. Everything else raises
    Http404."""
    if manage and not permissions.is_kommune_hr(viewer):
        raise Http404
    session = (
        CourseSession.objects.select_related("course")
        .filter(kommune=viewer.kommune_id, pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    if not manage:
        get_course_or_404(viewer, session.course_id)
    return session


def get_enrolment_or_404(
    viewer: Person,
    enrolment_id: int,
    *,
    manage: bool = False,
    session: CourseSession | None = None,
) -> Enrolment:
    """The enrolment `enrolment_id`, with its person, course, session and the plan
    activity it came from.

    Security contract: without `manage`, an enrolment of the viewer, of someone they
    lead, or (HR) of someone they administer (`permissions.can_view_person`): a
    colleague's enrolment is as absent as another kommune's. With `manage`, any
    enrolment of the viewer's kommune, for HR of the whole kommune only. With
    `session`, only an enrolment on that session (the roster's). Everything else raises
    Http404."""
    if manage and not permissions.is_kommune_hr(viewer):
        raise Http404
    enrolments = Enrolment.objects.select_related(
        "person", "course", "session", "plan_activity__version__plan"
    ).filter(kommune=viewer.kommune_id, pk=enrolment_id)
    if session is not None:
        enrolments = enrolments.filter(session=session)
    enrolment = enrolments.first()
    if enrolment is None:
        raise Http404
    if not manage and not permissions.can_view_person(viewer, enrolment.person):
        raise Http404
    return enrolment


def get_requests_to_decide_or_404(viewer: Person, enrolment_ids: list[int]) -> list[Enrolment]:
    """The enrolments `enrolment_ids`, in that order, with their person, course and
    session, for the leader's decision on several at once.

    Security contract: only for a leader, and only enrolments of the viewer's kommune of
    people the viewer leads (`permissions.persons_led_by`). A viewer who leads no one
    (HR included), an empty list, or any one id that is missing, of another kommune or
    of someone the viewer does not lead raises Http404 for the whole list, so nothing
    is decided and the 404 never tells which id it was. Whether a request still waits
    is the service's to say, per request."""
    if not enrolment_ids or not permissions.is_leader(viewer):
        raise Http404
    enrolments = Enrolment.objects.select_related("person", "course", "session").filter(
        kommune=viewer.kommune_id,
        pk__in=enrolment_ids,
        person__in=permissions.persons_led_by(viewer),
    )
    by_id = {enrolment.pk: enrolment for enrolment in enrolments}
    if set(by_id) != set(enrolment_ids):
        raise Http404
    return [by_id[pk] for pk in dict.fromkeys(enrolment_ids)]
