"""The gap-report order form. No form exposes `kommune`; choice querysets are set per
request, inside the kommune scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from kompetence.forms import INDENT, set_option_label
from kompetence.models import OrgUnit
from profiles.models import JobProfile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def unit_label(unit) -> str:
    return f"{INDENT * (unit.depth - 1)}{unit.name}"


def group_choices(group_names: list[str], empty: StrOrPromise) -> list[tuple[str, StrOrPromise]]:
    return [("", empty)] + [(name, name) for name in group_names]


class GapReportForm(forms.Form):
    unit = SafeModelChoiceField(
        label=_("Enhed (med underenheder)"), queryset=OrgUnit.objects, empty_label=None
    )
    job_profile = SafeModelChoiceField(
        label=_("Kun jobprofil"),
        queryset=JobProfile.objects,
        required=False,
        empty_label=_("Alle jobprofiler"),
    )
    group_name = forms.ChoiceField(label=_("Kun kompetencegruppe"), required=False)

    def __init__(self, *args, units, job_profiles, group_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(self.fields["unit"], unit_label)
        cast(forms.ModelChoiceField, self.fields["job_profile"]).queryset = job_profiles
        cast(forms.ChoiceField, self.fields["group_name"]).choices = group_choices(
            group_names, _("Alle grupper")
        )


class MusEvaluationForm(forms.Form):
    unit = SafeModelChoiceField(
        label=_("Enhed (med underenheder)"), queryset=OrgUnit.objects, empty_label=None
    )
    period_start = forms.DateField(
        label=_("Fra"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Til"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(self.fields["unit"], unit_label)

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Til-datoen ligger før fra-datoen."))
        return cleaned
