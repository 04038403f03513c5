"""The plan page tells the truth about its state: a plan both have signed is locked,
with one explicit "Lav en ny version"; a save that clashes keeps what was typed and
says who changed what; the version comparison reads like the document."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from mus import content, services
from mus.models import PlanChange, PlanVersion
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, sign_form_fields, version_of
from tests.mus.test_mus import PASSWORD
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

EDIT_URLS = ("goal_add", "activity_add", "plan_texts_edit")


@pytest.fixture
def round_a(org_a):
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def _signed_plan(org):
    plan = build_plan(org)
    version = version_of(plan)
    with org.scope():
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)
    return plan, version


def _link(name: str, pk: int) -> str:
    """The URL as a link or form target on a page (quoted, so no prefix matches)."""
    return f'"{reverse(name, args=[pk])}"'


def _page(client, plan) -> str:
    response = client.get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.text


# --- Locked once both have signed ---------------------------------------------------------


def test_a_plan_both_signed_shows_no_edit_controls_and_one_new_version_action(org_a, round_a):
    plan, version = _signed_plan(org_a)
    with org_a.scope():
        goal, activity = version.goals.first(), version.activities.first()
    for person in (org_a.employee, org_a.leader):
        page = _page(client_for(person), plan)
        assert "Underskrevet af begge" in page
        assert "Planen er underskrevet af begge og er låst." in page
        for name in EDIT_URLS:
            assert _link(name, version.pk) not in page
        for name, pk in (("goal_edit", goal.pk), ("goal_delete", goal.pk)):
            assert _link(name, pk) not in page
        for name in ("activity_edit", "activity_delete"):
            assert _link(name, activity.pk) not in page
        assert page.count("Lav en ny version") >= 1
        assert reverse("plan_version_new", args=[version.pk]) in page
        assert "I skal begge underskrive den igen" in html.unescape(page)
        # Follow-up is no change to what was signed, so it stays.
        assert _link("activity_done", activity.pk) in page
    # HR reads the plan but does not change it: no action for them.
    assert reverse("plan_version_new", args=[version.pk]) not in _page(client_for(org_a.hr), plan)


def test_an_edit_posted_to_a_signed_plan_is_refused_and_changes_nothing(org_a, round_a):
    plan, version = _signed_plan(org_a)
    with org_a.scope():
        goal = version.goals.first()
        hash_before = content.content_hash(version)
    leader = client_for(org_a.leader)
    response = leader.post(
        reverse("goal_add", args=[version.pk]),
        {"goal-revision": version.revision, "goal-text": "Et mål efter underskriften"},
        follow=True,
    )
    assert "Planen er underskrevet af begge og kan ikke ændres." in response.text
    assert "Lav en ny version" in response.text
    response = leader.post(
        reverse("goal_delete", args=[goal.pk]), {"revision": version.revision}, follow=True
    )
    assert "kan ikke ændres" in response.text
    response = leader.get(reverse("goal_edit", args=[goal.pk]), follow=True)
    assert "kan ikke ændres" in response.text
    with org_a.scope():
        assert plan.versions.count() == 1
        version.refresh_from_db()
        assert content.content_hash(version) == hash_before


def test_a_new_version_needs_a_party_and_asks_for_both_signatures_again(org_a, org_b, round_a):
    plan, v1 = _signed_plan(org_a)
    url = reverse("plan_version_new", args=[v1.pk])
    for outsider in (org_a.hr, org_a.colleague):
        assert client_for(outsider).post(url).status_code == 404
    assert client_for(org_b.leader).post(url).status_code == 404
    assert client_for(org_b.hr).post(url).status_code == 404
    assert client_for(org_a.employee).get(url).status_code == 405
    with org_a.scope():
        assert plan.versions.count() == 1

    response = client_for(org_a.employee).post(url, follow=True)
    assert "Version 2 er lavet." in response.text
    with org_a.scope():
        v2 = version_of(plan)
        assert (v2.number, v2.signatures.count(), v2.goals.count()) == (2, 0, 2)
        assert v1.signatures.count() == 2
    page = response.text
    assert "Ingen har underskrevet endnu." in page
    assert "Underskrevet af begge" not in page
    assert sign_form_fields(page)["revision"] == str(v2.revision)
    for name in EDIT_URLS:
        assert _link(name, v2.pk) in page
    assert "Lav en ny version" not in page

    # A second click (or the other party at the same time) makes no version 3.
    again = client_for(org_a.leader).post(url, follow=True)
    assert "Der findes allerede en nyere version af planen." in again.text
    # A plan not yet signed by both is changed as it is.
    refused = client_for(org_a.leader).post(reverse("plan_version_new", args=[v2.pk]), follow=True)
    assert "Planen er ikke underskrevet af begge endnu" in refused.text
    with org_a.scope():
        assert plan.versions.count() == 2


# --- A clashing save keeps what was typed ---------------------------------------------------


def test_a_clashing_save_keeps_the_typed_text_and_names_who_changed_what(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    seen = version.revision  # the employee opens the plan
    leader = client_for(org_a.leader)
    leader.post(
        reverse("goal_add", args=[version.pk]),
        {"goal-revision": seen, "goal-text": "Tager ansvar for vagtplanen"},
    )
    employee = client_for(org_a.employee)
    typed = "Ugentlig sparring om de nye sagstyper"
    response = employee.post(
        reverse("plan_texts_edit", args=[version.pk]),
        {"revision": seen, "leader_support": typed, "other_agreements": "Seniordag"},
    )
    assert response.status_code == 409
    page = response.text
    assert "Planen er blevet ændret af en anden" in page
    # What was typed is in the form again, not thrown away.
    assert f"{typed}</textarea>" in page and "Seniordag</textarea>" in page
    # Who changed what since the employee opened the plan.
    conflict = page[page.index('id="plan-conflict"') :]
    conflict = conflict[: conflict.index("</section>")]
    assert f"{org_a.leader.name} ændrede planen" in conflict
    assert " kl. " in conflict
    assert "Tilføjet:" in conflict and "Tager ansvar for vagtplanen" in conflict
    with org_a.scope():
        assert PlanVersion.objects.get(pk=version.pk).leader_support == ""
        (change,) = PlanChange.objects.filter(version=version)
        assert change.editor == org_a.leader

    # The form carries the revision now seen: saving again keeps the person's text.
    again = sign_form_fields(page)["revision"]
    response = employee.post(
        reverse("plan_texts_edit", args=[version.pk]),
        {"revision": again, "leader_support": typed, "other_agreements": "Seniordag"},
        follow=True,
    )
    assert "Planen er gemt." in response.text
    with org_a.scope():
        assert PlanVersion.objects.get(pk=version.pk).leader_support == typed


def test_a_clashing_goal_edit_keeps_the_typed_text_on_its_own_page(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        goal = version.goals.first()
    employee = client_for(org_a.employee)
    assert employee.get(reverse("goal_edit", args=[goal.pk])).status_code == 200
    client_for(org_a.leader).post(
        reverse("activity_add", args=[version.pk]),
        {
            "activity-revision": version.revision,
            "activity-kind": "external",
            "activity-title": "Kursus i konfliktløsning",
        },
    )
    response = employee.post(
        reverse("goal_edit", args=[goal.pk]),
        {"goal-revision": version.revision, "goal-text": "Bliver tryg i alle sagstyper"},
    )
    assert response.status_code == 409
    assert "Bliver tryg i alle sagstyper</textarea>" in response.text
    assert f"{org_a.leader.name} ændrede planen" in response.text
    assert "Kursus i konfliktløsning" in response.text


# --- The comparison reads like a document ---------------------------------------------------


def test_the_version_comparison_shows_level_names_and_danish_dates(org_a, round_a):
    _plan, v1 = _signed_plan(org_a)
    with org_a.scope():
        names = content.level_names(v1)
        deadline = v1.activities.order_by("order").first().deadline
        v2 = services.plan_version_new(version=v1, by=org_a.leader)
        goal = v2.goals.get(target_level=4)
        services.goal_update(
            goal=goal,
            revision=v2.revision,
            text=goal.text,
            target_level=3,
            by=org_a.leader,
            refuse_locked=True,
        )
    page = client_for(org_a.employee).get(reverse("plan_version_detail", args=[v1.pk])).text
    diff = page[page.index('id="diff-heading"') :]
    assert f"Målniveau: {names[4]}" in diff and f"Målniveau: {names[3]}" in diff
    assert "Målniveau: 4" not in diff
    assert date_format(deadline, "DATE_FORMAT") in diff
    assert deadline.isoformat() not in diff
    assert "Fjernet:" in diff and "Tilføjet:" in diff
