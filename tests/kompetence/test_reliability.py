"""Surviving faults: a database that stops answering gives a clear page (503, no stack
trace) and the site recovers by itself; autosave under many concurrent writers loses
nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from profiles import services as profile_services
from profiles.models import Assessment, Competence, Evaluation, Rating
from tests.conftest import host_of
from tests.factories import PersonFactory, PositionFactory
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_database_outage_gives_a_clear_page_and_the_site_recovers(org_a):
    client = Client(HTTP_HOST=host_of(org_a.kommune), raise_request_exception=False)
    client.force_login(org_a.employee.user)
    assert client.get(reverse("home")).status_code == 200

    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # as if the database were down
    try:
        response = client.get(reverse("home"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Kompetence er midlertidigt utilgængelig" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text

    assert client.get(reverse("home")).status_code == 200  # back by itself


def test_fifty_concurrent_writers_autosave_without_losing_an_answer(org_a):
    """Fifty people answer their own self-evaluations at the same time, each answer its
    own autosave request; afterwards every answer is in the database with its value
    and every progress count is right."""
    version = build_framework(org_a.kommune, by=org_a.hr)
    people = []
    for _ in range(50):
        person = PersonFactory(kommune=org_a.kommune)
        PositionFactory(person=person, unit=org_a.team)
        people.append(person)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        competences = list(Competence.objects.filter(version=version).order_by("pk"))
        evaluations = {
            e.subject_id: e
            for e in Evaluation.objects.filter(round=round_, kind="self", subject__in=people)
        }
    errors: list[str] = []
    start = threading.Barrier(len(people))

    def write(person, offset: int) -> None:
        client = Client(HTTP_HOST=host_of(org_a.kommune))
        client.force_login(person.user)
        evaluation = evaluations[person.pk]
        start.wait()
        try:
            for index, competence in enumerate(competences):
                level = 1 + (index + offset) % 5
                response = client.post(
                    reverse("evaluation_answer", args=[evaluation.pk, competence.pk]),
                    {f"level-{competence.pk}": level},
                    HTTP_HX_REQUEST="true",
                )
                if response.status_code != 200:
                    errors.append(f"{person.pk}/{competence.pk}: {response.status_code}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(p, i)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with org_a.scope():
        stored = {
            (r.evaluation.subject_id, r.competence_id): r.level
            for r in Rating.objects.filter(evaluation__in=evaluations.values()).select_related(
                "evaluation"
            )
        }
        assert len(stored) == 50 * len(competences)
        for offset, person in enumerate(people):
            for index, competence in enumerate(competences):
                assert stored[(person.pk, competence.pk)] == 1 + (index + offset) % 5
        answered = dict(
            Evaluation.objects.filter(pk__in=[e.pk for e in evaluations.values()]).values_list(
                "subject_id", "answered"
            )
        )
        assert set(answered.values()) == {len(competences)}

        def levels() -> dict:
            return dict(
                ((a.person_id, a.competence_id), a.self_level) for a in Assessment.objects.filter(
                    round=round_, person__in=people
                )
            )  # fmt: skip

        # Drafts stay off the fact rows the dashboards read; once submitted, those rows
        # agree with the answers.
        assert set(levels().values()) == {None}
        for person in people:
            profile_services.evaluation_submit(evaluation=evaluations[person.pk], by=person)
        assert levels() == stored
