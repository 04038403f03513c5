"""The getting-started checklist on kommune HR's home page: each app's steps, with live
status, in one query; it collapses to one line when every step is done."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from annualcycle.cycle import services as cycle_services
from kompetence import getting_started, invitations, permissions, services
from kompetence.console import services as console_services
from kompetence.infra.extensions import SETUP_STEPS
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Invitation, MEDCommittee, Person, Position, User
from profiles.models import JobProfileAssignment
from profiles.services import job_profile_create, version_publish
from tests.conftest import client_for
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

STEPS = [
    "organisation",
    "framework",
    "job_profiles",
    "med_committees",
    "cycle_reviewed",
    "evaluation_round",
    "invitations",
]


def _status(kommune) -> dict[str, bool]:
    with kommune_scope(kommune):
        return {s.step.key: s.done for s in getting_started.checklist(kommune).steps}


def _current_cycle(org):
    today = timezone.localdate()
    with org.scope():
        return cycle_services.cycle_create_default(
            kommune=org.kommune, start_year=cycle_services.cycle_start_year(today)
        )


def _complete(org) -> None:
    version = build_framework(org.kommune, by=org.hr)
    open_round(version, org.root, by=org.hr)
    cycle = _current_cycle(org)
    with org.scope():
        job_profile = job_profile_create(
            kommune=org.kommune, framework=version.framework, name="Socialrådgiver"
        )
        JobProfileAssignment.objects.create(
            kommune=org.kommune,
            position=Position.objects.get(person=org.employee),
            job_profile=job_profile,
        )
        services.med_committee_create(
            kommune=org.kommune, name="Hoved-MED", kind=MEDCommittee.Kind.HOVED, unit=org.root
        )
        cycle_services.cycle_review(cycle=cycle, by=org.hr)
        Invitation.objects.create(
            kommune=org.kommune,
            user=org.employee.user,
            token_hash="x" * 64,
            sent_by=org.hr,
            expires_at=timezone.now(),
        )


def test_every_app_contributes_its_steps_in_order():
    assert [step.key for step in SETUP_STEPS] == STEPS


def test_a_new_kommunes_hr_has_every_step_to_do(db):
    kommune, hr = services.kommune_create(
        slug="ny", name="Ny Kommune", hr_name="Nina HR", hr_email="nina@ny.example"
    )
    # The default årshjul exists, but nobody has reviewed it yet.
    assert _status(kommune) == dict.fromkeys(STEPS, False)

    response = client_for(hr).get(reverse("home"))
    assert response.status_code == 200
    assert "Kom godt i gang" in response.text
    assert "0 af 7 trin er gjort" in response.text
    for url in (
        reverse("import_upload", args=["organisation"]),
        reverse("framework_starters"),
        reverse("job_profile_list"),
        reverse("med_committee_list"),
        reverse("cycle"),
        reverse("round_create"),
        reverse("invitation_overview"),
    ):
        assert f'href="{url}"' in response.text


def test_the_operators_invitation_of_hr_is_not_the_invitations_step(db):
    operator = User.objects.create_user(username="drift", is_staff=True)
    kommune = console_services.kommune_create(operator=operator, slug="ny", name="Ny Kommune")
    console_services.hr_admin_invite(
        operator=operator, kommune=kommune, name="Nina HR", email="nina@ny.example"
    )
    with kommune_scope(kommune):
        assert Invitation.objects.count() == 1
    assert _status(kommune)["invitations"] is False

    with kommune_scope(kommune):
        hr = Person.objects.get(is_hr=True)
        employee = services.person_create(
            kommune=kommune, employee_number="1001", name="Erik Ansat", email="erik@ny.example"
        )
        invitations.invitation_send(person=employee, sent_by=hr)
    assert _status(kommune)["invitations"] is True


def test_status_follows_the_data(org_a):
    # The test organisation already has people beyond HR.
    assert _status(org_a.kommune) == {key: key == "organisation" for key in STEPS}

    version = build_framework(org_a.kommune, by=org_a.hr, publish=False)
    assert _status(org_a.kommune)["framework"] is False
    with org_a.scope():
        version_publish(version=version, by=org_a.hr)
    assert _status(org_a.kommune)["framework"] is True

    cycle = _current_cycle(org_a)
    assert _status(org_a.kommune)["cycle_reviewed"] is False
    response = client_for(org_a.hr).post(reverse("cycle_review", args=[cycle.pk]))
    assert response.status_code == 302
    assert _status(org_a.kommune)["cycle_reviewed"] is True

    with org_a.scope():
        committee = services.med_committee_create(
            kommune=org_a.kommune, name="Hoved-MED", kind=MEDCommittee.Kind.HOVED, unit=org_a.root
        )
    assert _status(org_a.kommune)["med_committees"] is True
    with org_a.scope():
        committee.closed_on = timezone.localdate()
        committee.save(update_fields=["closed_on"])
    assert _status(org_a.kommune)["med_committees"] is False

    _complete(org_a)
    assert all(_status(org_a.kommune).values())


def test_sso_only_needs_no_invitations(org_a):
    org_a.kommune.sso_enabled, org_a.kommune.password_login = True, False
    org_a.kommune.save()
    assert _status(org_a.kommune)["invitations"] is True


def test_checklist_is_one_query_whatever_the_data(org_a, django_assert_num_queries):
    with org_a.scope(), django_assert_num_queries(1):
        getting_started.checklist(org_a.kommune)
    _complete(org_a)
    with org_a.scope(), django_assert_num_queries(1):
        getting_started.checklist(org_a.kommune)


def test_done_checklist_collapses_to_one_line(org_a):
    _complete(org_a)
    response = client_for(org_a.hr).get(reverse("home"))
    assert '<details class="card" id="getting-started">' in response.text
    assert "alle trin er gjort" in response.text


@pytest.mark.parametrize("who", ["employee", "leader", "director"])
def test_only_kommune_hr_sees_the_checklist(org_a, who):
    response = client_for(getattr(org_a, who)).get(reverse("home"))
    assert response.status_code == 200
    assert "getting-started" not in response.text


def test_an_hr_grant_for_one_unit_is_not_enough(org_a):
    assert not permissions.is_kommune_hr(org_a.chef)
    assert getting_started.checklist_for(org_a.chef, org_a.kommune) is None


def test_cycle_review_is_kommune_hr_only(org_a, org_b):
    cycle = _current_cycle(org_a)
    url = reverse("cycle_review", args=[cycle.pk])
    assert client_for(org_a.leader).post(url).status_code == 404
    assert client_for(org_b.hr, org_a.kommune).post(url).status_code == 404
    assert client_for(org_b.hr).post(url).status_code == 404
    cycle.refresh_from_db()
    assert cycle.reviewed_at is None


def test_cycle_page_offers_the_review_then_says_who_did_it(org_a):
    cycle = _current_cycle(org_a)
    client = client_for(org_a.hr)
    assert "Jeg har gennemgået årshjulet" in client.get(reverse("cycle")).text
    client.post(reverse("cycle_review", args=[cycle.pk]))
    text = client.get(reverse("cycle")).text
    assert "Jeg har gennemgået årshjulet" not in text
    assert org_a.hr.name in text
    assert "Jeg har gennemgået" not in client_for(org_a.employee).get(reverse("cycle")).text
