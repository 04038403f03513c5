"""HR's form for the GDPR retention rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RetentionForm(forms.Form):
    years = forms.IntegerField(
        label=_("Antal år efter fratrædelsen"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Tomt: data om fratrådte slettes ikke automatisk."),
    )
    active = forms.BooleanField(
        label=_("Slet automatisk hver nat"),
        required=False,
        help_text=_("Læs prøvekørslen nedenfor, før du slår det til."),
    )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if cleaned.get("active") and not cleaned.get("years"):
            self.add_error("years", _("Angiv antal år, før automatisk sletning slås til."))
        return cleaned
