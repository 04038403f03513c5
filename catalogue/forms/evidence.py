"""Forms for the proof people upload for their mandatory training."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import TrainingRequirement
from catalogue.training.evidence import evidence_content_type
from catalogue.training.evidence_selectors import CompetenceChoice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EvidenceForm(forms.Form):
    """The proof, its dates and what it proves: one of the requirements that apply to
    the person (`krav:<id>`) or one of their competences (`kompetence:<framework
    id>:<key>`), in one list. The file is checked by its content here (`file` errors),
    before anything is stored."""

    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_("Fx »Førstehjælpsbevis, 12 timer«."),
    )
    target = forms.ChoiceField(label=_("Dokumentation for"))
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF eller billede (PNG eller JPEG), højst %(max)s MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"}
        ),
    )
    issued_on = forms.DateField(label=_("Udstedt"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Udløber"),
        required=False,
        widget=DATE,
        help_text=_("Tomt: kravets gyldighed gælder, eller beviset udløber ikke."),
    )

    def __init__(
        self,
        *args,
        requirements: list[TrainingRequirement],
        competences: list[CompetenceChoice],
        max_bytes: int,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.requirements = {str(r.pk): r for r in requirements}
        self.competences = {f"{c.framework_id}:{c.key}": c for c in competences}
        choices: list = [("", _("Vælg …"))]
        if requirements:
            choices.append(
                (_("Mine krav"), [(f"krav:{pk}", r.name) for pk, r in self.requirements.items()])
            )
        if competences:
            choices.append(
                (
                    _("Mine kompetencer"),
                    [(f"kompetence:{value}", c.name) for value, c in self.competences.items()],
                )
            )
        cast(forms.ChoiceField, self.fields["target"]).choices = choices
        self.fields["file"].help_text = str(self.fields["file"].help_text) % {
            "max": max_bytes // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            evidence_content_type(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from error
        return upload

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise ValidationError(_("Udstedelsesdatoen ligger i fremtiden."))
        return issued_on

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        issued_on, expires_on = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("Udløbsdatoen ligger før udstedelsesdatoen."))
        return cleaned

    def target_fields(self) -> dict:
        """The chosen target as the service's keyword arguments."""
        kind, _sep, value = self.cleaned_data["target"].partition(":")
        if kind == "krav":
            return {"requirement": self.requirements[value]}
        competence = self.competences[value]
        return {"framework_id": competence.framework_id, "competence_key": competence.key}
