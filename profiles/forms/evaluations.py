"""Forms of the evaluation pages. Querysets are set per request, inside the scope."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from kompetence.forms import INDENT, InlineValidationMixin, set_option_label
from profiles.models import EvaluationRound


class RoundForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = EvaluationRound
        fields = ["name", "version", "unit", "deadline"]
        field_classes = {"version": SafeModelChoiceField, "unit": SafeModelChoiceField}
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "unit": _("Alle med en stilling i enheden og dens underenheder får en selvevaluering."),
        }

    def __init__(self, *args, versions, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["version"]).queryset = versions
        set_option_label(self.fields["version"], lambda v: f"{v.framework.name} (v{v.number})")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(self.fields["unit"], lambda u: f"{INDENT * (u.depth - 1)}{u.name}")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("Fristen ligger i fortiden."))
        return deadline
