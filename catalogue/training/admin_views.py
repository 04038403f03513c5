"""HR's mandatory-training pages: requirements (what, which courses meet them, how long
they stay valid, whom they apply to and where everyone stands), the functions people
hold (arbejdsmiljørepræsentant, førstehjælper, …) and certificates HR records.

Every page is for HR of the whole kommune (`kommune_hr_required`): everyone else gets
404. Objects are looked up through `catalogue.training.access`, inside the viewer's
kommune, so another kommune's ids are as absent as ids that do not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import TrainingRequirement
from catalogue.training import access, admin_selectors, services
from catalogue.training.forms import (
    AssignmentForm,
    CertificateForm,
    FunctionForm,
    HolderEndForm,
    HolderForm,
    RequirementForm,
)
from catalogue.training.selectors import State
from kompetence.audit import audit_search
from kompetence.infra.htmx import redirect_after_post
from kompetence.infra.http import KommuneRequest, kommune_hr_required

PEOPLE_PER_PAGE = 50


def _refused(form: BaseForm, error: ValidationError, *, rename: dict | None = None) -> None:
    """A service's refusal onto the form: by the field it names (renamed to the form's
    field where they differ), or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


# --- Requirements ----------------------------------------------------------------------


@require_GET
@kommune_hr_required
def requirement_list(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/training/requirement_list.html",
        {
            "rows": admin_selectors.requirement_rows(request.kommune),
            "states": [(state, State.LABELS[state]) for state in admin_selectors.COUNTED_STATES],
        },
    )


