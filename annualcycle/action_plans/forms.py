"""Forms of the action-plan pages. No form exposes `kommune`; choice querysets are set
per request, inside the kommune scope."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from annualcycle.models import ActionPlan, ActionPlanComment, ActionPlanItem
from annualcycle.reports.forms import group_choices, unit_label
from kompetence.forms import set_option_label
from kompetence.models import OrgUnit


class ActionPlanCreateForm(forms.Form):
    unit = SafeModelChoiceField(label=_("Enhed"), queryset=OrgUnit.objects, empty_label=None)
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(self.fields["unit"], unit_label)


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["priorities", "budget"]
        widgets = {"priorities": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "priorities": _("Hvad enheden vil udvikle i år, og hvorfor – ud fra gabbilledet.")
        }

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        if budget < 0:
            raise forms.ValidationError(_("Budgettet kan ikke være negativt."))
        return budget


class ActionPlanItemForm(forms.ModelForm):
    class Meta:
        model = ActionPlanItem
        fields = ["course", "title", "competence_group", "participants", "budget", "deadline"]
        field_classes = {"course": SafeModelChoiceField}
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "course": _("Vælg et kursus fra kataloget, eller skriv en ny aktivitet nedenfor."),
            "title": _("Tomt ved et kursus fra kataloget: kursets titel bruges."),
        }

    def __init__(self, *args, courses, group_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["course"]).queryset = courses
        cast(forms.ModelChoiceField, self.fields["course"]).empty_label = _(
            "Ny aktivitet (ikke fra kataloget)"
        )
        self.fields["title"].required = False
        current = self.instance.competence_group
        names = group_names if not current or current in group_names else [*group_names, current]
        self.fields["competence_group"] = forms.ChoiceField(
            label=_("Kompetencegruppe"),
            required=False,
            choices=group_choices(names, _("Ingen bestemt gruppe")),
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        course = cleaned.get("course")
        if not cleaned.get("title", "").strip():
            if course is None:
                self.add_error("title", _("Skriv aktiviteten, eller vælg et kursus fra kataloget."))
            else:
                cleaned["title"] = course.title
        budget = cleaned.get("budget")
        if budget is not None and budget < 0:
            self.add_error("budget", _("Budgettet kan ikke være negativt."))
        return cleaned


class ActionPlanCommentForm(forms.ModelForm):
    class Meta:
        model = ActionPlanComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
