"""Evaluation rounds, the self- and leader-evaluation form, comparisons and gap pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from kompetence import access as org_access
from kompetence import permissions
from kompetence.audit import audit_search
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, person_required, staff_required
from profiles import access, charts, selectors, services
from profiles.extensions import links_for
from profiles.forms.evaluations import RoundForm
from profiles.models import Evaluation, EvaluationRound


@require_GET
@person_required
def my_competences(request: KommuneRequest) -> HttpResponse:
    person = request.person
    round_ = selectors.latest_round_of(person)
    rows = selectors.person_gaps(person, round_) if round_ else []
    for row in rows:
        row.links = links_for(row)
    structure = selectors.version_structure(round_.version) if round_ else None
    return render(
        request,
        "profiles/my_competences.html",
        {
            "round": round_,
            "rows": rows,
            "structure": structure,
            "chart": charts.gap_bars(rows, structure) if rows else None,
            "open_evaluations": selectors.open_evaluations_of(person),
        },
    )


ROUND_PAGE = 100  # people per page on a round's page


@require_GET
@staff_required
def round_list(request: KommuneRequest) -> HttpResponse:
    return render(
        request, "profiles/round_list.html", {"rounds": access.visible_rounds(request.person)}
    )


@require_http_methods(["GET", "POST"])
@staff_required
def round_create(request: KommuneRequest) -> HttpResponse:
    units = permissions.visible_units(request.person)
    form = RoundForm(request.POST or None, versions=selectors.published_versions(), units=units)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            try:
                round_ = services.round_open_later(
                    kommune=request.kommune,
                    name=form.cleaned_data["name"],
                    version=form.cleaned_data["version"],
                    unit=form.cleaned_data["unit"],
                    deadline=form.cleaned_data["deadline"],
                    opened_by=request.person,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                round_.refresh_from_db(fields=["status"])  # opened at once without a broker
                if round_.status == EvaluationRound.Status.OPEN:
                    messages.success(request, _("Evalueringsrunden er åbnet."))
                return redirect_after_post(request, reverse("round_detail", args=[round_.pk]))
    return render_form(request, "profiles/round_form.html", {"form": form})


@require_GET
@staff_required
def round_detail(request: KommuneRequest, round_id: int) -> HttpResponse:
    round_ = access.get_round_or_404(request.person, round_id)
    can_close = access.may_manage_round(request.person, round_)
    if request.htmx and request.htmx.target == "round-opening":
        if round_.status == EvaluationRound.Status.OPENING:
            return render(request, "profiles/round_detail.html#opening", {"round": round_})
        return HttpResponseClientRefresh()  # filled: the whole page, now with its people
    visible = permissions.visible_persons(request.person)
    # A København round holds 45,000 people: counts in one aggregate, people by page.
    page = Paginator(selectors.round_people(round_, visible), ROUND_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "profiles/round_detail.html",
        {
            "round": round_,
            "page": page,
            "rows": selectors.round_page_progress(round_, visible, page),
            "summary": selectors.round_summary(round_, visible),
            "can_close": can_close and round_.status == EvaluationRound.Status.OPEN,
            "can_retry": can_close,
        },
    )


@require_POST
@staff_required
def round_close(request: KommuneRequest, round_id: int) -> HttpResponse:
    """ "Luk runden": HR or whoever opened it."""
    round_ = access.get_round_or_404(request.person, round_id, manage=True)
    services.round_close(round_=round_)
    messages.success(request, _("Evalueringsrunden er lukket."))
    return redirect("round_detail", round_id=round_.pk)


@require_POST
@staff_required
def round_retry(request: KommuneRequest, round_id: int) -> HttpResponse:
    """ "Prøv igen" on a round whose opening failed: HR or whoever opened it."""
    round_ = access.get_round_or_404(request.person, round_id, manage=True)
    services.round_retry(round_=round_)
    return redirect("round_detail", round_id=round_.pk)


@require_GET
@staff_required
def person_comparison(request: KommuneRequest, round_id: int, person_id: int) -> HttpResponse:
    round_ = access.get_round_or_404(request.person, round_id)
    subject = access.get_subject_or_404(request.person, person_id)
    evaluations = selectors.round_evaluations(round_, subject)
    if not evaluations:
        raise Http404
    services.comparison_view_record(request=request, round_=round_, subject=subject)
    return render(
        request,
        "profiles/comparison.html",
        {
            "round": round_,
            "subject": subject,
            "rows": selectors.person_gaps(subject, round_),
            "structure": selectors.version_structure(round_.version),
            "self_evaluation": evaluations.get(Evaluation.Kind.SELF),
            "leader_evaluation": evaluations.get(Evaluation.Kind.LEADER),
            "may_rate": permissions.leads(request.person, subject),
        },
    )


def _form_context(request, evaluation: Evaluation, *, editable: bool) -> dict:
    structure = selectors.version_structure(evaluation.version)
    ratings = selectors.evaluation_ratings(evaluation)
    groups = [
        {
            "group": group.group,
            "rows": [{"competence": c, "rating": ratings.get(c.pk)} for c in group.competences],
        }
        for group in structure.for_role(evaluation.role)
    ]
    return {
        "evaluation": evaluation,
        "structure": structure,
        "groups": groups,
        "editable": editable and not evaluation.is_submitted,
        "can_submit": editable and not evaluation.is_submitted,
        "can_reopen": evaluation.is_submitted
        and evaluation.kind == Evaluation.Kind.SELF
        and permissions.leads(request.person, evaluation.subject),
    }


@require_http_methods(["GET", "POST"])
@person_required
def evaluation_form(request: KommuneRequest, evaluation_id: int) -> HttpResponse:
    """The evaluation form. With JavaScript, each answer is saved by `evaluation_answer`
    the moment it is given; without, the form posts here with every answer at once."""
    evaluation = access.get_evaluation_or_404(request.person, evaluation_id)
    editable = access.may_edit(request.person, evaluation)
    if request.method == "POST":
        if not editable:
            raise Http404
        answers = {
            c.pk: (request.POST.get(f"level-{c.pk}"), request.POST.get(f"comment-{c.pk}", ""))
            for group in selectors.version_structure(evaluation.version).for_role(evaluation.role)
            for c in group.competences
            if f"level-{c.pk}" in request.POST or request.POST.get(f"comment-{c.pk}")
        }
        try:
            services.ratings_save_all(evaluation=evaluation, answers=answers, rater=request.person)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Dine svar er gemt."))
        return redirect("evaluation_form", evaluation_id=evaluation.pk)
    services.evaluation_view_record(request=request, evaluation=evaluation)
    return render(
        request,
        "profiles/evaluation_form.html",
        _form_context(request, evaluation, editable=editable),
    )


@require_POST
@person_required
def evaluation_answer(
    request: KommuneRequest, evaluation_id: int, competence_id: int
) -> HttpResponse:
    """Autosave of one answer (HTMX). Answers with the row's status and, out of band,
    the progress line. A refused answer comes back with the reason; nothing is saved.
    "Gemt" is rendered only after the transaction committed."""
    error = None
    # One transaction: the access check's read of the evaluation is the row lock the
    # save goes on from, so the evaluation is read once.
    with transaction.atomic():
        evaluation = access.get_evaluation_or_404(
            request.person, evaluation_id, edit=True, lock=True
        )
        competence = access.get_evaluation_competence_or_404(
            request.person, competence_id, evaluation=evaluation
        )
        try:
            services.rating_save(
                evaluation=evaluation,
                competence=competence,
                level=request.POST.get(f"level-{competence.pk}", services.UNCHANGED),
                comment=request.POST.get(f"comment-{competence.pk}"),
                rater=request.person,
                locked=True,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "profiles/evaluation_form.html#saved",
        {"evaluation": evaluation, "competence": competence, "error": error},
        status=200 if error is None else 422,
    )


@require_POST
@person_required
def evaluation_submit(request: KommuneRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access.get_evaluation_or_404(request.person, evaluation_id, edit=True)
    try:
        services.evaluation_submit(evaluation=evaluation, by=request.person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Evalueringen er indsendt."))
    return redirect_after_post(request, reverse("evaluation_form", args=[evaluation.pk]))


@require_POST
@person_required
def evaluation_reopen(request: KommuneRequest, evaluation_id: int) -> HttpResponse:
    """A leader reopens a team member's submitted self-evaluation for changes."""
    evaluation = access.get_evaluation_or_404(request.person, evaluation_id)
    if not permissions.leads(request.person, evaluation.subject):
        raise Http404
    services.evaluation_reopen(evaluation=evaluation, request=request)
    messages.success(request, _("Evalueringen er genåbnet."))
    return redirect(
        "person_comparison", round_id=evaluation.round_id, person_id=evaluation.subject_id
    )


