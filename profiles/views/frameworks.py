"""HR's pages for competence frameworks (the editor), scales, job profiles, unit
profiles, and which job profile a position has.

Views stay thin: look the object up through `profiles.access`, call one service or
selector, render. A published or retired framework version is frozen: the services
refuse every change with `FrameworkLocked`, and the views show that message and change
nothing.

The editor is one page whose body (`#body` in framework_version.html) every HTMX
action re-renders whole: a handful of queries whatever the framework's size, and the
page can never show half-updated order numbers.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetence import access as org_access
from kompetence.infra.downloads import attachment_header
from kompetence.infra.htmx import field_validation_response, redirect_after_post, render_form
from kompetence.infra.http import KommuneRequest, hr_required, kommune_hr_required, staff_required
from profiles import access, interchange, selectors, services
from profiles.forms.frameworks import (
    CompetenceForm,
    FrameworkCreateForm,
    FrameworkImportForm,
    GroupForm,
    JobProfileForm,
    JobRequirementsForm,
    PositionJobProfileForm,
    PreviewRoleForm,
    ScaleLevelForm,
    UnitProfileForm,
)
from profiles.models import (
    FrameworkVersion,
    Role,
)
from profiles.panels import job_profile_of

EDITOR = "profiles/framework_version.html"
MOVES = {"up": -1, "down": 1}


# --- Editor helpers --------------------------------------------------------------------


def _validation_response(request: KommuneRequest, form) -> HttpResponse | None:
    """Inline validation (`_validate=<field>`) for forms with a prefix: the editor has
    several forms open at once, so their fields carry distinct, prefixed names. A
    validation request never saves, even when it names no field of the form."""
    if "_validate" not in request.POST:
        return None
    name = request.POST["_validate"]
    if form.prefix and name.startswith(f"{form.prefix}-"):
        name = name.removeprefix(f"{form.prefix}-")
    if name not in form.fields:
        return HttpResponse(status=204)
    form.is_valid()
    return HttpResponse(form[name].as_field_group())


def _new_group_form(version: FrameworkVersion, data=None) -> GroupForm:
    form = GroupForm(data, prefix="ny-gruppe")
    form.validate_url = reverse("group_create", args=[version.pk])
    return form


def _editor_context(request: KommuneRequest, version: FrameworkVersion, **extra) -> dict:
    context = {
        "version": version,
        "framework": version.framework,
        "structure": selectors.version_structure(version),
        "versions": selectors.framework_versions(version.framework_id),
        "group_form": _new_group_form(version) if version.is_draft else None,
        "top_units": selectors.top_units(request.person),
        "error": "",
    }
    context.update({key: value for key, value in extra.items() if value is not None})
    return context


def _editor_response(
    request: KommuneRequest,
    version: FrameworkVersion,
    *,
    notice: str = "",
    error: str = "",
    focus: tuple[str, int] | None = None,
    group_form: GroupForm | None = None,
) -> HttpResponse:
    """The editor after an action. HTMX gets the re-rendered body (swapped over the old
    one, whichever element sent the request) and the notice in the live region; a plain
    form post gets the page itself when there is something to show, else a redirect.

    `focus` names what keyboard focus moves to: ("group", pk), ("competence", pk) or
    ("title", 0)."""
    kind, pk = focus or ("", None)
    context = _editor_context(
        request,
        version,
        error=error,
        group_form=group_form,
        focus_title=kind == "title",
        focus_group=pk if kind == "group" else None,
        focus_competence=pk if kind == "competence" else None,
    )
    if request.htmx:
        html = render_to_string(f"{EDITOR}#body", context, request=request)
        html += render_to_string(f"{EDITOR}#status", {"notice": notice, "oob": True})
        response = HttpResponse(html)
        response["HX-Retarget"] = "#version-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    if error or group_form is not None:
        return render(request, EDITOR, context)
    if notice:
        messages.success(request, notice)
    anchor = f"#{kind}-{pk}" if kind in ("group", "competence") else ""
    return HttpResponseRedirect(reverse("framework_version", args=[version.pk]) + anchor)


def _refused(request: KommuneRequest, version: FrameworkVersion, error: ValidationError):
    """The editor (read-only if the version is frozen) with the reason at its top."""
    return _editor_response(request, version, error=" ".join(error.messages))


def _refuse_unless_draft(request: KommuneRequest, version: FrameworkVersion):
    try:
        services.version_check_draft(version=version)
    except services.FrameworkLocked as error:
        return _refused(request, version, error)
    return None


# --- Frameworks ------------------------------------------------------------------------


@require_GET
@kommune_hr_required
def framework_list(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "profiles/framework_list.html",
        {
            "frameworks": selectors.frameworks_with_versions(request.kommune),
            "scales": selectors.scales_with_level_counts(request.kommune),
            "top_units": selectors.top_units(request.person),
        },
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def framework_create(request: KommuneRequest) -> HttpResponse:
    form = FrameworkCreateForm(request.POST or None, scales=selectors.scales_of(request.kommune))
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            version = services.framework_create(
                kommune=request.kommune,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                scale=form.cleaned_data.get("scale"),
            )
            messages.success(request, _("Rammen er oprettet. Tilføj grupper og kompetencer."))
            return redirect_after_post(request, reverse("framework_version", args=[version.pk]))
    return render_form(request, "profiles/framework_form.html", {"form": form})


@require_GET
@kommune_hr_required
def framework_version(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    context = _editor_context(request, version)
    return render(request, f"{EDITOR}#body" if request.htmx else EDITOR, context)


@require_GET
@kommune_hr_required
def framework_preview(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    form = PreviewRoleForm(request.GET if "rolle" in request.GET else None)
    role = form.cleaned_data["rolle"] if form.is_valid() else Role.MEDARBEJDER
    structure = selectors.version_structure(version)
    return render(
        request,
        "profiles/framework_preview.html",
        {
            "version": version,
            "framework": version.framework,
            "form": form,
            "role_label": Role(role).label,
            "groups": structure.for_role(role),
            "levels": structure.levels,
            "default_level": structure.default_level,
            "proficient_level": structure.proficient_level,
        },
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def framework_publish(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    error = ""
    if request.method == "POST":
        try:
            services.version_publish(version=version, by=request.person)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("Version %(number)s er offentliggjort og kan ikke længere ændres.")
                % {"number": version.number},
            )
            return redirect_after_post(request, reverse("framework_version", args=[version.pk]))
    else:
        try:
            services.version_check_draft(version=version)
        except services.FrameworkLocked as refusal:
            error = " ".join(refusal.messages)
    structure = selectors.version_structure(version)
    return render(
        request,
        "profiles/framework_publish.html",
        {
            "version": version,
            "framework": version.framework,
            "group_count": len(structure.groups),
            "competence_count": len(structure.competences),
            "current": selectors.current_version(version.framework),
            "error": error,
        },
    )


@require_POST
@kommune_hr_required
def framework_new_version(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    if version.is_draft:
        return HttpResponseRedirect(reverse("framework_version", args=[version.pk]))
    draft = services.version_new_draft(version=version)
    if draft.based_on_id == version.pk:
        messages.success(
            request,
            _("Version %(number)s er oprettet som kladde ud fra version %(old)s.")
            % {"number": draft.number, "old": version.number},
        )
    else:
        messages.info(request, _("Rammen har allerede en kladde. Den er åbnet her."))
    return redirect_after_post(request, reverse("framework_version", args=[draft.pk]))


@require_POST
@kommune_hr_required
def framework_retire(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    try:
        services.version_retire(version=version)
    except ValidationError as error:
        return _refused(request, version, error)
    messages.success(
        request,
        _("Version %(number)s er udgået. Nye evalueringer kan ikke bruge den.")
        % {"number": version.number},
    )
    return redirect_after_post(request, reverse("framework_version", args=[version.pk]))


# --- Export and import ----------------------------------------------------------------


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": attachment_header(filename)},
    )


@require_GET
@kommune_hr_required
def framework_export_json(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    return _download(
        interchange.framework_export_json(version=version),
        interchange.export_filename(version, "json"),
        "application/json; charset=utf-8",
    )


@require_GET
@kommune_hr_required
def framework_export_moodle_csv(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    return _download(
        interchange.framework_export_moodle_csv(version=version),
        interchange.export_filename(version, "csv"),
        "text/csv; charset=utf-8",
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def framework_import(request: KommuneRequest) -> HttpResponse:
    """Upload a framework file; it becomes a new draft, never a change to a published
    version. `?ramme=<id>` preselects the framework it becomes a new version of. The
    "kontroller" button is the dry run: what the file would make, nothing stored."""
    form = FrameworkImportForm(
        request.POST or None,
        request.FILES or None,
        frameworks=selectors.frameworks_of(request.kommune),
        initial={"framework": request.GET.get("ramme")},
    )
    checked = None
    if request.method == "POST" and form.is_valid():
        try:
            if "kontroller" in request.POST:
                checked = interchange.framework_import_check(
                    kommune=request.kommune,
                    data=form.cleaned_data["file"].read(),
                    format=form.cleaned_data["format"],
                    framework=form.cleaned_data["framework"],
                    flatten=form.cleaned_data["flatten"],
                )
            else:
                imported = interchange.framework_import(
                    kommune=request.kommune,
                    data=form.cleaned_data["file"].read(),
                    format=form.cleaned_data["format"],
                    framework=form.cleaned_data["framework"],
                    flatten=form.cleaned_data["flatten"],
                )
                return _imported_response(request, imported)
        except ValidationError as refusal:
            form.add_error(None, refusal)
    return render(request, "profiles/framework_import.html", {"form": form, "checked": checked})


def _imported_response(request: KommuneRequest, imported: interchange.Imported) -> HttpResponse:
    version = imported.version
    messages.success(
        request,
        _(
            "Rammen »%(name)s« er importeret som kladde (version %(number)s). "
            "Gennemgå den, før du offentliggør den."
        )
        % {"name": version.framework.name, "number": version.number},
    )
    if imported.matched:
        messages.info(
            request,
            _(
                "Filen har samme ID-nummer som rammen »%(name)s«, så den er importeret som "
                "rammens næste version. Kompetencer med samme ID-nummer er de samme som før."
            )
            % {"name": version.framework.name},
        )
    if imported.flattened:
        messages.info(
            request,
            _(
                "Rammen havde %(depth)s niveauer og er fladet ud: kompetencerne nederst i "
                "træet ligger i grupper, der hedder som vejen ned til dem."
            )
            % {"depth": imported.depth},
        )
    if imported.renamed_from:
        messages.info(
            request,
            _("Der fandtes allerede en ramme med navnet »%(old)s«, så den nye hedder »%(new)s«.")
            % {"old": imported.renamed_from, "new": version.framework.name},
        )
    return redirect_after_post(request, reverse("framework_version", args=[version.pk]))


@require_GET
@kommune_hr_required
def framework_starters(request: KommuneRequest) -> HttpResponse:
    """The starter frameworks HR can begin from, each one click from a draft."""
    return render(
        request,
        "profiles/framework_starters.html",
        {"starters": interchange.starter_frameworks()},
    )


@require_POST
@kommune_hr_required
def framework_starter_use(request: KommuneRequest, slug: str) -> HttpResponse:
    """Imports a starter framework as a new draft and opens it in the editor."""
    try:
        imported = interchange.starter_framework_import(kommune=request.kommune, slug=slug)
    except LookupError:
        raise Http404 from None
    return _imported_response(request, imported)


# --- Groups ----------------------------------------------------------------------------


@require_POST
@kommune_hr_required
def group_create(request: KommuneRequest, version_id: int) -> HttpResponse:
    version = access.get_version_or_404(request.person, version_id)
    if refusal := _refuse_unless_draft(request, version):
        return refusal
    form = _new_group_form(version, request.POST)
    if response := _validation_response(request, form):
        return response
    if not form.is_valid():
        if request.htmx:
            return render(
                request, f"{EDITOR}#group_create_form", {"version": version, "group_form": form}
            )
        return _editor_response(request, version, group_form=form)
    try:
        group = services.group_create(
            version=version,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )
    except ValidationError as error:
        return _refused(request, version, error)
    return _editor_response(
        request,
        version,
        notice=_("Gruppen »%(name)s« er tilføjet.") % {"name": group.name},
        focus=("group", group.pk),
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def group_edit(request: KommuneRequest, group_id: int) -> HttpResponse:
    group = access.get_group_or_404(request.person, group_id)
    version = group.version
    if refusal := _refuse_unless_draft(request, version):
        return refusal
    form = GroupForm(request.POST or None, instance=group, prefix=f"gruppe-{group.pk}")
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := _validation_response(request, form):
            return response
        if form.is_valid():
            try:
                services.group_update(
                    group=group,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                return _refused(request, version, error)
            return _editor_response(
                request,
                version,
                notice=_("Gruppen »%(name)s« er gemt.") % {"name": group.name},
                focus=("group", group.pk),
            )
    elif request.htmx:
        form.fields["name"].widget.attrs["data-autofocus"] = ""
    return render_form(
        request,
        "profiles/framework_group_form.html",
        {"form": form, "group": group, "version": version},
    )


@require_POST
@kommune_hr_required
def group_delete(request: KommuneRequest, group_id: int) -> HttpResponse:
    group = access.get_group_or_404(request.person, group_id)
    version, name = group.version, group.name
    try:
        services.group_delete(group=group)
    except ValidationError as error:
        return _refused(request, version, error)
    return _editor_response(
        request,
        version,
        notice=_("Gruppen »%(name)s« og dens kompetencer er slettet.") % {"name": name},
        focus=("title", 0),
    )


@require_POST
@kommune_hr_required
def group_move(request: KommuneRequest, group_id: int) -> HttpResponse:
    group = access.get_group_or_404(request.person, group_id)
    return _move(request, group, group.version)


def _move(request: KommuneRequest, item, version: FrameworkVersion) -> HttpResponse:
    direction = request.POST.get("direction", "")
    if direction not in MOVES:
        return _refused(
            request,
            version,
            ValidationError(_("Feltet »retning« skal være »up« (op) eller »down« (ned).")),
        )
    if refusal := _refuse_unless_draft(request, version):
        return refusal
    # The first and last items keep their (aria-disabled, still focusable) buttons;
    # pressing one says why nothing happened instead of claiming a move.
    if selectors.item_at_edge(item, MOVES[direction]):
        notice = (
            _("»%(name)s« er allerede øverst.")
            if direction == "up"
            else _("»%(name)s« er allerede nederst.")
        )
        return _editor_response(request, version, notice=notice % {"name": item.name})
    try:
        services.item_move(item=item, direction=MOVES[direction])
    except ValidationError as error:
        return _refused(request, version, error)
    notice = (
        _("»%(name)s« er flyttet op.") if direction == "up" else _("»%(name)s« er flyttet ned.")
    )
    # No focus target: htmx puts focus back on the button that was pressed (same id).
    return _editor_response(request, version, notice=notice % {"name": item.name})


# --- Competences -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def competence_create(request: KommuneRequest, group_id: int) -> HttpResponse:
    group = access.get_group_or_404(request.person, group_id)
    version = group.version
    if refusal := _refuse_unless_draft(request, version):
        return refusal
    form = CompetenceForm(request.POST or None, prefix=f"ny-kompetence-{group.pk}")
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := _validation_response(request, form):
            return response
        if form.is_valid():
            try:
                data = form.cleaned_data
                competence = services.competence_create(
                    group=group,
                    name=data["name"],
                    short_description=data["short_description"],
                    what=data["what"],
                    why=data["why"],
                    how=data["how"],
                    kind=data["kind"],
                    roles=data["roles"],
                )
            except ValidationError as error:
                return _refused(request, version, error)
            return _editor_response(
                request,
                version,
                notice=_("Kompetencen »%(name)s« er tilføjet.") % {"name": competence.name},
                focus=("competence", competence.pk),
            )
    elif request.htmx:
        form.fields["name"].widget.attrs["data-autofocus"] = ""
    return render_form(
        request,
        "profiles/framework_competence_form.html",
        {"form": form, "group": group, "version": version, "competence": None},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def competence_edit(request: KommuneRequest, competence_id: int) -> HttpResponse:
    competence = access.get_competence_or_404(request.person, competence_id)
    version = competence.version
    if refusal := _refuse_unless_draft(request, version):
        return refusal
    form = CompetenceForm(
        request.POST or None, instance=competence, prefix=f"kompetence-{competence.pk}"
    )
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := _validation_response(request, form):
            return response
        if form.is_valid():
            try:
                data = form.cleaned_data
                services.competence_update(
                    competence=competence,
                    name=data["name"],
                    short_description=data["short_description"],
                    what=data["what"],
                    why=data["why"],
                    how=data["how"],
                    kind=data["kind"],
                    roles=data["roles"],
                )
            except ValidationError as error:
                return _refused(request, version, error)
            return _editor_response(
                request,
                version,
                notice=_("Kompetencen »%(name)s« er gemt.") % {"name": competence.name},
                focus=("competence", competence.pk),
            )
    elif request.htmx:
        form.fields["name"].widget.attrs["data-autofocus"] = ""
    return render_form(
        request,
        "profiles/framework_competence_form.html",
        {"form": form, "group": competence.group, "version": version, "competence": competence},
    )


@require_POST
@kommune_hr_required
def competence_delete(request: KommuneRequest, competence_id: int) -> HttpResponse:
    competence = access.get_competence_or_404(request.person, competence_id)
    version, group_id, name = competence.version, competence.group_id, competence.name
    try:
        services.competence_delete(competence=competence)
    except ValidationError as error:
        return _refused(request, version, error)
    return _editor_response(
        request,
        version,
        notice=_("Kompetencen »%(name)s« er slettet.") % {"name": name},
        focus=("group", group_id),
    )


@require_POST
@kommune_hr_required
def competence_move(request: KommuneRequest, competence_id: int) -> HttpResponse:
    competence = access.get_competence_or_404(request.person, competence_id)
    return _move(request, competence, competence.version)


# --- Scales ----------------------------------------------------------------------------


@require_GET
@kommune_hr_required
def scale_detail(request: KommuneRequest, scale_id: int) -> HttpResponse:
    scale = access.get_scale_or_404(request.person, scale_id)
    return render(
        request,
        "profiles/scale_detail.html",
        {
            "scale": scale,
            "levels": selectors.scale_levels(scale),
            "frameworks": selectors.frameworks_on_scale(scale),
        },
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def scale_level_edit(request: KommuneRequest, level_id: int) -> HttpResponse:
    level = access.get_level_or_404(request.person, level_id)
    form = ScaleLevelForm(request.POST or None, instance=level)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            services.scale_level_update(
                level=level,
                label_da=form.cleaned_data["label_da"],
                label_en=form.cleaned_data["label_en"],
                description_da=form.cleaned_data["description_da"],
                description_en=form.cleaned_data["description_en"],
            )
            messages.success(request, _("Skalatrinnet er gemt."))
            return redirect_after_post(request, reverse("scale_detail", args=[level.scale_id]))
    return render_form(request, "profiles/scale_level_form.html", {"form": form, "level": level})


# --- Job profiles ----------------------------------------------------------------------


@require_GET
@kommune_hr_required
def job_profile_list(request: KommuneRequest) -> HttpResponse:
    return render(
        request,
        "profiles/job_profile_list.html",
        {"profiles": selectors.job_profiles_with_counts(request.kommune)},
    )


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def job_profile_create(request: KommuneRequest) -> HttpResponse:
    form = JobProfileForm(request.POST or None)
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        if form.is_valid():
            job_profile = services.job_profile_create(
                kommune=request.kommune,
                framework=form.cleaned_data["framework"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("Jobprofilen er oprettet. Sæt de krævede niveauer."))
            return redirect_after_post(
                request, reverse("job_profile_detail", args=[job_profile.pk])
            )
    return render_form(request, "profiles/job_profile_form.html", {"form": form})


def _level_rows(structure, form, inherited: dict | None = None) -> list[dict]:
    """Groups of {competence, field, inherited} rows for the level tables."""
    inherited = inherited or {}
    return [
        {
            "group": group.group,
            "rows": [
                {"competence": c, "field": form.bound(c), "inherited": inherited.get(c.key)}
                for c in group.competences
            ],
        }
        for group in structure.groups
    ]


@require_http_methods(["GET", "POST"])
@kommune_hr_required
def job_profile_detail(request: KommuneRequest, job_profile_id: int) -> HttpResponse:
    job_profile = access.get_job_profile_or_404(request.person, job_profile_id)
    version = selectors.current_version(job_profile.framework)
    data = request.POST or None
    form = JobProfileForm(data, instance=job_profile)
    form.validate_url = request.get_full_path()
    structure, levels_form = None, None
    if version is not None:
        structure = selectors.version_structure(version)
        levels_form = JobRequirementsForm(
            data,
            structure=structure,
            initial_levels=selectors.job_requirement_levels(job_profile),
        )
    if request.method == "POST":
        if response := field_validation_response(request, form):
            return response
        forms_valid = form.is_valid()
        if levels_form is not None and not levels_form.is_valid():
            forms_valid = False
        if forms_valid:
            try:
                services.job_profile_save(
                    job_profile=job_profile,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    levels=levels_form.levels() if levels_form is not None else None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Jobprofilen er gemt."))
                return redirect_after_post(
                    request, reverse("job_profile_detail", args=[job_profile.pk])
                )
    return render_form(
        request,
        "profiles/job_profile_detail.html",
        {
            "job_profile": job_profile,
            "form": form,
            "levels_form": levels_form,
            "version": version,
            "groups": _level_rows(structure, levels_form) if structure is not None else [],
            "top_units": selectors.top_units(request.person),
        },
    )


# --- Unit profiles ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def unit_profile(request: KommuneRequest, unit_id: int) -> HttpResponse:
    """Fredericia's afdelingsprofil. The unit's leaders (its whole leader chain) and HR
    see and set it: the same people `get_unit_or_404` lets see the unit."""
    unit = org_access.get_unit_or_404(request.person, unit_id)
    versions = selectors.published_versions_of(request.kommune)
    chosen = request.GET.get("ramme")
    if chosen:
        version = next((v for v in versions if str(v.framework_id) == chosen), None)
        if version is None:
            raise Http404
    else:
        version = versions[0] if versions else None
    context = {
        "unit": unit,
        "versions": versions,
        "version": version,
        "ancestors": list(selectors.visible_ancestors(request.person, unit)),
        "children": list(selectors.visible_children(request.person, unit)),
        "form": None,
        "groups": [],
    }
    if version is not None:
        structure = selectors.version_structure(version)
        profile = selectors.unit_profile_view(unit, version)
        form = UnitProfileForm(
            request.POST or None, structure=structure, initial_levels=profile["own"]
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.unit_profile_set(
                    unit=unit, framework=version.framework, levels=form.levels()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Enhedsprofilen er gemt."))
                url = reverse("unit_profile", args=[unit.pk]) + f"?ramme={version.framework_id}"
                return redirect_after_post(request, url)
        inherited = {
            key: {"level": level, "label": structure.level_label(level), "unit": source}
            for key, (level, source) in profile["inherited"].items()
        }
        context.update(form=form, groups=_level_rows(structure, form, inherited))
    return render_form(request, "profiles/unit_profile.html", context)


# --- A position's job profile ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@hr_required
def position_job_profile(request: KommuneRequest, position_id: int) -> HttpResponse:
    position = org_access.get_position_or_404(request.person, position_id)
    assignment = selectors.position_assignment(position)
    form = PositionJobProfileForm(
        request.POST or None,
        initial={"job_profile": assignment.job_profile if assignment else None},
        prefix=f"stilling-{position.pk}",
    )
    form.validate_url = request.get_full_path()
    if request.method == "POST":
        if response := _validation_response(request, form):
            return response
        if form.is_valid():
            job_profile = form.cleaned_data["job_profile"]
            services.job_profile_assign(position=position, job_profile=job_profile, request=request)
            if request.htmx:
                position = selectors.position_with_job_profile(position)
                row = {
                    "position": position,
                    "job_profile": job_profile_of(position),
                    "unit_visible": selectors.unit_visible_to(request.person, position.unit_id),
                }
                return render(
                    request,
                    "profiles/_person_job_profiles.html#row",
                    {"row": row, "can_change": True, "saved": True},
                )
            messages.success(request, _("Stillingens jobprofil er gemt."))
            return HttpResponseRedirect(reverse("person_detail", args=[position.person_id]))
    return render_form(
        request,
        "profiles/position_job_profile.html",
        {"form": form, "position": position, "inline": bool(request.htmx)},
    )
