"""Forms for HR's editing of the årshjul."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annualcycle.models import CycleRole, Phase, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "description", "starts_on", "ends_on"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class TaskForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roller"), choices=CycleRole.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Task
        fields = ["title", "description", "roles", "kind", "deadline", "remind_days_before"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}
