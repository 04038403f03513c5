"""Invitations: HR invites one person, a unit's subtree or everyone not yet invited;
the person opens the link, chooses a password and is signed in (kompetence.invitations).

Every page here is off in a kommune that signs in only through SSO (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kompetence import access, invitations, permissions
from kompetence.forms import BulkInvitationForm
from kompetence.infra.htmx import redirect_after_post
from kompetence.infra.http import KommuneRequest, hr_required
from kompetence.invitations import AccountState, InvitationProblem


def _passwords_in_use(request) -> None:
    kommune = getattr(request, "kommune", None)
    if kommune is None or kommune.sso_only:
        raise Http404


@require_http_methods(["GET", "POST"])
@hr_required
def invitation_overview(request: KommuneRequest) -> HttpResponse:
    """How many of the people HR administers are in each account state, and the form
    that invites those not yet invited, in a unit's subtree or all of them."""
    _passwords_in_use(request)
    people = permissions.persons_administered_by(request.person)
    form = BulkInvitationForm(
        request.POST or None, units=permissions.changeable_units(request.person)
    )
    if request.method == "POST" and form.is_valid():
        result = invitations.invitations_send_to_unit(
            people=people,
            unit=form.cleaned_data["unit"],
            kommune=request.kommune,
            sent_by=request.person,
        )
        messages.success(
            request,
            _(
                "Invitationer sendt: %(invited)s. Ikke sendt: %(already)s er allerede "
                "inviteret, %(active)s har allerede adgang, %(no_email)s mangler en "
                "e-mailadresse, %(no_access)s er fratrådt eller uden login."
            )
            % {
                "invited": result.invited,
                "already": result.already_invited,
                "active": result.active,
                "no_email": result.without_email,
                "no_access": result.without_access,
            },
        )
        return redirect_after_post(request, reverse("invitation_overview"))
    counts = invitations.account_state_counts(people, kommune=request.kommune)
    states = [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in AccountState.choices
    ]
    return render(
        request,
        "kompetence/invitations.html",
        {"form": form, "states": states, "valid_days": invitations.VALID_FOR.days},
    )


@require_POST
@hr_required
def person_invite(request: KommuneRequest, person_id: int) -> HttpResponse:
    """Sends one person an invitation, or a new one: the earlier link stops working."""
    _passwords_in_use(request)
    person = access.get_person_or_404(request.person, person_id, change=True)
    invitation = invitations.invitation_send(person=person, sent_by=request.person)
    if invitation is None:
        messages.error(
            request,
            _("%(name)s kan ikke inviteres: personen skal være aktiv og have en e-mailadresse.")
            % {"name": person.name},
        )
    else:
        messages.success(
            request,
            _("Invitation sendt til %(name)s (%(email)s).")
            % {"name": person.name, "email": person.email},
        )
    return redirect_after_post(request, reverse("person_detail", args=[person.pk]))


# As Django's password reset: the secret leaves the address bar at once, for the
# session, so it is neither in the browser's history nor in a Referer header.
LINK_SESSION_KEY = "_invitation_link"
CHOOSE_STEP = "vaelg-adgangskode"


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str) -> HttpResponse:
    """The link from the e-mail: choose a password, and be signed in. A used, expired or
    replaced link says so and offers to ask for a new one (*Glemt adgangskode*)."""
    _passwords_in_use(request)
    if token != CHOOSE_STEP:
        invitation, problem = invitations.invitation_for_token(token)
        if problem is None:
            request.session[LINK_SESSION_KEY] = token
            return HttpResponseRedirect(reverse("invitation_accept", args=[CHOOSE_STEP]))
    else:
        invitation, problem = invitations.invitation_for_token(
            request.session.get(LINK_SESSION_KEY, "")
        )
    form = None
    if problem is None:
        assert invitation is not None  # invitation_for_token: no problem means found
        form = SetPasswordForm(invitation.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = invitations.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
            if user is not None:
                request.session.pop(LINK_SESSION_KEY, None)
                login(request, user, backend="kompetence.auth.KommuneModelBackend")
                messages.success(
                    request,
                    _("Din adgangskode er gemt. Næste gang logger du ind med %(username)s.")
                    % {"username": user.username},
                )
                return redirect_after_post(request, reverse("home"))
            problem = InvitationProblem.USED
    status = {None: 200, InvitationProblem.UNKNOWN: 404}.get(problem, 410)
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "problem": problem, "invitation": invitation},
        status=status,
    )
