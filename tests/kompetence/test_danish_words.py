"""Danish pages say it in Danish: the field labels of *Ny stilling* and *Ny opgave*,
and the audit log's "Hvad" column names the kind of data in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annualcycle.cycle import services as cycle_services
from kompetence.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _label_texts(html: str) -> str:
    return " ".join(part.split("</label>")[0] for part in html.split("<label")[1:])


def test_new_position_form_labels_are_danish_and_english_in_english(org_a, org_b):
    url = reverse("position_create", args=[org_a.employee.pk])
    client = client_for(org_a.hr)
    labels = _label_texts(client.get(url).text)
    assert "Enhed" in labels and "Unit" not in labels
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    assert "Unit" in _label_texts(client.get(url).text)
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404


def test_new_task_form_labels_are_danish(org_a, org_b):
    with org_a.scope():
        cycle = cycle_services.cycle_create_default(kommune=org_a.kommune, start_year=2026)
        phase = cycle.phases.order_by("starts_on").first()
    url = reverse("task_create", args=[phase.pk])
    page = client_for(org_a.hr).get(url)
    assert page.status_code == 200
    text = page.text
    assert "Roller" in text and "Roles" not in text
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404


def _what_column(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [row.split("<td>")[5].split("</td>")[0].strip() for row in body.split("<tr>")[1:]]


def test_audit_log_says_what_in_words(org_a, org_b):
    with org_a.scope():
        for object_type in ("kompetence.Person", "mus.PlanVersion", "gone.Model"):
            AuditEntry.objects.create(
                kommune=org_a.kommune,
                actor=org_a.hr,
                action=AuditEntry.Action.VIEW,
                subject=org_a.employee,
                object_type=object_type,
            )
    client = client_for(org_a.hr)
    page = client.get(reverse("audit_log"))
    assert page.status_code == 200
    what = _what_column(page.text)
    assert "kompetence.Person" not in what and "Person" in what
    assert "gone.Model" in what  # a model that no longer exists keeps its stored name
    assert len(what) == 3 and not any(w.startswith("mus.") for w in what)
    assert client_for(org_b.hr, org_a.kommune).get(reverse("audit_log")).status_code == 404
