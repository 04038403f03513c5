"""Forms of the catalogue's employee and leader pages."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Course


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Søg"), required=False, max_length=200)
    form = forms.ChoiceField(label=_("Form"), required=False)
    kompetence = forms.ChoiceField(label=_("Udvikler kompetencen"), required=False)
    fra = forms.DateField(
        label=_("Starter efter"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sted = forms.CharField(label=_("Sted"), required=False, max_length=100)
    mine_gab = forms.BooleanField(label=_("Passer til mine gab"), required=False)

    def __init__(self, *args, competences: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["form"]).choices = [
            ("", _("Alle former")),
            *list(Course.Form.choices),
        ]
        cast(forms.ChoiceField, self.fields["kompetence"]).choices = [
            ("", _("Alle kompetencer")),
            *competences,
        ]


class EnrolForm(forms.Form):
    motivation = forms.CharField(
        label=_("Hvorfor vil du deltage? (valgfrit)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan_activity = forms.TypedChoiceField(
        label=_("Hører til aktivitet i min udviklingsplan"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan_activity"]).choices = [("", _("Ingen"))] + [
            (a.pk, a.title) for a in activities
        ]


class DecisionForm(forms.Form):
    """The leader's reason, with either answer (`enrolment_approve`/`enrolment_decline`)."""

    reason = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EnrolmentIdsField(forms.Field):
    """The ids of the requests ticked on the approvals page."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Vælg mindst én tilmelding."),
        "invalid": _("Valget kunne ikke læses. Prøv igen."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class BulkDecisionForm(DecisionForm):
    """The leader's answer to the ticked requests (`enrolments_approve`/`_decline`)."""

    enrolment = EnrolmentIdsField()
