"""The catalogue as employees and leaders use it: find a course (search, filters,
"matches my gaps"), ask to join a session, follow one's enrolments, and, for
leaders, approve or decline requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalogue import selectors, services
from catalogue.forms import CatalogueFilterForm, DecisionForm, EnrolForm
from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence import permissions
from kompetence.http import KommuneRequest, person_required, staff_required
from mus.models import PlanActivity


def _plan_activities(person) -> list[PlanActivity]:
    """Open activities of the person's current development plans, for linking."""
    activities = PlanActivity.objects.filter(
        version__plan__employee=person,
        status__in=[PlanActivity.Status.PLANNED, PlanActivity.Status.IN_PROGRESS],
    ).select_related("version__plan")
    current: dict[int, int] = {}
    for activity in activities.order_by("version__plan_id", "-version__number", "order"):
        current.setdefault(activity.version.plan_id, activity.version.number)
    return [a for a in activities if a.version.number == current[a.version.plan_id]]


@require_GET
@person_required
def catalogue(request: KommuneRequest) -> HttpResponse:
    person = request.person
    gaps = selectors.current_gaps(person)
    courses = selectors.visible_courses(person).filter(status=Course.Status.PUBLISHED)
    keys = set(
        CourseCompetence.objects.filter(course__in=courses).values_list("competence_key", flat=True)
    )
    names = selectors.competence_names(keys)
    form = CatalogueFilterForm(
        request.GET or None,
        competences=sorted(((str(k), n) for k, n in names.items()), key=lambda item: item[1]),
    )
    matches = None
    if form.is_valid():
        data = form.cleaned_data
        if data["form"]:
            courses = courses.filter(form=data["form"])
        if data["kompetence"]:
            courses = courses.filter(competences__competence_key=data["kompetence"])
        if data["fra"]:
            courses = courses.filter(
                Q(sessions__starts_at__date__gte=data["fra"]) | Q(sessions__starts_at__isnull=True)
            ).distinct()
        if data["sted"]:
            courses = courses.filter(
                Q(place__icontains=data["sted"]) | Q(sessions__place__icontains=data["sted"])
            ).distinct()
        courses = selectors.search(courses, data["q"])
        if data["mine_gab"]:
            matches = selectors.rank_by_gaps(selectors.with_listing_data(courses), gaps)
    listing = (
        matches
        if matches is not None
        else [selectors.Match(course=c, score=0) for c in selectors.with_listing_data(courses)]
    )
    return render(
        request,
        "catalogue/catalogue.html",
        {
            "form": form,
            "listing": listing,
            "gaps": gaps,
            "names": names,
            "ranked": matches is not None,
        },
    )


def _get_course_or_404(person, course_id: int) -> Course:
    """A course the person may see. Security contract: drafts and courses for another
    audience are as absent as courses of another kommune (404)."""
    course = selectors.visible_courses(person).filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


@require_GET
@person_required
def course_detail(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = _get_course_or_404(request.person, course_id)
    own = {
        e.session_id: e
        for e in selectors.enrolments_of(request.person)
        .filter(course=course)
        .exclude(status__in=[Enrolment.Status.DECLINED, Enrolment.Status.CANCELLED])
    }
    competences = list(course.competences.all())
    names = selectors.competence_names([c.competence_key for c in competences])
    sessions = selectors.sessions_with_seats(course)
    for session in sessions:
        session.own = own.get(session.pk)
    return render(
        request,
        "catalogue/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "competences": [(names.get(c.competence_key, "?"), c.level, c) for c in competences],
            "enrol_form": EnrolForm(activities=_plan_activities(request.person)),
            "gaps": selectors.current_gaps(request.person),
        },
    )


@require_POST
@person_required
def enrol(request: KommuneRequest, session_id: int) -> HttpResponse:
    session = CourseSession.objects.select_related("course").filter(pk=session_id).first()
    if session is None:
        raise Http404
    _get_course_or_404(request.person, session.course_id)
    activities = {a.pk: a for a in _plan_activities(request.person)}
    form = EnrolForm(request.POST, activities=activities.values())
    if not form.is_valid():
        messages.error(request, _("Tilmeldingen kunne ikke læses. Prøv igen."))
        return redirect("course_detail", course_id=session.course_id)
    try:
        enrolment = services.enrolment_request(
            session=session,
            person=request.person,
            motivation=form.cleaned_data["motivation"],
            plan_activity=activities.get(form.cleaned_data["plan_activity"]),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            {
                Enrolment.Status.REQUESTED: _("Din tilmelding er sendt til din leder."),
                Enrolment.Status.CONFIRMED: _("Du har fået en plads."),
                Enrolment.Status.WAITLISTED: _("Holdet er fuldt. Du er skrevet på ventelisten."),
            }[Enrolment.Status(enrolment.status)],
        )
    return redirect("course_detail", course_id=session.course_id)


@require_GET
@person_required
def my_courses(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/my_courses.html",
        {"enrolments": selectors.enrolments_of(request.person)},
    )


def _get_enrolment_or_404(person, enrolment_id: int) -> Enrolment:
    """An enrolment of the person, of someone they lead, or (HR) of anyone. Security
    contract: a colleague's enrolment is as absent as another kommune's (404)."""
    enrolment = (
        Enrolment.objects.select_related("person", "course", "session")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not permissions.can_view_person(person, enrolment.person):
        raise Http404
    return enrolment


@require_POST
@person_required
def enrolment_cancel(request: KommuneRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _get_enrolment_or_404(request.person, enrolment_id)
    try:
        services.enrolment_cancel(enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        own = enrolment.person_id == request.person.pk
        messages.success(
            request,
            _("Du er afmeldt.")
            if own
            else _("%(name)s er afmeldt.") % {"name": enrolment.person.name},
        )
    return redirect("my_courses" if enrolment.person_id == request.person.pk else "approvals")


@require_GET
@staff_required
def approvals(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/approvals.html",
        {"requests": selectors.approvals_for(request.person), "form": DecisionForm()},
    )


@require_POST
@staff_required
def enrolment_decide(request: KommuneRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _get_enrolment_or_404(request.person, enrolment_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vælg godkend eller afvis."))
        return redirect("approvals")
    try:
        decided = services.enrolment_decide(
            enrolment=enrolment,
            leader=request.person,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            {
                Enrolment.Status.CONFIRMED: _("%(name)s har fået en plads."),
                Enrolment.Status.WAITLISTED: _(
                    "%(name)s er skrevet på ventelisten; holdet er fuldt."
                ),
                Enrolment.Status.DECLINED: _("Tilmeldingen fra %(name)s er afvist."),
            }[Enrolment.Status(decided.status)]
            % {"name": decided.person.name},
        )
    return redirect("approvals")
