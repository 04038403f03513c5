"""Dashboards: leaders see their subtree, HR the whole kommune, MED members their
committee's subtree in aggregates only, with no cell from fewer than k people; the
figures are right, and a page's query count does not grow with the number of people."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annualcycle.dashboards import selectors as dashboards
from annualcycle.models import Cycle
from catalogue import services as catalogue_services
from kompetence import services as org_services
from kompetence.models import MEDCommittee, MEDMembership, OrgUnit, Person
from mus import selectors as mus_selectors
from mus import services as mus_services
from mus.models import Conversation
from profiles import services as profile_services
from profiles.models import Competence, Evaluation, EvaluationRound, Role
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory
from tests.mus.factories import sign
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def add_people(org, unit: OrgUnit, count: int, *, leader: bool = False) -> list[Person]:
    people = []
    for index in range(count):
        person = PersonFactory(kommune=org.kommune)
        PositionFactory(person=person, unit=unit, is_leader=leader and index == 0)
        people.append(person)
    return people


def add_unit(org, name: str, parent: OrgUnit) -> OrgUnit:
    with org.scope():
        return org_services.unit_create(
            kommune=org.kommune, name=name, parent=parent, kind=OrgUnit.Kind.TEAM
        )


def committee_for(org, unit: OrgUnit, members: list[Person]) -> MEDCommittee:
    with org.scope():
        return org_services.med_committee_create(
            kommune=org.kommune,
            name="Center-MED Omsorg",
            kind=MEDCommittee.Kind.CENTER,
            unit=unit,
            members=[(m, MEDMembership.Role.MEMBER) for m in members],
        )


def answer_all(org, round_: EvaluationRound, subjects, kind: str) -> None:
    """Every row answered and the evaluation submitted, for `subjects`."""
    with org.scope():
        evaluations = list(Evaluation.objects.filter(round=round_, kind=kind, subject__in=subjects))
        competences = {c.pk: c for c in Competence.objects.filter(version=round_.version)}
        profile_services.ratings_bulk_set(
            round_=round_,
            answers=[
                (e, c, 1 + (e.subject_id + c.pk) % 4, "")
                for e in evaluations
                for c in competences.values()
                if c.applies_to(e.role)
            ],
            submit=True,
        )
        for evaluation in Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]):
            if evaluation.status != Evaluation.Status.SUBMITTED:
                profile_services.evaluation_submit(evaluation=evaluation, by=evaluation.subject)


@pytest.fixture
def wheel(org_a):
    return build_framework(org_a.kommune, by=org_a.hr)


@pytest.fixture
def period_cycle(org_a):
    """An årshjul around today, so the period holds this week's MUS and courses."""
    today = timezone.localdate()
    with org_a.scope():
        return Cycle.objects.create(
            kommune=org_a.kommune,
            name="Årshjul i år",
            starts_on=today - datetime.timedelta(days=180),
            ends_on=today + datetime.timedelta(days=180),
        )


# --- Figures on a small known case --------------------------------------------------------


