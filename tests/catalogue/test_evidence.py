"""Proof a person uploads for their mandatory training: checked by its content, stored
under a random name, served only to those who may see it, decided by the leader, in
the person's own data export and gone with the rest of a leaver's data."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from annualcycle.retention import services as retention
from catalogue.models import (
    Certificate,
    Evidence,
    FunctionHolder,
    RequirementAssignment,
    RequirementReminder,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training import evidence as services
from catalogue.training.selectors import State, statuses_of
from kompetence import services as org_services
from kompetence.models import AuditEntry, Kommune, MEDMembership, Person
from tests.conftest import client_for
from tests.mus.factories import build_conversation
from tests.profiles.factories import build_framework

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploaded files go to a fresh folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def requirement_for_everyone(org, name: str = "Førstehjælp", **fields) -> TrainingRequirement:
    fields.setdefault("validity_months", 24)
    with org.scope():
        requirement = TrainingRequirement.objects.create(kommune=org.kommune, name=name, **fields)
        RequirementAssignment.objects.create(
            kommune=org.kommune, requirement=requirement, kind="everyone"
        )
    return requirement


def upload(client, requirement, *, data: bytes = PDF, name: str = "Førstehjælpsbevis.pdf", **form):
    fields = {
        "title": "Førstehjælp, 12 timer",
        "target": f"krav:{requirement.pk}",
        "issued_on": (TODAY - datetime.timedelta(days=30)).isoformat(),
        "expires_on": "",
        "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
        **form,
    }
    return client.post(reverse("evidence_upload"), fields)


def evidence_of(org, person, requirement, *, data: bytes = PDF, **fields) -> Evidence:
    """Proof stored through the service, as an upload would."""
    fields.setdefault("issued_on", TODAY - datetime.timedelta(days=30))
    with org.scope():
        return services.evidence_upload(
            person=person,
            title=fields.pop("title", "Førstehjælp, 12 timer"),
            upload=SimpleUploadedFile("bevis.pdf", data),
            requirement=requirement,
            **fields,
        )


# --- Upload --------------------------------------------------------------------------


def test_the_person_uploads_proof_stored_under_a_random_name(
    org_a, media, django_capture_on_commit_callbacks
):
    requirement = requirement_for_everyone(org_a)
    client = client_for(org_a.employee)
    page = client.get(reverse("evidence_upload") + f"?krav={requirement.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert f'value="krav:{requirement.pk}" selected' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, requirement, name='../../Mit bevis\x00 "første".PDF')
    assert response.status_code == 302 and response.url == reverse("my_training")
    with org_a.scope():
        evidence = Evidence.objects.get()
    assert evidence.person_id == org_a.employee.pk and evidence.kommune_id == org_a.kommune.pk
    assert evidence.status == Evidence.Status.PENDING
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    # The person's name for it is kept, cleaned, for display only; the storage has a
    # random name under evidence/<year>/<month>/.
    assert evidence.filename == "Mit bevis første.PDF"
    assert evidence.file.name.startswith(f"evidence/{TODAY:%Y}/{TODAY:%m}/")
    assert "bevis" not in evidence.file.name and "første" not in evidence.file.name
    assert default_storage.exists(evidence.file.name)
    assert [path.read_bytes() for path in stored_files(media)] == [PDF]
    # The nearest leader hears that it waits for them.
    [message] = mail.outbox
    assert message.to == [org_a.leader.email]
    assert "Dokumentation fra Eva Medarbejder venter på dig" in message.subject
    assert "/krav/dokumentation/godkendelse/" in message.body

    mine = client.get(reverse("my_training")).content.decode()
    assert "Afventer leder" in mine and "Førstehjælp, 12 timer" in mine
    assert reverse("evidence_file", args=[evidence.pk]) in mine


@pytest.mark.parametrize(
    ("data", "name"),
    [(EXE, "certificate.pdf"), (ZIP, "diplom.pdf"), (HTML, "bevis.pdf"), (EXE, "foto.jpg")],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused_whatever_its_name(org_a, media, data, name):
    requirement = requirement_for_everyone(org_a)
    response = upload(client_for(org_a.employee), requirement, data=data, name=name)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Formularen er ikke gemt" in html
    assert "Filen er hverken en PDF eller et billede (PNG eller JPEG)" in html
    with org_a.scope():
        assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_png_is_accepted_and_gets_a_fitting_name(org_a):
    requirement = requirement_for_everyone(org_a)
    upload(client_for(org_a.employee), requirement, data=PNG, name="scan")
    with org_a.scope():
        evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png"
    assert evidence.filename == "scan.png" and evidence.file.name.endswith(".png")


def test_a_file_too_large_or_empty_is_refused(org_a, media, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    requirement = requirement_for_everyone(org_a)
    client = client_for(org_a.employee)
    big = upload(client, requirement, data=PDF + b"0" * (1024 * 1024))
    assert "Den må højst fylde 1 MB" in big.content.decode()
    empty = upload(client, requirement, data=b"")
    assert empty.status_code == 200
    with org_a.scope():
        assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_dates_and_target_are_checked(org_a, media):
    requirement = requirement_for_everyone(org_a)
    with org_a.scope():
        # A requirement that does not apply to the employee cannot be chosen.
        other = TrainingRequirement.objects.create(kommune=org_a.kommune, name="Truckcertifikat")
    client = client_for(org_a.employee)
    backwards = upload(
        client,
        requirement,
        issued_on=TODAY.isoformat(),
        expires_on=(TODAY - datetime.timedelta(days=1)).isoformat(),
    )
    assert "Udløbsdatoen ligger før udstedelsesdatoen." in backwards.content.decode()
    future = upload(client, requirement, issued_on=(TODAY + datetime.timedelta(days=3)).isoformat())
    assert "Udstedelsesdatoen ligger i fremtiden." in future.content.decode()
    not_mine = upload(client, requirement, target=f"krav:{other.pk}")
    assert "Formularen er ikke gemt" in not_mine.content.decode()
    with org_a.scope():
        assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_proof_for_a_competence_of_the_persons_framework(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        competence = version.competences.order_by("pk").first()
    client = client_for(org_a.employee)
    page = client.get(reverse("evidence_upload")).content.decode()
    value = f"kompetence:{version.framework_id}:{competence.key}"
    assert value in page
    client.post(
        reverse("evidence_upload"),
        {
            "title": "Diplom i konflikthåndtering",
            "target": value,
            "issued_on": TODAY.isoformat(),
            "file": SimpleUploadedFile("diplom.pdf", PDF),
        },
    )
    with org_a.scope():
        evidence = Evidence.objects.get()
    assert evidence.requirement is None
    assert evidence.framework_id == version.framework_id
    assert evidence.competence_key == competence.key
    assert competence.name in client.get(reverse("my_training")).content.decode()


# --- Serving the file ----------------------------------------------------------------


def test_the_file_is_served_to_the_person_their_leaders_and_hr(org_a):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    url = reverse("evidence_file", args=[evidence.pk])
    for person in (org_a.employee, org_a.leader, org_a.chef, org_a.director, org_a.hr):
        response = client_for(person).get(url)
        assert response.status_code == 200, person.name
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="bevis.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
    # Every read by someone else is in the audit log; the person's own is not.
    with org_a.scope():
        readers = set(
            AuditEntry.objects.filter(subject=org_a.employee, action="view").values_list(
                "actor_id", flat=True
            )
        )
    assert readers == {org_a.leader.pk, org_a.chef.pk, org_a.director.pk, org_a.hr.pk}


def test_the_file_is_never_served_to_anyone_else(org_a, org_b):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    with org_a.scope():
        org_services.med_committee_create(
            kommune=org_a.kommune,
            name="Center-MED",
            kind="center",
            unit=org_a.centre,
            members=[(org_a.other_employee, MEDMembership.Role.MEMBER)],
        )
    url = reverse("evidence_file", args=[evidence.pk])
    # A colleague, a MED member of the employee's centre, a leader of a sibling team.
    for person in (org_a.colleague, org_a.other_employee):
        assert client_for(person).get(url).status_code == 404
    # Another kommune's HR: on A's host, and on their own host with A's id.
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404
    assert client_for(org_b.hr).get(url).status_code == 404
    # Anonymous: to the login page.
    anonymous = client_for(None, org_a.kommune).get(url)
    assert anonymous.status_code == 302 and "/log-ind/" in anonymous.url
    # No public media URL reaches the file, signed in or not.
    for client in (client_for(None, org_a.kommune), client_for(org_a.employee)):
        assert client.get(f"/media/{evidence.file.name}").status_code == 404
        assert client.get(evidence.file.url).status_code == 404
    # And nothing about the file leaked into the audit log.
    with org_a.scope():
        assert not AuditEntry.objects.filter(subject=org_a.employee, action="view").exists()


def test_a_missing_file_is_a_404_not_an_error(org_a):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    default_storage.delete(evidence.file.name)
    assert (
        client_for(org_a.employee).get(reverse("evidence_file", args=[evidence.pk])).status_code
        == 404
    )


# --- The leader's decision -----------------------------------------------------------


def test_approval_makes_a_certificate_and_the_requirement_valid(
    org_a, django_capture_on_commit_callbacks
):
    requirement = requirement_for_everyone(org_a, grace_days=0)
    issued = TODAY - datetime.timedelta(days=30)
    evidence = evidence_of(org_a, org_a.employee, requirement, issued_on=issued)
    leader = client_for(org_a.leader)
    review = leader.get(reverse("evidence_review"))
    assert review.status_code == 200
    assert "Eva Medarbejder: Førstehjælp, 12 timer" in review.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(reverse("evidence_approve", args=[evidence.pk]))
    assert response.status_code == 302
    with org_a.scope():
        evidence.refresh_from_db()
        certificate = Certificate.objects.get()
        [status] = statuses_of(org_a.employee)
    assert evidence.status == Evidence.Status.APPROVED and evidence.decided_by_id == org_a.leader.pk
    assert certificate.source == Certificate.Source.EVIDENCE
    assert certificate.evidence_id == evidence.pk and certificate.person_id == org_a.employee.pk
    assert certificate.completed_on == issued
    assert certificate.valid_until == datetime.date(issued.year + 2, issued.month, issued.day)
    assert status.state == State.VALID
    [message] = mail.outbox
    assert message.to == [org_a.employee.email]
    assert "Din dokumentation er godkendt" in message.subject
    assert "/krav/mine/" in message.body
    assert "Gyldig" in client_for(org_a.employee).get(reverse("my_training")).content.decode()


def test_the_expiry_on_the_proof_wins_over_the_requirements_validity(org_a):
    requirement = requirement_for_everyone(org_a)
    expires = TODAY + datetime.timedelta(days=200)
    evidence = evidence_of(org_a, org_a.employee, requirement, expires_on=expires)
    with org_a.scope():
        services.evidence_approve(evidence=evidence, leader=org_a.hr)
        assert Certificate.objects.get().valid_until == expires


def test_rejection_needs_a_reason_and_the_person_reads_it(
    org_a, django_capture_on_commit_callbacks
):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    leader = client_for(org_a.leader)
    refused = leader.post(reverse("evidence_reject", args=[evidence.pk]), {"reason": "  "})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Dokumentationen er ikke afvist" in html
    assert "Skriv en begrundelse, når du afviser." in html
    assert 'aria-invalid="true"' in html
    with org_a.scope():
        evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        leader.post(
            reverse("evidence_reject", args=[evidence.pk]),
            {"reason": "Beviset er ulæseligt; upload en skarpere scanning."},
        )
    with org_a.scope():
        evidence.refresh_from_db()
        assert not Certificate.objects.exists()
    assert evidence.status == Evidence.Status.REJECTED
    assert default_storage.exists(evidence.file.name)  # the file stays with the person
    mine = client_for(org_a.employee).get(reverse("my_training")).content.decode()
    assert "Afvist" in mine and "Beviset er ulæseligt; upload en skarpere scanning." in mine
    [message] = mail.outbox
    assert "Din dokumentation er afvist" in message.subject
    assert "Beviset er ulæseligt" in message.body


def test_deciding_twice_gives_a_message_and_one_certificate(org_a):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    leader = client_for(org_a.leader)
    url = reverse("evidence_approve", args=[evidence.pk])
    leader.post(url)
    second = leader.post(url, follow=True)
    assert "Dokumentationen er allerede behandlet (godkendt af Lise Leder)." in (
        second.content.decode()
    )
    chef = client_for(org_a.chef).post(
        reverse("evidence_reject", args=[evidence.pk]), {"reason": "Nej"}, follow=True
    )
    assert "allerede behandlet" in chef.content.decode()
    with org_a.scope():
        assert Certificate.objects.count() == 1
        assert Evidence.objects.get().status == Evidence.Status.APPROVED


def test_only_the_leader_chain_and_hr_decide_never_the_person(org_a, org_b):
    requirement = requirement_for_everyone(org_a)
    own = evidence_of(org_a, org_a.leader, requirement)
    employees = evidence_of(org_a, org_a.employee, requirement)
    # The leader's own proof is not theirs to approve; their chef's it is.
    assert (
        client_for(org_a.leader).post(reverse("evidence_approve", args=[own.pk])).status_code == 404
    )
    for person in (org_a.employee, org_a.colleague, org_a.other_employee):
        response = client_for(person).post(reverse("evidence_approve", args=[employees.pk]))
        assert response.status_code == 404, person.name
    assert (
        client_for(org_b.hr, org_a.kommune)
        .post(reverse("evidence_reject", args=[employees.pk]), {"reason": "x"})
        .status_code
        == 404
    )
    other_kommune = client_for(org_b.leader).get(reverse("evidence_review"))
    assert other_kommune.status_code == 200
    assert "Eva Medarbejder" not in other_kommune.content.decode()
    # An employee has no review page.
    assert client_for(org_a.employee).get(reverse("evidence_review")).status_code == 404
    chef_page = client_for(org_a.chef).get(reverse("evidence_review")).content.decode()
    assert "Lise Leder: Førstehjælp" in chef_page and "Eva Medarbejder" in chef_page
    leader_page = client_for(org_a.leader).get(reverse("evidence_review")).content.decode()
    assert "Lise Leder: Førstehjælp" not in leader_page
    with org_a.scope():
        assert Evidence.objects.filter(status="pending").count() == 2


def test_pages_take_a_fixed_number_of_queries(org_a, django_assert_max_num_queries):
    requirement = requirement_for_everyone(org_a)
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        competence = version.competences.order_by("pk").first()

    def add(n):
        for person in (org_a.employee, org_a.colleague):
            for _i in range(n):
                evidence_of(org_a, person, requirement)
            evidence_of(
                org_a,
                person,
                None,
                framework_id=version.framework_id,
                competence_key=competence.key,
            )

    add(1)
    employee, leader = client_for(org_a.employee), client_for(org_a.leader)
    pages = [
        (employee, reverse("my_training")),
        (leader, reverse("evidence_review")),
        (employee, reverse("evidence_upload")),
    ]
    counts = []
    for client, url in pages:
        client.get(url)  # warm the session and caches
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    add(4)
    for (client, url), before in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(before):
            client.get(url)


# --- MUS -------------------------------------------------------------------------------


def test_the_evidence_shows_on_the_mus_pages_of_the_parties(org_a):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement, title="Førstehjælpsbevis")
    conversation = build_conversation(org_a)
    link = reverse("evidence_file", args=[evidence.pk])
    for person, url_name in (
        (org_a.employee, "preparation"),
        (org_a.leader, "preparation"),
        (org_a.leader, "conversation_screen"),
    ):
        html = client_for(person).get(reverse(url_name, args=[conversation.pk])).content.decode()
        assert "Dokumentation fra Eva Medarbejder" in html
        assert "Førstehjælpsbevis" in html and link in html


# --- Personal data and retention ------------------------------------------------------


def test_mine_data_holds_the_metadata_and_the_file_itself(org_a):
    requirement = requirement_for_everyone(org_a)
    evidence = evidence_of(org_a, org_a.employee, requirement)
    with org_a.scope():
        services.evidence_approve(evidence=evidence, leader=org_a.leader)
        function = TrainingFunction.objects.create(kommune=org_a.kommune, name="Førstehjælper")
        FunctionHolder.objects.create(
            kommune=org_a.kommune, function=function, person=org_a.employee, since=TODAY
        )
    response = client_for(org_a.employee).post(reverse("my_data_download"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert f"dokumentation/{evidence.pk}-bevis.pdf" in names
    assert archive.read(f"dokumentation/{evidence.pk}-bevis.pdf") == PDF
    assert "Førstehjælp, 12 timer" in archive.read("dokumentation.json").decode()
    assert "Førstehjælp" in archive.read("certifikater.json").decode()
    assert "Førstehjælper" in archive.read("funktioner.json").decode()


def test_retention_deletes_the_rows_and_the_files(org_a, media, django_capture_on_commit_callbacks):
    requirement = requirement_for_everyone(org_a)
    leaver = evidence_of(org_a, org_a.employee, requirement)
    rejected = evidence_of(org_a, org_a.employee, requirement, title="Gammelt bevis")
    stays = evidence_of(org_a, org_a.colleague, requirement)
    with org_a.scope():
        services.evidence_approve(evidence=leaver, leader=org_a.leader)
        services.evidence_reject(evidence=rejected, leader=org_a.leader, reason="Forkert bevis")
        function = TrainingFunction.objects.create(kommune=org_a.kommune, name="Førstehjælper")
        FunctionHolder.objects.create(
            kommune=org_a.kommune, function=function, person=org_a.employee, since=TODAY
        )
        # A reminder about the leaver, and one to the leaver about someone else.
        for person in (org_a.employee, org_a.colleague):
            RequirementReminder.objects.create(
                kommune=org_a.kommune,
                requirement=requirement,
                person=person,
                recipient=org_a.employee,
                valid_until=TODAY,
                days_before=30,
            )
        org_services.person_deactivate(person=org_a.employee)
        Person.objects.filter(pk=org_a.employee.pk).update(
            left_on=TODAY - datetime.timedelta(days=6 * 365)
        )
    Kommune.objects.filter(pk=org_a.kommune.pk).update(retention_years=5, retention_active=True)
    org_a.kommune.refresh_from_db()
    files = {leaver.file.name, rejected.file.name}
    assert len(stored_files(media)) == 3

    with org_a.scope():
        dry_run = retention.retention_dry_run(kommune=org_a.kommune)
        assert (dry_run.certificates, dry_run.evidence) == (1, 2)
        with django_capture_on_commit_callbacks(execute=True):
            outcome = retention.retention_apply(kommune=org_a.kommune)
        assert [p.pk for p in outcome.people] == [org_a.employee.pk]
        assert (outcome.certificates, outcome.evidence) == (1, 2)
        assert not Evidence.objects.filter(person=org_a.employee).exists()
        assert not Certificate.objects.filter(person=org_a.employee).exists()
        assert not FunctionHolder.objects.filter(person=org_a.employee).exists()
        assert not RequirementReminder.objects.exists()
        assert Evidence.objects.filter(pk=stays.pk).exists()
    for name in files:
        assert not default_storage.exists(name)
    assert [path.read_bytes() for path in stored_files(media)] == [PDF]
    assert default_storage.exists(stays.file.name)
