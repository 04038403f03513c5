"""The platform console on the bare domain: operators only, every write in the
operators' log, and no kommune's personal data on any page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from annualcycle.models import Cycle
from kompetence import permissions
from kompetence.console.models import OperatorAction
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, Person, User
from tests.conftest import client_for, host_of

pytestmark = pytest.mark.django_db

PASSWORD = "operatoer-kode-123"
LINK = re.compile(r"https?://gamma\.localhost(?::\d+)?(/invitation/[^/\s]+/)")


def console(name: str, *args) -> str:
    return reverse(name, args=args, urlconf=settings.PUBLIC_URLCONF)


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(
        username="drift", email="drift@platform.example", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def op(operator) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    return client


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """E-mails are queued after the transaction commits: run those callbacks."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _console_patterns() -> list[tuple[str, str]]:
    """Every console URL (name, path) with kommune ids filled in by `kommune_id`."""
    resolver = get_resolver(settings.PUBLIC_URLCONF)
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "console":
            names += [p.name for p in entry.url_patterns if isinstance(p, URLPattern)]
    return names


def _every_console_url(kommune: Kommune) -> list[str]:
    urls = []
    for name in _console_patterns():
        try:
            urls.append(console(f"console:{name}"))
        except NoReverseMatch:  # the ones that take the kommune's id
            urls.append(console(f"console:{name}", kommune.pk))
    return urls


