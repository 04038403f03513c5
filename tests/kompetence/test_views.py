"""The HR pages for units, people and positions, and the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kompetence import services
from kompetence.models import AuditEntry, OrgUnit, Person, Position, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_home_shows_the_persons_position_and_leader(org_a):
    response = client_for(org_a.employee).get(reverse("home"))
    assert response.status_code == 200
    assert "Velkommen, Eva Medarbejder" in response.text
    assert "Team Nord" in response.text
    assert "Lise Leder" in response.text


def test_anonymous_home_redirects_to_login(org_a):
    response = client_for(None, org_a.kommune).get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_hr_creates_a_person(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("person_create"),
        {"name": "Ny Person", "employee_number": "777", "email": "NY@alfa.example"},
    )
    assert response.status_code == 302
    with org_a.scope():
        person = Person.objects.get(employee_number="777")
        assert person.email == "ny@alfa.example"
        assert person.user.kommune == org_a.kommune
        assert AuditEntry.objects.filter(subject=person, action="create", actor=org_a.hr).exists()


def test_duplicate_employee_number_is_refused_in_danish_and_nothing_saved(org_a):
    client = client_for(org_a.hr)
    with org_a.scope():
        before = Person.objects.count()
    response = client.post(
        reverse("person_create"),
        {"name": "Dublet", "employee_number": org_a.employee.employee_number, "email": "d@x.dk"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Medarbejdernummeret bruges allerede af en anden person." in response.text
    assert "<html" not in response.text  # only the form partial came back
    with org_a.scope():
        assert Person.objects.count() == before


def _logins_and_people(org) -> tuple[int, int]:
    with org.scope():
        return User.objects.count(), Person.objects.count()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_new_person_with_a_taken_email_is_a_danish_field_error_and_nothing_saved(org_a, htmx):
    """Ny person with the e-mail another person's login has (in any case of letters):
    the form comes back with the error under the e-mail field, never a 500."""
    client = client_for(org_a.hr)
    client.raise_request_exception = False
    before = _logins_and_people(org_a)
    response = client.post(
        reverse("person_create"),
        {"name": "Dublet", "employee_number": "888", "email": org_a.employee.email.upper()},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 200
    assert "E-mailen bruges allerede af en anden person i kommunen." in response.text
    assert 'field-invalid field-required" id="field-email"' in response.text
    assert _logins_and_people(org_a) == before


def test_new_person_posted_twice_is_created_once(org_a):
    """A double submit of Ny person: the second post is a field error, not a 500."""
    client = client_for(org_a.hr)
    client.raise_request_exception = False
    data = {"name": "Ny Person", "employee_number": "777", "email": "ny@alfa.example"}
    assert client.post(reverse("person_create"), data).status_code == 302
    again = client.post(reverse("person_create"), data)
    assert again.status_code == 200
    assert "Medarbejdernummeret bruges allerede af en anden person." in again.text
    assert "E-mailen bruges allerede af en anden person i kommunen." in again.text
    with org_a.scope():
        assert Person.objects.filter(employee_number="777").count() == 1


def test_a_login_whose_username_is_the_email_blocks_it_too(org_a):
    """The new login's username is the e-mail; a login already called that (an older
    login whose person has another address) is a clash too."""
    with org_a.scope():
        User.objects.filter(pk=org_a.colleague.user_id).update(username="optaget@alfa.example")
    client = client_for(org_a.hr)
    client.raise_request_exception = False
    before = _logins_and_people(org_a)
    response = client.post(
        reverse("person_create"),
        {"name": "Dublet", "employee_number": "889", "email": "Optaget@alfa.example"},
    )
    assert response.status_code == 200
    assert "E-mailen bruges allerede af en anden person i kommunen." in response.text
    assert _logins_and_people(org_a) == before


def test_the_database_rules_behind_the_form_are_field_errors_too(org_a):
    """What the form checks, the service refuses again with the same words when the
    database does (the same person sent twice at once passes both forms' checks)."""
    with org_a.scope():
        before = User.objects.count(), Person.objects.count()
        with pytest.raises(ValidationError) as taken_email:
            services.person_create(
                kommune=org_a.kommune, employee_number="892", name="X", email=org_a.employee.email
            )
        assert taken_email.value.message_dict == {
            "email": ["E-mailen bruges allerede af en anden person i kommunen."]
        }
        with pytest.raises(ValidationError) as taken_number:
            services.person_create(
                kommune=org_a.kommune,
                employee_number=org_a.employee.employee_number,
                name="Y",
                email="ny-y@alfa.example",
            )
        assert taken_number.value.message_dict == {
            "employee_number": ["Medarbejdernummeret bruges allerede af en anden person."]
        }
        assert (User.objects.count(), Person.objects.count()) == before


def test_the_same_email_in_another_kommune_is_allowed_and_not_revealed(org_a, org_b):
    """Logins are unique per kommune (one person may work for two kommuner), so an
    e-mail that kommune B uses is no clash in A, and A learns nothing about B."""
    client = client_for(org_a.hr)
    response = client.post(
        reverse("person_create"),
        {"name": "To Kommuner", "employee_number": "890", "email": org_b.employee.email},
    )
    assert response.status_code == 302
    with org_a.scope():
        person = Person.objects.get(employee_number="890")
        assert person.user.kommune == org_a.kommune


def test_new_person_is_not_open_to_another_kommunes_hr(org_a, org_b):
    before = _logins_and_people(org_a)
    response = client_for(org_b.hr, org_a.kommune).post(
        reverse("person_create"),
        {"name": "Udefra", "employee_number": "891", "email": org_a.employee.email},
    )
    assert response.status_code == 404
    assert _logins_and_people(org_a) == before


def test_editing_a_person_to_a_taken_email_is_a_field_error(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("person_edit", args=[org_a.colleague.pk]),
        {
            "name": org_a.colleague.name,
            "employee_number": org_a.colleague.employee_number,
            "email": org_a.employee.email,
        },
    )
    assert response.status_code == 200
    assert "E-mailen bruges allerede af en anden person i kommunen." in response.text
    with org_a.scope():
        assert Person.objects.get(pk=org_a.colleague.pk).email != org_a.employee.email


def test_inline_validation_returns_one_field_and_saves_nothing(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("person_create"),
        {"email": "not-an-address", "_validate": "email"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="field-email"' in response.text
    assert "Indtast en gyldig e-mail-adresse." in response.text
    assert 'id="field-name"' not in response.text
    with org_a.scope():
        assert not Person.objects.filter(email="not-an-address").exists()


def test_hr_edits_a_person_and_the_change_is_audited(org_a):
    client = client_for(org_a.hr)
    url = reverse("person_edit", args=[org_a.employee.pk])
    response = client.post(
        url,
        {
            "name": "Eva Nyt-Navn",
            "employee_number": org_a.employee.employee_number,
            "email": "eva@x.dk",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("person_detail", args=[org_a.employee.pk])
    with org_a.scope():
        assert Person.objects.get(pk=org_a.employee.pk).name == "Eva Nyt-Navn"
        assert AuditEntry.objects.filter(subject=org_a.employee, action="change").exists()


def test_leader_cannot_edit_a_team_member(org_a):
    client = client_for(org_a.leader)
    assert client.get(reverse("person_edit", args=[org_a.employee.pk])).status_code == 404


def test_person_detail_access(org_a, org_b):
    url = reverse("person_detail", args=[org_a.employee.pk])
    assert client_for(org_a.employee).get(url).status_code == 200
    assert client_for(org_a.leader).get(url).status_code == 200
    assert client_for(org_a.hr).get(url).status_code == 200
    assert client_for(org_a.colleague).get(url).status_code == 404
    assert client_for(org_a.other_employee).get(url).status_code == 404
    assert client_for(org_b.hr).get(url).status_code == 404


def test_reading_someone_elses_person_page_is_audited_but_not_ones_own(org_a):
    url = reverse("person_detail", args=[org_a.employee.pk])
    client_for(org_a.employee).get(url)
    client_for(org_a.leader).get(url)
    with org_a.scope():
        entries = AuditEntry.objects.filter(subject=org_a.employee, action="view")
        assert [e.actor for e in entries] == [org_a.leader]


def test_hr_adds_a_position_with_dates_checked(org_a):
    client = client_for(org_a.hr)
    url = reverse("position_create", args=[org_a.employee.pk])
    response = client.post(
        url,
        {
            "unit": org_a.sibling_team.pk,
            "job_title": "Koordinator",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "Slutdatoen ligger før startdatoen." in response.text
    response = client.post(
        url,
        {"unit": org_a.sibling_team.pk, "job_title": "Koordinator", "start_date": "2026-05-01"},
    )
    assert response.status_code == 302
    with org_a.scope():
        assert Position.objects.filter(person=org_a.employee, job_title="Koordinator").exists()


def test_a_position_cannot_point_at_another_kommunes_unit(org_a, org_b):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("position_create", args=[org_a.employee.pk]),
        {"unit": org_b.team.pk, "job_title": "X", "start_date": "2026-05-01"},
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed." in response.text


def test_hr_edits_a_position(org_a):
    with org_a.scope():
        position = org_a.employee.positions.get()
    response = client_for(org_a.hr).post(
        reverse("position_edit", args=[position.pk]),
        {"unit": org_a.team.pk, "job_title": "Senior socialrådgiver", "start_date": "2020-01-01"},
    )
    assert response.status_code == 302
    with org_a.scope():
        assert Position.objects.get(pk=position.pk).job_title == "Senior socialrådgiver"


def test_an_hr_delegate_makes_units_inside_their_subtree_only(org_a):
    with org_a.scope():
        services.unit_grant(
            user=org_a.other_employee.user, unit=org_a.centre, codename="administer_orgunit"
        )
    client = client_for(org_a.other_employee)
    response = client.post(reverse("unit_create"), {"name": "Team Top", "kind": "team"})
    assert response.status_code == 200
    assert "Vælg en overenhed, du er HR for." in response.text
    response = client.post(
        reverse("unit_create"), {"name": "Team Vest", "kind": "team", "parent": org_a.centre.pk}
    )
    assert response.status_code == 302
    with org_a.scope():
        assert not OrgUnit.objects.filter(name="Team Top").exists()
        assert OrgUnit.objects.filter(name="Team Vest", parent=org_a.centre).exists()


def test_hr_creates_and_moves_a_unit(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("unit_create"), {"name": "Team Vest", "kind": "team", "parent": org_a.centre.pk}
    )
    assert response.status_code == 302
    with org_a.scope():
        unit = OrgUnit.objects.get(name="Team Vest")
        assert unit.path.startswith(org_a.centre.path)
    response = client.post(
        reverse("unit_edit", args=[unit.pk]),
        {"name": "Team Vest", "kind": "team", "parent": org_a.hr_unit.pk},
    )
    assert response.status_code == 302
    with org_a.scope():
        assert OrgUnit.objects.get(pk=unit.pk).path.startswith(org_a.hr_unit.path)


def test_unit_page_lists_people_for_its_leader_only(org_a):
    url = reverse("unit_detail", args=[org_a.team.pk])
    response = client_for(org_a.leader).get(url)
    assert response.status_code == 200
    assert "Eva Medarbejder" in response.text
    assert client_for(org_a.employee).get(url).status_code == 404
    assert (
        client_for(org_a.leader)
        .get(reverse("unit_detail", args=[org_a.sibling_team.pk]))
        .status_code
        == 404
    )


def test_person_list_searches(org_a):
    response = client_for(org_a.hr).get(reverse("person_list"), {"q": "Kollega"})
    assert "Kim Kollega" in response.text
    assert "Eva Medarbejder" not in response.text


def test_audit_log_filters_by_subject_and_reader(org_a):
    client_for(org_a.leader).get(reverse("person_detail", args=[org_a.employee.pk]))
    client_for(org_a.hr).get(reverse("person_detail", args=[org_a.colleague.pk]))
    client = client_for(org_a.hr)
    response = client.get(reverse("audit_log"), {"subject": "Eva"})
    assert "Lise Leder" in response.text
    assert "Kim Kollega" not in response.text
    response = client.get(reverse("audit_log"), {"actor": "Hanne"})
    assert "Kim Kollega" in response.text
    assert "Eva Medarbejder" not in response.text
    assert client_for(org_a.leader).get(reverse("audit_log")).status_code == 404
