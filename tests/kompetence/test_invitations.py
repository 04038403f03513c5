"""Accounts for real people: invitations, account states, *Glemt adgangskode* for
logins without a password, SSO-only kommuner, e-mail login and leavers."""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kompetence import invitations, services
from kompetence.invitations import AccountState
from kompetence.models import Invitation, Kommune, Person, SsoIdentity, User
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.kompetence.test_org_import import ORGANISATION, csv_bytes, run

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://alfa\.localhost(?::\d+)?(/invitation/[^/\s]+/)")
NEW_PASSWORD = "en-helt-ny-adgangskode"


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """E-mails may be sent after the transaction commits: run those callbacks."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def new_person(org, unit=None, **kwargs) -> Person:
    """A person as *Ny person* makes them: a login without a usable password."""
    person = PersonFactory(kommune=org.kommune, password=None, **kwargs)
    PositionFactory(person=person, unit=unit or org.team)
    return person


def invite(org, person, sending) -> str:
    """HR invites `person` from their page; the path of the link in the e-mail."""
    mail.outbox.clear()
    with sending():
        response = client_for(org.hr).post(reverse("person_invite", args=[person.pk]))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[person.email]]
    return LINK.search(mail.outbox[0].body).group(1)


def state_of(org, person) -> str:
    with org.scope():
        return invitations.account_state(Person.objects.get(pk=person.pk))


def set_password(client, link: str, password: str = NEW_PASSWORD):
    """Opens the link (a valid one moves its secret into the session) and sends the form."""
    opened = client.get(link)
    target = opened["Location"] if opened.status_code == 302 else link
    return client.post(target, {"new_password1": password, "new_password2": password})


def test_an_invited_person_chooses_a_password_and_is_signed_in(org_a, sending):
    person = new_person(org_a, name="Ida Inviteret", email="ida@alfa.example")
    assert state_of(org_a, person) == AccountState.NOT_INVITED

    link = invite(org_a, person, sending)
    message = mail.outbox[0]
    assert "Alfa Kommune" in message.subject
    assert "Kære Ida Inviteret" in message.body
    assert "ida@alfa.example" in message.body  # the username to sign in with
    assert state_of(org_a, person) == AccountState.INVITED
    with org_a.scope():
        stored = Invitation.objects.get(user_id=person.user_id)
    assert link.split("/")[2] not in stored.token_hash  # only a hash is kept

    client = client_for(None, org_a.kommune)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "Vælg din adgangskode" in page.text
    # The secret left the address at once, for the session (as Django's reset does).
    assert page.redirect_chain == [(reverse("invitation_accept", args=["vaelg-adgangskode"]), 302)]
    # Django's password validators apply.
    weak = set_password(client, link, "kort")
    assert weak.status_code == 200
    assert "_auth_user_id" not in client.session

    response = set_password(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == person.user_id
    assert client.get(reverse("home")).status_code == 200
    assert User.objects.get(pk=person.user_id).check_password(NEW_PASSWORD)
    assert state_of(org_a, person) == AccountState.ACTIVE


def test_a_used_link_says_so_and_offers_a_new_one(org_a, sending):
    person = new_person(org_a)
    link = invite(org_a, person, sending)
    assert set_password(client_for(None, org_a.kommune), link).status_code == 302

    other = client_for(None, org_a.kommune)
    page = other.get(link)
    assert page.status_code == 410
    assert "Linket er allerede brugt" in page.text
    assert reverse("password_reset") in page.text
    response = set_password(other, link, "en-anden-adgangskode-2")
    assert response.status_code == 410
    assert "_auth_user_id" not in other.session
    assert User.objects.get(pk=person.user_id).check_password(NEW_PASSWORD)


def test_an_expired_link_says_so(org_a, sending):
    person = new_person(org_a)
    link = invite(org_a, person, sending)
    with org_a.scope():
        Invitation.objects.filter(user_id=person.user_id).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    client = client_for(None, org_a.kommune)
    page = client.get(link)
    assert page.status_code == 410
    assert "Linket er udløbet" in page.text
    assert set_password(client, link).status_code == 410
    assert "_auth_user_id" not in client.session
    assert state_of(org_a, person) == AccountState.NOT_INVITED
    # An unknown link is not found, in Danish.
    unknown = client.get(reverse("invitation_accept", args=["ikke-et-link"]))
    assert unknown.status_code == 404
    assert "Linket er ugyldigt" in unknown.text


def test_a_resend_makes_the_old_link_stop_working(org_a, sending):
    person = new_person(org_a)
    first = invite(org_a, person, sending)
    second = invite(org_a, person, sending)
    assert first != second
    client = client_for(None, org_a.kommune)
    assert client.get(first).status_code == 410
    assert set_password(client, first).status_code == 410
    with org_a.scope():
        assert Invitation.objects.filter(user_id=person.user_id).count() == 2
        assert (
            Invitation.objects.filter(user_id=person.user_id, revoked_at__isnull=True).count() == 1
        )
    assert set_password(client, second).status_code == 302
    assert int(client.session["_auth_user_id"]) == person.user_id


def test_a_link_of_one_kommune_is_nothing_on_another(org_a, org_b, sending):
    link = invite(org_a, new_person(org_a), sending)
    assert client_for(None, org_b.kommune).get(link).status_code == 404


def test_hr_invites_a_unit_and_then_everyone_with_counts_and_no_duplicates(org_a, sending):
    in_team = [new_person(org_a, org_a.team) for _ in range(2)]
    new_person(org_a, org_a.team, email="")  # no address to send to
    elsewhere = new_person(org_a, org_a.sibling_team)
    leaver = new_person(org_a, org_a.team)
    with org_a.scope():
        services.person_deactivate(person=leaver)
    client = client_for(org_a.hr)

    with sending():
        response = client.post(
            reverse("invitation_overview"), {"unit": org_a.centre.pk}, follow=True
        )
    # The centre's subtree: the two new people and the one from the sibling team; the
    # fixture's people already have passwords, one has no e-mail, one has left.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in [*in_team, elsewhere])
    assert (
        "Invitationer sendt: 3. Ikke sendt: 0 er allerede inviteret, 5 har allerede adgang, "
        "1 mangler en e-mailadresse, 1 er fratrådt eller uden login."
    ) in response.text

    mail.outbox.clear()
    other = new_person(org_a, org_a.hr_unit)
    with sending():
        response = client.post(reverse("invitation_overview"), {"unit": ""}, follow=True)
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "Invitationer sendt: 1. Ikke sendt: 3 er allerede inviteret" in response.text

    mail.outbox.clear()
    with sending():
        client.post(reverse("invitation_overview"), {"unit": ""})
    assert mail.outbox == []
    with org_a.scope():
        assert Invitation.objects.count() == 4
    page = client.get(reverse("invitation_overview"))
    assert page.status_code == 200
    assert "Inviteret</a></td><td>4" in page.text


def test_reset_works_for_an_imported_person_without_a_password(org_a, sending):
    run(org_a, csv_bytes(ORGANISATION))
    with org_a.scope():
        soren = Person.objects.select_related("user").get(employee_number="5001")
    assert not soren.user.has_usable_password()
    client = client_for(None, org_a.kommune)
    with sending():
        client.post(reverse("password_reset"), {"email": "SOREN@aero.dk"})
    assert [m.to for m in mail.outbox] == [["soren@aero.dk"]]
    assert "soren@aero.dk" in mail.outbox[0].body  # the username
    path = re.search(r"http://alfa\.localhost(/nulstil/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=soren.user_id).check_password(NEW_PASSWORD)
    signed_in = client_for(None, org_a.kommune).post(
        reverse("login"), {"username": "soren@aero.dk", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_reset_ends_an_open_invitation(org_a, sending):
    person = new_person(org_a)
    link = invite(org_a, person, sending)
    mail.outbox.clear()
    client = client_for(None, org_a.kommune)
    with sending():
        client.post(reverse("password_reset"), {"email": person.email})
    path = re.search(r"http://alfa\.localhost(/nulstil/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert client_for(None, org_a.kommune).get(link).status_code == 410


def test_an_sso_only_kommune_has_no_passwords_at_all(org_a, sending):
    person = new_person(org_a)
    link = invite(org_a, person, sending)
    Kommune.objects.filter(pk=org_a.kommune.pk).update(sso_enabled=True, password_login=False)
    mail.outbox.clear()
    anonymous = client_for(None, org_a.kommune)
    login_page = anonymous.get(reverse("login"))
    assert 'name="password"' not in login_page.text
    assert reverse("password_reset") not in login_page.text
    response = anonymous.post(
        reverse("login"),
        {"username": org_a.employee.user.username, "password": "test-password-123"},
    )
    assert "_auth_user_id" not in anonymous.session
    assert response.status_code == 200
    assert anonymous.post(reverse("password_reset"), {"email": person.email}).status_code == 404
    assert anonymous.get(reverse("password_reset")).status_code == 404
    assert anonymous.get(link).status_code == 404
    assert set_password(anonymous, link).status_code == 404
    hr = client_for(org_a.hr)
    assert hr.post(reverse("person_invite", args=[person.pk])).status_code == 404
    assert hr.get(reverse("invitation_overview")).status_code == 404
    assert mail.outbox == []
    # Everyone with a login signs in through the kommune's own login.
    assert state_of(org_a, person) == AccountState.SSO
    assert "Invitationer" not in hr.get(reverse("person_list")).text


def test_people_sign_in_with_their_email_within_their_kommune(org_a, org_b):
    anna = PersonFactory(kommune=org_a.kommune, username="anna", email="anna.a@alfa.example")
    client = client_for(None, org_a.kommune)
    assert "Brugernavn eller e-mail" in client.get(reverse("login")).text
    response = client.post(
        reverse("login"), {"username": "Anna.A@alfa.example", "password": "test-password-123"}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == anna.user_id
    # Another kommune's address is nobody here.
    stranger = client_for(None, org_a.kommune)
    stranger.post(
        reverse("login"), {"username": org_b.employee.email, "password": "test-password-123"}
    )
    assert "_auth_user_id" not in stranger.session


def test_an_email_two_people_share_signs_no_one_in(org_a):
    with org_a.scope():
        User.objects.filter(pk__in=[org_a.employee.user_id, org_a.colleague.user_id]).update(
            email="delt@alfa.example"
        )
    client = client_for(None, org_a.kommune)
    response = client.post(
        reverse("login"), {"username": "delt@alfa.example", "password": "test-password-123"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # The username still works.
    client.post(
        reverse("login"),
        {"username": org_a.employee.user.username, "password": "test-password-123"},
    )
    assert int(client.session["_auth_user_id"]) == org_a.employee.user_id


@pytest.mark.parametrize("how", ["hr", "import"])
def test_a_leavers_open_session_and_invitation_end_at_once(org_a, sending, how):
    if how == "import":
        run(org_a, csv_bytes(ORGANISATION))
        with org_a.scope():
            leaver = Person.objects.get(employee_number="5001")
    else:
        leaver = org_a.colleague
    link = invite(org_a, leaver, sending)
    session = client_for(leaver)
    assert session.get(reverse("home")).status_code == 200

    if how == "import":
        run(org_a, csv_bytes([line for line in ORGANISATION if ";5001;" not in line]))
    else:
        with org_a.scope():
            services.person_deactivate(person=Person.objects.get(pk=leaver.pk))

    response = session.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in session.session
    assert client_for(None, org_a.kommune).get(link).status_code == 410
    with org_a.scope():
        assert not Invitation.objects.filter(user_id=leaver.user_id, revoked_at=None).exists()
    assert state_of(org_a, leaver) == AccountState.NO_ACCESS


def test_a_person_made_inactive_alone_loses_the_session_too(org_a):
    session = client_for(org_a.colleague)
    assert session.get(reverse("home")).status_code == 200
    with org_a.scope():
        Person.objects.filter(pk=org_a.colleague.pk).update(is_active=False)
    assert session.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in session.session


def test_the_person_page_shows_the_account_state_to_hr_only(org_a, sending):
    person = new_person(org_a)
    hr = client_for(org_a.hr)
    page = hr.get(reverse("person_detail", args=[person.pk]))
    assert '<span id="account-state">Ikke inviteret</span>' in page.text
    assert "Send invitation" in page.text
    invite(org_a, person, sending)
    page = hr.get(reverse("person_detail", args=[person.pk]))
    assert '<span id="account-state">Inviteret</span>' in page.text
    assert "Send invitation igen" in page.text
    # Their leader sees the person, not their login.
    leader_page = client_for(org_a.leader).get(reverse("person_detail", args=[person.pk]))
    assert leader_page.status_code == 200
    assert "account-state" not in leader_page.text


def test_locked_and_sso_states(org_a):
    with org_a.scope():
        SsoIdentity.objects.create(
            kommune=org_a.kommune, user_id=org_a.colleague.user_id, issuer="i", subject="s"
        )
    AccessAttempt.objects.create(
        username=f"alfa/{org_a.employee.email}",
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=10,
        attempt_time=timezone.now(),
    )
    assert state_of(org_a, org_a.colleague) == AccountState.SSO
    assert state_of(org_a, org_a.employee) == AccountState.LOCKED
    assert state_of(org_a, org_a.leader) == AccountState.ACTIVE


def test_hr_filters_the_person_list_by_account_state_in_constant_queries(
    org_a, sending, django_assert_max_num_queries
):
    invited = new_person(org_a, name="Ida Inviteret")
    invite(org_a, invited, sending)
    waiting = new_person(org_a, name="Vera Venter")
    client = client_for(org_a.hr)

    def names(state: str) -> str:
        return client.get(reverse("person_list"), {"adgang": state}).text

    assert "Ida Inviteret" in names("inviteret") and "Vera Venter" not in names("inviteret")
    assert "Vera Venter" in names("ikke-inviteret") and "Ida Inviteret" not in names(
        "ikke-inviteret"
    )
    assert "Eva Medarbejder" in names("aktiv") and "Vera Venter" not in names("aktiv")
    assert "Eva Medarbejder" in names("") and "Vera Venter" in names("")

    # 13: the 12 of the page and the audit entry of the filter (issue 19.4).
    with django_assert_max_num_queries(13) as few:
        client.get(reverse("person_list"), {"adgang": "ikke-inviteret"})
    for _ in range(30):
        new_person(org_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("person_list"), {"adgang": "ikke-inviteret"})
    assert response.text.count("Ikke inviteret</td>") == 31
    assert waiting.name in response.text


@pytest.mark.parametrize("who", ["employee", "leader", "outsider"])
def test_the_hr_pages_are_404_for_everyone_else(org_a, org_b, who):
    person = new_person(org_a)
    client = (
        client_for(org_b.hr, org_a.kommune)
        if who == "outsider"
        else client_for(getattr(org_a, who))
    )
    assert client.get(reverse("invitation_overview")).status_code == 404
    assert client.post(reverse("invitation_overview"), {"unit": ""}).status_code == 404
    assert client.post(reverse("person_invite", args=[person.pk])).status_code == 404
    with org_a.scope():
        assert not Invitation.objects.exists()


def test_hr_of_another_kommune_cannot_invite_this_kommunes_people_on_its_own_host(org_a, org_b):
    person = new_person(org_a)
    client = client_for(org_b.hr)
    assert client.post(reverse("person_invite", args=[person.pk])).status_code == 404
    client.post(reverse("invitation_overview"), {"unit": org_a.team.pk})
    with org_a.scope():
        assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_hr_marks_a_leaver_by_hand_and_their_login_and_invitation_stop_at_once(
    org_a, org_b, sending
):
    """Someone left between two payroll files: HR asks first, then marks them; they
    cannot sign in, their open invitation is void, and the audit log says who did it."""
    leaver = new_person(org_a)
    hr = client_for(org_a.hr)
    with sending():
        hr.post(reverse("person_invite", args=[leaver.pk]))
    link = LINK.search(mail.outbox[-1].body).group(1)
    url = reverse("person_leave", args=[leaver.pk])

    assert 'name="new_password1"' in client_for(None, org_a.kommune).get(link, follow=True).text
    page = hr.get(url)
    assert page.status_code == 200 and "fratrådt" in page.text
    with org_a.scope():
        assert Person.objects.get(pk=leaver.pk).is_active  # asking changed nothing

    for outsider in (client_for(org_a.employee), client_for(org_a.leader), client_for(org_b.hr)):
        assert outsider.post(url).status_code == 404
    response = hr.post(url, follow=True)
    assert f"{leaver.name} er markeret som fratrådt." in response.text
    with org_a.scope():
        leaver.refresh_from_db()
        assert not leaver.is_active and leaver.left_on == timezone.localdate()
        assert not User.objects.get(pk=leaver.user_id).is_active
        assert leaver.audit_subject_entries.filter(actor=org_a.hr).exists()
        assert not Invitation.objects.filter(user_id=leaver.user_id, revoked_at=None).exists()
    # The link no longer lets anyone choose a password.
    page = client_for(None, org_a.kommune).get(link, follow=True)
    assert 'name="new_password1"' not in page.text


def test_hr_cannot_mark_themselves_as_a_leaver(org_a):
    hr = client_for(org_a.hr)
    response = hr.post(reverse("person_leave", args=[org_a.hr.pk]), follow=True)
    assert "Du kan ikke markere dig selv som fratrådt." in response.text
    with org_a.scope():
        org_a.hr.refresh_from_db()
        assert org_a.hr.is_active
