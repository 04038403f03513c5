"""The goal form offers only the competences that apply to the employee's role, keeps
a goal's stored choices when it is edited, and refuses any other posted competence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mus import selectors, services
from mus.models import PlanGoal
from profiles.models import Role
from tests.conftest import client_for
from tests.mus.factories import build_conversation, version_of
from tests.profiles.factories import build_framework, competence, open_round

pytestmark = pytest.mark.django_db

LEADERSHIP = "Ledelse af ledere"


@pytest.fixture
def version_(org_a):
    framework = build_framework(
        org_a.kommune,
        by=org_a.hr,
        groups={"Faglighed": ["Faglig kompetence", LEADERSHIP]},
        roles={LEADERSHIP: [Role.LEDER_AF_LEDERE, Role.CENTERCHEF]},
    )
    open_round(framework, org_a.root, by=org_a.hr)
    conversation = build_conversation(org_a)
    with org_a.scope():
        plan = services.plan_get_or_create(conversation=conversation)
    return framework, version_of(plan)


def test_the_goal_form_offers_only_the_competences_of_the_employees_role(org_a, version_):
    _framework, version = version_
    page = client_for(org_a.leader).get(reverse("plan_detail", args=[version.plan_id])).text
    assert "Faglig kompetence" in page
    assert LEADERSHIP not in page
    with org_a.scope():
        names = [c.name for c in selectors.plan_competences(version.plan)]
    assert names == ["Faglig kompetence"]


def test_a_posted_competence_outside_the_role_is_refused_naming_the_field(org_a, org_b, version_):
    framework, version = version_
    leadership = competence(framework, LEADERSHIP)
    url = reverse("goal_add", args=[version.pk])
    data = {
        "goal-revision": version.revision,
        "goal-text": "Leder andre ledere",
        "goal-competences": [leadership.pk],
    }
    response = client_for(org_a.leader).post(url, data, follow=True)
    assert "Vælg kun kompetencer, der gælder for medarbejderens rolle." in response.text
    assert "Kompetencer" in response.text
    assert "Gemt" not in response.text
    with org_a.scope():
        assert not PlanGoal.objects.filter(version=version).exists()
    assert client_for(org_b.leader, org_a.kommune).post(url, data).status_code == 404


def test_editing_a_goal_keeps_a_stored_competence_outside_the_role(org_a, version_):
    framework, version = version_
    leadership = competence(framework, LEADERSHIP)
    with org_a.scope():
        goal = services.goal_add(
            version=version, revision=version.revision, text="Gammelt mål", competences=[leadership]
        )
        version.refresh_from_db()
    page = client_for(org_a.leader).get(reverse("goal_edit", args=[goal.pk])).text
    assert LEADERSHIP in page
    response = client_for(org_a.leader).post(
        reverse("goal_edit", args=[goal.pk]),
        {
            "goal-revision": version.revision,
            "goal-text": "Gammelt mål, nu skarpere",
            "goal-competences": [leadership.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    with org_a.scope():
        goal = PlanGoal.objects.get(version=version)
        assert goal.text == "Gammelt mål, nu skarpere"
        assert list(goal.competences.values_list("name", flat=True)) == [LEADERSHIP]
