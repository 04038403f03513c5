"""Forms of HR's catalogue pages (and of a leader's course proposal). No form exposes
`kommune`: the views and services take it from the request. Choice querysets are set
per request, inside the kommune scope."""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelMultipleChoiceField

from catalogue.models import COURSE_FIELDS, Course, CourseSession, Enrolment
from kompetence.forms import INDENT, InlineValidationMixin, set_option_label
from profiles.models import Competence
from profiles.selectors import VersionStructure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(InlineValidationMixin, forms.ModelForm):
    # The title first, then the fields in their usual order.
    field_order = ["title"]

    class Meta:
        model = Course
        fields = [*COURSE_FIELDS, "audience_units", "audience_job_profiles"]
        field_classes = {
            "audience_units": SafeModelMultipleChoiceField,
            "audience_job_profiles": SafeModelMultipleChoiceField,
        }
        help_texts = {
            "code": _("Valgfri. Kurset genkendes på koden, når kataloget importeres."),
            "provider_name": _("Fx »Professionshøjskolen« eller kursusholderens navn."),
            "place": _("Hvor kurset normalt holdes. Hvert hold kan have sit eget sted."),
            "contact": _("Hvem deltagerne kan spørge om kurset."),
            "requires_approval": _(
                "Uden godkendelse får medarbejderen en plads (eller kommer på venteliste) "
                "med det samme."
            ),
            "audience_everyone": _(
                "Fjern markeringen for at vise kurset kun for de valgte enheder og jobprofiler."
            ),
            "audience_units": _("Enhederne og alle enheder under dem."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "audience_units": forms.SelectMultiple(attrs={"size": 8}),
            "audience_job_profiles": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, kommune, units, job_profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune
        cast(forms.ModelChoiceField, self.fields["audience_units"]).queryset = units
        set_option_label(
            self.fields["audience_units"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )
        if job_profiles.exists():
            cast(
                forms.ModelChoiceField, self.fields["audience_job_profiles"]
            ).queryset = job_profiles
        else:
            # An empty group of checkboxes would only puzzle; the kommune has none yet.
            del self.fields["audience_job_profiles"]
        self.fields["price"].widget.attrs.update({"min": "0", "step": "0.01"})

    def clean_code(self) -> str:
        # The unique constraint names the kommune, which the form does not show, so
        # Django's own constraint check skips it: ask here, with the same message.
        code = self.cleaned_data["code"].strip()
        clash = Course.objects.filter(kommune=self.kommune, code=code).exclude(pk=self.instance.pk)
        if code and clash.exists():
            raise forms.ValidationError(_("Koden bruges allerede af et andet kursus."))
        return code

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price < 0:
            raise forms.ValidationError(_("Prisen kan ikke være negativ."))
        return price

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if (
            not cleaned.get("audience_everyone")
            and not cleaned.get("audience_units")
            and not cleaned.get("audience_job_profiles")
            and "audience_units" not in self.errors
            and "audience_job_profiles" not in self.errors
        ):
            self.add_error(
                "audience_everyone",
                _("Vælg mindst én enhed eller jobprofil, eller marker »For alle«."),
            )
        return cleaned

    def course_fields(self) -> dict:
        """The cleaned data as `services.course_create`/`course_update` take it."""
        data = dict(self.cleaned_data)
        data["audience_units"] = list(data["audience_units"])
        data["audience_job_profiles"] = list(data.get("audience_job_profiles", []))
        return data


class CourseCompetencesForm(forms.Form):
    """One select per competence of each published framework version: the level the
    course develops it to, or "udvikler ikke". Named by the competence's key, which
    survives new framework versions."""

    def __init__(self, *args, structures: list[VersionStructure], initial_levels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.structures = structures
        for structure in structures:
            choices = [("", _("Udvikler ikke"))] + [
                (str(level.value), f"{level.value} {level.label}")
                for level in structure.levels
                if not level.is_not_applicable
            ]
            for competence in structure.competences:
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

    @staticmethod
    def field_name(competence: Competence) -> str:
        return f"udvikler-{competence.key}"

    def bound(self, competence: Competence) -> forms.BoundField:
        return self[self.field_name(competence)]

    def levels_by_framework(self) -> list[tuple]:
        """[(framework, {competence key: level or None})] from the cleaned data."""
        return [
            (
                structure.version.framework,
                {c.key: self.cleaned_data.get(self.field_name(c)) for c in structure.competences},
            )
            for structure in self.structures
        ]


class SessionForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = CourseSession
        fields = [
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "registration_deadline",
            "is_cancelled",
        ]
        help_texts = {
            "starts_at": _("Uden start og slut er holdet løbende optag."),
            "place": _("Tomt: kursets sted."),
            "registration_deadline": _("Tomt: tilmelding indtil holdet starter."),
            "is_cancelled": _("Et aflyst hold tager ikke imod tilmeldinger."),
        }
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "registration_deadline": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new session is never cancelled; the choice appears once it exists.
            del self.fields["is_cancelled"]
        self.fields["capacity"].widget.attrs["min"] = "1"

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        deadline = cleaned.get("registration_deadline")
        if ends and not starts:
            self.add_error("starts_at", _("Angiv også holdets start, eller fjern slutningen."))
        elif starts and ends and ends < starts:
            self.add_error("ends_at", _("Holdet slutter, før det starter."))
        if deadline and starts and deadline > timezone.localtime(starts).date():
            self.add_error(
                "registration_deadline", _("Tilmeldingsfristen ligger efter holdets start.")
            )
        return cleaned

    def session_fields(self) -> dict:
        return dict(self.cleaned_data)


class RecordForm(forms.Form):
    """Attendance or completion of one seated participant of the roster's session."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[
            (Enrolment.Status.ATTENDED, Enrolment.Status.ATTENDED.label),
            (Enrolment.Status.COMPLETED, Enrolment.Status.COMPLETED.label),
            (Enrolment.Status.NO_SHOW, Enrolment.Status.NO_SHOW.label),
        ]
    )


class CostPeriodForm(forms.Form):
    """The period of the cost report; the current calendar year when nothing is given."""

    fra = forms.DateField(
        label=_("Fra"),
        required=False,
        widget=DATE,
        error_messages={"invalid": _("Skriv fra-datoen som ÅÅÅÅ-MM-DD, fx 2027-01-01.")},
    )
    til = forms.DateField(
        label=_("Til"),
        required=False,
        widget=DATE,
        error_messages={"invalid": _("Skriv til-datoen som ÅÅÅÅ-MM-DD, fx 2027-12-31.")},
    )

    def __init__(self, query):
        year = timezone.localdate().year
        self.default_start = datetime.date(year, 1, 1)
        self.default_end = datetime.date(year, 12, 31)
        # Always bound, so the defaults show in the inputs and a link without
        # parameters gives this year's report.
        data = {"fra": self.default_start.isoformat(), "til": self.default_end.isoformat()}
        data.update({key: query[key] for key in ("fra", "til") if key in query})
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if "fra" in self.errors or "til" in self.errors:
            return cleaned
        cleaned["fra"] = cleaned.get("fra") or self.default_start
        cleaned["til"] = cleaned.get("til") or self.default_end
        if cleaned["fra"] > cleaned["til"]:
            self.add_error("til", _("Til-datoen ligger før fra-datoen."))
        return cleaned
