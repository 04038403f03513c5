"""Forms for the organisation pages. No form exposes `kommune`: services take it from
the request. Choice querysets are set per request, inside the kommune scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from kompetence.infra import tabular
from kompetence.models import (
    AuditEntry,
    Kommune,
    MEDCommittee,
    MEDMembership,
    OrgUnit,
    Person,
    Position,
)
from kompetence.selectors import email_taken
from kompetence.services import EMAIL_TAKEN, EMPLOYEE_NUMBER_TAKEN

# Indents unit names in choice lists by depth; non-breaking spaces are not read aloud.
INDENT = "\u00a0" * 4


def set_option_label(field: forms.Field, label: Callable[[Any], str]) -> None:
    """Sets how a model choice field shows each option: Django calls the field's
    `label_from_instance`, which a form replaces on its own copy of the field (in the
    instance's namespace, as `field.label_from_instance = label` would)."""
    vars(field)["label_from_instance"] = label


class LongSelect(forms.Select):
    """A single-choice list that may hold thousands of options (every leader of
    København): written in Python instead of Django's one template per option, which
    took over a second for 2,500 leaders. Same markup, without option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        options = []
        for choice, label in self.choices:
            key = str(choice)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        # Every value and label escaped above, the attributes by flatatt.
        return mark_safe(f"<select{flatatt(final)}>{''.join(options)}</select>")  # noqa: S308


class FormRenderer(TemplatesSetting):
    """Renders every field through templates/forms/field.html: label, help, errors and
    the inline-validation hook in one accessible block."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


class InlineValidationMixin:
    """Fields re-validate on change through `validate_url` (an HTMX POST that saves
    nothing), so mistakes show next to the field before the form is sent."""

    validate_url: str = ""


class PersonForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "employee_number", "email", "is_hr"]

    def __init__(self, *args, kommune, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune
        self.fields["email"].required = True

    def clean_employee_number(self) -> str:
        number = self.cleaned_data["employee_number"].strip()
        clash = Person.objects.filter(kommune=self.kommune, employee_number=number)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(EMPLOYEE_NUMBER_TAKEN)
        return number

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        # An unchanged address is never refused: the organisation import may have given
        # two people one address before this check existed.
        unchanged = self.instance.pk and email == self.instance.email.lower()
        if not unchanged and email_taken(kommune=self.kommune, email=email, person=self.instance):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class PositionForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = Position
        fields = ["unit", "job_title", "is_leader", "start_date", "end_date"]
        field_classes = {"unit": SafeModelChoiceField}
        labels = {"unit": _("Enhed")}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(
            self.fields["unit"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Slutdatoen ligger før startdatoen."))
        return cleaned


class UnitForm(InlineValidationMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "external_id"]
        field_classes = {"parent": SafeModelChoiceField}

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            units = units.exclude(path__startswith=self.instance.path)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = units
        self.fields["parent"].label = _("Overenhed")
        set_option_label(
            self.fields["parent"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )

    def clean_external_id(self) -> str:
        external_id = self.cleaned_data["external_id"].strip()
        if not external_id:
            return external_id
        clash = OrgUnit.objects.filter(external_id=external_id)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Enheds-id'et bruges allerede af en anden enhed."))
        return external_id


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.employee_number})" if person.employee_number else person.name


class MEDCommitteeForm(InlineValidationMixin, forms.ModelForm):
    """A committee, the subtree it covers and its members, chosen among the active
    people of the kommune (the choices are this kommune's only: anyone else is refused
    as an invalid choice)."""

    members = SafeModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=_("Medlemmer"),
        required=False,
        help_text=_("Hold Ctrl (Cmd på Mac) nede for at vælge flere."),
    )
    chair = SafeModelChoiceField(queryset=Person.objects.none(), label=_("Formand"), required=False)
    vice_chair = SafeModelChoiceField(
        queryset=Person.objects.none(), label=_("Næstformand"), required=False
    )

    class Meta:
        model = MEDCommittee
        fields = ["name", "kind", "unit"]
        field_classes = {"unit": SafeModelChoiceField}

    def __init__(self, *args, kommune: Kommune, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(kommune=kommune, is_active=True).order_by("name", "pk")
        for name in ("members", "chair", "vice_chair"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = people
            set_option_label(self.fields[name], _person_label)
        self.fields["members"].widget.attrs["size"] = 12
        units = OrgUnit.objects.filter(kommune=kommune, is_active=True).order_by("path")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        self.fields["unit"].label = _("Dækker enheden (og alle enheder under den)")
        set_option_label(
            self.fields["unit"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )
        if self.instance.pk and not self.is_bound:
            memberships = list(self.instance.memberships.all())
            self.initial["members"] = [m.person_id for m in memberships]
            for field, role in (
                ("chair", MEDMembership.Role.CHAIR),
                ("vice_chair", MEDMembership.Role.VICE_CHAIR),
            ):
                self.initial[field] = next(
                    (m.person_id for m in memberships if m.role == role), None
                )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        chair, vice = cleaned.get("chair"), cleaned.get("vice_chair")
        if chair and vice and chair == vice:
            self.add_error("vice_chair", _("Formand og næstformand skal være to personer."))
        return cleaned

    def member_roles(self) -> list[tuple[Person, str]]:
        """The members with their roles; the chair and vice-chair are members too."""
        chair, vice = self.cleaned_data.get("chair"), self.cleaned_data.get("vice_chair")
        people = {p.pk: p for p in self.cleaned_data.get("members") or []}
        roles = dict.fromkeys(people, MEDMembership.Role.MEMBER)
        for person, role in (
            (chair, MEDMembership.Role.CHAIR),
            (vice, MEDMembership.Role.VICE_CHAIR),
        ):
            if person is not None:
                people[person.pk], roles[person.pk] = person, role
        return [(people[pk], roles[pk]) for pk in people]

    def committee_fields(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "kind", "unit")}


class KommuneSettingsForm(InlineValidationMixin, forms.ModelForm):
    """What the kommune's HR sets for the kommune itself."""

    class Meta:
        model = Kommune
        fields = ["accessibility_statement_url", "audit_retention_months"]
        widgets = {
            "accessibility_statement_url": forms.URLInput(attrs={"autocomplete": "url"}),
            "audit_retention_months": forms.NumberInput(attrs={"min": 1, "max": 120}),
        }
        labels = {"audit_retention_months": _("Gem adgangsloggen i (måneder)")}
        help_texts = {
            "audit_retention_months": _(
                "Logposter ældre end dette slettes hver nat. Databehandleraftalens "
                "standard er 6 måneder. Lad feltet stå tomt for at gemme loggen altid."
            )
        }

    def clean_accessibility_statement_url(self) -> str:
        url = self.cleaned_data["accessibility_statement_url"].strip()
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(
                _("Adressen skal begynde med https://, så den åbnes sikkert.")
            )
        return url

    def clean_audit_retention_months(self) -> int | None:
        months = self.cleaned_data["audit_retention_months"]
        if months is not None and not 1 <= months <= AUDIT_RETENTION_MAX_MONTHS:
            raise forms.ValidationError(
                _(
                    "Gem adgangsloggen i (måneder) skal være et helt tal fra 1 til "
                    "%(max)s – eller tomt, så gemmes loggen altid."
                )
                % {"max": AUDIT_RETENTION_MAX_MONTHS}
            )
        return months


# Ten years: longer than any agreement asks, short enough to catch a typo in days.
AUDIT_RETENTION_MAX_MONTHS = 120


class AuditFilterForm(forms.Form):
    subject = forms.CharField(
        label=_("Hvis data (navn eller medarbejdernummer)"), required=False, max_length=200
    )
    actor = forms.CharField(
        label=_("Læst eller ændret af (navn eller medarbejdernummer)"),
        required=False,
        max_length=200,
    )
    action = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        choices=[("", _("Alle handlinger")), *AuditEntry.Action.choices],
    )


IMPORT_EXTENSIONS = (".csv", ".txt", ".xlsx")


class ImportUploadForm(forms.Form):
    """An import file and the importer's options. Too large (packed, or an XLSX
    unpacked), empty or of the wrong type is refused here, before anything is stored."""

    file = forms.FileField(
        label=_("Fil"), help_text=_("CSV (UTF-8 eller Windows-1252, ; eller ,) eller XLSX.")
    )

    def __init__(self, *args, importer, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields.update(importer.option_fields())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("Filen fylder %(size)s MB. Den må højst fylde %(max)s MB.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "max": self.max_bytes // (1024 * 1024),
                }
            )
        if not upload.name.lower().endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(
                _("Filen skal være en CSV- eller XLSX-fil (.csv eller .xlsx).")
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Filen er tom."))
        try:
            tabular.check_file(upload)
        except tabular.LimitError as error:
            raise forms.ValidationError([str(problem) for problem in error.problems]) from error
        return upload

    def options(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "file"}


class LoginLockForm(forms.Form):
    """Names one locked pair in HR's "reopen" post; hidden fields, never typed."""

    login = forms.CharField(max_length=255)
    address = forms.GenericIPAddressField()


class BulkInvitationForm(forms.Form):
    unit = SafeModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=_("Enhed"),
        empty_label=_("Alle, jeg er HR for"),
        help_text=_("Enheden og alle enheder under den."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        set_option_label(
            self.fields["unit"], lambda unit: f"{INDENT * (unit.depth - 1)}{unit.name}"
        )
