"""One date style per language: "2. december 2026" in Danish, "2 December 2026" in
English, on pages, in e-mails and PDFs (their templates name the format instead of
spelling out a pattern) and in texts built in Python."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from annualcycle.cycle import services as cycle_services
from kompetence.models import AuditEntry
from tests.conftest import client_for

# 09:05 UTC is 10:05 in Copenhagen.
MOMENT = datetime.datetime(2026, 12, 2, 9, 5, 7, tzinfo=datetime.UTC)
STYLES = Template(
    "{% load kompetence_tags %}"
    '{{ day|date }}|{{ moment|date:"DATETIME_FORMAT" }}|{{ day|date:"MONTH_DAY_FORMAT" }}|'
    '{{ moment|with_weekday:"DATETIME_FORMAT" }}|{{ day|with_weekday }}'
)


def _render(language: str) -> list[str]:
    with translation.override(language):
        context = Context({"day": datetime.date(2026, 12, 2), "moment": MOMENT})
        return STYLES.render(context).split("|")


def test_danish_dates_read_2_december_2026():
    assert _render("da") == [
        "2. december 2026",
        "2. december 2026 10:05",
        "2. december",
        "onsdag 2. december 2026 10:05",
        "onsdag 2. december 2026",
    ]


def test_english_dates_read_2_december_2026():
    assert _render("en") == [
        "2 December 2026",
        "2 December 2026 10:05",
        "2 December",
        "Wednesday 2 December 2026 10:05",
        "Wednesday 2 December 2026",
    ]


NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "MONTH_DAY_FORMAT"}
FORMAT_ARGUMENT = re.compile(r"\|(date|time|with_weekday):\"([^\"]*)\"")


def test_every_template_names_its_date_format():
    """A spelt-out pattern ("j. M Y") is how "2. Dec 2026" crept in beside
    "2. december 2026"; only the named formats, or a time of day, are allowed."""
    wrong = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*"):
            if path.suffix not in {".html", ".txt", ".ics", ".xml"}:
                continue
            for match in FORMAT_ARGUMENT.finditer(path.read_text(encoding="utf-8")):
                argument = match.group(2)
                if argument not in NAMED and not set(argument) <= set("Hisv:"):
                    wrong.append(f"{path.name}: {match.group(0)}")
    assert wrong == []


@pytest.mark.django_db
def test_the_audit_log_shows_dates_in_the_readers_language(org_a, org_b):
    with org_a.scope():
        AuditEntry.objects.create(
            kommune=org_a.kommune,
            at=MOMENT,
            actor=org_a.leader,
            action=AuditEntry.Action.VIEW,
            subject=org_a.employee,
            object_type="kompetence.Person",
        )
    client = client_for(org_a.hr)
    assert "2. december 2026 10:05" in client.get(reverse("audit_log")).text
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    assert "2 December 2026 10:05" in client.get(reverse("audit_log")).text
    assert client_for(org_b.hr, org_a.kommune).get(reverse("audit_log")).status_code == 404


@pytest.mark.django_db
def test_a_phase_outside_the_cycle_names_the_cycles_dates_in_words(org_a):
    with org_a.scope():
        cycle = cycle_services.cycle_create_default(kommune=org_a.kommune, start_year=2026)
        with pytest.raises(ValidationError) as error:
            cycle_services.phase_save(
                cycle=cycle,
                phase=None,
                name="For sent",
                description="",
                starts_on=datetime.date(2027, 9, 1),
                ends_on=datetime.date(2027, 12, 1),
            )
    assert "1. oktober 2026–30. september 2027" in str(error.value)
