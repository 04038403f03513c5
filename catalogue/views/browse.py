"""The catalogue as employees and leaders use it: find a course (search, filters,
"matches my gaps"), ask to join a session, follow one's enrolments, and, for
leaders, approve or decline requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalogue import selectors, services
from catalogue.access import (
    get_course_or_404,
    get_enrolment_or_404,
    get_requests_to_decide_or_404,
    get_session_or_404,
)
from catalogue.forms.browse import BulkDecisionForm, CatalogueFilterForm, DecisionForm, EnrolForm
from catalogue.models import Enrolment
from catalogue.training import evidence_selectors
from kompetence.infra.http import KommuneRequest, person_required, staff_required


@require_GET
@person_required
def catalogue(request: KommuneRequest) -> HttpResponse:
    person = request.person
    gaps = selectors.current_gaps(person)
    courses = selectors.published_courses(person)
    names = selectors.competence_names(selectors.competence_keys_of(courses))
    form = CatalogueFilterForm(
        request.GET or None,
        competences=sorted(((str(k), n) for k, n in names.items()), key=lambda item: item[1]),
    )
    matches = None
    uncovered: list[selectors.Gap] = []
    if form.is_valid():
        data = form.cleaned_data
        courses = selectors.catalogue_search(
            courses,
            form=data["form"],
            competence_key=data["kompetence"],
            starts_from=data["fra"],
            place=data["sted"],
            text=data["q"],
        )
        if data["mine_gab"]:
            matches = selectors.rank_by_gaps(selectors.with_listing_data(courses), gaps)
            uncovered = selectors.gaps_without_courses(selectors.published_courses(person), gaps)
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
            "uncovered": uncovered,
        },
    )


@require_GET
@person_required
def course_detail(request: KommuneRequest, course_id: int) -> HttpResponse:
    course = get_course_or_404(request.person, course_id)
    own = selectors.live_enrolments_by_session(request.person, course)
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
            "enrol_form": EnrolForm(activities=selectors.open_plan_activities(request.person)),
            "gaps": selectors.current_gaps(request.person),
        },
    )


@require_POST
@person_required
def enrol(request: KommuneRequest, session_id: int) -> HttpResponse:
    session = get_session_or_404(request.person, session_id)
    activities = {a.pk: a for a in selectors.open_plan_activities(request.person)}
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


@require_POST
@person_required
def enrolment_cancel(request: KommuneRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_enrolment_or_404(request.person, enrolment_id)
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
        {
            "requests": selectors.approval_requests(request.person),
            "form": DecisionForm(),
            "evidence_waiting": evidence_selectors.evidence_waiting_count(request.person),
        },
    )


def _decide(request: KommuneRequest, enrolment_id: int, *, approve: bool) -> HttpResponse:
    enrolment = get_enrolment_or_404(request.person, enrolment_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for message in form["reason"].errors:
            messages.error(request, str(message))
        return redirect("approvals")
    try:
        decided = services.enrolment_decide(
            enrolment=enrolment,
            leader=request.person,
            approve=approve,
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


@require_POST
@staff_required
def enrolment_approve(request: KommuneRequest, enrolment_id: int) -> HttpResponse:
    """The leader gives the employee a place (or a waiting-list spot)."""
    return _decide(request, enrolment_id, approve=True)


@require_POST
@staff_required
def enrolment_decline(request: KommuneRequest, enrolment_id: int) -> HttpResponse:
    """The leader declines the request, with the reason the employee reads."""
    return _decide(request, enrolment_id, approve=False)


def _decide_many(request: KommuneRequest, *, approve: bool) -> HttpResponse:
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("approvals")
    enrolments = get_requests_to_decide_or_404(request.person, form.cleaned_data["enrolment"])
    try:
        outcomes = services.enrolments_decide(
            enrolments=enrolments,
            leader=request.person,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("approvals")
    for asked, outcome in zip(enrolments, outcomes, strict=True):
        names = {"name": asked.person.name, "course": asked.course.title}
        if outcome.error:
            refused = (
                _("%(course)s for %(name)s blev ikke godkendt: %(error)s")
                if approve
                else _("%(course)s for %(name)s blev ikke afvist: %(error)s")
            )
            messages.error(request, refused % {**names, "error": outcome.error})
            continue
        messages.success(
            request,
            {
                Enrolment.Status.CONFIRMED: _("%(name)s har fået en plads på %(course)s."),
                Enrolment.Status.WAITLISTED: _(
                    "%(name)s er skrevet på ventelisten til %(course)s; holdet er fuldt."
                ),
                Enrolment.Status.DECLINED: _("Tilmeldingen fra %(name)s til %(course)s er afvist."),
            }[Enrolment.Status(outcome.enrolment.status)]
            % names,
        )
    return redirect("approvals")


@require_POST
@staff_required
def enrolments_approve(request: KommuneRequest) -> HttpResponse:
    """The leader approves the ticked requests, each on its own."""
    return _decide_many(request, approve=True)


@require_POST
@staff_required
def enrolments_decline(request: KommuneRequest) -> HttpResponse:
    """The leader declines the ticked requests, with one reason for all of them."""
    return _decide_many(request, approve=False)
