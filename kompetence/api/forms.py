from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        help_text=_("Hvad nøglen bruges til, fx »Power BI, HR-stab«."),
    )
    expires_on = forms.DateField(
        label=_("Udløber"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Tom: gælder, til nøglen tilbagekaldes."),
    )

    def clean_expires_on(self) -> datetime.date | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise forms.ValidationError(_("Vælg en dato efter i dag."))
        return expires_on

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen day, in the kommune's time zone."""
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
