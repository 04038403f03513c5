"""Job profiles (required levels), unit profiles (desired levels, inherited down the
tree) and which job profile a position has."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kompetence.models import AuditEntry, Position
from profiles import services
from profiles.models import JobProfile, JobProfileAssignment, JobRequirement, UnitProfileLevel
from tests.conftest import client_for
from tests.factories import PositionFactory
from tests.profiles.factories import build_framework, competence

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wheel(org_a):
    return build_framework(org_a.kommune, by=org_a.hr)


@pytest.fixture
def job_profile(org_a, wheel):
    with org_a.scope():
        return services.job_profile_create(
            kommune=org_a.kommune, framework=wheel.framework, name="Socialrådgiver"
        )


def _requirements(org, job_profile) -> dict:
    with org.scope():
        return dict(
            JobRequirement.objects.filter(job_profile=job_profile).values_list(
                "competence_key", "level"
            )
        )


# --- Job profiles ---------------------------------------------------------------------


def test_hr_creates_a_job_profile_and_a_duplicate_name_is_refused(org_a, wheel):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("job_profile_create"),
        {"name": "Myndighedsrådgiver", "description": "", "framework": wheel.framework_id},
    )
    with org_a.scope():
        profile = JobProfile.objects.get(name="Myndighedsrådgiver")
    assert response.status_code == 302
    assert response.url == reverse("job_profile_detail", args=[profile.pk])
    assert profile.framework_id == wheel.framework_id

    again = client.post(
        reverse("job_profile_create"),
        {"name": "myndighedsrådgiver", "framework": wheel.framework_id},
        **HTMX,
    )
    assert "Der findes allerede en jobprofil med det navn." in again.text
    with org_a.scope():
        assert JobProfile.objects.count() == 1


def test_requirements_are_saved_by_competence_key(org_a, wheel, job_profile):
    innovation = competence(wheel, "Innovationskompetence")
    faglig = competence(wheel, "Faglig kompetence")
    client = client_for(org_a.hr)
    page = client.get(reverse("job_profile_detail", args=[job_profile.pk]))
    assert page.status_code == 200
    assert "Intet krav" in page.text
    assert "Ikke relevant for mig" not in page.text  # "not applicable" is no requirement
    response = client.post(
        reverse("job_profile_detail", args=[job_profile.pk]),
        {
            "name": "Socialrådgiver",
            "description": "Myndighed, voksne.",
            f"krav-{innovation.key}": "3",
            f"krav-{faglig.key}": "5",
        },
    )
    assert response.status_code == 302
    assert _requirements(org_a, job_profile) == {innovation.key: 3, faglig.key: 5}

    # "Intet krav" removes a requirement.
    client.post(
        reverse("job_profile_detail", args=[job_profile.pk]),
        {"name": "Socialrådgiver", f"krav-{innovation.key}": "", f"krav-{faglig.key}": "4"},
    )
    assert _requirements(org_a, job_profile) == {faglig.key: 4}
    page = client.get(reverse("job_profile_detail", args=[job_profile.pk]))
    assert 'value="4" selected' in page.text


@pytest.mark.parametrize("bad", ["9", "0", "tre"])
def test_a_level_off_the_scale_is_refused_naming_the_competence(org_a, wheel, job_profile, bad):
    faglig = competence(wheel, "Faglig kompetence")
    with org_a.scope():
        services.job_requirements_set(job_profile=job_profile, levels={faglig.key: 2})
    response = client_for(org_a.hr).post(
        reverse("job_profile_detail", args=[job_profile.pk]),
        {"name": "Omdøbt", f"krav-{faglig.key}": bad},
        **HTMX,
    )
    assert response.status_code == 200
    assert "»Faglig kompetence«: niveauet findes ikke på skalaen." in response.text
    assert "<html" not in response.text
    assert _requirements(org_a, job_profile) == {faglig.key: 2}
    with org_a.scope():
        assert JobProfile.objects.get(pk=job_profile.pk).name == "Socialrådgiver"


def test_requirements_survive_a_new_framework_version(org_a, wheel, job_profile):
    faglig = competence(wheel, "Faglig kompetence")
    with org_a.scope():
        services.job_requirements_set(job_profile=job_profile, levels={faglig.key: 4})
        draft = services.version_new_draft(version=wheel)
        services.version_publish(version=draft, by=org_a.hr)
    page = client_for(org_a.hr).get(reverse("job_profile_detail", args=[job_profile.pk]))
    assert "version 2" in page.text
    assert 'value="4" selected' in page.text


def test_job_profile_pages_show_how_many_positions_use_it(org_a, job_profile):
    with org_a.scope():
        for person in (org_a.employee, org_a.colleague):
            services.job_profile_assign(position=person.positions.get(), job_profile=job_profile)
    client = client_for(org_a.hr)
    assert "2 stillinger" in client.get(reverse("job_profile_detail", args=[job_profile.pk])).text
    listing = client.get(reverse("job_profile_list"))
    assert listing.status_code == 200
    assert "Socialrådgiver" in listing.text


def test_a_framework_without_a_published_version_has_no_requirement_table(org_a):
    draft = build_framework(org_a.kommune, name="Udkast", publish=False)
    with org_a.scope():
        profile = services.job_profile_create(
            kommune=org_a.kommune, framework=draft.framework, name="Pædagog"
        )
    page = client_for(org_a.hr).get(reverse("job_profile_detail", args=[profile.pk]))
    assert page.status_code == 200
    assert "ingen offentliggjort version" in page.text


@pytest.mark.parametrize("size", [5, 40])
def test_job_profile_page_query_count_does_not_grow(org_a, size, django_assert_max_num_queries):
    groups = {f"Gruppe {g}": [f"K {g}.{c}" for c in range(size // 5)] for g in range(5)}
    version = build_framework(org_a.kommune, groups=groups, by=org_a.hr)
    with org_a.scope():
        profile = services.job_profile_create(
            kommune=org_a.kommune, framework=version.framework, name="Profil"
        )
    client = client_for(org_a.hr)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("job_profile_detail", args=[profile.pk]))
    assert response.text.count("<select") == size


# --- Unit profiles --------------------------------------------------------------------


def test_unit_profile_is_inherited_and_overridden(org_a, wheel):
    faglig = competence(wheel, "Faglig kompetence")
    samarbejde = competence(wheel, "Samarbejdskompetence")
    client = client_for(org_a.hr)
    centre_url = reverse("unit_profile", args=[org_a.centre.pk])
    response = client.post(
        centre_url, {f"niveau-{faglig.key}": "3", f"niveau-{samarbejde.key}": "2"}
    )
    assert response.status_code == 302

    team_url = reverse("unit_profile", args=[org_a.team.pk])
    page = client.get(team_url)
    assert page.status_code == 200
    assert "Arv fra overenhed" in page.text
    assert "fra Center for Omsorg" in page.text

    client.post(team_url, {f"niveau-{faglig.key}": "5", f"niveau-{samarbejde.key}": ""})
    with org_a.scope():
        team_levels = dict(
            UnitProfileLevel.objects.filter(unit=org_a.team).values_list("competence_key", "level")
        )
        required = services.selectors.required_levels(
            [org_a.employee.pk, org_a.other_employee.pk], [wheel.framework_id]
        )
    assert team_levels == {faglig.key: 5}
    # Team Nord overrides one level; Team Syd inherits the centre's.
    assert required[(org_a.employee.pk, wheel.framework_id)] == {faglig.key: 5, samarbejde.key: 2}
    assert required[(org_a.other_employee.pk, wheel.framework_id)] == {
        faglig.key: 3,
        samarbejde.key: 2,
    }

    # Back to inheriting.
    client.post(team_url, {f"niveau-{faglig.key}": ""})
    with org_a.scope():
        assert not UnitProfileLevel.objects.filter(unit=org_a.team).exists()


def test_unit_profile_level_off_the_scale_is_refused(org_a, wheel):
    faglig = competence(wheel, "Faglig kompetence")
    response = client_for(org_a.hr).post(
        reverse("unit_profile", args=[org_a.team.pk]), {f"niveau-{faglig.key}": "7"}, **HTMX
    )
    assert response.status_code == 200
    assert "»Faglig kompetence«: niveauet findes ikke på skalaen." in response.text
    with org_a.scope():
        assert not UnitProfileLevel.objects.exists()


def test_leader_sets_their_own_units_profile_but_sees_no_other(org_a, wheel):
    faglig = competence(wheel, "Faglig kompetence")
    client = client_for(org_a.leader)
    url = reverse("unit_profile", args=[org_a.team.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {f"niveau-{faglig.key}": "4"}).status_code == 302
    with org_a.scope():
        assert UnitProfileLevel.objects.get(unit=org_a.team).level == 4
    for unit in (org_a.sibling_team, org_a.centre, org_a.root):
        assert client.get(reverse("unit_profile", args=[unit.pk])).status_code == 404
    assert client_for(org_a.employee).get(url).status_code == 404


def test_unit_profile_chooses_among_published_frameworks(org_a, wheel):
    other = build_framework(
        org_a.kommune, name="Ledelsesgrundlaget", groups={"Drift": ["Overblik"]}, by=org_a.hr
    )
    client = client_for(org_a.hr)
    url = reverse("unit_profile", args=[org_a.team.pk])
    page = client.get(url, {"ramme": other.framework_id})
    assert "Overblik" in page.text
    assert "Faglig kompetence" not in page.text
    assert client.get(url, {"ramme": "999999"}).status_code == 404


def test_unit_profile_without_published_framework(org_a):
    page = client_for(org_a.hr).get(reverse("unit_profile", args=[org_a.team.pk]))
    assert page.status_code == 200
    assert "ingen offentliggjort kompetenceramme" in page.text


# --- A position's job profile ---------------------------------------------------------


def test_hr_assigns_a_job_profile_to_a_position_with_htmx(org_a, job_profile):
    with org_a.scope():
        position = org_a.employee.positions.get()
    client = client_for(org_a.hr)
    url = reverse("position_job_profile", args=[position.pk])
    form = client.get(url, **HTMX)
    assert form.status_code == 200
    assert "<html" not in form.text
    assert "Ingen jobprofil" in form.text

    response = client.post(url, {f"stilling-{position.pk}-job_profile": job_profile.pk}, **HTMX)
    assert response.status_code == 200
    assert "Socialrådgiver" in response.text and "Gemt" in response.text
    with org_a.scope():
        assert JobProfileAssignment.objects.get(position=position).job_profile == job_profile

    client.post(url, {f"stilling-{position.pk}-job_profile": ""})
    with org_a.scope():
        assert not JobProfileAssignment.objects.filter(position=position).exists()


def test_an_unknown_job_profile_is_refused(org_a, org_b, job_profile):
    with org_a.scope():
        position = org_a.employee.positions.get()
    with org_b.scope():
        foreign = services.job_profile_create(
            kommune=org_b.kommune,
            framework=build_framework(org_b.kommune).framework,
            name="Fremmed",
        )
    response = client_for(org_a.hr).post(
        reverse("position_job_profile", args=[position.pk]),
        {f"stilling-{position.pk}-job_profile": foreign.pk},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.text
    with org_a.scope():
        assert not JobProfileAssignment.objects.exists()


def test_person_page_shows_job_profiles_and_hr_may_change_them(org_a, job_profile):
    with org_a.scope():
        position = org_a.employee.positions.get()
        services.job_profile_assign(position=position, job_profile=job_profile)
    as_hr = client_for(org_a.hr).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert "Jobprofiler" in as_hr.text
    assert "Socialrådgiver" in as_hr.text
    assert reverse("position_job_profile", args=[position.pk]) in as_hr.text
    assert reverse("unit_profile", args=[org_a.team.pk]) in as_hr.text

    as_self = client_for(org_a.employee).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert "Socialrådgiver" in as_self.text
    assert reverse("position_job_profile", args=[position.pk]) not in as_self.text
    assert reverse("unit_profile", args=[org_a.team.pk]) not in as_self.text

    as_leader = client_for(org_a.leader).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert reverse("position_job_profile", args=[position.pk]) not in as_leader.text
    assert reverse("unit_profile", args=[org_a.team.pk]) in as_leader.text


@pytest.mark.parametrize("extra", [0, 4])
def test_person_page_with_the_panel_has_a_constant_query_count(
    org_a, job_profile, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        position = PositionFactory(person=org_a.employee, unit=org_a.sibling_team)
        with org_a.scope():
            services.job_profile_assign(position=position, job_profile=job_profile)
    client = client_for(org_a.hr)
    # The same for one position and five; the page also shows the account state, the
    # latest invitation and the linked SSO accounts, one query each, and the person's
    # mandatory training (the requirements and the functions held, one query each here).
    with django_assert_max_num_queries(27):
        response = client.get(reverse("person_detail", args=[org_a.employee.pk]))
    assert response.text.count("Skift jobprofil") == 1 + extra


def test_employee_and_leader_cannot_assign_job_profiles(org_a, job_profile):
    with org_a.scope():
        position = org_a.employee.positions.get()
    url = reverse("position_job_profile", args=[position.pk])
    for person in (org_a.employee, org_a.leader, org_a.chef):
        client = client_for(person)
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {f"stilling-{position.pk}-job_profile": job_profile.pk}).status_code
            == 404
        )
    with org_a.scope():
        assert not JobProfileAssignment.objects.exists()


# --- Access ----------------------------------------------------------------------------


def _urls(org, job_profile) -> list[tuple[str, str]]:
    with org.scope():
        position = Position.objects.get(person=org.employee)
    return [
        ("get", reverse("job_profile_detail", args=[job_profile.pk])),
        ("post", reverse("job_profile_detail", args=[job_profile.pk])),
        ("get", reverse("unit_profile", args=[org.team.pk])),
        ("post", reverse("unit_profile", args=[org.team.pk])),
        ("get", reverse("position_job_profile", args=[position.pk])),
        ("post", reverse("position_job_profile", args=[position.pk])),
    ]


def test_hr_of_another_kommune_gets_404(org_a, org_b, job_profile):
    client = client_for(org_b.hr)
    for method, url in _urls(org_a, job_profile):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("who", ["employee", "leader"])
def test_non_hr_get_404_on_job_profile_pages(org_a, job_profile, who):
    client = client_for(getattr(org_a, who))
    for url in (
        reverse("job_profile_list"),
        reverse("job_profile_create"),
        reverse("job_profile_detail", args=[job_profile.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("job_profile_detail", args=[job_profile.pk])).status_code == 404


def test_assigning_a_job_profile_is_audited(org_a, job_profile):
    with org_a.scope():
        position = org_a.employee.positions.get()
    client_for(org_a.hr).post(
        reverse("position_job_profile", args=[position.pk]),
        {f"stilling-{position.pk}-job_profile": job_profile.pk},
    )
    with org_a.scope():
        entry = AuditEntry.objects.get(subject=org_a.employee, action=AuditEntry.Action.CHANGE)
    assert entry.actor == org_a.hr
    assert entry.summary == "Jobprofil: Socialrådgiver"


@pytest.mark.parametrize("size", [5, 40])
def test_unit_profile_page_query_count_does_not_grow(org_a, size, django_assert_max_num_queries):
    groups = {f"Gruppe {g}": [f"K {g}.{c}" for c in range(size // 5)] for g in range(5)}
    version = build_framework(org_a.kommune, groups=groups, by=org_a.hr)
    with org_a.scope():
        keys = [c.key for c in version.competences.all()]
        services.unit_profile_set(
            unit=org_a.centre, framework=version.framework, levels=dict.fromkeys(keys, 3)
        )
    client = client_for(org_a.hr)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("unit_profile", args=[org_a.team.pk]))
    assert response.text.count("fra Center for Omsorg") == size
