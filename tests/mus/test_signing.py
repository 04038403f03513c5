"""A signature binds the exact content the signer read, and only the conversation's own
leader, or someone given a recorded delegation, signs as leader."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kompetence.models import AuditEntry
from mus import content, services, signing
from mus.models import PlanPdf, Signature, SignatureDelegation
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, sign_form_fields, version_of
from tests.mus.test_mus import PASSWORD, pdf_text
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

REFUSED = "Planen er ændret, siden du åbnede den, så din underskrift er ikke gemt."


@pytest.fixture
def round_a(org_a):
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def _plan_url(plan) -> str:
    return reverse("plan_detail", args=[plan.pk])


def _read(client, plan) -> dict[str, str]:
    """Opens the plan page and returns what its sign form carries."""
    page = client.get(_plan_url(plan))
    assert page.status_code == 200
    return sign_form_fields(page.text)


def _signatures(org, plan) -> list[Signature]:
    with org.scope():
        return list(Signature.objects.filter(version__plan=plan).select_related("delegation"))


# --- Bound to what was read -------------------------------------------------------------


def test_the_sign_form_carries_the_revision_hash_and_content_on_the_screen(org_a, round_a):
    plan = build_plan(org_a)
    seen = _read(client_for(org_a.employee), plan)
    version = version_of(plan)
    with org_a.scope():
        assert seen["revision"] == str(version.revision)
        assert seen["content_hash"] == content.content_hash(version)
        assert seen["content"].encode() == content.content_bytes(version)


def test_a_goal_added_after_the_employee_opened_the_plan_refuses_the_signature(org_a, round_a):
    plan = build_plan(org_a)
    employee = client_for(org_a.employee)
    seen = _read(employee, plan)
    version = version_of(plan)
    # The leader adds a goal while the employee reads.
    response = client_for(org_a.leader).post(
        reverse("goal_add", args=[version.pk]),
        {"goal-revision": version.revision, "goal-text": "Tager ansvar for vagtplanen"},
    )
    assert response.status_code == 302

    response = employee.post(
        reverse("plan_sign", args=[version.pk]), {**seen, "password": PASSWORD}
    )

    assert response.status_code == 409
    assert REFUSED in response.text
    assert _signatures(org_a, plan) == []
    # The change is shown, marked as added; what stayed the same is there too.
    changes = response.text[response.text.index('id="changed-since-read"') :]
    changes = changes[: changes.index("</section>")]
    assert 'class="diff-added"' in changes
    added = changes[changes.index('class="diff-added"') :]
    assert "Tager ansvar for vagtplanen" in added.split("</li>")[0]
    assert "Bliver tryg i nye sagstyper" in changes
    # Reading the page again gives a form that signs the new content.
    again = sign_form_fields(response.text)
    assert again["revision"] != seen["revision"] and again["content_hash"] != seen["content_hash"]
    response = employee.post(
        reverse("plan_sign", args=[version.pk]), {**again, "password": PASSWORD}, follow=True
    )
    assert "Planen er underskrevet." in response.text
    with org_a.scope():
        (signature,) = _signatures(org_a, plan)
        assert signature.content_hash == again["content_hash"]
        assert signing.signature_is_valid(signature)


def test_a_changed_text_shows_what_was_removed_and_added(org_a, round_a):
    plan = build_plan(org_a)
    employee = client_for(org_a.employee)
    seen = _read(employee, plan)
    version = version_of(plan)
    with org_a.scope():
        services.plan_texts_update(
            version=version,
            revision=version.revision,
            leader_support="Ugentlig sparring med lederen",
            other_agreements="",
            follow_up_date=None,
        )
    response = employee.post(
        reverse("plan_sign", args=[version.pk]), {**seen, "password": PASSWORD}
    )
    assert response.status_code == 409
    assert "Lederens støtte: Ugentlig sparring med lederen" in response.text
    assert 'class="diff-removed"' in response.text
    assert _signatures(org_a, plan) == []


def test_signing_a_version_that_a_newer_one_replaced_is_refused_with_its_changes(org_a, round_a):
    plan = build_plan(org_a)
    v1 = version_of(plan)
    with org_a.scope():
        sign(v1, org_a.employee, PASSWORD)
    leader = client_for(org_a.leader)
    seen = _read(leader, plan)
    with org_a.scope():  # the employee changes the plan: a new version
        v1.refresh_from_db()
        services.goal_add(version=v1, revision=v1.revision, text="Lærer at holde oplæg")
    response = leader.post(reverse("plan_sign", args=[v1.pk]), {**seen, "password": PASSWORD})
    assert response.status_code == 409
    assert REFUSED in response.text
    assert "Lærer at holde oplæg" in response.text and "diff-added" in response.text
    assert [s.role for s in _signatures(org_a, plan)] == ["employee"]


def test_the_service_refuses_a_stale_revision_or_hash_and_stores_nothing(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    with org_a.scope():
        revision, content_hash = version.revision, content.content_hash(version)
        for seen_revision, seen_hash in [
            (revision - 1, content_hash),
            (revision, "0" * 64),
            (-1, ""),
        ]:
            with pytest.raises(signing.PlanChangedSinceRead):
                signing.plan_sign(
                    version=version,
                    signer=org_a.employee,
                    password=PASSWORD,
                    seen_revision=seen_revision,
                    seen_hash=seen_hash,
                )
        # Content changed behind the editing services' back (same revision).
        version.goals.filter(order=1).update(text="Et andet mål")
        with pytest.raises(signing.PlanChangedSinceRead):
            signing.plan_sign(
                version=version,
                signer=org_a.employee,
                password=PASSWORD,
                seen_revision=revision,
                seen_hash=content_hash,
            )
    assert _signatures(org_a, plan) == []


def test_a_sign_form_without_what_was_read_is_refused(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    response = client_for(org_a.employee).post(
        reverse("plan_sign", args=[version.pk]), {"password": PASSWORD}
    )
    assert response.status_code == 409
    assert REFUSED in response.text
    assert "Læs hele planen herunder igen" in response.text
    assert _signatures(org_a, plan) == []


def test_forged_content_in_the_form_is_not_shown_as_what_was_read(org_a, round_a):
    plan = build_plan(org_a)
    employee = client_for(org_a.employee)
    seen = _read(employee, plan)
    version = version_of(plan)
    with org_a.scope():
        services.goal_add(version=version, revision=version.revision, text="Et nyt mål")
    forged = {**seen, "content": seen["content"].replace("Deler viden", "Forfalsket")}
    response = employee.post(
        reverse("plan_sign", args=[version.pk]), {**forged, "password": PASSWORD}
    )
    assert response.status_code == 409
    assert "Forfalsket" not in response.text
    assert _signatures(org_a, plan) == []


# --- Who signs as leader ----------------------------------------------------------------


def test_a_leader_higher_up_cannot_take_the_leader_signature(org_a, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    url = reverse("plan_sign", args=[version.pk])
    for higher_up in (org_a.chef, org_a.director):
        client = client_for(higher_up)
        page = client.get(_plan_url(plan))
        assert page.status_code == 200  # they read the plan of their subtree …
        assert url not in page.text  # … but get no sign form
        seen = sign_form_fields(client_for(org_a.leader).get(_plan_url(plan)).text)
        response = client.post(url, {**seen, "password": PASSWORD}, follow=True)
        assert "Kun samtalens egen leder, Lise Leder, kan underskrive som leder" in response.text
    assert _signatures(org_a, plan) == []
    # The real leader is not told the plan is already signed by them.
    leader = client_for(org_a.leader)
    response = leader.post(url, {**_read(leader, plan), "password": PASSWORD}, follow=True)
    assert "Planen er underskrevet." in response.text
    assert "allerede underskrevet" not in response.text
    (signature,) = _signatures(org_a, plan)
    assert (signature.signer_id, signature.role) == (org_a.leader.pk, "leader")


def test_a_delegated_signer_signs_as_leader_and_it_is_recorded_and_shown(
    org_a, round_a, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = build_plan(org_a)
    version = version_of(plan)
    # HR delegates the leader signature to the centre chef (the leader is on leave).
    response = client_for(org_a.hr).post(
        reverse("plan_delegation", args=[plan.pk]),
        {"to_person": org_a.chef.pk, "reason": "Lise Leder er på barselsorlov"},
        follow=True,
    )
    assert "Carl Centerchef kan nu underskrive planen som leder." in response.text
    with org_a.scope():
        delegation = SignatureDelegation.objects.get()
        assert (delegation.from_leader, delegation.to_person, delegation.granted_by) == (
            org_a.leader,
            org_a.chef,
            org_a.hr,
        )
        assert delegation.conversation_id == plan.conversation_id
        assert AuditEntry.objects.filter(
            action="create", actor=org_a.hr, subject=org_a.employee
        ).exists()

    chef = client_for(org_a.chef)
    page = chef.get(_plan_url(plan))
    assert "Lise Leder er på barselsorlov" in page.text
    assert "Du underskriver på vegne af Lise Leder efter fuldmagt fra Hanne HR." in page.text
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        sign(version, org_a.employee, PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = chef.post(
            reverse("plan_sign", args=[version.pk]),
            {**sign_form_fields(page.text), "password": PASSWORD},
            follow=True,
        )
    assert "Planen er underskrevet." in response.text
    assert "på vegne af Lise Leder efter fuldmagt fra Hanne HR" in response.text
    with org_a.scope():
        leader_signature = Signature.objects.get(version=version, role="leader")
        assert leader_signature.signer_id == org_a.chef.pk
        assert leader_signature.delegation_id == delegation.pk
        entry = AuditEntry.objects.get(action="sign", actor=org_a.chef)
        assert "fuldmagt fra Hanne HR" in entry.summary
        pdf = PlanPdf.objects.get(version=version)
        assert pdf.status == PlanPdf.Status.READY
        text = " ".join(pdf_text(pdf.file.read(), tmp_path).split())
    assert "På vegne af Lise Leder efter fuldmagt fra Hanne HR" in text
    assert "Lise Leder er på barselsorlov" in text


def test_a_delegate_who_is_not_a_leader_of_the_employee_reads_and_signs(org_a, round_a):
    """A substitute from a neighbouring team: the delegation alone gives them the plan."""
    from tests.factories import PersonFactory, PositionFactory

    neighbour = PersonFactory(kommune=org_a.kommune, name="Nina Nabo")
    PositionFactory(
        person=neighbour, unit=org_a.sibling_team, job_title="Teamleder", is_leader=True
    )
    plan = build_plan(org_a)
    client = client_for(neighbour)
    assert client.get(_plan_url(plan)).status_code == 404
    client_for(org_a.leader).post(
        reverse("plan_delegation", args=[plan.pk]),
        {"to_person": neighbour.pk, "reason": "Ferie"},
    )
    seen = _read(client, plan)
    response = client.post(
        reverse("plan_sign", args=[version_of(plan).pk]),
        {**seen, "password": PASSWORD},
        follow=True,
    )
    assert "Planen er underskrevet." in response.text
    (signature,) = _signatures(org_a, plan)
    assert (signature.signer_id, signature.role) == (neighbour.pk, "leader")


def test_only_the_conversations_leader_or_hr_delegates_and_a_revoked_delegation_ends(
    org_a, round_a
):
    plan = build_plan(org_a)
    url = reverse("plan_delegation", args=[plan.pk])
    data = {"to_person": org_a.director.pk, "reason": "Sygdom"}
    for person in (org_a.chef, org_a.employee, org_a.colleague):
        assert client_for(person).post(url, data).status_code == 404
    with org_a.scope():
        assert not SignatureDelegation.objects.exists()
    leader = client_for(org_a.leader)
    assert leader.post(url, data).status_code == 302
    director = client_for(org_a.director)
    seen = _read(director, plan)
    with org_a.scope():
        delegation = SignatureDelegation.objects.get()
    leader.post(reverse("plan_delegation_revoke", args=[plan.pk]), {"revoke": delegation.pk})
    response = director.post(
        reverse("plan_sign", args=[version_of(plan).pk]),
        {**seen, "password": PASSWORD},
        follow=True,
    )
    assert "Kun samtalens egen leder" in response.text
    assert _signatures(org_a, plan) == []
    with org_a.scope():
        delegation.refresh_from_db()
        assert delegation.revoked_by == org_a.leader and delegation.revoked_at is not None
    assert "tilbagekaldt af Lise Leder" in leader.get(_plan_url(plan)).text


def test_only_those_who_delegate_revoke_and_only_this_plans_delegations(org_a, round_a):
    other = build_plan(org_a)
    with org_a.scope():  # held, so the employee's next MUS may be planned
        services.conversation_mark_held(conversation=other.conversation)
    plan = build_plan(org_a)
    with org_a.scope():
        delegation = signing.signature_delegation_grant(
            plan=plan, to_person=org_a.director, granted_by=org_a.leader, reason="Sygdom"
        )
    revoke = reverse("plan_delegation_revoke", args=[plan.pk])
    for person in (org_a.chef, org_a.employee, org_a.colleague, org_a.director):
        assert client_for(person).post(revoke, {"revoke": delegation.pk}).status_code == 404
    leader = client_for(org_a.leader)
    other_url = reverse("plan_delegation_revoke", args=[other.pk])
    assert leader.post(other_url, {"revoke": delegation.pk}).status_code == 404
    assert leader.post(revoke, {"revoke": "x"}).status_code == 404
    with org_a.scope():
        delegation.refresh_from_db()
        assert delegation.revoked_at is None
    assert leader.post(revoke, {"revoke": delegation.pk}).status_code == 302
    with org_a.scope():
        delegation.refresh_from_db()
        assert delegation.revoked_by == org_a.leader
        assert AuditEntry.objects.filter(
            action="change", actor=org_a.leader, subject=org_a.employee
        ).exists()


def test_a_delegation_names_a_person_of_this_kommune(org_a, org_b, round_a):
    plan = build_plan(org_a)
    url = reverse("plan_delegation", args=[plan.pk])
    response = client_for(org_a.hr).post(
        url, {"to_person": org_b.leader.pk, "reason": "Sygdom"}, follow=True
    )
    assert response.status_code == 200
    for person in (org_a.employee, org_a.leader):
        client_for(org_a.hr).post(url, {"to_person": person.pk, "reason": "Sygdom"})
    with org_a.scope():
        assert not SignatureDelegation.objects.exists()


def test_outsiders_of_another_kommune_get_404(org_a, org_b, round_a):
    plan = build_plan(org_a)
    version = version_of(plan)
    seen = _read(client_for(org_a.employee), plan)
    for client in (client_for(org_b.hr), client_for(org_b.leader, org_a.kommune)):
        assert client.get(_plan_url(plan)).status_code == 404
        response = client.post(
            reverse("plan_sign", args=[version.pk]), {**seen, "password": PASSWORD}
        )
        assert response.status_code == 404
        response = client.post(
            reverse("plan_delegation", args=[plan.pk]),
            {"to_person": org_b.leader.pk, "reason": "x"},
        )
        assert response.status_code == 404
    assert _signatures(org_a, plan) == []
    with org_a.scope():
        assert not SignatureDelegation.objects.exists()


def test_the_plan_page_offers_this_kommunes_leaders_for_a_delegation(org_a, org_b, round_a):
    plan = build_plan(org_a)
    page = client_for(org_a.hr).get(reverse("plan_detail", args=[plan.pk])).text
    chef = org_a.chef
    option = f'<option value="{chef.pk}">{chef.name} ({chef.employee_number})</option>'
    assert option in page
    assert '<select id="id_to_person" name="to_person" required>' in page
    assert f'<option value="{org_b.leader.pk}">' not in page
