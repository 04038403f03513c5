"""Private preparation notes are read only by their author, through every path: every
page of the product as every person of the kommune, the signed plan's PDF, and the
personal data downloads (the person's own and HR's on their behalf)."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from django.urls import reverse

from mus import services
from mus.models import Conversation, PlanPdf
from tests.conftest import client_for
from tests.kompetence.test_tenancy import _url_for, tenant_patterns
from tests.mus.factories import sign, version_of
from tests.url_objects import OBJECT_IDS

pytestmark = pytest.mark.django_db

EMPLOYEE_NOTE = "Evas private note om arbejdstid"
EMPLOYEE_GENERAL = "Evas generelle private tanker"
LEADER_NOTE = "Lises private note om Eva"


@pytest.fixture
def notes(org_a):
    """Eva (employee) and Lise (her leader) have each written private preparation for
    the conversation every MUS URL of the walk points at."""
    with org_a.scope():
        conversation_id = OBJECT_IDS["conversation_id"](org_a)
        conversation = Conversation.objects.get(pk=conversation_id)
        question = services.agenda_questions(kommune=org_a.kommune)[0]
        for author, text, on in (
            (org_a.employee, EMPLOYEE_NOTE, question),
            (org_a.employee, EMPLOYEE_GENERAL, None),
            (org_a.leader, LEADER_NOTE, question),
        ):
            services.preparation_note_save(
                conversation=conversation, author=author, question=on, text=text
            )
    return conversation


def _body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if response.get("Content-Type") == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


def _readers(org) -> list:
    """The author, the other party, a leader higher up, HR and a colleague (who sits
    in the MED committee of the walk's objects)."""
    return [org.employee, org.leader, org.chef, org.hr, org.colleague]


def test_no_page_shows_a_note_to_anyone_but_its_author(org_a, notes):
    """Every GET URL of the product, as every person of the kommune: a note's text is
    on a page only when its author reads it (and there it is, so the walk is real)."""
    leaks, seen_by_author = [], set()
    urls = []
    for name, pattern in tenant_patterns():
        url, _ = _url_for(name, pattern, org_a)
        urls.append((name, url))
    for reader in _readers(org_a):
        client = client_for(reader)
        client.raise_request_exception = False
        for name, url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            body = _body(response)
            for author, text in (
                (org_a.employee, EMPLOYEE_NOTE),
                (org_a.employee, EMPLOYEE_GENERAL),
                (org_a.leader, LEADER_NOTE),
            ):
                if text in body:
                    if reader.pk == author.pk:
                        seen_by_author.add((text, name))
                    else:
                        leaks.append(f"{reader.name} read »{text}« on {name} ({url})")
    assert leaks == []
    assert {text for text, _name in seen_by_author} == {
        EMPLOYEE_NOTE,
        EMPLOYEE_GENERAL,
        LEADER_NOTE,
    }
    assert {name for _text, name in seen_by_author} == {"preparation"}


def test_the_signed_plans_pdf_holds_no_preparation_note(
    org_a, notes, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    version = version_of(notes.plan)
    with org_a.scope():
        PlanPdf.objects.filter(version=version).delete()  # the walk's placeholder row
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        sign(version, org_a.employee, "test-password-123")
        sign(version, org_a.leader, "test-password-123")
    with org_a.scope():
        pdf = PlanPdf.objects.get(version=version, status=PlanPdf.Status.READY)
        path = tmp_path / "plan.pdf"
        path.write_bytes(pdf.file.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert org_a.employee.name in text  # the PDF was read
    for note in (EMPLOYEE_NOTE, EMPLOYEE_GENERAL, LEADER_NOTE):
        assert note not in text


def test_personal_data_downloads_give_a_note_only_to_its_author(org_a, notes):
    """Each person's own "Mine data" ZIP and HR's ZIP on each person's behalf: Eva's
    notes are in her own download only; Lise's notes about Eva in nobody's."""
    for reader in _readers(org_a):
        own = _body(client_for(reader).post(reverse("my_data_download")))
        assert LEADER_NOTE not in own, reader.name
        for text in (EMPLOYEE_NOTE, EMPLOYEE_GENERAL):
            assert (text in own) == (reader.pk == org_a.employee.pk), reader.name
        on_behalf = client_for(org_a.hr).post(reverse("person_data_download", args=[reader.pk]))
        if reader.pk == org_a.hr.pk:
            continue  # HR's own data through the HR button is HR's own download
        body = _body(on_behalf)
        for text in (EMPLOYEE_NOTE, EMPLOYEE_GENERAL, LEADER_NOTE):
            assert text not in body, reader.name