@pytest.fixture
def east(org_a, wheel, period_cycle):
    """Team Øst under the centre: a leader and five employees; four self-evaluations
    and two leader evaluations submitted; one MUS held with a plan both signed, one of
    its three activities done; one course place at 2.500 kr."""
    team = add_unit(org_a, "Team Øst", org_a.centre)
    leader, *staff = add_people(org_a, team, 6, leader=True)
    round_ = open_round(wheel, org_a.root, by=org_a.hr)
    answer_all(org_a, round_, staff[:4], Evaluation.Kind.SELF)
    answer_all(org_a, round_, staff[:2], Evaluation.Kind.LEADER)
    with org_a.scope():
        conversation = mus_services.conversation_schedule(
            employee=staff[0],
            leader=leader,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=60,
            is_online=False,
            location="Mødelokale 1",
        )
        mus_services.conversation_mark_held(conversation=conversation)
        plan = mus_services.plan_get_or_create(conversation=conversation)
        version = mus_selectors.current_version(plan)
        mus_services.goal_add(version=version, revision=version.revision, text="Nye sagstyper")
        for title in ("Kursus", "Sidemandsoplæring", "Netværk"):
            version.refresh_from_db()
            mus_services.activity_add(
                version=version,
                revision=version.revision,
                kind="external",
                title=title,
                goal=None,
                deadline=None,
            )
        version.refresh_from_db()
        sign(version, staff[0], PASSWORD)
        sign(version, leader, PASSWORD)
        mus_services.activity_mark_done(
            activity=version.activities.order_by("pk").first(), done_on=timezone.localdate()
        )
    course = build_course(org_a.kommune, price="2500", requires_approval=False)
    session = build_session(course, days=10)
    with org_a.scope():
        catalogue_services.enrolment_request(session=session, person=staff[1])
    return team, round_, leader, staff


def test_figures_are_right_on_a_small_known_case(org_a, east):
    team, round_, _leader, _staff = east
    with org_a.scope():
        team.refresh_from_db()
        board = dashboards.unit_dashboard(team, round_, dashboards.dashboard_period())
    total = board.total
    assert total.people.value == 6
    assert (total.self_eval.value, total.self_eval.total) == (4, 6)
    assert (total.leader_eval.value, total.leader_eval.total) == (2, 6)
    assert (total.mus.value, total.mus.total) == (1, 6)
    assert (total.plans.value, total.plans.total) == (1, 6)
    assert (total.activities.value, total.activities.total) == (1, 3)
    assert (total.seats.value, total.completed.value, total.cost.value) == (1, 0, 2500)
    assert [row.kind for row in board.rows] == ["direct"]
    assert board.period.cycle is not None
    # Every answer is 1–4 and no one has a required level: no gaps to rank.
    assert board.top_gaps == []
    assert [g.group.name for g in total.gaps] == ["Udvikling", "Kultur", "Resultater"]

    page = client_for(org_a.hr).get(reverse("dashboard") + f"?enhed={team.pk}&runde={round_.pk}")
    assert page.status_code == 200
    assert "4 af 6" in page.text and "2 af 6" in page.text and "67 %" in page.text
    assert "2.500 kr." in page.text


def test_the_centre_has_a_row_per_child_unit_that_adds_up_to_the_total(org_a, east):
    _team, round_, _leader, _staff = east
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.centre, round_, dashboards.dashboard_period())
    labels = [(row.kind, row.label, row.people.value) for row in board.rows]
    assert labels == [
        ("direct", "Center for Omsorg", 1),
        ("child", "Team Nord", 3),
        ("child", "Team Syd", 1),
        ("child", "Team Øst", 6),
    ]
    assert board.total.people.value == 11
    assert sum(row.self_eval.value for row in board.rows) == board.total.self_eval.value == 4


def test_gaps_by_group_and_the_largest_gaps(org_a, wheel):
    with org_a.scope():
        keys = dict(Competence.objects.filter(version=wheel).values_list("name", "key"))
        profile_services.unit_profile_set(
            unit=org_a.root,
            framework=wheel.framework,
            levels={keys["Forandringskompetence"]: 5, keys["Faglig kompetence"]: 2},
        )
    round_ = open_round(wheel, org_a.root)
    with org_a.scope():
        people = list(Person.objects.filter(positions__unit=org_a.team))
    answer_all(org_a, round_, people, Evaluation.Kind.SELF)  # levels 1–4: all below 5
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.team, round_, dashboards.dashboard_period())
    by_group = {g.group.name: g for g in board.total.gaps}
    assert by_group["Udvikling"].share == 1.0 and by_group["Udvikling"].rated == 3
    assert by_group["Kultur"].rated == 0 and by_group["Kultur"].share is None
    assert board.top_gaps[0].competence.name == "Forandringskompetence"
    assert board.top_gaps[0].share == 1.0