def _requirement_form(request: KommuneRequest, requirement: TrainingRequirement | None = None):
    return RequirementForm(
        request.POST if request.method == "POST" else None,
        instance=requirement,
        kommune=request.kommune,
        courses=admin_selectors.course_choices(requirement),
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def requirement_create(request: KommuneRequest) -> HttpResponse:
    form = _requirement_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = services.requirement_create(
                kommune=request.kommune, actor=request.person, **form.requirement_fields()
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Kravet er oprettet. Vælg nu, hvem det gælder for."))
            return redirect_after_post(
                request, reverse("requirement_detail", args=[requirement.pk])
            )
    return render(
        request, "catalogue/training/requirement_form.html", {"form": form, "requirement": None}
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def requirement_edit(request: KommuneRequest, requirement_id: int) -> HttpResponse:
    requirement = access.get_requirement_or_404(request.person, requirement_id)
    form = _requirement_form(request, requirement)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(
                requirement=requirement, actor=request.person, **form.requirement_fields()
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Kravet er gemt."))
            return redirect_after_post(
                request, reverse("requirement_detail", args=[requirement.pk])
            )
    return render(
        request,
        "catalogue/training/requirement_form.html",
        {"form": form, "requirement": requirement},
    )


def _assignment_form(request: KommuneRequest, data=None) -> AssignmentForm:
    return AssignmentForm(
        data,
        job_profiles=admin_selectors.job_profile_choices(),
        units=admin_selectors.unit_choices(),
        functions=admin_selectors.function_choices(),
    )


def _requirement_page(
    request: KommuneRequest,
    requirement: TrainingRequirement,
    assignment_form: AssignmentForm,
    *,
    status: int = 200,
) -> HttpResponse:
    requirement = admin_selectors.requirement_with_targets(requirement)
    state = request.GET.get("status", "")
    if state not in State.LABELS:
        state = ""
    if state:
        audit_search(
            request,
            summary=_("Filtrering af personer med uddannelseskrav"),
            criteria={"krav": requirement.name, "status": str(State.LABELS[state])},
        )
    page = Paginator(
        admin_selectors.requirement_people(requirement, state=state), PEOPLE_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/training/requirement_detail.html",
        {
            "requirement": requirement,
            "assignments": [
                (assignment, admin_selectors.describe_assignment(assignment))
                for assignment in requirement.assignments.all()
            ],
            "assignment_form": assignment_form,
            "page": page,
            "rows": admin_selectors.with_people(list(page.object_list)),
            "state": state,
            "states": list(State.LABELS.items()),
        },
        status=status,
    )


@require_GET
@kommune_hr_required
def requirement_detail(request: KommuneRequest, requirement_id: int) -> HttpResponse:
    requirement = access.get_requirement_or_404(request.person, requirement_id)
    return _requirement_page(request, requirement, _assignment_form(request))


@require_POST
@kommune_hr_required
def requirement_assign(request: KommuneRequest, requirement_id: int) -> HttpResponse:
    requirement = access.get_requirement_or_404(request.person, requirement_id)
    form = _assignment_form(request, request.POST)
    if form.is_valid():
        try:
            services.requirement_assign(
                requirement=requirement, actor=request.person, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Kravet gælder nu også for dem."))
            return redirect_after_post(
                request, reverse("requirement_detail", args=[requirement.pk]) + "#tildelinger"
            )
    return _requirement_page(request, requirement, form)


@require_POST
@kommune_hr_required
def assignment_remove(request: KommuneRequest, assignment_id: int) -> HttpResponse:
    assignment = access.get_assignment_or_404(request.person, assignment_id)
    requirement_id = assignment.requirement_id
    services.assignment_remove(assignment=assignment, actor=request.person)
    messages.success(request, _("Kravet gælder ikke længere for dem."))
    return redirect_after_post(
        request, reverse("requirement_detail", args=[requirement_id]) + "#tildelinger"
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def certificate_record(request: KommuneRequest, requirement_id: int, person_id: int):
    requirement = access.get_requirement_or_404(request.person, requirement_id)
    person = access.get_person_or_404(request.person, person_id)
    form = CertificateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_record(
                requirement=requirement, person=person, actor=request.person, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("Certifikatet for %(name)s er registreret.") % {"name": person.name},
            )
            return redirect_after_post(
                request, reverse("requirement_detail", args=[requirement.pk])
            )
    return render(
        request,
        "catalogue/training/certificate_form.html",
        {
            "form": form,
            "requirement": requirement,
            "subject": person,
        },
    )


# --- Functions -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def function_list(request: KommuneRequest) -> HttpResponse:
    form = FunctionForm(request.POST if request.method == "POST" else None, kommune=request.kommune)
    if request.method == "POST" and form.is_valid():
        try:
            function = services.function_create(
                kommune=request.kommune, actor=request.person, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Funktionen er oprettet."))
            return redirect_after_post(request, reverse("function_detail", args=[function.pk]))
    return render(
        request,
        "catalogue/training/function_list.html",
        {"functions": admin_selectors.function_rows(request.kommune), "form": form},
    )


def _function_page(request: KommuneRequest, function, holder_form: HolderForm) -> HttpResponse:
    return render(
        request,
        "catalogue/training/function_detail.html",
        {
            "function": function,
            "holders": admin_selectors.function_holders(function),
            "requirements": admin_selectors.requirements_of_function(function),
            "form": holder_form,
            "end_form": HolderEndForm(initial={"until": admin_selectors.today()}),
        },
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def function_detail(request: KommuneRequest, function_id: int) -> HttpResponse:
    """The function's holders; a POST adds one."""
    function = access.get_function_or_404(request.person, function_id)
    form = HolderForm(request.POST if request.method == "POST" else None, kommune=request.kommune)
    if request.method == "POST" and form.is_valid():
        assert form.person is not None  # found by clean_employee_number
        try:
            services.function_holder_add(
                function=function,
                person=form.person,
                since=form.cleaned_data["since"],
                actor=request.person,
            )
        except ValidationError as error:
            _refused(form, error, rename={"person": "employee_number"})
        else:
            messages.success(
                request,
                _("%(name)s har nu funktionen %(function)s.")
                % {"name": form.person.name, "function": function.name},
            )
            return redirect_after_post(request, reverse("function_detail", args=[function.pk]))
    return _function_page(request, function, form)


@require_POST
@kommune_hr_required
def function_holder_end(request: KommuneRequest, holder_id: int) -> HttpResponse:
    holder = access.get_holder_or_404(request.person, holder_id)
    form = HolderEndForm(request.POST)
    url = reverse("function_detail", args=[holder.function_id])
    if not form.is_valid():
        messages.error(
            request,
            _("%(name)s har stadig funktionen: %(error)s")
            % {"name": holder.person.name, "error": " ".join(str(e) for e in form.errors["until"])},
        )
        return redirect_after_post(request, url)
    try:
        services.function_holder_end(
            holder=holder, until=form.cleaned_data["until"], actor=request.person
        )
    except ValidationError as error:
        messages.error(
            request,
            _("%(name)s har stadig funktionen: %(error)s")
            % {"name": holder.person.name, "error": " ".join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("%(name)s har ikke længere funktionen.") % {"name": holder.person.name},
        )
    return redirect_after_post(request, url)
