"""Drafts are private until submitted: a leader's answers reach the employee (MUS
screen, Mine kompetencer, comparison) only when the leader submits, a leader does not
read an open self-evaluation, and gaps, heat-maps and dashboards count submitted
evaluations only."""

from __future__ import annotations

import importlib
import re

import pytest
from django.urls import reverse

from annualcycle.dashboards import selectors as dashboards
from kompetence.infra.tenancy import kommune_scope
from profiles import selectors, services
from profiles.models import Assessment, Competence
from tests.conftest import client_for
from tests.mus.factories import build_conversation
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SUBMITTED_ONLY = "Tæller kun indsendte evalueringer."


@pytest.fixture
def wheel(org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    with org_a.scope():
        keys = Competence.objects.filter(version=version).values_list("key", flat=True)
        services.unit_profile_set(
            unit=org_a.root, framework=version.framework, levels=dict.fromkeys(keys, 3)
        )
    return version


@pytest.fixture
def round_a(org_a, wheel):
    return open_round(wheel, org_a.root, by=org_a.hr)


def answer(client, evaluation, competence_obj, level):
    return client.post(
        reverse("evaluation_answer", args=[evaluation.pk, competence_obj.pk]),
        {f"level-{competence_obj.pk}": level},
        **HTMX,
    )


def answer_every_row(client, evaluation, wheel, level, **levels_by_name):
    with kommune_scope(evaluation.kommune):
        rows = list(Competence.objects.filter(version=wheel))
    for row in rows:
        level_here = levels_by_name.get(row.name, level)
        assert answer(client, evaluation, row, level_here).status_code == 200


def submit(client, evaluation):
    response = client.post(reverse("evaluation_submit", args=[evaluation.pk]), follow=True)
    assert "Evalueringen er indsendt." in response.text


def leader_cell(page_text: str) -> bool:
    """Whether the page shows the leader's "Ekspert" or a disagreement marker. The
    chart's axis names every level of the scale, whatever anyone answered: it is no
    answer and is left out."""
    page_text = re.sub(r'<text class="axis-label".*?</text>', "", page_text, flags=re.S)
    return "Ekspert" in page_text or "uenighed" in page_text


def test_the_employee_does_not_see_the_leaders_draft_until_it_is_submitted(
    org_a, org_b, wheel, round_a
):
    employee, leader = client_for(org_a.employee), client_for(org_a.leader)
    self_ev = evaluation_of(round_a, org_a.employee)
    leader_ev = evaluation_of(round_a, org_a.employee, "leader")
    answer_every_row(employee, self_ev, wheel, 2)
    submit(employee, self_ev)
    conversation = build_conversation(org_a)
    screen = reverse("conversation_screen", args=[conversation.pk])
    comparison = reverse("person_comparison", args=[round_a.pk, org_a.employee.pk])
    forandring = competence(wheel, "Forandringskompetence")

    # The leader's autosave mid-draft: Ekspert where the employee said Avanceret begynder.
    assert answer(leader, leader_ev, forandring, 5).status_code == 200
    for client, url in (
        (employee, screen),
        (employee, reverse("my_competences")),
        (client_for(org_a.hr), comparison),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert not leader_cell(page.text), url
        assert "Viser kun indsendte evalueringer." in page.text
    with org_a.scope():
        row = Assessment.objects.get(round=round_a, person=org_a.employee, competence=forandring)
        assert (row.self_level, row.leader_level, row.assessed, row.gap) == (2, None, 2, 1)

    answer_every_row(leader, leader_ev, wheel, 2, Forandringskompetence=5)
    submit(leader, leader_ev)
    for client, url in (
        (employee, screen),
        (employee, reverse("my_competences")),
        (client_for(org_a.hr), comparison),
    ):
        page = client.get(url)
        assert "Ekspert" in page.text, url
        assert leader_cell(page.text), url  # in a cell, not only on the chart's axis
    assert "uenighed" in employee.get(screen).text  # 2 against 5
    with org_a.scope():
        row.refresh_from_db()
        assert (row.self_level, row.leader_level, row.assessed, row.gap) == (2, 5, 5, -2)
    # Another kommune's people still get nothing.
    assert client_for(org_b.hr).get(screen).status_code == 404
    assert client_for(org_b.hr).get(comparison).status_code == 404


def test_a_leader_gets_404_on_an_open_self_evaluation_and_reads_it_once_submitted(
    org_a, org_b, wheel, round_a
):
    employee = client_for(org_a.employee)
    self_ev = evaluation_of(round_a, org_a.employee)
    url = reverse("evaluation_form", args=[self_ev.pk])
    faglig, samarbejde = (
        competence(wheel, "Faglig kompetence"),
        competence(wheel, "Samarbejdskompetence"),
    )
    answer(employee, self_ev, faglig, 4)
    answer(employee, self_ev, samarbejde, 1)

    assert employee.get(url).status_code == 200  # one's own draft
    for reader in (org_a.leader, org_a.chef, org_a.hr, org_a.colleague, org_b.hr):
        assert client_for(reader).get(url).status_code == 404, reader.name
    # The leader sees how far it has come, not what it says.
    overview = client_for(org_a.leader).get(reverse("team_overview")).text
    assert "2 af 5" in overview
    comparison = client_for(org_a.leader).get(
        reverse("person_comparison", args=[round_a.pk, org_a.employee.pk])
    )
    assert "2 af 5" in comparison.text and "Kyndig" not in comparison.text
    with org_a.scope():
        assert not Assessment.objects.filter(
            round=round_a, person=org_a.employee, self_level__isnull=False
        ).exists()

    answer_every_row(employee, self_ev, wheel, 3, **{"Faglig kompetence": 4})
    submit(employee, self_ev)
    for reader in (org_a.leader, org_a.chef, org_a.hr):
        page = client_for(reader).get(url)
        assert page.status_code == 200, reader.name
        assert f'name="level-{faglig.pk}" value="4" checked' in page.text
    assert client_for(org_a.colleague).get(url).status_code == 404
    assert client_for(org_b.hr).get(url).status_code == 404


def test_the_leaders_draft_is_read_by_the_leaders_only(org_a, org_b, wheel, round_a):
    leader_ev = evaluation_of(round_a, org_a.employee, "leader")
    url = reverse("evaluation_form", args=[leader_ev.pk])
    answer(client_for(org_a.leader), leader_ev, competence(wheel, "Faglig kompetence"), 5)
    assert client_for(org_a.leader).get(url).status_code == 200
    assert client_for(org_a.chef).get(url).status_code == 200  # a leader above may rate too
    for reader in (org_a.employee, org_a.hr, org_a.colleague, org_b.hr):
        assert client_for(reader).get(url).status_code == 404, reader.name


def test_reopening_takes_the_answers_back_off_what_others_read(org_a, wheel, round_a):
    employee = client_for(org_a.employee)
    self_ev = evaluation_of(round_a, org_a.employee)
    answer_every_row(employee, self_ev, wheel, 4)
    submit(employee, self_ev)
    with org_a.scope():
        levels = Assessment.objects.filter(round=round_a, person=org_a.employee)
        assert {(a.self_level, a.gap) for a in levels} == {(4, -1)}
    unit_version = _figures_version(org_a)
    reopen = reverse("evaluation_reopen", args=[self_ev.pk])
    assert client_for(org_a.leader).post(reopen).status_code == 302
    with org_a.scope():
        assert {(a.self_level, a.assessed, a.gap) for a in levels.all()} == {(None, None, None)}
    assert _figures_version(org_a) > unit_version
    url = reverse("evaluation_form", args=[self_ev.pk])
    assert client_for(org_a.leader).get(url).status_code == 404
    assert employee.get(url).status_code == 200


def _figures_version(org) -> int:
    org.team.refresh_from_db(fields=["figures_version"])
    return org.team.figures_version


def test_heatmap_and_dashboard_count_submitted_evaluations_only(org_a, org_b, wheel, round_a):
    """Kim has submitted, Eva has answered every row but not submitted: only Kim counts,
    until Eva submits — and the dashboard's stored figures follow at once."""
    faglig = competence(wheel, "Faglig kompetence")
    for person, level in ((org_a.colleague, 1), (org_a.employee, 1)):
        answer_every_row(client_for(person), evaluation_of(round_a, person), wheel, level)
    submit(client_for(org_a.colleague), evaluation_of(round_a, org_a.colleague))

    def team_cell():
        with org_a.scope():
            heat = selectors.heatmap(org_a.centre, round_a)
        return next(row for row in heat if row.unit == org_a.team).cells[faglig.pk]

    def rated():
        with org_a.scope():
            board = dashboards.unit_dashboard(org_a.root, round_a, dashboards.dashboard_period())
        return sum(cell.rated for cell in board.total.gaps)

    assert (team_cell().count, team_cell().below) == (1, 1)
    assert rated() == 5  # Kim's five rows; read once, so the figures are now stored
    heatmap_url = reverse("heatmap") + f"?enhed={org_a.centre.pk}&runde={round_a.pk}"
    assert SUBMITTED_ONLY in client_for(org_a.chef).get(heatmap_url).text
    dashboard_url = reverse("dashboard") + f"?enhed={org_a.root.pk}&runde={round_a.pk}"
    assert SUBMITTED_ONLY in client_for(org_a.hr).get(dashboard_url).text
    assert client_for(org_b.hr).get(heatmap_url).status_code == 404

    submit(client_for(org_a.employee), evaluation_of(round_a, org_a.employee))
    assert (team_cell().count, team_cell().below) == (2, 2)
    assert rated() == 10


def test_the_migration_takes_draft_levels_off_existing_assessment_rows(org_a, org_b, wheel):
    """Rows written by the autosave before this rule carried draft levels: the data
    migration clears them, recomputes assessed and gap, and marks the figures stale."""
    from types import SimpleNamespace

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    name = "0005_assessment_levels_from_submitted_only"
    migration = importlib.import_module(f"profiles.migrations.{name}")
    round_ = open_round(wheel, org_a.root, by=org_a.hr)
    faglig = competence(wheel, "Faglig kompetence")
    answer_every_row(client_for(org_a.colleague), evaluation_of(round_, org_a.colleague), wheel, 2)
    submit(client_for(org_a.colleague), evaluation_of(round_, org_a.colleague))
    with org_a.scope():
        # What the old autosave left: the employee's and the leader's drafts on the rows.
        Assessment.objects.filter(round=round_, person=org_a.employee).update(
            self_level=4, leader_level=5, assessed=5, gap=-2
        )
        Assessment.objects.filter(round=round_, person=org_a.colleague).update(leader_level=1)
    before = _figures_version(org_a)

    state = MigrationLoader(connection).project_state(("profiles", name))
    migration.drafts_leave_assessments(state.apps, SimpleNamespace(connection=connection))

    with org_a.scope():
        employee = Assessment.objects.get(round=round_, person=org_a.employee, competence=faglig)
        colleague = Assessment.objects.get(round=round_, person=org_a.colleague, competence=faglig)
    assert (employee.self_level, employee.leader_level, employee.assessed, employee.gap) == (
        None,
        None,
        None,
        None,
    )
    # Kim's submitted self level stays; the leader's draft goes.
    assert (colleague.self_level, colleague.leader_level, colleague.assessed, colleague.gap) == (
        2,
        None,
        2,
        1,
    )
    assert _figures_version(org_a) > before