# --- Who sees which dashboard --------------------------------------------------------------


def test_hr_sees_the_whole_kommune(org_a, wheel):
    open_round(wheel, org_a.root)
    page = client_for(org_a.hr).get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Overblik: Direktionen" in page.text
    for unit in ("Center for Omsorg", "Personale og Udvikling"):
        assert unit in page.text
    assert (
        client_for(org_a.hr)
        .get(reverse("dashboard") + f"?enhed={org_a.sibling_team.pk}")
        .status_code
        == 200
    )


def test_a_leader_sees_their_subtree_only(org_a, wheel):
    open_round(wheel, org_a.root)
    chef = client_for(org_a.chef)
    page = chef.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Overblik: Center for Omsorg" in page.text
    assert "Personale og Udvikling" not in page.text
    assert chef.get(reverse("dashboard") + f"?enhed={org_a.team.pk}").status_code == 200
    assert chef.get(reverse("dashboard") + f"?enhed={org_a.hr_unit.pk}").status_code == 404
    assert chef.get(reverse("dashboard") + f"?enhed={org_a.root.pk}").status_code == 404
    assert chef.get(reverse("dashboard") + "?enhed=x").status_code == 404
    leader = client_for(org_a.leader)
    assert "Overblik: Team Nord" in leader.get(reverse("dashboard")).text
    assert leader.get(reverse("dashboard") + f"?enhed={org_a.centre.pk}").status_code == 404


def test_a_leader_of_two_units_can_switch_between_them(org_a):
    PositionFactory(person=org_a.leader, unit=org_a.sibling_team, is_leader=True)
    client = client_for(org_a.leader)
    page = client.get(reverse("dashboard"))
    assert "Dine enheder" in page.text
    assert f'href="/overblik/?enhed={org_a.sibling_team.pk}"' in page.text
    sibling = client.get(reverse("dashboard") + f"?enhed={org_a.sibling_team.pk}")
    assert "Overblik: Team Syd" in sibling.text
    assert "Dine enheder" not in client_for(org_a.chef).get(reverse("dashboard")).text


def test_an_unknown_round_is_404(org_a, org_b, wheel):
    other = open_round(build_framework(org_b.kommune), org_b.root)
    client = client_for(org_a.hr)
    assert client.get(reverse("dashboard") + f"?runde={other.pk}").status_code == 404
    assert client.get(reverse("dashboard") + "?runde=abc").status_code == 404


def test_an_employee_without_a_role_gets_404(org_a):
    assert client_for(org_a.employee).get(reverse("dashboard")).status_code == 404


def test_a_med_member_is_routed_to_their_committees(org_a):
    committee = committee_for(org_a, org_a.centre, [org_a.colleague])
    client = client_for(org_a.colleague)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert reverse("med_dashboard", args=[committee.pk]) in page.text
    assert client.get(reverse("dashboard") + f"?enhed={org_a.team.pk}").status_code == 404


def test_a_leader_who_sits_on_a_committee_finds_it_on_their_dashboard(org_a):
    committee = committee_for(org_a, org_a.centre, [org_a.leader])
    page = client_for(org_a.leader).get(reverse("dashboard"))
    assert "Overblik: Team Nord" in page.text
    assert reverse("med_dashboard", args=[committee.pk]) in page.text


# --- The MED dashboard -------------------------------------------------------------------


@pytest.fixture
def med(org_a, wheel, period_cycle):
    """Center-MED for the centre, with the colleague as member. Team Nord grows to
    nine people (all self-evaluations in); Team Syd keeps its one person."""
    add_people(org_a, org_a.team, 6)
    round_ = open_round(wheel, org_a.root, by=org_a.hr)
    with org_a.scope():
        team_people = list(Person.objects.filter(positions__unit=org_a.team))
    answer_all(org_a, round_, team_people, Evaluation.Kind.SELF)
    committee = committee_for(org_a, org_a.centre, [org_a.colleague])
    return committee, round_


