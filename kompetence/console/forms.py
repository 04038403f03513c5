"""The console's forms. Every refusal says, in Danish, which field is wrong and how to
put it right."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kompetence.console.access import is_operator
from kompetence.forms import KommuneSettingsForm
from kompetence.models import Kommune

# A kommune's host label: a DNS label of lower-case letters, digits and inner hyphens.
SLUG_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# Labels that would look like the platform's own hosts rather than a kommune's.
RESERVED_SLUGS = frozenset({"www", "api", "mail", "static", "media", "platform", "admin"})


class OperatorLoginForm(AuthenticationForm):
    """Signs in platform operators only; any other login gets the same answer as a
    wrong password (kompetence.auth already looks only at logins without a kommune)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not is_operator(user):
            raise self.get_invalid_login_error()


class KommuneCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        help_text=_("Kommunens navn, som det vises for alle, fx »Fredericia Kommune«."),
        error_messages={"required": _("Skriv kommunens navn.")},
    )
    slug = forms.CharField(
        label=_("Kort navn (subdomæne)"),
        max_length=63,
        help_text=_(
            "Bliver kommunens adresse: <kort navn>.<platformens domæne>. Små bogstaver "
            "a–z, tal og bindestreg, fx »fredericia«. Kan ikke ændres bagefter."
        ),
        error_messages={"required": _("Skriv kommunens korte navn (subdomænet).")},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if Kommune.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("Navn: der findes allerede en kommune med dette navn."))
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not SLUG_PATTERN.fullmatch(slug):
            raise forms.ValidationError(
                _(
                    "Kort navn: brug kun små bogstaver a–z, tal og bindestreg (ikke først "
                    "eller sidst), fx »fredericia«. Æ, ø og å kan ikke bruges i en adresse."
                )
            )
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("Kort navn: »%(slug)s« er forbeholdt platformen. Vælg et andet.") % {"slug": slug}
            )
        if Kommune.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Kort navn: der findes allerede en kommune med dette korte navn.")
            )
        return slug


class KommuneSsoForm(forms.ModelForm):
    """The kommune's single sign-on through its own OpenID Connect provider, set up
    with the kommune's IT (kompetence.sso)."""

    class Meta:
        model = Kommune
        fields = [
            "sso_enabled",
            "sso_label",
            "sso_discovery_url",
            "sso_client_id",
            "sso_client_secret",
            "sso_claim",
            "password_login",
        ]
        widgets = {
            "sso_discovery_url": forms.URLInput(attrs={"autocomplete": "off"}),
            "sso_client_secret": forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_secret = self.instance.sso_client_secret
        secret = self.fields["sso_client_secret"]
        secret.required = False
        secret.help_text = (
            _("Der er gemt en klienthemmelighed. Lad feltet stå tomt for at beholde den.")
            if self.stored_secret
            else _("Fra kommunens registrering af Kompetence hos deres identitetsudbyder.")
        )
        self.fields["sso_claim"].error_messages["required"] = _(
            "Skriv hvilket felt der matcher personens e-mail, fx email."
        )

    def clean_sso_discovery_url(self) -> str:
        url = self.cleaned_data["sso_discovery_url"].strip()
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(
                _("OpenID Connect discovery-adresse: adressen skal begynde med https://.")
            )
        return url

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("sso_enabled"):
            if not data.get("sso_discovery_url") and "sso_discovery_url" not in self.errors:
                self.add_error(
                    "sso_discovery_url",
                    _("OpenID Connect discovery-adresse: skal udfyldes, når SSO er slået til."),
                )
            if not data.get("sso_client_id"):
                self.add_error(
                    "sso_client_id", _("Klient-id: skal udfyldes, når SSO er slået til.")
                )
            if not (data.get("sso_client_secret") or self.stored_secret):
                self.add_error(
                    "sso_client_secret",
                    _("Klienthemmelighed: skal udfyldes, når SSO er slået til."),
                )
        elif data.get("password_login") is False:
            self.add_error(
                "password_login",
                _(
                    "Log ind med adgangskode: kan kun slås fra, når SSO er slået til – "
                    "ellers kan ingen logge ind."
                ),
            )
        return data


class AccessibilityForm(KommuneSettingsForm):
    """The kommune's accessibility statement, as its HR sets it under *Indstillinger*."""


class HrInviteForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        error_messages={"required": _("Skriv HR-administratorens navn.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Invitationen sendes hertil, og e-mailen bliver personens brugernavn."),
        error_messages={
            "required": _("Skriv HR-administratorens e-mail."),
            "invalid": _("E-mail: skriv en gyldig e-mailadresse, fx navn@kommune.dk."),
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
