"""The personal data export (GDPR right of access): what the ZIP holds, what it never
holds, who may download it, and that it costs a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import services as catalogue_services
from kompetence import services as org_services
from kompetence.models import AuditEntry
from mus import services as mus_services
from mus.models import PlanPdf
from profiles import services as profile_services
from profiles.models import Competence
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import PositionFactory
from tests.mus.factories import build_plan, sign, version_of
from tests.profiles.factories import build_framework, evaluation_of, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
PDF_BYTES = b"%PDF-1.7\n% underskrevet udviklingsplan\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _signed_plan_with_pdf(org):
    """A plan both have signed, with its PDF in the storage (as the Celery task leaves it)."""
    plan = build_plan(org)
    version = version_of(plan)
    with org.scope():
        sign(version, org.employee, PASSWORD)
        sign(version, org.leader, PASSWORD)
        pdf = PlanPdf.objects.get(version=version)
        name = default_storage.save(
            f"plans/{org.kommune.pk}/plan-{plan.pk}-v{version.number}-da.pdf",
            ContentFile(PDF_BYTES),
        )
        PlanPdf.objects.filter(pk=pdf.pk).update(status=PlanPdf.Status.READY, file=name)
    return plan


@pytest.fixture
def employee_data(org_a):
    """Eva (the employee) with evaluations, a signed plan, MUS notes, an enrolment and an
    HR read of her page; Kim (the colleague) with data of his own that must not leak."""
    version = build_framework(org_a.kommune, by=org_a.hr)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    own = evaluation_of(round_, org_a.employee, "self")
    by_leader = evaluation_of(round_, org_a.employee, "leader")
    colleague_own = evaluation_of(round_, org_a.colleague, "self")
    with org_a.scope():
        competences = list(Competence.objects.filter(version=version).order_by("pk"))
        profile_services.rating_save(
            evaluation=own, competence=competences[0], level=4, comment="Tryg i nye sagstyper"
        )
        profile_services.rating_save(
            evaluation=by_leader,
            competence=competences[0],
            level=2,
            comment="Lederens udkast, ikke indsendt",
            rater=org_a.leader,
        )
        profile_services.rating_save(
            evaluation=colleague_own,
            competence=competences[0],
            level=5,
            comment="Kims eget svar",
        )
    plan = _signed_plan_with_pdf(org_a)
    conversation = plan.conversation
    with org_a.scope():
        question = mus_services.agenda_questions(kommune=org_a.kommune)[0]
        mus_services.preparation_note_save(
            conversation=conversation,
            author=org_a.employee,
            question=question,
            text="Jeg vil gerne have mere supervision",
        )
        mus_services.preparation_note_save(
            conversation=conversation,
            author=org_a.leader,
            question=question,
            text="Lederens private note om Eva",
        )
        mus_services.shared_notes_save(conversation=conversation, text="Fælles: næste skridt")
    course = build_course(org_a.kommune)
    session = build_session(course)
    with org_a.scope():
        catalogue_services.enrolment_request(
            session=session, person=org_a.employee, motivation="Møder vrede borgere"
        )
        catalogue_services.enrolment_request(
            session=session, person=org_a.colleague, motivation="Kims begrundelse"
        )
    client_for(org_a.hr).get(reverse("person_detail", args=[org_a.employee.pk]))
    client_for(org_a.hr).get(reverse("person_detail", args=[org_a.colleague.pk]))
    return {"round": round_, "by_leader": by_leader, "competences": competences, "plan": plan}


def _files(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="persondata-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _json(files, name):
    return json.loads(files[name].decode("utf-8"))


def test_person_downloads_everything_about_them(org_a, employee_data):
    files = _files(client_for(org_a.employee).post(reverse("my_data_download")))
    plan = employee_data["plan"]
    stem = f"udviklingsplaner/plan-{plan.pk}-version-1"
    assert {
        "README.txt",
        "person.json",
        "adgangslog.json",
        "evalueringer.json",
        "jobprofiler.json",
        "mus_samtaler.json",
        "kursustilmeldinger.json",
        f"{stem}.json",
        f"{stem}-da.pdf",
    } <= set(files)

    person = _json(files, "person.json")
    assert person["person"]["name"] == "Eva Medarbejder"
    assert person["kommune"] == "Alfa Kommune"
    assert person["positions"][0]["job_title"] == "Socialrådgiver"
    assert person["positions"][0]["unit_path"] == ["Direktionen", "Center for Omsorg", "Team Nord"]

    (self_evaluation,) = _json(files, "evalueringer.json")
    assert self_evaluation["kind"] == "self"
    assert self_evaluation["framework"] == {"name": "Kompetencehjulet", "version": 1}
    assert [level["label_da"] for level in self_evaluation["scale"]["levels"]][-1] == "Ekspert"
    (rating,) = self_evaluation["ratings"]
    assert (rating["level"], rating["level_label"]) == (4, "Kyndig")
    assert rating["comment"] == "Tryg i nye sagstyper"

    version = _json(files, f"{stem}.json")
    assert [goal["text"] for goal in version["goals"]] == [
        "Bliver tryg i nye sagstyper",
        "Deler viden i teamet",
    ]
    assert {s["signer"]["name"] for s in version["signatures"]} == {
        "Eva Medarbejder",
        "Lise Leder",
    }
    assert all(len(s["content_hash_sha256"]) == 64 for s in version["signatures"])
    assert version["pdf_files"] == [f"{stem}-da.pdf"]
    assert files[f"{stem}-da.pdf"] == PDF_BYTES

    (conversation,) = _json(files, "mus_samtaler.json")
    assert conversation["shared_notes"] == "Fælles: næste skridt"
    (preparation,) = _json(files, "mus_forberedelse.json")
    assert preparation["leader"]["name"] == "Lise Leder"
    assert [n["text"] for n in preparation["my_preparation"]] == [
        "Jeg vil gerne have mere supervision"
    ]
    (enrolment,) = _json(files, "kursustilmeldinger.json")
    assert enrolment["course"] == "Konflikthåndtering i praksis"
    assert enrolment["motivation"] == "Møder vrede borgere"

    audit = _json(files, "adgangslog.json")
    hr_read = next(entry for entry in audit if entry["action"] == "view")
    assert hr_read["actor"]["name"] == "Hanne HR"
    # The export lists itself: the person exported their own data.
    assert audit[-1]["action"] == "export"
    assert audit[-1]["actor"]["name"] == "Eva Medarbejder"

    readme = files["README.txt"].decode("utf-8")
    assert "Dine data fra Kompetence" in readme
    assert "evalueringer.json" in readme and "kursustilmeldinger.json" in readme


def test_export_holds_no_private_leader_notes_and_nobody_elses_data(org_a, employee_data):
    files = _files(client_for(org_a.employee).post(reverse("my_data_download")))
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    assert "Lederens private note om Eva" not in everything
    # The leader's evaluation is still a draft: the leader's until it is submitted.
    assert "Lederens udkast" not in everything
    assert "Kim Kollega" not in everything
    assert "Kims eget svar" not in everything and "Kims begrundelse" not in everything


def test_leader_evaluation_is_in_the_export_once_submitted(org_a, employee_data):
    by_leader = employee_data["by_leader"]
    with org_a.scope():
        for competence in employee_data["competences"]:
            profile_services.rating_save(
                evaluation=by_leader, competence=competence, level=3, rater=org_a.leader
            )
        profile_services.evaluation_submit(evaluation=by_leader, by=org_a.leader)
    files = _files(client_for(org_a.employee).post(reverse("my_data_download")))
    kinds = {e["kind"]: e for e in _json(files, "evalueringer.json")}
    assert set(kinds) == {"self", "leader"}
    assert kinds["leader"]["rater"]["name"] == "Lise Leder"
    assert {r["level_label"] for r in kinds["leader"]["ratings"]} == {"Kompetent"}


def test_json_is_readable_utf8_with_iso_dates(org_a, employee_data):
    files = _files(client_for(org_a.employee).post(reverse("my_data_download")))
    raw = files["kursustilmeldinger.json"].decode("utf-8")
    assert "Konflikthåndtering" in raw  # not \u00e5
    assert raw.startswith('[\n  {\n    "course"')
    (enrolment,) = json.loads(raw)
    requested = datetime.datetime.fromisoformat(enrolment["requested_at"])
    assert requested.utcoffset() is not None
    assert datetime.date.fromisoformat(_json(files, "person.json")["positions"][0]["start_date"])


def test_hr_downloads_on_a_persons_behalf_and_it_is_logged(org_a, employee_data):
    response = client_for(org_a.hr).post(reverse("person_data_download", args=[org_a.employee.pk]))
    files = _files(response)
    assert _json(files, "person.json")["person"]["employee_number"] == (
        org_a.employee.employee_number
    )
    with org_a.scope():
        entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
        assert (entry.actor, entry.subject) == (org_a.hr, org_a.employee)


def test_hr_download_on_a_persons_behalf_leaves_their_private_notes_out_and_says_so(
    org_a, employee_data
):
    """HR answers a request of access without reading the person's private MUS
    preparation: the notes are not in HR's ZIP, its README tells the person that and
    how to fetch them under "Mine data", and the log says what HR took."""
    files = _files(
        client_for(org_a.hr).post(reverse("person_data_download", args=[org_a.employee.pk]))
    )
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    assert "Jeg vil gerne have mere supervision" not in everything
    assert "Lederens private note om Eva" not in everything
    assert "mus_forberedelse.json" not in files
    (conversation,) = _json(files, "mus_samtaler.json")
    assert conversation["shared_notes"] == "Fælles: næste skridt"  # the rest is there
    readme = " ".join(files["README.txt"].decode("utf-8").split())
    assert "Ikke med i denne fil: dine private noter. Filen er lavet af HR på dine vegne" in readme
    assert "»Mine data«" in readme and "mus_forberedelse.json" in readme
    with org_a.scope():
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
        assert entry.summary == "Persondata (ZIP, uden private noter)"

    own = _files(client_for(org_a.employee).post(reverse("my_data_download")))
    assert "Ikke med i denne fil" not in own["README.txt"].decode("utf-8")
    (preparation,) = _json(own, "mus_forberedelse.json")
    assert preparation["my_preparation"][0]["text"] == "Jeg vil gerne have mere supervision"


def test_hr_page_says_the_download_leaves_private_notes_out(org_a):
    page = client_for(org_a.hr).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert "Personens private noter er ikke med" in page.text


def test_hr_exports_a_leaver(org_a):
    with org_a.scope():
        position = org_a.colleague.positions.get()
        org_services.position_update(position=position, end_date=position.start_date)
        org_services.person_deactivate(person=org_a.colleague)
    files = _files(
        client_for(org_a.hr).post(reverse("person_data_download", args=[org_a.colleague.pk]))
    )
    person = _json(files, "person.json")
    assert person["person"]["name"] == "Kim Kollega"
    assert person["person"]["is_active"] is False
    assert person["positions"][0]["end_date"] == position.start_date.isoformat()


def test_only_hr_downloads_someone_elses_data_and_outsiders_get_404(org_a, org_b):
    url = reverse("person_data_download", args=[org_a.employee.pk])
    for person in (org_a.colleague, org_a.leader, org_a.chef):
        assert client_for(person).post(url).status_code == 404, person.name
    assert client_for(org_b.hr, org_a.kommune).post(url).status_code == 404
    assert client_for(org_b.hr).post(url).status_code == 404  # A's person on B's host
    assert client_for(org_a.hr).get(url).status_code == 405  # a download is a POST
    own_download = reverse("my_data_download")
    assert client_for(org_b.employee, org_a.kommune).post(own_download).status_code == 404
    with org_a.scope():
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_anonymous_is_sent_to_log_in(org_a):
    client = client_for(None, org_a.kommune)
    for url in (reverse("my_data"), reverse("my_data_download")):
        response = client.post(url) if url.endswith("hent/") else client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_my_data_page_explains_the_export_and_is_linked(org_a):
    page = client_for(org_a.employee).get(reverse("my_data"))
    assert page.status_code == 200
    assert "Mine data" in page.text
    assert "evalueringer.json" in page.text and "adgangslog.json" in page.text
    assert f'action="{reverse("my_data_download")}"' in page.text
    assert f'href="{reverse("my_data")}"' in page.text  # the footer link

    own_page = client_for(org_a.employee).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert "Mine data: se og hent" in own_page.text
    assert reverse("person_data_download", args=[org_a.employee.pk]) not in own_page.text
    hr_page = client_for(org_a.hr).get(reverse("person_detail", args=[org_a.employee.pk]))
    assert reverse("person_data_download", args=[org_a.employee.pk]) in hr_page.text


def test_export_query_count_does_not_grow_with_the_data(
    org_a, employee_data, django_assert_max_num_queries
):
    client = client_for(org_a.employee)
    url = reverse("my_data_download")
    client.post(url)  # session and caches warm
    with CaptureQueriesContext(connection) as small:
        client.post(url)
    # Counted now: the query log is emptied at the start of every request.
    small_count = len(small)

    # More of everything: a second round, a second signed plan with its PDF, more
    # enrolments, positions, MUS notes and audit entries.
    with org_a.scope():  # held, so the next MUS can be planned
        mus_services.conversation_mark_held(conversation=employee_data["plan"].conversation)
    second = open_round(employee_data["round"].version, org_a.root, by=org_a.hr)
    with org_a.scope():
        own = evaluation_of(second, org_a.employee, "self")
        for competence in employee_data["competences"]:
            profile_services.rating_save(evaluation=own, competence=competence, level=3)
    plan = _signed_plan_with_pdf(org_a)
    with org_a.scope():
        mus_services.preparation_note_save(
            conversation=plan.conversation, author=org_a.employee, question=None, text="Mere"
        )
    PositionFactory(person=org_a.employee, unit=org_a.sibling_team, job_title="Vikar")
    for index in range(3):
        session = build_session(build_course(org_a.kommune, title=f"Kursus {index}"))
        with org_a.scope():
            catalogue_services.enrolment_request(session=session, person=org_a.employee)
        client_for(org_a.hr).get(reverse("person_detail", args=[org_a.employee.pk]))

    with django_assert_max_num_queries(small_count):
        files = _files(client.post(url))
    assert len(_json(files, "evalueringer.json")) == 2
    assert len(_json(files, "kursustilmeldinger.json")) == 4
    assert sum(name.endswith(".pdf") for name in files) == 2
