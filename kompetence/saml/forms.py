from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kompetence.saml import sp
from kompetence.saml.models import SamlProvider

MAX_METADATA_BYTES = 1_000_000


class SamlProviderForm(forms.ModelForm):
    metadata_file = forms.FileField(
        label=_("Identitetsudbyderens metadata (XML)"),
        required=False,
        help_text=_("Hent filen hos jeres identitetsudbyder, f.eks. KOMBITs administrationsmodul."),
    )

    class Meta:
        model = SamlProvider
        fields = ["enabled", "label", "min_level", "hr_privilege", "leader_privilege"]

    def clean_metadata_file(self) -> tuple[str, str] | None:
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return None
        if upload.size > MAX_METADATA_BYTES:
            raise forms.ValidationError(_("Filen er for stor til at være metadata."))
        try:
            xml = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Filen er ikke en XML-fil i UTF-8.")) from None
        try:
            return xml, sp.idp_entity_id(xml)
        except sp.BadMetadata as error:
            raise forms.ValidationError(
                _(
                    "Filen er ikke metadata for én SAML-identitetsudbyder med et "
                    "signeringscertifikat og et login-endpoint til HTTP-Redirect (%(reason)s)."
                )
                % {"reason": error}
            ) from error

    def clean(self):
        cleaned = super().clean() or {}
        if (
            cleaned.get("enabled")
            and not cleaned.get("metadata_file")
            and not self.instance.idp_metadata
        ):
            self.add_error(
                "metadata_file",
                _("Upload identitetsudbyderens metadata, før SAML-login slås til."),
            )
        return cleaned
