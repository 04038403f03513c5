"""Starter MUS agendas: files in mus/agendas/, made the kommune's agenda in one click."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.urls import reverse

from mus import agenda_starters, services
from mus.models import AgendaQuestion
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SLUG = "kommune-mus-dagsorden"


def _active(org) -> list[str]:
    with org.scope():
        return list(
            AgendaQuestion.objects.filter(kommune=org.kommune, is_active=True).values_list(
                "text", flat=True
            )
        )


def test_every_starter_agenda_validates_against_the_schema():
    schema = json.loads(agenda_starters.SCHEMA_PATH.read_text(encoding="utf-8"))
    paths = sorted(agenda_starters.AGENDAS_DIR.glob("*.json"))
    assert [path.stem for path in paths] == [SLUG]
    for path in paths:
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
    assert {a.slug for a in agenda_starters.starter_agendas()} == {p.stem for p in paths}


def test_a_file_that_breaks_the_format_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"format": "kompetence-mus-agenda", "format_version": 1}))
    with pytest.raises(jsonschema.ValidationError):
        agenda_starters.load(path)


def test_applying_keeps_the_old_questions_inactive(org_a):
    starter = agenda_starters.starter_agenda(SLUG)
    with org_a.scope():
        old = services.agenda_questions(kommune=org_a.kommune)
        replaced = services.agenda_starter_apply(kommune=org_a.kommune, agenda=starter)
        assert replaced == len(old)
        assert AgendaQuestion.objects.filter(pk__in=[q.pk for q in old], is_active=False).count()
    assert _active(org_a) == [q.text for q in starter.questions]


def test_hr_sees_the_starter_on_the_agenda_page(org_a):
    response = client_for(org_a.hr).get(reverse("agenda"))
    assert agenda_starters.starter_agenda(SLUG).name in response.text
    assert reverse("agenda_starter_use", args=[SLUG]) in response.text


def test_one_click_asks_first_when_the_kommune_has_questions(org_a):
    starter = agenda_starters.starter_agenda(SLUG)
    client = client_for(org_a.hr)
    client.get(reverse("agenda"))  # the page gives the kommune the default questions
    before = _active(org_a)
    response = client.post(reverse("agenda_starter_use", args=[SLUG]))
    assert response.status_code == 200
    assert f"{len(before)} aktive spørgsmål" in response.text
    assert _active(org_a) == before

    response = client.post(reverse("agenda_starter_use", args=[SLUG]), {"confirmed": "1"})
    assert response.status_code == 302
    assert _active(org_a) == [q.text for q in starter.questions]


def test_one_click_applies_at_once_when_the_kommune_has_no_questions(org_a):
    response = client_for(org_a.hr).post(reverse("agenda_starter_use", args=[SLUG]))
    assert response.status_code == 302
    assert len(_active(org_a)) == len(agenda_starters.starter_agenda(SLUG).questions)


def test_unknown_agenda_is_404(org_a):
    response = client_for(org_a.hr).post(reverse("agenda_starter_use", args=["nope"]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["employee", "leader"])
def test_only_kommune_hr_may_use_a_starter_agenda(org_a, who):
    client = client_for(getattr(org_a, who))
    response = client.post(reverse("agenda_starter_use", args=[SLUG]), {"confirmed": "1"})
    assert response.status_code == 404
    assert _active(org_a) == []


def test_another_kommunes_user_gets_404(org_a, org_b):
    client = client_for(org_b.hr, org_a.kommune)
    response = client.post(reverse("agenda_starter_use", args=[SLUG]), {"confirmed": "1"})
    assert response.status_code == 404
    assert _active(org_a) == []
