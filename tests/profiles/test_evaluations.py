"""Frameworks are frozen when published, evaluations keep their version, answers are
validated and saved as they are given, and gaps come out right."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kompetence import services as org_services
from kompetence.infra.tenancy import kommune_scope
from profiles import rounds, selectors, services
from profiles.models import (
    LEADER_ROLES,
    Assessment,
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    FrameworkVersion,
    Rating,
    Role,
)
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wheel(org_a):
    return build_framework(org_a.kommune, by=org_a.hr)


@pytest.fixture
def round_a(org_a, wheel):
    return open_round(wheel, org_a.root, by=org_a.hr)


def answer(client, evaluation, competence_obj, level, comment=None):
    data = {f"level-{competence_obj.pk}": level}
    if comment is not None:
        data[f"comment-{competence_obj.pk}"] = comment
    return client.post(
        reverse("evaluation_answer", args=[evaluation.pk, competence_obj.pk]), data, **HTMX
    )


def _submit_every_row(person, evaluation, wheel, level=3):
    """Answers the rows still open (at `level`) and submits, as `person`."""
    client = client_for(person)
    with kommune_scope(person.kommune):
        answered = set(
            Rating.objects.filter(evaluation=evaluation).values_list("competence_id", flat=True)
        )
        rows = list(Competence.objects.filter(version=wheel).exclude(pk__in=answered))
    for item in rows:
        assert answer(client, evaluation, item, level).status_code == 200
    response = client.post(reverse("evaluation_submit", args=[evaluation.pk]), follow=True)
    assert "Evalueringen er indsendt." in response.text


# --- Frameworks ----------------------------------------------------------------------


def test_a_published_framework_cannot_be_changed(org_a, wheel):
    with org_a.scope():
        group = wheel.groups.first()
        item = group.competences.first()
        before = list(Competence.objects.filter(version=wheel).values_list("name", flat=True))
        for attempt in (
            lambda: services.group_create(version=wheel, name="Ny gruppe"),
            lambda: services.group_update(group=group, name="X", description=""),
            lambda: services.group_delete(group=group),
            lambda: services.competence_create(group=group, name="Ny"),
            lambda: services.competence_update(competence=item, name="Omdøbt"),
            lambda: services.competence_delete(competence=item),
            lambda: services.item_move(item=item, direction=1),
        ):
            with pytest.raises(services.FrameworkLocked, match="offentliggjort og kan ikke ændres"):
                attempt()
        assert (
            list(Competence.objects.filter(version=wheel).values_list("name", flat=True)) == before
        )
        assert CompetenceGroup.objects.filter(version=wheel).count() == 3


def test_a_new_version_leaves_old_evaluations_on_the_old_version(org_a, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    faglig = competence(wheel, "Faglig kompetence")
    client = client_for(org_a.employee)
    assert answer(client, evaluation, faglig, 3).status_code == 200
    with org_a.scope():
        draft = services.version_new_draft(version=wheel)
        new_faglig = Competence.objects.get(version=draft, name="Faglig kompetence")
        assert new_faglig.key == faglig.key and new_faglig.pk != faglig.pk
        services.competence_update(competence=new_faglig, name="Faglighed")
        services.version_publish(version=draft, by=org_a.hr)
        wheel.refresh_from_db()
        assert wheel.status == FrameworkVersion.Status.RETIRED
        evaluation.refresh_from_db()
        assert evaluation.version_id == wheel.pk
        rating = Rating.objects.get(evaluation=evaluation)
        assert rating.competence_id == faglig.pk and rating.competence.name == "Faglig kompetence"
    new_round = open_round(draft, org_a.team)
    assert evaluation_of(new_round, org_a.employee).version_id == draft.pk


def test_publishing_needs_competences_and_a_draft(org_a):
    empty = build_framework(org_a.kommune, groups={}, publish=False)
    with org_a.scope(), pytest.raises(ValidationError, match="uden kompetencer"):
        services.version_publish(version=empty, by=org_a.hr)


# --- Roles: the Hvidovre matrix --------------------------------------------------------


def test_roles_follow_what_a_person_leads(org_a):
    with org_a.scope():
        roles = selectors.roles_of(
            [org_a.director.pk, org_a.chef.pk, org_a.leader.pk, org_a.employee.pk]
        )
    assert roles == {
        org_a.director.pk: Role.DIREKTION,
        org_a.chef.pk: Role.CENTERCHEF,
        org_a.leader.pk: Role.LEDER_AF_MEDARBEJDERE,
        org_a.employee.pk: Role.MEDARBEJDER,
    }


def test_leader_of_leaders_is_recognised(org_a):
    unit_leader = PersonFactory(kommune=org_a.kommune)
    with org_a.scope():
        sub = org_services.unit_create(kommune=org_a.kommune, name="Undergruppe", parent=org_a.team)
    PositionFactory(person=unit_leader, unit=sub, is_leader=True)
    with org_a.scope():
        assert selectors.role_of(org_a.leader) == Role.LEDER_AF_LEDERE


def test_a_hvidovre_medarbejder_sees_only_the_medarbejder_rows(org_a):
    matrix = build_framework(
        org_a.kommune,
        name="Ledelses- og medarbejdergrundlag",
        groups={
            "Sammen sikrer vi driften": ["Direktionen sætter retning", "Jeg følger reglerne"],
            "Sammen styrker vi resultaterne": ["Lederen afstemmer mål", "Jeg skaber resultater"],
        },
        roles={
            "Direktionen sætter retning": [Role.DIREKTION],
            "Jeg følger reglerne": [Role.MEDARBEJDER],
            "Lederen afstemmer mål": [Role.LEDER_AF_MEDARBEJDERE],
            "Jeg skaber resultater": [Role.MEDARBEJDER],
        },
    )
    round_ = open_round(matrix, org_a.root)
    evaluation = evaluation_of(round_, org_a.employee)
    assert (evaluation.role, evaluation.total) == (Role.MEDARBEJDER, 2)
    page = client_for(org_a.employee).get(reverse("evaluation_form", args=[evaluation.pk]))
    assert "Jeg følger reglerne" in page.text and "Jeg skaber resultater" in page.text
    assert "Direktionen sætter retning" not in page.text
    assert "Lederen afstemmer mål" not in page.text
    leader_evaluation = evaluation_of(round_, org_a.leader)
    assert (leader_evaluation.role, leader_evaluation.total) == (Role.LEDER_AF_MEDARBEJDERE, 1)
    # A row for another role cannot be answered by posting to it either.
    direktion_row = competence(matrix, "Direktionen sætter retning")
    response = answer(client_for(org_a.employee), evaluation, direktion_row, 3)
    assert response.status_code == 422
    with org_a.scope():
        assert not Rating.objects.filter(evaluation=evaluation).exists()


# --- Answering -----------------------------------------------------------------------------


def test_each_answer_is_saved_at_once_and_shown_again(org_a, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    client = client_for(org_a.employee)
    forandring = competence(wheel, "Forandringskompetence")
    response = answer(client, evaluation, forandring, 4, "Har stået for to omlægninger.")
    assert response.status_code == 200
    assert "Gemt" in response.text
    assert "1 af 5 besvaret" in response.text and 'hx-swap-oob="true"' in response.text
    page = client.get(reverse("evaluation_form", args=[evaluation.pk]))
    assert f'name="level-{forandring.pk}" value="4" checked' in page.text
    assert "Har stået for to omlægninger." in page.text
    assert "1 af 5 besvaret" in page.text


# Statements that only open or close a transaction are not queries: Django logs BEGIN
# and COMMIT on PostgreSQL, and the test's own transaction turns the view's into a
# savepoint. The benchmark's X-Query-Count (kompetence.infra.diagnostics) leaves them out.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _autosave_queries(client, evaluation, competence_obj, level, comment=None) -> list[str]:
    """The SQL one autosave sends, after checking it was saved."""
    with CaptureQueriesContext(connection) as queries:
        response = answer(client, evaluation, competence_obj, level, comment)
    assert response.status_code == 200 and "Gemt" in response.text
    return [q["sql"] for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def test_a_warm_autosave_takes_at_most_five_queries(org_a, wheel, round_a):
    """Session, login with person, the evaluation locked, the answer's upsert, the count
    with the progress: the kommune and the framework's structure come from the cache
    once the first answer has filled it, and the session is not written again."""
    evaluation = evaluation_of(round_a, org_a.employee)
    with org_a.scope():
        rows = list(Competence.objects.filter(version=wheel).order_by("pk"))
    client = client_for(org_a.employee)
    answer(client, evaluation, rows[0], 2)  # warms the caches
    for item, level in ((rows[1], 3), (rows[2], 4), (rows[1], 5)):
        queries = _autosave_queries(client, evaluation, item, level, "Et svar")
        assert len(queries) <= 5, queries
    with org_a.scope():
        stored = dict(
            Rating.objects.filter(evaluation=evaluation).values_list("competence_id", "level")
        )
        assert stored == {rows[0].pk: 2, rows[1].pk: 5, rows[2].pk: 4}
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_warm_autosave_takes_at_most_five_queries_on_postgresql(org_a, wheel, round_a):
    """As in production: no test transaction around the request, the evaluation locked
    FOR UPDATE, row-level security on, the session in Redis in front of the database."""
    evaluation = evaluation_of(round_a, org_a.employee)
    with org_a.scope():
        rows = list(Competence.objects.filter(version=wheel).order_by("pk"))
    client = client_for(org_a.employee)
    answer(client, evaluation, rows[0], 2)
    for item in (rows[1], rows[2]):
        queries = _autosave_queries(client, evaluation, item, 3)
        assert len(queries) <= 5, queries
    with org_a.scope():
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 3


def test_a_comment_alone_keeps_the_level_and_a_level_alone_keeps_the_comment(org_a, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    faglig = competence(wheel, "Faglig kompetence")
    client = client_for(org_a.employee)
    url = reverse("evaluation_answer", args=[evaluation.pk, faglig.pk])
    assert client.post(url, {f"comment-{faglig.pk}": "Kun en kommentar"}, **HTMX).status_code == 200
    with org_a.scope():
        row = Rating.objects.get(evaluation=evaluation, competence=faglig)
        assert (row.level, row.comment) == (None, "Kun en kommentar")
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 0
    assert answer(client, evaluation, faglig, 4).status_code == 200
    assert client.post(url, {f"comment-{faglig.pk}": "Ny kommentar"}, **HTMX).status_code == 200
    with org_a.scope():
        row = Rating.objects.get(evaluation=evaluation, competence=faglig)
        assert (row.level, row.comment) == (4, "Ny kommentar")
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 1
        assert Evaluation.objects.get(pk=evaluation.pk).rater_id == org_a.employee.pk


def test_an_answer_to_another_kommune_or_a_closed_round_is_refused(org_a, org_b, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    faglig = competence(wheel, "Faglig kompetence")
    # Another kommune's person, on either host: the same 404 as for nothing at all.
    assert (
        answer(client_for(org_b.employee, org_a.kommune), evaluation, faglig, 3).status_code == 404
    )
    assert answer(client_for(org_b.employee), evaluation, faglig, 3).status_code == 404
    # A competence of another version is not part of the evaluation.
    other = build_framework(org_a.kommune, name="Et andet hjul")
    assert (
        answer(
            client_for(org_a.employee), evaluation, competence(other, "Faglig kompetence"), 3
        ).status_code
        == 404
    )
    with org_a.scope():
        services.round_close(round_=round_a)
    response = answer(client_for(org_a.employee), evaluation, faglig, 3)
    assert response.status_code == 422 and "Evalueringsrunden er lukket." in response.text
    assert "Gemt" not in response.text
    with org_a.scope():
        assert not Rating.objects.filter(evaluation=evaluation).exists()


def test_a_level_off_the_scale_is_refused_in_danish_and_nothing_is_saved(org_a, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    faglig = competence(wheel, "Faglig kompetence")
    client = client_for(org_a.employee)
    assert answer(client, evaluation, faglig, 2).status_code == 200
    for bad in ("9", "-1", "tre", "2.5"):
        response = answer(client, evaluation, faglig, bad)
        assert response.status_code == 422
        assert "findes ikke på skalaen" in response.text
        assert "Faglig kompetence" in response.text
    with org_a.scope():
        assert Rating.objects.get(evaluation=evaluation, competence=faglig).level == 2
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 1
        # A draft: the answer waits on its rating row until the evaluation is submitted.
        assert (
            Assessment.objects.get(
                round=round_a, person=org_a.employee, competence=faglig
            ).self_level
            is None
        )


def test_without_javascript_the_whole_form_posts_and_a_bad_level_saves_nothing(
    org_a, wheel, round_a
):
    evaluation = evaluation_of(round_a, org_a.employee)
    client = client_for(org_a.employee)
    rows = [competence(wheel, n) for n in ("Forandringskompetence", "Innovationskompetence")]
    url = reverse("evaluation_form", args=[evaluation.pk])
    response = client.post(
        url, {f"level-{rows[0].pk}": "3", f"level-{rows[1].pk}": "7"}, follow=True
    )
    assert "findes ikke på skalaen" in response.text
    with org_a.scope():
        assert not Rating.objects.filter(evaluation=evaluation).exists()
    response = client.post(
        url, {f"level-{rows[0].pk}": "3", f"level-{rows[1].pk}": "0"}, follow=True
    )
    assert "Dine svar er gemt." in response.text
    with org_a.scope():
        assert Evaluation.objects.get(pk=evaluation.pk).answered == 2


def test_submit_needs_every_answer_then_locks_until_the_leader_reopens(org_a, wheel, round_a):
    evaluation = evaluation_of(round_a, org_a.employee)
    client = client_for(org_a.employee)
    submit = reverse("evaluation_submit", args=[evaluation.pk])
    response = client.post(submit, follow=True)
    assert "Besvar alle 5 kompetencer" in response.text
    with org_a.scope():
        competences = list(Competence.objects.filter(version=wheel))
    for item in competences:
        answer(client, evaluation, item, 3)
    response = client.post(submit, follow=True)
    assert "Evalueringen er indsendt." in response.text
    refused = answer(client, evaluation, competences[0], 1)
    assert refused.status_code == 422 and "indsendt" in refused.text
    # The employee cannot reopen; the leader can.
    reopen = reverse("evaluation_reopen", args=[evaluation.pk])
    assert client.post(reopen).status_code == 404
    assert client_for(org_a.leader).post(reopen).status_code == 302
    assert answer(client, evaluation, competences[0], 1).status_code == 200


def test_leader_fills_the_leader_evaluation_and_sees_the_comparison(org_a, wheel, round_a):
    forandring = competence(wheel, "Forandringskompetence")
    with org_a.scope():
        services.unit_profile_set(
            unit=org_a.root, framework=wheel.framework, levels={forandring.key: 4}
        )
    self_ev = evaluation_of(round_a, org_a.employee)
    leader_ev = evaluation_of(round_a, org_a.employee, "leader")
    employee, leader = client_for(org_a.employee), client_for(org_a.leader)
    answer(employee, self_ev, forandring, 4)
    assert answer(leader, leader_ev, forandring, 2).status_code == 200
    # Both are read in the comparison once submitted (drafts are private).
    with org_a.scope():
        others = list(Competence.objects.filter(version=wheel).exclude(pk=forandring.pk))
    for client, evaluation in ((employee, self_ev), (leader, leader_ev)):
        for item in others:
            answer(client, evaluation, item, 3)
        client.post(reverse("evaluation_submit", args=[evaluation.pk]))
    page = leader.get(reverse("person_comparison", args=[round_a.pk, org_a.employee.pk]))
    assert page.status_code == 200
    assert "2 trin under" in page.text  # required 4 (kyndig) − leader 2
    assert "uenighed" in page.text  # self 4 vs leader 2
    with org_a.scope():
        row = Assessment.objects.get(round=round_a, person=org_a.employee, competence=forandring)
        assert (row.required, row.self_level, row.leader_level, row.assessed, row.gap) == (
            4,
            4,
            2,
            2,
            2,
        )


def test_who_may_open_and_fill_which_evaluation(org_a, org_b, wheel, round_a):
    self_ev = evaluation_of(round_a, org_a.employee)
    leader_ev = evaluation_of(round_a, org_a.employee, "leader")
    faglig = competence(wheel, "Faglig kompetence")
    self_url = reverse("evaluation_form", args=[self_ev.pk])
    leader_url = reverse("evaluation_form", args=[leader_ev.pk])
    assert client_for(org_a.employee).get(self_url).status_code == 200
    # An open self-evaluation is the employee's draft (tests/profiles/test_draft_privacy.py).
    assert client_for(org_a.leader).get(self_url).status_code == 404
    _submit_every_row(org_a.employee, self_ev, wheel)
    assert client_for(org_a.leader).get(self_url).status_code == 200  # reads, cannot answer
    assert answer(client_for(org_a.leader), self_ev, faglig, 3).status_code == 404
    assert client_for(org_a.colleague).get(self_url).status_code == 404
    assert client_for(org_a.other_employee).get(self_url).status_code == 404
    assert client_for(org_b.hr).get(self_url).status_code == 404
    # The subject does not see the leader's evaluation until it is submitted.
    assert client_for(org_a.employee).get(leader_url).status_code == 404
    assert answer(client_for(org_a.employee), leader_ev, faglig, 5).status_code == 404
    assert answer(client_for(org_a.colleague), leader_ev, faglig, 5).status_code == 404
    comparison = reverse("person_comparison", args=[round_a.pk, org_a.employee.pk])
    assert client_for(org_a.leader).get(comparison).status_code == 200
    assert client_for(org_a.colleague).get(comparison).status_code == 404
    assert client_for(org_b.hr).get(comparison).status_code == 404


def test_reading_someone_elses_evaluation_is_audited(org_a, wheel, round_a):
    from kompetence.models import AuditEntry

    self_ev = evaluation_of(round_a, org_a.employee)
    _submit_every_row(org_a.employee, self_ev, wheel)
    client_for(org_a.leader).get(reverse("evaluation_form", args=[self_ev.pk]))
    with org_a.scope():
        assert AuditEntry.objects.filter(
            subject=org_a.employee, actor=org_a.leader, object_type="profiles.Evaluation"
        ).exists()


# --- Required levels and gaps --------------------------------------------------------------


def test_required_comes_from_the_job_profile_else_the_unit_profile(org_a, wheel, round_a):
    forandring = competence(wheel, "Forandringskompetence")
    samarbejde = competence(wheel, "Samarbejdskompetence")
    with org_a.scope():
        services.unit_profile_set(
            unit=org_a.root,
            framework=wheel.framework,
            levels={forandring.key: 3, samarbejde.key: 3},
        )
        services.unit_profile_set(
            unit=org_a.centre, framework=wheel.framework, levels={samarbejde.key: 4}
        )
        profile = services.job_profile_create(
            kommune=org_a.kommune, framework=wheel.framework, name="Rådgiver"
        )
        services.job_requirements_set(job_profile=profile, levels={forandring.key: 5})

        def required(person, item):
            return Assessment.objects.get(round=round_a, person=person, competence=item).required

        assert required(org_a.employee, forandring) == 3  # the root's unit profile
        assert required(org_a.employee, samarbejde) == 4  # overridden by the centre
        assert required(org_a.hr, samarbejde) == 3  # HR is not under the centre
        services.job_profile_assign(position=org_a.employee.positions.get(), job_profile=profile)
        assert required(org_a.employee, forandring) == 5  # the job profile wins
        services.job_profile_assign(position=org_a.employee.positions.get(), job_profile=None)
        assert required(org_a.employee, forandring) == 3


def test_moving_a_person_updates_their_unit_and_required_levels(org_a, wheel, round_a):
    samarbejde = competence(wheel, "Samarbejdskompetence")
    with org_a.scope():
        services.unit_profile_set(
            unit=org_a.sibling_team, framework=wheel.framework, levels={samarbejde.key: 5}
        )
        position = org_a.employee.positions.get()
        org_services.position_update(position=position, unit=org_a.sibling_team)
        row = Assessment.objects.get(round=round_a, person=org_a.employee, competence=samarbejde)
        assert (row.unit_id, row.required) == (org_a.sibling_team.pk, 5)


def test_not_applicable_is_left_out_of_gaps_and_averages(org_a, wheel, round_a):
    faglig = competence(wheel, "Faglig kompetence")
    with org_a.scope():
        services.unit_profile_set(
            unit=org_a.root, framework=wheel.framework, levels={faglig.key: 3}
        )
    for person, level in ((org_a.employee, 0), (org_a.colleague, 1)):
        evaluation = evaluation_of(round_a, person)
        answer(client_for(person), evaluation, faglig, level)
        _submit_every_row(person, evaluation, wheel)  # heat-maps count submitted ones only
    with org_a.scope():
        row = Assessment.objects.get(round=round_a, person=org_a.employee, competence=faglig)
        assert (row.self_level, row.assessed, row.gap) == (0, None, None)
        heat = selectors.heatmap(org_a.centre, round_a)
    cell = next(row for row in heat if row.unit == org_a.team).cells[faglig.pk]
    assert (cell.mean, cell.count, cell.below) == (1.0, 1, 1)


def test_a_level_off_the_scale_is_refused_for_profiles_too(org_a, wheel):
    faglig = competence(wheel, "Faglig kompetence")
    with org_a.scope(), pytest.raises(ValidationError, match="findes ikke på skalaen"):
        services.unit_profile_set(
            unit=org_a.root, framework=wheel.framework, levels={faglig.key: 0}
        )


# --- Pages and their query counts ------------------------------------------------------------


def _fill_team(org, round_, wheel, size):
    """`size` more people in the team, each with self and leader answers on every row."""
    people = []
    for _ in range(size):
        person = PersonFactory(kommune=org.kommune)
        PositionFactory(person=person, unit=org.team)
        people.append(person)
    with org.scope():
        competences = list(Competence.objects.filter(version=wheel))
        services.round_close(round_=round_)
    round_ = open_round(wheel, org.root)
    with org.scope():
        evaluations = Evaluation.objects.filter(round=round_, kind__in=["self", "leader"])
        services.ratings_bulk_set(
            round_=round_,
            answers=[
                (e, c, 1 + (e.subject_id + c.pk) % 5, "") for e in evaluations for c in competences
            ],
            submit=True,
        )
    return round_


def _queries_for(client, url) -> int:
    client.get(url)  # warm the framework cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_heatmap_query_count_is_the_same_for_10_and_200_people(org_a, wheel, round_a):
    client = client_for(org_a.chef)
    round_ = _fill_team(org_a, round_a, wheel, 10)
    url = reverse("heatmap") + f"?enhed={org_a.centre.pk}&runde={round_.pk}"
    small = _queries_for(client, url)
    round_ = _fill_team(org_a, round_, wheel, 190)
    url = reverse("heatmap") + f"?enhed={org_a.centre.pk}&runde={round_.pk}"
    assert _queries_for(client, url) == small
    assert "n = " in client.get(url).text


def test_my_competences_query_count_is_the_same_for_10_and_200_people(org_a, wheel, round_a):
    client = client_for(org_a.employee)
    round_ = _fill_team(org_a, round_a, wheel, 10)
    small = _queries_for(client, reverse("my_competences"))
    _fill_team(org_a, round_, wheel, 190)
    assert _queries_for(client, reverse("my_competences")) == small
    assert "Faglig kompetence" in client.get(reverse("my_competences")).text


def test_hr_or_leader_opens_a_round_for_a_subtree(org_a, wheel, django_capture_on_commit_callbacks):
    client = client_for(org_a.leader)
    with django_capture_on_commit_callbacks(execute=True):  # the task that fills the round
        response = client.post(
            reverse("round_create"),
            {
                "name": "Team Nord 2027",
                "version": wheel.pk,
                "unit": org_a.team.pk,
                "deadline": "2099-01-31",
            },
        )
    assert response.status_code == 302
    with org_a.scope():
        assert EvaluationRound.objects.get(name="Team Nord 2027").status == "open"
        evaluations = Evaluation.objects.filter(round__name="Team Nord 2027")
        assert {e.subject for e in evaluations} == {org_a.leader, org_a.employee, org_a.colleague}
    # A leader cannot open a round for a unit they do not lead.
    response = client.post(
        reverse("round_create"),
        {
            "name": "Syd",
            "version": wheel.pk,
            "unit": org_a.sibling_team.pk,
            "deadline": "2099-01-31",
        },
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.text
    response = client.post(
        reverse("round_create"),
        {"name": "Gammel", "version": wheel.pk, "unit": org_a.team.pk, "deadline": "2001-01-31"},
    )
    assert "Fristen ligger i fortiden." in response.text


def test_hr_or_whoever_opened_it_closes_a_round_and_no_one_else(org_a, org_b, round_a):
    close = reverse("round_close", args=[round_a.pk])
    page = client_for(org_a.hr).get(reverse("round_detail", args=[round_a.pk]))
    assert f'action="{close}"' in page.text
    # The leader sees the round but did not open it; the employee and the other
    # kommune do not see it at all: the same 404 for all three, and the round stays open.
    for outsider in (org_a.leader, org_a.employee, org_b.hr):
        assert client_for(outsider).post(close).status_code == 404
    round_a.refresh_from_db()
    assert round_a.status == EvaluationRound.Status.OPEN
    response = client_for(org_a.hr).post(close, follow=True)
    assert "Evalueringsrunden er lukket." in response.text
    round_a.refresh_from_db()
    assert round_a.status == EvaluationRound.Status.CLOSED
    # The page itself only shows the round; closing is a POST to its own URL.
    assert client_for(org_a.hr).post(reverse("round_detail", args=[round_a.pk])).status_code == 405


def test_a_round_being_filled_says_so_and_the_page_reloads_when_it_is_open(org_a, wheel):
    """In production the round is filled by a Celery task after the request: its page
    shows that it is opening and polls, and reloads itself once the task is done."""
    with org_a.scope():
        round_ = services._round_create(
            kommune=org_a.kommune,
            name="Hele kommunen 2027",
            version=wheel,
            unit=org_a.root,
            deadline=datetime.date(2099, 1, 31),
            opened_by=org_a.hr,
            status=EvaluationRound.Status.OPENING,
        )
    client = client_for(org_a.hr)
    page = client.get(reverse("round_detail", args=[round_.pk]))
    assert "Runden åbnes" in page.text and 'hx-trigger="every 2s"' in page.text
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "round-opening"}
    still = client.get(reverse("round_detail", args=[round_.pk]), **poll)
    assert "Runden åbnes" in still.text and "HX-Refresh" not in still
    with org_a.scope():
        rounds.round_populate(round_=round_)
        rounds.round_populate(round_=round_)  # delivered twice: nothing more
        assert Evaluation.objects.filter(round=round_).count() == 2 * 7
    done = client.get(reverse("round_detail", args=[round_.pk]), **poll)
    assert done["HX-Refresh"] == "true"
    page = client.get(reverse("round_detail", args=[round_.pk]))
    assert "Runden åbnes" not in page.text and "Eva Medarbejder" in page.text


def test_leader_roles_constant_is_the_four_leader_roles():
    assert set(LEADER_ROLES) == set(Role.values) - {Role.MEDARBEJDER}


# --- Mine kompetencer's chart ---------------------------------------------------------------


def _svg(html: str) -> str:
    start = html.index("<svg")
    return html[start : html.index("</svg>", start)]


def test_my_competences_chart_speaks_the_scale_and_fills_its_card(org_a, wheel, round_a):
    _submit_every_row(org_a.employee, evaluation_of(round_a, org_a.employee), wheel, level=3)
    page = client_for(org_a.employee).get(reverse("my_competences"))
    svg = _svg(page.text)
    assert 'width="100%"' in svg and "viewBox" not in svg
    axis = [
        " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label))
        for label in re.findall(r'<text class="axis-label"[^>]*>(.*?)</text>', svg)
    ]
    # The levels a bar can reach, by name; "not applicable" is no point on the axis.
    assert axis == ["Nybegynder", "Avanceret begynder", "Kompetent", "Kyndig", "Ekspert"]
    assert not re.search(r">\s*[0-5]\s*<", svg)  # no 0–5 number axis
    # Level 3 of 5 ends where the axis's "Kompetent" band ends.
    assert 'width="60.0%"' in svg
