"""GDPR retention: HR reads the dry run, switches the rule on, and the nightly run makes
leavers anonymous N years after they left — their evaluations and plans gone, the
course places kept without texts, the audit trail kept."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from annualcycle.retention import services as retention
from annualcycle.tasks import apply_retention_all
from catalogue import services as catalogue_services
from catalogue.models import Enrolment
from kompetence import services as org_services
from kompetence.models import AuditEntry, Kommune, Person, User
from mus.models import Conversation, Plan, Signature
from profiles.models import Assessment, Evaluation, Rating
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, version_of
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def leaver(org_a):
    """Eva, with an answered evaluation, a signed plan and a course place, left six
    years ago; Kim (a colleague) left three years ago."""
    version = build_framework(org_a.kommune, by=org_a.hr)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        from profiles import services as profile_services

        profile_services.rating_save(
            evaluation=evaluation_of(round_, org_a.employee),
            competence=competence(version, "Faglig kompetence"),
            level=3,
        )
    plan = build_plan(org_a)
    with org_a.scope():
        version_ = version_of(plan)
        sign(version_, org_a.employee, "test-password-123")
        sign(version_, org_a.leader, "test-password-123")
    course = build_course(org_a.kommune, price="1200", requires_approval=False)
    session = build_session(course, days=10)
    with org_a.scope():
        catalogue_services.enrolment_request(
            session=session, person=org_a.employee, motivation="Jeg vil lære om svære samtaler."
        )
        org_services.person_deactivate(person=org_a.employee)
        org_services.person_deactivate(person=org_a.colleague)
        Person.objects.filter(pk=org_a.employee.pk).update(
            left_on=TODAY - datetime.timedelta(days=6 * 365)
        )
        Person.objects.filter(pk=org_a.colleague.pk).update(
            left_on=TODAY - datetime.timedelta(days=3 * 365)
        )
    Kommune.objects.filter(pk=org_a.kommune.pk).update(retention_years=5)
    org_a.kommune.refresh_from_db()
    return org_a.employee


def test_deactivation_records_when_a_person_left(org_a):
    with org_a.scope():
        org_services.person_deactivate(person=org_a.other_employee)
        assert Person.objects.get(pk=org_a.other_employee.pk).left_on == TODAY


def test_the_dry_run_names_who_would_go_and_changes_nothing(org_a, leaver):
    with org_a.scope():
        before = (Evaluation.objects.count(), Plan.objects.count(), Rating.objects.count())
        outcome = retention.retention_dry_run(kommune=org_a.kommune)
        assert [p.pk for p in outcome.people] == [leaver.pk]
        assert (outcome.evaluations, outcome.plans, outcome.enrolments) == (2, 1, 1)
        assert (Evaluation.objects.count(), Plan.objects.count(), Rating.objects.count()) == before
        # Switched off, the run does nothing either.
        assert retention.retention_apply(kommune=org_a.kommune).people == []
        assert Person.objects.get(pk=leaver.pk).anonymised_at is None


def test_the_run_makes_the_leaver_anonymous_and_keeps_what_must_stay(org_a, leaver):
    org_a.kommune.retention_active = True
    org_a.kommune.save()
    user_id = leaver.user_id
    with org_a.scope():
        reads = AuditEntry.objects.filter(subject=leaver).count()
        outcome = retention.retention_apply(kommune=org_a.kommune)
        assert [p.pk for p in outcome.people] == [leaver.pk]
        person = Person.objects.get(pk=leaver.pk)
        assert person.name == "Anonymiseret person" and person.email == ""
        assert person.anonymised_at is not None and person.user_id is None
        assert not User.objects.filter(pk=user_id).exists()
        assert not Evaluation.objects.filter(subject=person).exists()
        assert not Rating.objects.filter(evaluation__subject=person).exists()
        assert not Assessment.objects.filter(person=person).exists()
        assert not Plan.objects.filter(employee=person).exists()
        assert not Signature.objects.filter(signer=person).exists()
        assert not Conversation.objects.filter(employee=person).exists()
        enrolment = Enrolment.objects.get(person=person)
        assert enrolment.motivation == "" and enrolment.course.price == 1200
        # The audit trail stays, plus the entry that says what happened and why.
        entries = AuditEntry.objects.filter(subject=person)
        assert entries.count() == reads + 1
        assert entries.filter(action="delete", summary__contains="5 år").exists()
        # The colleague who left three years ago is untouched; a second run does nothing.
        assert Person.objects.get(pk=org_a.colleague.pk).anonymised_at is None
        assert retention.retention_apply(kommune=org_a.kommune).people == []


def test_the_nightly_job_runs_only_where_hr_switched_it_on(org_a, org_b, leaver):
    apply_retention_all()
    with org_a.scope():
        assert Person.objects.get(pk=leaver.pk).anonymised_at is None
    Kommune.objects.filter(pk=org_a.kommune.pk).update(retention_active=True)
    assert apply_retention_all() == 1
    with org_a.scope():
        assert Person.objects.get(pk=leaver.pk).anonymised_at is not None


def test_hr_sets_the_rule_and_reads_the_dry_run(org_a, org_b, leaver):
    client = client_for(org_a.hr)
    page = client.get(reverse("retention_settings"))
    assert page.status_code == 200
    assert "1 fratrådt person anonymiseres" in page.text
    assert leaver.name in page.text
    refused = client.post(reverse("retention_settings"), {"years": "", "active": "on"})
    assert refused.status_code == 400
    assert "Angiv antal år, før automatisk sletning slås til." in refused.text
    client.post(reverse("retention_settings"), {"years": "4", "active": "on"})
    org_a.kommune.refresh_from_db()
    assert (org_a.kommune.retention_years, org_a.kommune.retention_active) == (4, True)
    for outsider in (client_for(org_a.leader), client_for(org_a.director)):
        assert outsider.get(reverse("retention_settings")).status_code == 404
    assert client_for(org_b.hr, org_a.kommune).get(reverse("retention_settings")).status_code == (
        404
    )


def test_the_run_is_the_registered_erasers_and_the_person_record_goes_last(
    org_a, leaver, monkeypatch
):
    """Retention knows no app's models: an eraser an app registers next to its part of
    the export is part of the run and of the dry run's counts."""
    from kompetence import personal_data
    from kompetence.infra.extensions import PersonalDataEraser

    erased = []

    def erase(person):
        # The person record is still whole: the core anonymises it after every app.
        erased.append(Person.objects.get(pk=person.pk).name)

    eraser = PersonalDataEraser(erase=erase, count=lambda ids: {"plans": 10 * len(ids)})
    monkeypatch.setattr(
        personal_data,
        "PERSONAL_DATA_ERASERS",
        [*personal_data.PERSONAL_DATA_ERASERS, eraser],
    )
    with org_a.scope():
        assert retention.retention_dry_run(kommune=org_a.kommune).plans == 11
        assert erased == []
        Kommune.objects.filter(pk=org_a.kommune.pk).update(retention_active=True)
        org_a.kommune.refresh_from_db()
        outcome = retention.retention_apply(kommune=org_a.kommune)
        assert (outcome.plans, erased) == (11, [leaver.name])
        assert Person.objects.get(pk=leaver.pk).name == "Anonymiseret person"
