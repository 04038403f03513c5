"""Forms for HR's framework, scale and profile pages. No form exposes `kommune`: the
views and services take it from the request. Choice querysets are set per request,
inside the kommune scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from kompetence.forms import InlineValidationMixin, set_option_label
from profiles.interchange import MAX_IMPORT_BYTES
from profiles.models import (
    Competence,
    CompetenceGroup,
    Framework,
    JobProfile,
    RatingScale,
    Role,
    ScaleLevel,
)
from profiles.selectors import VersionStructure

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class FrameworkCreateForm(InlineValidationMixin, forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale = SafeModelChoiceField(
        queryset=RatingScale.objects.none(),
        label=_("Skala"),
        empty_label=None,
        help_text=_("Den skala, medarbejdere og ledere vurderer kompetencerne på."),
    )

    def __init__(self, *args, scales, **kwargs):
        super().__init__(*args, **kwargs)
        if scales.exists():
            cast(forms.ModelChoiceField, self.fields["scale"]).queryset = scales
        else:
            # A kommune without a scale of its own gets the default one when it saves.
            del self.fields["scale"]


class FrameworkImportForm(forms.Form):
    """A framework file to import. What is in the file is checked by the import
    service; the form checks only that there is a file and that it is not too large."""

    file = forms.FileField(
        label=_("Fil"),
        error_messages={
            "required": _("Vælg den fil, der skal importeres."),
            "empty": _("Filen er tom."),
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("json", _("Kompetence-JSON (eksporteret fra Kompetence)")),
            ("moodle", _("Moodle CSV (Moodles import/eksport af kompetencerammer)")),
        ],
        initial="json",
        widget=forms.RadioSelect,
    )
    framework = SafeModelChoiceField(
        queryset=Framework.objects.none(),
        label=_("Importér som"),
        required=False,
        empty_label=_("En ny ramme"),
        help_text=_(
            "Vælg en eksisterende ramme for at få filen som dens næste version (en kladde). "
            "Offentliggjorte versioner ændres aldrig."
        ),
    )
    flatten = forms.BooleanField(
        label=_("Flad rammen ud"),
        required=False,
        help_text=_(
            "Kun for Moodle-rammer med mere end to niveauer. Hver kompetence nederst i træet "
            "kommer i en gruppe, der hedder som vejen ned til den, fx »Kommunikation › "
            "Skriftlig › Breve«; niveauerne imellem bliver ikke vurderet."
        ),
    )

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Højst %(size)s.") % {
            "size": filesizeformat(MAX_IMPORT_BYTES)
        }
        field = cast(forms.ModelChoiceField, self.fields["framework"])
        field.queryset = frameworks
        set_option_label(
            field, lambda framework: _("Ny kladde af »%(name)s«") % {"name": framework.name}
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Filen er for stor (%(size)s). En rammefil må højst fylde %(max)s.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_IMPORT_BYTES)}
            )
        return upload


class GroupForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = CompetenceGroup
        fields = ["name", "description"]
        labels = {"name": _("Gruppens navn"), "description": _("Beskrivelse")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CompetenceForm(InlineValidationMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roller"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vælg ingen for at gælde alle roller."),
    )

    class Meta:
        model = Competence
        fields = ["name", "short_description", "what", "why", "how", "kind", "roles"]
        labels = {
            "name": _("Navn"),
            "short_description": _("Kort beskrivelse"),
            "what": _("Hvad"),
            "why": _("Hvorfor"),
            "how": _("Hvordan"),
            "kind": _("Type"),
        }
        help_texts = {
            "what": _("Hvad kompetencen handler om."),
            "why": _("Hvorfor den er vigtig for kerneopgaven."),
            "how": _("Hvordan den viser sig i hverdagen."),
        }
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "how": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_roles(self) -> list[str]:
        # Stored in the roles' own order (direktion first), whatever order they came in.
        chosen = set(self.cleaned_data["roles"])
        return [role for role in Role.values if role in chosen]


class ScaleLevelForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = ScaleLevel
        fields = ["label_da", "label_en", "description_da", "description_en"]
        labels = {
            "label_da": _("Betegnelse (dansk)"),
            "label_en": _("Betegnelse (engelsk)"),
            "description_da": _("Beskrivelse (dansk)"),
            "description_en": _("Beskrivelse (engelsk)"),
        }


class JobProfileForm(InlineValidationMixin, forms.ModelForm):
    """Name and description; the framework only when the profile is created (its
    requirements name that framework's competences)."""

    class Meta:
        model = JobProfile
        fields = ["name", "description", "framework"]
        field_classes = {"framework": SafeModelChoiceField}
        labels = {"name": _("Navn"), "description": _("Beskrivelse"), "framework": _("Ramme")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["framework"]
        else:
            cast(
                forms.ModelChoiceField, self.fields["framework"]
            ).queryset = Framework.objects.order_by("name")
            cast(forms.ModelChoiceField, self.fields["framework"]).empty_label = None

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = JobProfile.objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Der findes allerede en jobprofil med det navn."))
        return name


def _level_choices(structure: VersionStructure) -> list[tuple[str, str]]:
    return [
        (str(level.value), f"{level.value} {level.label}")
        for level in structure.levels
        if not level.is_not_applicable
    ]


class _LevelsForm(forms.Form):
    """One select per competence of a version, named by the competence's key (which
    survives new versions). Bad values get a message naming the competence."""

    empty_label: StrOrPromise = ""
    prefix_name = "level"

    def __init__(self, *args, structure: VersionStructure, initial_levels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", self.empty_label), *_level_choices(structure)]
        self.competences = structure.competences
        for competence in self.competences:
            name = competence.name.replace("%", "%%")
            self.fields[self.field_name(competence)] = forms.TypedChoiceField(
                label=competence.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=initial_levels.get(competence.key),
                error_messages={
                    "invalid_choice": _(
                        "»%(competence)s«: niveauet findes ikke på skalaen. Vælg et af "
                        "skalaens niveauer."
                    )
                    % {"competence": name}
                },
            )

    def field_name(self, competence: Competence) -> str:
        return f"{self.prefix_name}-{competence.key}"

    def levels(self) -> dict:
        """{competence key: level or None} from the cleaned data."""
        return {c.key: self.cleaned_data.get(self.field_name(c)) for c in self.competences}

    def bound(self, competence: Competence) -> forms.BoundField:
        return self[self.field_name(competence)]


class JobRequirementsForm(_LevelsForm):
    empty_label = _("Intet krav")
    prefix_name = "krav"


class UnitProfileForm(_LevelsForm):
    empty_label = _("Arv fra overenhed")
    prefix_name = "niveau"


class PreviewRoleForm(forms.Form):
    rolle = forms.ChoiceField(label=_("Vis som"), choices=Role.choices, initial=Role.MEDARBEJDER)


class PositionJobProfileForm(InlineValidationMixin, forms.Form):
    job_profile = SafeModelChoiceField(
        queryset=JobProfile.objects.none(),
        label=_("Jobprofil"),
        required=False,
        empty_label=_("Ingen jobprofil"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["job_profile"])
        field.queryset = JobProfile.objects.select_related("framework").order_by("name")
        set_option_label(field, lambda profile: f"{profile.name} ({profile.framework.name})")