@require_GET
@staff_required
def heatmap_people(request: KommuneRequest) -> HttpResponse:
    """The people behind one heat-map cell and their levels, for their leader only."""
    params = request.GET
    ids = [params.get(name, "") for name in ("enhed", "runde", "kompetence")]
    if not all(value.isdigit() for value in ids):
        raise Http404
    unit = access.get_led_heatmap_unit_or_404(request.person, int(ids[0]))
    round_, competence = access.get_unit_round_competence_or_404(unit, int(ids[1]), int(ids[2]))
    direct = params.get("direkte") == "1"
    # The drill-down is a filter over people (their levels in one competence): logged
    # with its criteria, as every search over people is.
    audit_search(
        request,
        summary=_("Personerne bag et felt i heatmap"),
        criteria={
            "enhed": unit.name,
            "runde": round_.name,
            "kompetence": competence.name,
            "direkte": direct or "",
        },
    )
    return render(
        request,
        "profiles/heatmap_people.html",
        {
            "unit": unit,
            "round": round_,
            "competence": competence,
            "direct": direct,
            "structure": selectors.version_structure(round_.version),
            "assessments": selectors.heatmap_people(
                request.person, unit, round_, competence, direct=direct
            ),
        },
    )


@require_GET
@staff_required
def heatmap(request: KommuneRequest) -> HttpResponse:
    """Units × competences for a subtree the viewer leads or administers."""
    unit_id = request.GET.get("enhed")
    chosen = int(unit_id) if unit_id and unit_id.isdigit() else 0
    unit = (
        org_access.get_unit_or_404(request.person, chosen)
        if unit_id
        else selectors.first_visible_unit(request.person)
    )
    if unit is None:
        raise Http404
    rounds = selectors.unit_rounds_newest_first(unit)
    round_id = request.GET.get("runde", "")
    round_ = next((r for r in rounds if str(r.pk) == round_id), None) if round_id else None
    if round_id and round_ is None:
        raise Http404
    round_ = round_ or (rounds[0] if rounds else None)
    structure = selectors.version_structure(round_.version) if round_ else None
    rows = selectors.heatmap(unit, round_) if round_ else []
    # Columns: the competences anyone in the subtree answers, in framework order.
    columns = (
        [c for c in structure.competences if any(c.pk in r.cells for r in rows)]
        if rows and structure is not None
        else []
    )
    # The leader in the line may open the people behind a cell; HR sees the figures.
    people_urls = [""] * len(rows)
    if round_ and access.leads_unit(request.person, unit):
        base = reverse("heatmap_people")
        people_urls = [
            f"{base}?runde={round_.pk}&enhed={row.unit.pk}"
            if row.unit
            else f"{base}?runde={round_.pk}&enhed={unit.pk}&direkte=1"
            for row in rows
        ]
    grid = [
        (c, [(row.cells.get(c.pk), url) for row, url in zip(rows, people_urls, strict=True)])
        for c in columns
    ]
    return render(
        request,
        "profiles/heatmap.html",
        {
            "unit": unit,
            "round": round_,
            "rounds": rounds,
            "structure": structure,
            "grid": grid,
            "rows": rows,
            "ancestors": selectors.visible_ancestors(request.person, unit),
        },
    )
