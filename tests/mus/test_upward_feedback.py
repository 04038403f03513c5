"""Upward feedback on the leader: an employee answers once; the leader, their leader and
HR see only aggregates of at least k answers, which move only in steps of k, so no
page, no export and no comparison of pages before and after an answer gives one
person's answer away."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kompetence import personal_data
from kompetence.models import AuditEntry
from mus.models import Conversation, UpwardAnswerCount, UpwardQuestion, UpwardSubmission
from mus.upward import personal_data as upward_personal_data
from mus.upward import selectors, services
from mus.upward.rules import Figure, hidden_rows, released_statements
from tests.conftest import client_for
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

K = 3


# --- The rules, without a database ------------------------------------------------------------


def test_a_statement_is_released_when_k_answers_have_come_since_its_last_copy():
    assert released_statements({"a": (3, 0)}, K) == {"a"}
    assert released_statements({"a": (2, 0)}, K) == set()
    # After a copy of 3, a 4th and a 5th answer are not released; the 6th releases all 3.
    assert released_statements({"a": (4, 3), "b": (5, 3)}, K) == set()
    assert released_statements({"a": (6, 3), "b": (4, 0)}, K) == {"a", "b"}


def test_a_page_above_the_leaders_hides_every_row_below_k_and_no_other():
    assert hidden_rows([("x", 3), ("y", 2), ("z", 0), ("w", 7)], K) == {"y"}


def test_a_figure_adds_up_and_averages_its_counts():
    figure = Figure.sum([Figure({4: 2, 5: 1}), Figure({2: 1})])
    assert figure.n == 4
    assert figure.average == (4 * 2 + 5 + 2) / 4
    assert [count for _v, _l, count, _p in figure.distribution()] == [0, 1, 0, 2, 1]


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def org(org_a):
    org_a.kommune.med_min_group_size = K
    org_a.kommune.save(update_fields=["med_min_group_size"])
    return org_a


def _member(org, unit, name):
    person = PersonFactory(kommune=org.kommune, name=name)
    PositionFactory(person=person, unit=unit, job_title="Socialrådgiver")
    return person


def _mus(org, employee, leader, **kwargs) -> Conversation:
    with org.scope():
        return Conversation.objects.create(
            kommune=org.kommune,
            employee=employee,
            leader=leader,
            starts_at=timezone.now(),
            location="Mødelokale 1",
            **kwargs,
        )


@pytest.fixture
def team(org):
    """Six people in the leader's team, each with a MUS with the leader this year."""
    people = [org.employee, org.colleague] + [
        _member(org, org.team, f"Medarbejder {n}") for n in range(3, 7)
    ]
    for person in people:
        _mus(org, person, org.leader)
    return people


def _questions(org) -> list[UpwardQuestion]:
    with org.scope():
        return services.upward_questions(kommune=org.kommune)


def _answer(org, person, leader, value: int) -> None:
    with org.scope():
        answers = {q.pk: value for q in services.upward_questions(kommune=org.kommune)}
        services.upward_feedback_submit(respondent=person, leader=leader, answers=answers)


def _form(org, value: int) -> dict[str, str]:
    return {f"q{q.pk}": str(value) for q in _questions(org)}


