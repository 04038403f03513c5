"""Sign-in, sign-out and password reset on a kommune's host."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from kompetence.infra.http import KommuneRequest, person_required
from kompetence.infra.i18n import LANGUAGE_CODES
from kompetence.infra.login_locks import lockout_minutes
from kompetence.infra.mail import Message, message_queue
from kompetence.invitations import revoke_open
from kompetence.models import User


class KommuneAuthenticationForm(auth_forms.AuthenticationForm):
    """The login form: a username or the e-mail address (kompetence.auth)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Brugernavn eller e-mail")


class KommunePasswordResetForm(auth_forms.PasswordResetForm):
    """Finds accounts by e-mail among the active people of this kommune only.

    Unlike Django's form, a login without a usable password gets the link too: people
    made by *Ny person*, the import or the operator have none until they choose one."""

    def __init__(self, *args, kommune=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommune = kommune

    def get_users(self, email):
        return User.objects.filter(
            kommune=self.kommune, email__iexact=email, is_active=True, person__is_active=True
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Rendered here, in the language of the page, and sent by the mail task, which
        retries while the mail server is down; the page never waits for it."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        message_queue(Message(subject=subject, body=body, to=[to_email], attachments=[]))


class KommuneOnlyMixin(View):
    """Account pages exist only on a kommune host."""

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "kommune", None) is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordsOnlyMixin(KommuneOnlyMixin):
    """Password pages do not exist in a kommune that signs in only through SSO."""

    def dispatch(self, request, *args, **kwargs):
        kommune = getattr(request, "kommune", None)
        if kommune is not None and kommune.sso_only:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoginView(KommuneOnlyMixin, auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = KommuneAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetView(PasswordsOnlyMixin, auth_views.PasswordResetView):
    form_class = KommunePasswordResetForm
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kommune": cast(KommuneRequest, self.request).kommune}

    def form_valid(self, form):
        # The link in the e-mail must lead back to this kommune's host.
        self.extra_email_context = {"kommune": cast(KommuneRequest, self.request).kommune}
        return super().form_valid(form)


class PasswordResetConfirmView(PasswordsOnlyMixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is not None and user.kommune_id != cast(KommuneRequest, self.request).kommune.pk:
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        # A password is chosen: an invitation still open would be a second way in.
        revoke_open(user_ids=[form.user.pk])
        return response


@require_POST
def set_language(request):
    """Switches between Danish and English, remembered on the user and in a cookie."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in LANGUAGE_CODES:
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response


def locked_out(request, original_response, credentials):
    """django-axes: the answer while a login is locked from this address, or the address
    is (429, in Danish): for how long, or that HR reopens it."""
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": lockout_minutes(request, credentials)},
        status=429,
    )


@require_GET
@person_required
def signed_in_again(request):
    """Where signing in again in a new tab ends (the dialog of static/js/app.js opens the
    login page here): the first tab saves what was waiting as soon as it is back."""
    return render(request, "registration/signed_in_again.html")