def test_the_med_dashboard_shows_aggregates_and_never_a_name(org_a, med):
    committee, _round = med
    page = client_for(org_a.colleague).get(reverse("med_dashboard", args=[committee.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Center-MED Omsorg: Center for Omsorg" in text
    assert "9 af 9" in text  # Team Nord's self-evaluations
    with org_a.scope():
        names = list(Person.objects.values_list("name", flat=True))
    # The signed-in member's own name is in the page header, nowhere else.
    assert text.count(org_a.colleague.name) == 1
    leaked = [name for name in names if name != org_a.colleague.name and name in text]
    assert leaked == []
    for prefix in ("/personer/", "/evaluering/", "/udviklingsplaner/", "/kompetencer/heatmap/"):
        assert f'href="{prefix}' not in text


def test_the_med_dashboard_hides_small_cells_and_what_would_reveal_them(org_a, med):
    committee, round_ = med
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.centre, round_, dashboards.dashboard_period(), k=5)
    rows = {row.label: row for row in board.rows}
    assert rows["Team Nord"].people.hidden == "" and rows["Team Nord"].people.value == 9
    assert rows["Team Syd"].people.hidden == dashboards.SMALL
    assert rows["Center for Omsorg"].people.hidden == dashboards.SMALL  # the chef alone
    # Team Nord's own page shows its figures, so the centre's total (11) is what must
    # go: 11 − 9 would give away the chef and Team Syd's one person.
    assert board.total.people.hidden == dashboards.COMPLEMENTARY
    assert board.total.self_eval.hidden == dashboards.COMPLEMENTARY
    # What may be shown of the hidden total: the sum of the shown rows (Team Nord).
    assert board.total.people.partial.value == 9
    assert (board.total.self_eval.partial.value, board.total.self_eval.partial.total) == (9, 9)
    assert rows["Team Syd"].people.partial is None
    # A small row shows nothing at all, not even that no one in it has plan activities.
    syd = rows["Team Syd"]
    assert syd.activities.total == 0 and syd.activities.hidden == dashboards.SMALL
    assert all(g.hidden == dashboards.SMALL for g in syd.gaps)
    page = client_for(org_a.colleague).get(reverse("med_dashboard", args=[committee.pk]))
    assert "færre end 5 personer" in page.text
    assert "skjult, så et andet skjult tal ikke kan regnes ud" in page.text
    assert "(uden skjulte tal)" in page.text


def test_a_hidden_centre_shows_its_shown_part_on_the_level_above(org_a, med):
    """On a Hoved-MED page the centre (hidden, so its chef cannot be worked out) shows
    the sum of what its own page shows: Team Nord's nine people."""
    _committee, round_ = med
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.root, round_, dashboards.dashboard_period(), k=5)
    centre = next(row for row in board.rows if row.label == "Center for Omsorg")
    assert centre.people.hidden == dashboards.COMPLEMENTARY
    assert centre.people.partial.value == 9
    assert centre.self_eval.partial.share == 1.0


def test_a_figure_built_from_few_people_in_a_large_row_is_hidden(org_a):
    """Hvidovre's matrix: a group only leaders answer is, in a team of nine, about one
    person (the team's leader), so it is hidden although the row is not."""
    matrix = build_framework(
        org_a.kommune,
        groups={"Faglighed": ["Faglig kompetence"], "Ledelse": ["Lederen afstemmer mål"]},
        roles={"Lederen afstemmer mål": [Role.LEDER_AF_MEDARBEJDERE]},
    )
    with org_a.scope():
        keys = dict(Competence.objects.filter(version=matrix).values_list("name", "key"))
        profile_services.unit_profile_set(
            unit=org_a.root, framework=matrix.framework, levels=dict.fromkeys(keys.values(), 5)
        )
    add_people(org_a, org_a.team, 6)
    round_ = open_round(matrix, org_a.root)
    with org_a.scope():
        people = list(Person.objects.filter(positions__unit=org_a.team))
    answer_all(org_a, round_, people, Evaluation.Kind.SELF)
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.centre, round_, dashboards.dashboard_period(), k=5)
    nord = next(row for row in board.rows if row.label == "Team Nord")
    faglighed, ledelse = nord.gaps
    assert (faglighed.hidden, faglighed.people) == ("", 9)
    assert (ledelse.hidden, ledelse.people) == (dashboards.SMALL, 1)
    # Without k (a leader's or HR's view) nothing is hidden.
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.centre, round_, dashboards.dashboard_period())
    nord = next(row for row in board.rows if row.label == "Team Nord")
    assert nord.gaps[1].share == 1.0


