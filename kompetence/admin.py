"""The platform operators' admin on the bare domain: kommuner only.

Tenant data is deliberately not registered here; operators create a kommune and its
first HR administrator and never need to read a kommune's personal data."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kompetence import services
from kompetence.models import Kommune


class KommuneCreationForm(forms.ModelForm):
    hr_name = forms.CharField(label=_("Første HR-administrators navn"), max_length=200)
    hr_email = forms.EmailField(label=_("Første HR-administrators e-mail"))

    class Meta:
        model = Kommune
        fields = ["slug", "name"]


@admin.register(Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    fields = [
        "slug",
        "name",
        "is_active",
        "med_min_group_size",
        "sso_enabled",
        "sso_label",
        "sso_discovery_url",
        "sso_client_id",
        "sso_client_secret",
        "sso_claim",
        "password_login",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = KommuneCreationForm
            kwargs["fields"] = ["slug", "name", "hr_name", "hr_email"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["slug", "name", "hr_name", "hr_email"]
        return self.fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        kommune, _hr = services.kommune_create(
            slug=form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            hr_name=form.cleaned_data["hr_name"],
            hr_email=form.cleaned_data["hr_email"],
        )
        obj.pk = kommune.pk