def _main(response) -> str:
    """The page's main content, without the per-request CSRF token."""
    text = response.content.decode()
    main = text[text.index('<main id="main"') : text.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def _pages(org) -> dict[str, str]:
    """Every page that shows the team leader's feedback, as the leader, their chef,
    the director above and HR see it."""
    leader_page = reverse("upward_leader", args=[org.leader.pk])
    results = reverse("upward_results")
    pages = {}
    for name, viewer in (
        ("leader", org.leader),
        ("chef", org.chef),
        ("director", org.director),
        ("hr", org.hr),
    ):
        client = client_for(viewer)
        pages[f"{name} results"] = _main(client.get(results))
        pages[f"{name} leader page"] = _main(client.get(leader_page))
    return pages


# --- Answering ----------------------------------------------------------------------------------


def test_an_employee_answers_once_and_is_told_first_that_it_cannot_be_changed(org, team):
    client = client_for(org.employee)
    url = reverse("upward_answer", args=[org.leader.pk])
    page = client.get(url).content.decode()
    assert "Du kan ikke ændre dine svar, når du har sendt dem." in page
    assert f"mindst {K} har svaret" in page
    assert "Min leder giver mig en tydelig retning for mit arbejde." in page

    response = client.post(url, _form(org, 4), follow=True)
    assert "Tak. Din feedback er modtaget." in response.content.decode()
    again = client.post(url, _form(org, 1), follow=True)
    assert "Din feedback er modtaget" not in again.content.decode()
    assert "Du har allerede givet feedback til Lise Leder i år." in client.get(url).content.decode()
    with org.scope():
        assert UpwardSubmission.objects.filter(respondent=org.employee).count() == 1
        counts = UpwardAnswerCount.objects.filter(leader=org.leader)
        assert sum(c.count for c in counts) == len(_questions(org))
        assert not counts.filter(value=1, count__gt=0).exists()
        with pytest.raises(services.AlreadyAnswered):
            _answer(org, org.employee, org.leader, 2)


def test_an_unanswered_statement_is_named_and_nothing_is_counted(org, team):
    client = client_for(org.employee)
    form = _form(org, 4)
    first = _questions(org)[0]
    del form[f"q{first.pk}"]
    response = client.post(reverse("upward_answer", args=[org.leader.pk]), form)
    page = response.content.decode()
    assert "Formularen er ikke gemt" in page
    assert f"Vælg et svar på udsagn 1: »{first.text}«." in page
    assert "Tak" not in page
    with org.scope():
        assert not UpwardSubmission.objects.exists()
        assert not UpwardAnswerCount.objects.filter(count__gt=0).exists()


def test_only_a_leader_one_has_a_conversation_with_this_year_can_be_answered_about(org, team):
    client = client_for(org.other_employee)  # no MUS with the team leader
    assert client.get(reverse("upward_answer", args=[org.leader.pk])).status_code == 404
    cancelled = _member(org, org.team, "Aflyst Person")
    _mus(org, cancelled, org.leader, status=Conversation.Status.CANCELLED)
    url = reverse("upward_answer", args=[org.leader.pk])
    assert client_for(cancelled).get(url).status_code == 404
    assert client_for(cancelled).post(url, _form(org, 3)).status_code == 404


def test_another_kommunes_person_gets_404_everywhere(org, org_b, team):
    _answer(org, org.employee, org.leader, 4)
    outsider = client_for(org_b.hr, org.kommune)
    question = _questions(org)[0]
    for url in (
        reverse("upward_answer", args=[org.leader.pk]),
        reverse("upward_leader", args=[org.leader.pk]),
        reverse("upward_results"),
        reverse("upward_questions"),
        reverse("upward_question_edit", args=[question.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
    # Their own kommune's HR page knows nothing of kommune A's statements.
    beta = client_for(org_b.hr)
    assert beta.get(reverse("upward_question_edit", args=[question.pk])).status_code == 404
    assert beta.get(reverse("upward_leader", args=[org.leader.pk])).status_code == 404


def test_the_home_page_and_the_preparation_offer_the_feedback_until_it_is_given(org, team):
    client = client_for(org.employee)
    with org.scope():
        conversation = Conversation.objects.get(employee=org.employee)
    link = reverse("upward_answer", args=[org.leader.pk])
    assert link in client.get("/").content.decode()
    assert link in client.get(reverse("preparation", args=[conversation.pk])).content.decode()
    # The leader's own preparation offers nothing.
    leader_prep = client_for(org.leader).get(reverse("preparation", args=[conversation.pk]))
    assert link not in leader_prep.content.decode()
    _answer(org, org.employee, org.leader, 4)
    assert link not in client.get("/").content.decode()
    assert link not in client.get(reverse("preparation", args=[conversation.pk])).content.decode()


# --- What the pages show -----------------------------------------------------------------------


def test_below_k_answers_no_page_shows_any_figure(org, team):
    for person in team[: K - 1]:
        _answer(org, person, org.leader, 5)
    page = client_for(org.leader).get(reverse("upward_results")).content.decode()
    assert f"For få svar til at vise (mindst {K})." in page
    assert "Gennemsnit" not in page and "Bygger på" not in page
    for name, html in _pages(org).items():
        assert not re.search(r"Gennemsnit \d|\d,\d|Bygger på", html), name
        assert "Helt enig" not in html, name  # no count per value either
        assert "(2)" not in html, name  # nor how many have answered


def test_at_k_answers_the_aggregates_are_shown_to_the_leader_their_leaders_and_hr(org, team):
    for person, value in zip(team[:K], (5, 4, 3), strict=True):
        _answer(org, person, org.leader, value)
    pages = _pages(org)
    own = pages["leader results"]
    assert "Gennemsnit 4,0 af 5 (3 svar)" in own
    assert "Bygger på 3 svar." in own
    for name in ("chef results", "director results", "hr results"):
        assert "Lise Leder" in pages[name] and "4,0" in pages[name], name
    for name in ("chef leader page", "hr leader page"):
        assert "Gennemsnit 4,0 af 5 (3 svar)" in pages[name], name
    # An employee never sees their leader's figures, not even their own part.
    assert (
        client_for(org.colleague).get(reverse("upward_leader", args=[org.leader.pk])).status_code
        == 404
    )


def test_one_more_answer_changes_no_page_until_k_more_have_come(org, team):
    """With k = 3 and 3 answers shown, a 4th answer leaves every page exactly as it
    was, so no one can tell what the 4th answered; the 6th adds three at once."""
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    before = _pages(org)
    _answer(org, team[K], org.leader, 1)
    assert _pages(org) == before
    _answer(org, team[K + 1], org.leader, 5)
    assert _pages(org) == before
    _answer(org, team[K + 2], org.leader, 3)
    after = _pages(org)["leader results"]
    assert after != before["leader results"]
    assert "Bygger på 6 svar." in after


def test_the_total_adds_only_the_rows_shown_so_nothing_can_be_subtracted(org, team):
    """Leader A has 3 answers (shown), leader B 2 (hidden). The chef's total is A's
    figure, not A + B: "total − A" would be B's two answers."""
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    other_leader = PersonFactory(kommune=org.kommune, name="Bo Anden Leder")
    PositionFactory(person=other_leader, unit=org.sibling_team, job_title="Leder", is_leader=True)
    for person in (org.other_employee, _member(org, org.sibling_team, "Syd To")):
        _mus(org, person, other_leader)
        _answer(org, person, other_leader, 1)
    with org.scope():
        table = selectors.feedback_table(org.chef, selectors.current_period(), K)
    rows = {row.leader.name: row for row in table.rows}
    assert rows["Lise Leder"].any_shown and not rows["Bo Anden Leder"].any_shown
    assert all(cell.figure.n == K and cell.figure.average == 4 for cell in table.total)
    page = client_for(org.chef).get(reverse("upward_results")).content.decode()
    assert "Bo Anden Leder" in page and "skjult: færre end 3 svar" in page
    assert "1,0" not in page and "3,4" not in page  # neither B's figure nor A + B
    other_page = client_for(org.chef).get(reverse("upward_leader", args=[other_leader.pk]))
    assert "For få svar til at vise (mindst 3)." in other_page.content.decode()


def test_a_leader_sees_no_other_leaders_figures_and_no_one_sees_who_answered(org, team):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    other_leader = PersonFactory(kommune=org.kommune, name="Bo Anden Leder")
    PositionFactory(person=other_leader, unit=org.sibling_team, job_title="Leder", is_leader=True)
    client = client_for(org.leader)
    assert client.get(reverse("upward_leader", args=[other_leader.pk])).status_code == 404
    assert client.get(reverse("upward_leader", args=[org.chef.pk])).status_code == 404
    for name, html in _pages(org).items():
        for person in team[:K]:
            assert person.name not in html, (name, person.name)


def test_raising_k_hides_figures_a_lower_k_had_let_through(org, team):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    org.kommune.med_min_group_size = 5
    org.kommune.save(update_fields=["med_min_group_size"])
    page = client_for(org.leader).get(reverse("upward_results")).content.decode()
    assert "For få svar til at vise (mindst 5)." in page and "Gennemsnit" not in page


def test_a_statement_made_inactive_keeps_its_figures_and_a_new_one_starts_its_own_count(org, team):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    questions = _questions(org)
    with org.scope():
        services.upward_question_save(
            kommune=org.kommune, question=questions[0], text=questions[0].text, is_active=False
        )
        new = services.upward_question_save(
            kommune=org.kommune,
            question=None,
            text="Min leder er god til at lytte.",
            is_active=True,
        )
    _answer(org, team[K], org.leader, 2)
    with org.scope():
        feedback = selectors.leader_feedback(org.leader, selectors.current_period(), K)
    by_question = {s.question.pk: s for s in feedback.statements}
    assert by_question[questions[0].pk].shown and by_question[questions[0].pk].figure.n == K
    assert not by_question[new.pk].shown and by_question[new.pk].figure.n == 0


def test_the_results_page_costs_the_same_queries_for_more_leaders(
    org, team, django_assert_max_num_queries
):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    client = client_for(org.hr)
    client.get(reverse("upward_results"))  # warm the per-session caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("upward_results"))
    for n in range(4):
        leader = PersonFactory(kommune=org.kommune, name=f"Ekstra Leder {n}")
        PositionFactory(person=leader, unit=org.sibling_team, job_title="Leder", is_leader=True)
        for m in range(K):
            person = _member(org, org.sibling_team, f"Syd {n}-{m}")
            _mus(org, person, leader)
            _answer(org, person, leader, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("upward_results"))
    assert "Ekstra Leder 3" in response.content.decode()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("upward_leader", args=[org.leader.pk]))


# --- Storage: nothing links an answer to its respondent -----------------------------------------


def test_the_counters_hold_no_respondent_no_time_and_ids_that_say_nothing(org, team):
    fields = {f.name for f in UpwardAnswerCount._meta.get_fields()}
    assert fields == {
        "id",
        "kommune",
        "leader",
        "period",
        "question",
        "value",
        "count",
        "published",
    }
    marker_fields = {f.name for f in UpwardSubmission._meta.get_fields()}
    assert marker_fields == {"id", "kommune", "respondent", "leader", "period"}
    _answer(org, team[0], org.leader, 2)
    with org.scope():
        rows = list(UpwardAnswerCount.objects.filter(leader=org.leader).order_by("pk"))
    # All five values of every statement, created in a fixed order whatever was chosen.
    assert [(r.question_id, r.value) for r in rows] == sorted(
        (r.question_id, r.value) for r in rows
    )
    assert len(rows) == 5 * len(_questions(org))
    with org.scope():
        entry = AuditEntry.objects.get(object_type="mus.UpwardSubmission")
    assert entry.actor == team[0] and entry.subject == team[0]
    assert "2" not in entry.summary


@pytest.mark.postgres
def test_one_submission_rewrites_every_counter_row_of_the_leader(org, team):
    """In PostgreSQL a row's xmin is the transaction that last wrote it, and the
    submission's transaction is known (it wrote the marker): every counter row of the
    leader carries that one xmin after it, so xmin does not tell which counters the
    submission raised."""
    _answer(org, team[0], org.leader, 4)
    _answer(org, team[1], org.leader, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM mus_upwardanswercount WHERE leader_id = %s",
            [org.leader.pk],
        )
        versions = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM mus_upwardanswercount WHERE leader_id = %s", [org.leader.pk]
        )
        (rows,) = cursor.fetchone()
    assert len(versions) == 1
    assert rows == 5 * len(_questions(org))


# --- Personal data ------------------------------------------------------------------------------


def _export(person) -> dict:
    """The person's feedback part of their data export (inside the kommune's scope)."""
    (section,) = [
        section
        for section in personal_data.sections()
        if section.files is upward_personal_data.personal_data_files
    ]
    return json.loads(section.files(person)["ledelsesfeedback.json"])


def test_the_export_says_whom_one_answered_about_never_what(org, team):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    with org.scope():
        mine = _export(team[0])
        leaders = _export(org.leader)
    assert mine["feedback_i_have_given"][0]["leader"]["name"] == "Lise Leder"
    assert mine["feedback_i_have_given"][0]["year"] == selectors.current_period()
    # Whom and when, and a sentence saying the answers are not kept with the name: no
    # field holds a value given (a digit search would also hit the person number).
    (given,) = mine["feedback_i_have_given"]
    assert set(given) == {"leader", "year", "answers"}
    assert not any(character.isdigit() for character in given["answers"])
    assert mine["feedback_on_my_leadership"] == []
    # The leader's export holds what their page shows, the released figures.
    assert {row["answers"] for row in leaders["feedback_on_my_leadership"]} == {K}


def test_a_leaver_keeps_no_marker_and_a_leaving_leader_takes_their_feedback(org, team):
    for person in team[:K]:
        _answer(org, person, org.leader, 4)
    with org.scope():
        upward_personal_data.erase(team[0])
        assert not UpwardSubmission.objects.filter(respondent=team[0]).exists()
        assert UpwardAnswerCount.objects.filter(leader=org.leader, count__gt=0).exists()
        upward_personal_data.erase(org.leader)
        assert not UpwardAnswerCount.objects.filter(leader=org.leader).exists()
        assert not UpwardSubmission.objects.filter(leader=org.leader).exists()


# --- HR edits the statements --------------------------------------------------------------------


def test_hr_adds_and_edits_statements_and_others_get_404(org):
    client = client_for(org.hr)
    url = reverse("upward_questions")
    page = client.get(url).content.decode()
    assert "Min leder støtter min faglige udvikling." in page
    response = client.post(
        url, {"text": "Min leder holder, hvad han eller hun lover.", "is_active": "on"}, follow=True
    )
    assert "Udsagnet er tilføjet." in response.content.decode()
    with org.scope():
        question = UpwardQuestion.objects.get(text__startswith="Min leder holder")
    edit = reverse("upward_question_edit", args=[question.pk])
    response = client.post(edit, {"text": "Min leder holder det, der er aftalt."}, follow=True)
    assert "Udsagnet er gemt." in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Min leder holder det, der er aftalt." and not question.is_active
    blank = client.post(edit, {"text": "  ", "is_active": "on"}).content.decode()
    assert "Formularen er ikke gemt" in blank
    for person in (org.leader, org.employee, org.chef):
        assert client_for(person).get(url).status_code == 404
        assert client_for(person).get(edit).status_code == 404