def test_k_is_the_kommunes_setting(org_a, med):
    committee, _round = med
    org_a.kommune.med_min_group_size = 10
    org_a.kommune.save(update_fields=["med_min_group_size"])
    page = client_for(org_a.colleague).get(reverse("med_dashboard", args=[committee.pk]))
    assert "færre end 10 personer" in page.text
    assert "9 af 9" not in page.text


def test_med_drill_down_stays_inside_the_committees_subtree(org_a, med):
    committee, _round = med
    client = client_for(org_a.colleague)
    url = reverse("med_dashboard", args=[committee.pk])
    page = client.get(url + f"?enhed={org_a.team.pk}")
    assert page.status_code == 200 and "Center-MED Omsorg: Team Nord" in page.text
    assert f'href="{url}?enhed={org_a.team.pk}' in client.get(url).text
    for outside in (org_a.hr_unit.pk, org_a.root.pk, "x"):
        assert client.get(url + f"?enhed={outside}").status_code == 404


def test_only_members_see_a_committees_dashboard(org_a, org_b, med):
    committee, _round = med
    url = reverse("med_dashboard", args=[committee.pk])
    for person in (org_a.chef, org_a.hr, org_a.leader, org_a.employee, org_a.director):
        assert client_for(person).get(url).status_code == 404, person
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404
    assert client_for(org_b.hr).get(url).status_code == 404
    assert client_for(None, org_a.kommune).get(url).status_code == 302  # to the login


# --- Query counts -----------------------------------------------------------------------------


