"""Forms of HR's mandatory-training pages. No form exposes `kommune`: the views and
services take it from the request. Choice querysets are set per request, inside the
kommune scope, so another kommune's ids are refused as invalid choices."""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from catalogue.models import (
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from kompetence.forms import INDENT, InlineValidationMixin, set_option_label
from kompetence.models import OrgUnit, Person
from profiles.models import JobProfile, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReminderDaysField(forms.CharField):
    """Days before expiry as comma-separated whole numbers: "90, 30"."""

    def to_python(self, value) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        if not text.strip():
            return []
        days = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) < 1:
                raise forms.ValidationError(
                    _(
                        "»%(value)s« er ikke et antal dage. Skriv hele tal over 0, adskilt af "
                        "komma, fx »90, 30«."
                    ),
                    params={"value": part},
                )
            days.append(int(part))
        if any(day > 3650 for day in days):
            raise forms.ValidationError(_("Påmindelser kan højst komme 3650 dage før udløb."))
        return sorted(set(days), reverse=True)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value


class RequirementForm(InlineValidationMixin, forms.ModelForm):
    reminder_days = ReminderDaysField(
        label=_("Påmindelser (dage før udløb)"),
        required=False,
        initial="90, 30",
        help_text=_(
            "Hele tal adskilt af komma, fx »90, 30«. Den første påmindelse afgør, hvornår "
            "kravet står som »Udløber snart«. Tomt: ingen påmindelser."
        ),
    )

    class Meta:
        model = TrainingRequirement
        fields = [
            "name",
            "description",
            "courses",
            "validity_months",
            "grace_days",
            "reminder_days",
            "is_active",
        ]
        field_classes = {"courses": SafeModelMultipleChoiceField}
        labels = {
            "name": _("Navn"),
            "description": _("Beskrivelse"),
            "courses": _("Kurser i kataloget, der opfylder kravet"),
            "validity_months": _("Gyldighed (måneder)"),
            "grace_days": _("Frist for nye (dage)"),
            "is_active": _("Aktivt"),
        }
        help_texts = {
            "courses": _(
                "Offentliggjorte kurser. Når et af dem registreres som gennemført, er kravet "
                "opfyldt."
            ),
            "is_active": _("Et krav, der ikke er aktivt, gælder ikke for nogen."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "courses": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, kommune, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune
        cast(forms.ModelMultipleChoiceField, self.fields["courses"]).queryset = courses
        self.fields["validity_months"].widget.attrs.update({"min": "1"})
        self.fields["grace_days"].widget.attrs.update({"min": "0"})
        self.fields["name"].error_messages["required"] = _("Skriv kravets navn.")

    def clean_name(self) -> str:
        # The unique constraint names the kommune, which the form does not show, so
        # Django's own constraint check skips it: ask here, with the same message.
        name = self.cleaned_data["name"].strip()
        clash = TrainingRequirement.objects.filter(kommune=self.kommune, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Der findes allerede et krav med det navn."))
        return name

    def clean_validity_months(self):
        months = self.cleaned_data["validity_months"]
        if months is not None and months < 1:
            raise forms.ValidationError(_("Gyldigheden skal være mindst én måned."))
        return months

    def validate_constraints(self, exclude=None):
        # The service checks the constraints (with the kommune) and names the field.
        return None

    def requirement_fields(self) -> dict:
        """The cleaned data as `services.requirement_create`/`requirement_update` take it."""
        data = dict(self.cleaned_data)
        data["courses"] = list(data["courses"])
        return data


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kravet gælder for"),
        choices=RequirementAssignment.Kind.choices,
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=[("", "—"), *Role.choices], required=False)
    job_profile = SafeModelChoiceField(
        label=_("Jobprofil"), queryset=JobProfile.objects.none(), required=False
    )
    unit = SafeModelChoiceField(
        label=_("Enhed (med underenheder)"), queryset=OrgUnit.objects.none(), required=False
    )
    function = SafeModelChoiceField(
        label=_("Funktion"), queryset=TrainingFunction.objects.none(), required=False
    )

    def __init__(self, *args, job_profiles, units, functions, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["job_profile"]).queryset = job_profiles
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["function"]).queryset = functions
        set_option_label(
            self.fields["unit"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        kind = cleaned.get("kind")
        targets: dict[str, tuple] = {
            "role": ("role", _("Vælg en rolle.")),
            "job_profile": ("job_profile", _("Vælg en jobprofil.")),
            "unit": ("unit", _("Vælg en enhed.")),
            "function": ("function", _("Vælg en funktion.")),
        }
        target = targets.get(kind or "")
        if target and not cleaned.get(target[0]) and target[0] not in self.errors:
            self.add_error(target[0], target[1])
        return cleaned


class FunctionForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = TrainingFunction
        fields = ["name", "description"]
        labels = {"name": _("Navn"), "description": _("Beskrivelse")}
        help_texts = {"name": _("Fx »Arbejdsmiljørepræsentant« eller »Førstehjælper«.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, kommune, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune
        self.fields["name"].error_messages["required"] = _("Skriv funktionens navn.")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if TrainingFunction.objects.filter(kommune=self.kommune, name__iexact=name).exists():
            raise forms.ValidationError(_("Der findes allerede en funktion med det navn."))
        return name

    def validate_constraints(self, exclude=None):
        return None


class HolderForm(forms.Form):
    """A new holder, found by their employee number (a kommune may have tens of
    thousands of people: no select could list them)."""

    employee_number = forms.CharField(
        label=_("Medarbejdernummer"),
        max_length=32,
        error_messages={"required": _("Skriv personens medarbejdernummer.")},
    )
    since = forms.DateField(
        label=_("Har funktionen fra"),
        widget=DATE,
        help_text=_("Den dag, personen blev valgt eller udpeget. Fristen for nye regnes herfra."),
        error_messages={
            "required": _("Skriv datoen, personen fik funktionen."),
            "invalid": _("Skriv en gyldig dato."),
        },
    )

    def __init__(self, *args, kommune, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune
        self.person: Person | None = None

    def clean_employee_number(self) -> str:
        number = self.cleaned_data["employee_number"].strip()
        self.person = Person.objects.filter(
            kommune=self.kommune, employee_number=number, is_active=True
        ).first()
        if self.person is None:
            raise forms.ValidationError(
                _("Der er ingen aktiv medarbejder med nummeret »%(number)s«."),
                params={"number": number},
            )
        return number


class HolderEndForm(forms.Form):
    until = forms.DateField(
        label=_("Har funktionen til og med"),
        widget=DATE,
        error_messages={
            "required": _("Skriv den sidste dag, personen har funktionen."),
            "invalid": _("Skriv en gyldig dato."),
        },
    )


class CertificateForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Gennemført"),
        widget=DATE,
        error_messages={
            "required": _("Skriv datoen, uddannelsen blev gennemført."),
            "invalid": _("Skriv en gyldig dato."),
        },
    )
    valid_until = forms.DateField(
        label=_("Gyldig til"),
        widget=DATE,
        required=False,
        help_text=_("Tomt: så længe kravets gyldighed siger, regnet fra gennemførelsen."),
        error_messages={"invalid": _("Skriv en gyldig dato.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Fx udbyderen eller certifikatets nummer."),
    )

    def clean_completed_on(self) -> datetime.date:
        completed_on = self.cleaned_data["completed_on"]
        if completed_on > timezone.localdate():
            raise forms.ValidationError(_("Datoen ligger i fremtiden."))
        return completed_on

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        completed_on, valid_until = cleaned.get("completed_on"), cleaned.get("valid_until")
        if completed_on and valid_until and valid_until < completed_on:
            self.add_error("valid_until", _("»Gyldig til« ligger før gennemførelsesdatoen."))
        return cleaned