def test_the_console_has_the_pages_it_should():
    assert set(_console_patterns()) == {
        "kommune_list",
        "kommune_create",
        "kommune_detail",
        "kommune_deactivate",
        "kommune_reactivate",
        "kommune_sso",
        "kommune_accessibility",
        "kommune_invite_hr",
        "operator_log",
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_the_operators_login(org_a, method):
    for url in _every_console_url(org_a.kommune):
        response = getattr(Client(HTTP_HOST="localhost"), method)(url)
        if response.status_code == 405:  # a POST-only action asked with GET, or vice versa
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith(console("login") + "?next="), url


@pytest.mark.parametrize("method", ["get", "post"])
def test_logins_that_are_not_operators_get_404(org_a, method):
    not_staff = User.objects.create_user(username="ikke-drift", password=PASSWORD)
    inactive = User.objects.create_user(
        username="tidligere-drift", password=PASSWORD, is_staff=True, is_active=False
    )
    for user in (org_a.hr.user, not_staff, inactive):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for url in _every_console_url(org_a.kommune):
            response = getattr(client, method)(url)
            if inactive == user and response.status_code == 302:
                continue  # Django treats an inactive login as signed out
            assert response.status_code in (404, 405), (user, url)


def test_the_console_does_not_exist_on_a_kommune_host(org_a, operator):
    client = client_for(org_a.hr)
    assert client.get("/platform/").status_code == 404
    assert client.get(f"/platform/kommuner/{org_a.kommune.pk}/").status_code == 404


def test_the_old_django_admin_is_gone(op):
    assert op.get("/platform/kommune/kommune/").status_code == 404
    assert "Django" not in op.get(console("console:kommune_list")).text


def test_an_operator_signs_in_on_the_danish_login_page(operator):
    client = Client(HTTP_HOST="localhost")
    page = client.get(console("console:kommune_list"), follow=True)
    assert "Log ind på platformkonsollen" in page.text
    response = client.post(console("login"), {"username": "drift", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == console("console:kommune_list")
    assert "Operatør: drift" in client.get(console("console:kommune_list")).text
    client.post(console("logout"))
    assert client.get(console("console:kommune_list")).status_code == 302


def test_only_operators_can_sign_in_on_the_bare_domain(org_a):
    User.objects.create_user(username="ikke-drift", password=PASSWORD)
    for username, password in (
        ("ikke-drift", PASSWORD),  # a platform login without is_staff
        (org_a.hr.user.username, "test-password-123"),  # a kommune's login
        ("drift", "forkert"),
    ):
        client = Client(HTTP_HOST="localhost")
        response = client.post(console("login"), {"username": username, "password": password})
        assert response.status_code == 200
        assert "Indtast venligst korrekt brugernavn og adgangskode" in response.text
        assert "_auth_user_id" not in client.session


def test_failed_operator_logins_are_locked_by_django_axes(operator, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.9.9")
    for _ in range(2):
        response = client.post(console("login"), {"username": "drift", "password": "forkert"})
        assert response.status_code == 200
    locked = client.post(console("login"), {"username": "drift", "password": "forkert"})
    assert locked.status_code == 429
    assert "For mange forsøg på at logge ind" in locked.text
    again = client.post(console("login"), {"username": "drift", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_list_shows_each_kommune_with_a_count_of_people(op, org_a, org_b):
    with org_a.scope():
        people = Person.objects.filter(kommune=org_a.kommune, is_active=True).count()
    page = op.get(console("console:kommune_list"))
    assert page.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    alfa = next(row for row in rows if "Alfa Kommune" in row)
    assert ">alfa<" in alfa and "Åben" in alfa and "Adgangskode" in alfa
    assert f'<td class="num">{people}</td>' in alfa
    assert "Beta Kommune" in page.text


def test_operators_never_see_a_kommunes_people(op, org_a, sending):
    with sending():
        invited = op.post(
            console("console:kommune_invite_hr", org_a.kommune.pk),
            {"hr-name": "Nanna Ny-HR", "hr-email": "nanna@alfa.example"},
        )
    # The name is shown once, as the invitation is confirmed, and never again.
    assert "Nanna Ny-HR" in op.get(invited["Location"]).text
    with org_a.scope():
        people = list(Person.objects.filter(kommune=org_a.kommune).select_related("user"))
    pages = [
        op.get(console("console:kommune_list")).text,
        op.get(console("console:kommune_detail", org_a.kommune.pk)).text,
        op.get(console("console:operator_log")).text,
        op.get(console("console:kommune_detail", org_a.kommune.pk)).text,
    ]
    for text in pages:
        for person in people:
            assert person.name not in text
            assert person.email not in text
            assert person.user.username not in text
            assert person.employee_number not in text


def test_creating_a_kommune_gives_it_an_aarshjul_and_logs_it(op, operator):
    response = op.post(
        console("console:kommune_create"), {"name": "Gamma Kommune", "slug": "Gamma"}
    )
    kommune = Kommune.objects.get(slug="gamma")
    assert response["Location"] == console("console:kommune_detail", kommune.pk)
    assert kommune.name == "Gamma Kommune" and kommune.is_active
    with kommune_scope(kommune):
        assert Cycle.objects.filter(kommune=kommune).count() == 1
        assert not Person.objects.filter(kommune=kommune).exists()
    action = OperatorAction.objects.get()
    assert (action.operator, action.target_kommune, action.action) == (
        operator,
        kommune,
        OperatorAction.Action.CREATE,
    )
    page = op.get(response["Location"])
    assert "Gamma Kommune er oprettet" in page.text
    assert "Oprettede kommunen" in op.get(console("console:operator_log")).text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "slug": "gamma"}, "name", "Skriv kommunens navn."),
        ({"name": "Gamma", "slug": ""}, "slug", "Skriv kommunens korte navn (subdomænet)."),
        ({"name": "Gamma", "slug": "gåsetorp"}, "slug", "Kort navn: brug kun små bogstaver"),
        ({"name": "Gamma", "slug": "-gamma"}, "slug", "Kort navn: brug kun små bogstaver"),
        ({"name": "Gamma", "slug": "www"}, "slug", "»www« er forbeholdt platformen"),
        ({"name": "Gamma", "slug": "alfa"}, "slug", "findes allerede en kommune med dette korte"),
        ({"name": "alfa kommune", "slug": "gamma"}, "name", "findes allerede en kommune med dette"),
    ],
)
def test_a_new_kommune_is_refused_in_danish_naming_the_field(op, org_a, data, field, message):
    response = op.post(console("console:kommune_create"), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert "Formularen er ikke gemt" in response.text
    assert Kommune.objects.count() == 1
    assert not OperatorAction.objects.exists()


def test_a_closed_kommune_says_so_and_lets_nobody_in_until_reopened(op, org_a):
    signed_in = client_for(org_a.employee)
    assert signed_in.get("/").status_code == 200

    op.post(console("console:kommune_deactivate", org_a.kommune.pk))
    org_a.kommune.refresh_from_db()
    assert not org_a.kommune.is_active
    closed = signed_in.get("/")
    assert closed.status_code == 403
    assert "Kompetence er lukket for Alfa Kommune" in closed.text
    assert org_a.employee.name not in closed.text
    login = client_for(None, org_a.kommune).post(
        "/log-ind/", {"username": org_a.employee.user.username, "password": "test-password-123"}
    )
    assert login.status_code == 403
    assert "_auth_user_id" not in login.wsgi_request.session
    landing = Client(HTTP_HOST="localhost").get("/")
    assert "Alfa Kommune" not in landing.text
    assert "Lukket" in op.get(console("console:kommune_list")).text

    op.post(console("console:kommune_reactivate", org_a.kommune.pk))
    assert signed_in.get("/").status_code == 200
    assert list(OperatorAction.objects.order_by("id").values_list("action", flat=True)) == [
        OperatorAction.Action.DEACTIVATE,
        OperatorAction.Action.REACTIVATE,
    ]


SSO = {
    "sso-sso_enabled": "on",
    "sso-sso_label": "Log ind med Microsoft",
    "sso-sso_discovery_url": "https://login.example/alfa/.well-known/openid-configuration",
    "sso-sso_client_id": "kompetence-alfa",
    "sso-sso_client_secret": "hemmelig-1",
    "sso-sso_claim": "email",
    "sso-password_login": "on",
}


def test_an_operator_sets_up_single_sign_on(op, org_a):
    response = op.post(console("console:kommune_sso", org_a.kommune.pk), SSO)
    assert response.status_code == 302
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.sso_enabled and org_a.kommune.password_login
    assert org_a.kommune.sso_client_secret == "hemmelig-1"
    # Sent again without a secret: the stored one stays. Passwords off: SSO only.
    op.post(
        console("console:kommune_sso", org_a.kommune.pk),
        {**SSO, "sso-sso_client_secret": "", "sso-password_login": ""},
    )
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.sso_client_secret == "hemmelig-1"
    assert org_a.kommune.sso_only
    page = op.get(console("console:kommune_detail", org_a.kommune.pk))
    assert "hemmelig-1" not in page.text
    assert "Kun SSO" in page.text
    details = list(OperatorAction.objects.order_by("id").values_list("detail", flat=True))
    assert details == [
        "SSO slået til, adgangskode slået til, klient-id kompetence-alfa, ny klienthemmelighed",
        "SSO slået til, adgangskode slået fra, klient-id kompetence-alfa",
    ]
    assert not any("hemmelig-1" in detail for detail in details)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sso-sso_discovery_url": ""}, "sso_discovery_url", "skal udfyldes, når SSO"),
        ({"sso-sso_discovery_url": "http://x.example/"}, "sso_discovery_url", "https://"),
        ({"sso-sso_client_id": ""}, "sso_client_id", "Klient-id: skal udfyldes"),
        ({"sso-sso_client_secret": ""}, "sso_client_secret", "Klienthemmelighed: skal"),
        (
            {"sso-sso_enabled": "", "sso-password_login": ""},
            "password_login",
            "ellers kan ingen logge ind",
        ),
    ],
)
def test_sso_settings_are_refused_in_danish_naming_the_field(op, org_a, change, field, message):
    response = op.post(console("console:kommune_sso", org_a.kommune.pk), {**SSO, **change})
    assert response.status_code == 200
    assert message in response.context["sso_form"].errors[field][0]
    assert "Formularen er ikke gemt" in response.text
    org_a.kommune.refresh_from_db()
    assert not org_a.kommune.sso_enabled
    assert not OperatorAction.objects.exists()


def test_an_operator_sets_the_accessibility_statement(op, org_a):
    url = "https://www.was.digst.dk/alfa-kompetence"
    op.post(
        console("console:kommune_accessibility", org_a.kommune.pk),
        {"tilgaengelighed-accessibility_statement_url": url},
    )
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.accessibility_statement_url == url
    assert url in client_for(None, org_a.kommune).get("/log-ind/").text
    refused = op.post(
        console("console:kommune_accessibility", org_a.kommune.pk),
        {"tilgaengelighed-accessibility_statement_url": "http://usikker.example/"},
    )
    assert "skal begynde med https://" in refused.text
    org_a.kommune.refresh_from_db()
    assert org_a.kommune.accessibility_statement_url == url
    assert OperatorAction.objects.get().action == OperatorAction.Action.ACCESSIBILITY


def test_the_invited_hr_administrator_sets_a_password_and_signs_in(op, operator, sending):
    op.post(console("console:kommune_create"), {"name": "Gamma Kommune", "slug": "gamma"})
    gamma = Kommune.objects.get(slug="gamma")
    mail.outbox.clear()
    with sending():
        response = op.post(
            console("console:kommune_invite_hr", gamma.pk),
            {"hr-name": "Hanne Første", "hr-email": "Hanne@Gamma.example"},
        )
    assert response.status_code == 302
    shown_once = op.get(response["Location"]).text
    assert "Invitation sendt til Hanne Første (hanne@gamma.example)" in shown_once
    assert "Hanne Første" not in op.get(response["Location"]).text

    assert [message.to for message in mail.outbox] == [["hanne@gamma.example"]]
    message = mail.outbox[0]
    assert "Gamma Kommune" in message.subject
    assert "Kære Hanne Første" in message.body
    assert "Vælg din adgangskode her" in message.body
    link = LINK.search(message.body).group(1)

    hr_client = Client(HTTP_HOST=host_of(gamma))
    opened = hr_client.get(link)
    target = opened["Location"] if opened.status_code == 302 else link
    chosen = "hanne-vaelger-en-god-kode"
    done = hr_client.post(target, {"new_password1": chosen, "new_password2": chosen})
    assert done.status_code == 302
    with kommune_scope(gamma):
        hr = Person.objects.select_related("user").get(kommune=gamma)
        assert permissions.is_kommune_hr(hr)
        assert hr.employee_number == "HR-1"
    # Signed in now, and again later with the e-mail and the chosen password.
    assert hr_client.get("/").status_code == 200
    fresh = Client(HTTP_HOST=host_of(gamma))
    login = fresh.post("/log-ind/", {"username": "hanne@gamma.example", "password": chosen})
    assert login.status_code == 302
    assert fresh.get("/personer/").status_code == 200  # HR's page

    actions = list(OperatorAction.objects.order_by("id").values_list("action", "detail"))
    assert actions == [
        (OperatorAction.Action.CREATE, "Gamma Kommune (gamma)"),
        (OperatorAction.Action.INVITE_HR, ""),
    ]


def test_a_second_hr_administrator_gets_the_next_number_and_a_taken_address_is_refused(
    op, org_a, sending
):
    with sending():
        op.post(
            console("console:kommune_invite_hr", org_a.kommune.pk),
            {"hr-name": "Ny HR", "hr-email": "ny-hr@alfa.example"},
        )
    taken = op.post(
        console("console:kommune_invite_hr", org_a.kommune.pk),
        {"hr-name": "Igen", "hr-email": org_a.employee.email},
    )
    assert taken.status_code == 200
    assert "E-mailen bruges allerede" in taken.context["invite_form"].errors["email"][0]
    missing = op.post(console("console:kommune_invite_hr", org_a.kommune.pk), {"hr-name": ""})
    assert "Skriv HR-administratorens e-mail." in missing.text
    with org_a.scope():
        assert Person.objects.get(email="ny-hr@alfa.example").employee_number == "HR-1"
    assert OperatorAction.objects.count() == 1


def test_in_an_sso_only_kommune_the_hr_administrator_gets_no_password_link(op, org_a, sending):
    Kommune.objects.filter(pk=org_a.kommune.pk).update(
        sso_enabled=True, password_login=False, sso_client_id="x"
    )
    mail.outbox.clear()
    with sending():
        response = op.post(
            console("console:kommune_invite_hr", org_a.kommune.pk),
            {"hr-name": "Sso HR", "hr-email": "sso-hr@alfa.example"},
        )
    assert "logger ind med kommunens login (SSO)" in op.get(response["Location"]).text
    assert mail.outbox == []
    with org_a.scope():
        assert Person.objects.get(email="sso-hr@alfa.example").is_hr


def test_the_console_pages_have_a_constant_number_of_queries(
    op, org_a, org_b, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        op.get(console("console:operator_log"))
    with django_assert_max_num_queries(14):
        op.get(console("console:kommune_detail", org_a.kommune.pk))


def test_the_console_reads_in_english(operator, org_a):
    operator.language = "en"
    operator.save(update_fields=["language"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    page = client.get(console("console:kommune_detail", org_a.kommune.pk)).text
    assert "Invite an HR administrator" in page
    assert "Close the kommune" in page
    assert "Invitér" not in page


@pytest.mark.postgres
def test_the_operators_log_is_behind_the_wall_inside_a_kommunes_scope(op, org_a):
    """The log belongs to operators' logins, which no kommune's scope shows (rls)."""
    if connection.vendor != "postgresql":
        pytest.fail("Row-level security is a PostgreSQL feature: run with `make test-pg`.")
    op.post(console("console:kommune_deactivate", org_a.kommune.pk))
    assert OperatorAction.objects.count() == 1
    with org_a.scope():
        assert OperatorAction.objects.count() == 0