def _queries_for(client, url) -> int:
    client.get(url)  # warm the framework cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(org, wheel, count: int, round_: EvaluationRound | None) -> EvaluationRound:
    """`count` more people over two teams, a new round with every self-evaluation in,
    and a held MUS for some."""
    add_people(org, org.team, count // 2)
    add_people(org, org.sibling_team, count - count // 2)
    if round_ is not None:
        with org.scope():
            profile_services.round_close(round_=round_)
    round_ = open_round(wheel, org.root)
    with org.scope():
        people = list(Person.objects.filter(positions__unit__in=[org.team, org.sibling_team]))
    answer_all(org, round_, people, Evaluation.Kind.SELF)
    with org.scope():
        for person in people[:3]:
            Conversation.objects.create(
                kommune=org.kommune,
                employee=person,
                leader=org.leader,
                starts_at=timezone.now(),
                location="Kontoret",
                status=Conversation.Status.HELD,
                held_at=timezone.now(),
            )
    return round_


def test_query_counts_are_the_same_for_10_and_500_people(org_a, wheel, period_cycle):
    committee = committee_for(org_a, org_a.root, [org_a.colleague])
    hr, member = client_for(org_a.hr), client_for(org_a.colleague)

    def urls(round_):
        return (
            reverse("dashboard") + f"?runde={round_.pk}",
            reverse("dashboard") + f"?enhed={org_a.centre.pk}&runde={round_.pk}",
            reverse("med_dashboard", args=[committee.pk]) + f"?runde={round_.pk}",
        )

    round_ = _grow(org_a, wheel, 10, None)
    small = [_queries_for(c, u) for c, u in zip((hr, hr, member), urls(round_), strict=True)]
    round_ = _grow(org_a, wheel, 490, round_)
    large = [_queries_for(c, u) for c, u in zip((hr, hr, member), urls(round_), strict=True)]
    assert large == small
    assert max(small) <= 30
    page = member.get(urls(round_)[2])
    assert "Center for Omsorg" in page.text


# --- Charts and the largest gaps, as read --------------------------------------------------


def _chart(html: str, caption_id: str) -> str:
    """The text of the SVG chart labelled by `caption_id`, tags left out."""
    found = re.search(rf'<svg[^>]*aria-labelledby="{caption_id}">(.*?)</svg>', html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_long_unit_name_is_shown_whole_in_the_chart(org_a, wheel):
    long_name = "Center for Børn og Familie (dagtilbud og sundhed)"
    unit = add_unit(org_a, long_name, org_a.centre)
    add_people(org_a, unit, 5)
    open_round(wheel, org_a.root, by=org_a.hr)
    page = client_for(org_a.hr).get(reverse("dashboard") + f"?enhed={org_a.centre.pk}")
    chart = _chart(page.text, "completion-caption")
    assert long_name in chart
    assert "…" not in chart


def _gaps_case(org, wheel, required: int):
    """Center-MED for the centre; Team Nord grows to nine people, all self-evaluations
    in (levels 1–4), with Forandringskompetence required at `required`."""
    with org.scope():
        key = Competence.objects.get(version=wheel, name="Forandringskompetence").key
        profile_services.unit_profile_set(
            unit=org.root, framework=wheel.framework, levels={key: required}
        )
    add_people(org, org.team, 6)
    round_ = open_round(wheel, org.root, by=org.hr)
    with org.scope():
        team_people = list(Person.objects.filter(positions__unit=org.team))
    answer_all(org, round_, team_people, Evaluation.Kind.SELF)
    return committee_for(org, org.centre, [org.colleague]), round_


def test_the_largest_gaps_sentence_agrees_with_the_group_table(org_a, wheel):
    """The MED page shows the share below the required level per group (the shown part
    of a hidden total) while each competence's figure is hidden: the sentence under
    "Største gab" says that some are below, not that none is."""
    committee, round_ = _gaps_case(org_a, wheel, required=5)
    with org_a.scope():
        board = dashboards.unit_dashboard(org_a.centre, round_, dashboards.dashboard_period(), k=5)
    udvikling = next(g for g in board.total.gaps if g.group.name == "Udvikling")
    assert udvikling.hidden and udvikling.partial.below > 0  # shown: "… % (uden skjulte tal)"
    assert board.top_gaps == []
    rated, below = board.shown_gap_figures
    assert rated > 0 and below == udvikling.partial.below
    page = client_for(org_a.colleague).get(reverse("med_dashboard", args=[committee.pk]))
    assert "Nogle vurderinger ligger under det krævede niveau" in page.text
    assert "Ingen vurderinger ligger under" not in page.text
    assert "Ingen kompetencer ligger under" not in page.text
    # HR sees the same round's largest gaps by competence, named as the table's columns.
    page = client_for(org_a.hr).get(reverse("dashboard") + f"?enhed={org_a.centre.pk}")
    assert "De kompetencer, hvor flest vurderinger ligger under det krævede niveau" in page.text
    assert "Andel under krav" in page.text
    assert "Gennemsnitlig afstand til krav (trin)" in page.text


def test_the_largest_gaps_sentence_when_everyone_meets_the_requirement(org_a, wheel):
    _committee, _round = _gaps_case(org_a, wheel, required=1)
    page = client_for(org_a.hr).get(reverse("dashboard") + f"?enhed={org_a.centre.pk}")
    assert "Ingen vurderinger ligger under det krævede niveau." in page.text
    assert "Nogle vurderinger ligger under" not in page.text
