"""An employee answers the upward questionnaire about their leader in a real browser,
and the leader sees only aggregates, and nothing while fewer than k have answered."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetence.infra.tenancy import kommune_scope
from mus.models import Conversation
from mus.upward import services
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PersonFactory, PositionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K = 3

# Set UPWARD_SCREENSHOTS=<folder> to keep a picture of the pages for review.
SCREENSHOTS = os.environ.get("UPWARD_SCREENSHOTS", "")


def _snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _mus(org, employee) -> None:
    Conversation.objects.create(
        kommune=org.kommune,
        employee=employee,
        leader=org.leader,
        starts_at=timezone.now(),
        location="Mødelokale 1",
    )


def test_an_employee_answers_and_the_leader_sees_only_aggregates_from_k_answers(
    browser, page, url_of, org_a
):
    org_a.kommune.med_min_group_size = K
    org_a.kommune.save(update_fields=["med_min_group_size"])
    third = PersonFactory(kommune=org_a.kommune, name="Tredje Kollega")
    PositionFactory(person=third, unit=org_a.team, job_title="Socialrådgiver")
    with kommune_scope(org_a.kommune):
        questions = services.upward_questions(kommune=org_a.kommune)
        for person in (org_a.employee, org_a.colleague, third):
            _mus(org_a, person)
        # k − 1 colleagues have answered already, both "helt enig".
        for person in (org_a.colleague, third):
            services.upward_feedback_submit(
                respondent=person, leader=org_a.leader, answers={q.pk: 5 for q in questions}
            )

    # With k − 1 answers the leader sees that there are too few to show.
    leader = page
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    leader.get_by_role("link", name="MUS", exact=True).click()
    leader.get_by_role("link", name="Feedback på ledelse").click()
    own = leader.get_by_role("region", name=re.compile("Feedback på din ledelse"))
    expect(own).to_contain_text(f"For få svar til at vise (mindst {K}).")
    expect(own).not_to_contain_text("Gennemsnit")
    _snap(leader, "1-leader-below-k")
    assert_accessible(leader)

    # The employee is offered the questionnaire on the home page and answers it.
    employee_context = browser.new_context(locale="da-DK")
    employee = employee_context.new_page()
    log_in(employee, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    offer = employee.get_by_role("region", name="Giv din leder feedback")
    offer.get_by_role("link", name=f"Giv {org_a.leader.name} feedback").click()
    expect(employee.get_by_role("heading", name="Sådan er du anonym")).to_be_visible()
    expect(
        employee.get_by_text("Du kan ikke ændre dine svar, når du har sendt dem.")
    ).to_be_visible()
    _snap(employee, "2-questionnaire")
    assert_accessible(employee)
    # Sending with one statement unanswered names it and stores nothing.
    for question in questions[1:]:
        group = employee.get_by_role("group", name=re.compile(re.escape(question.text)))
        group.get_by_label("1 – Helt uenig").check()
    employee.get_by_role("button", name="Send feedback").click()
    expect(employee.get_by_role("alert")).to_contain_text("Formularen er ikke gemt.")
    expect(employee.locator("main")).to_contain_text(
        f"Vælg et svar på udsagn 1: »{questions[0].text}«."
    )
    assert_accessible(employee)
    for question in questions:
        group = employee.get_by_role("group", name=re.compile(re.escape(question.text)))
        group.get_by_label("1 – Helt uenig").check()
    employee.get_by_role("button", name="Send feedback").click()
    expect(employee.get_by_text("Tak. Din feedback er modtaget.")).to_be_visible()
    # The employee's own page shows no figures, not even their own answers.
    expect(employee.locator("main")).not_to_contain_text("Helt uenig")
    expect(employee.get_by_role("link", name=f"Giv {org_a.leader.name} feedback")).to_have_count(0)
    assert_accessible(employee)
    employee_context.close()

    # With k answers the leader sees the aggregates, and nothing about who said what.
    leader.reload()
    own = leader.get_by_role("region", name=re.compile("Feedback på din ledelse"))
    expect(own).to_contain_text(f"Bygger på {K} svar.")
    first = own.get_by_role("region", name=questions[0].text)
    expect(first).to_contain_text(f"Gennemsnit 3,7 af 5 ({K} svar)")
    expect(first.get_by_role("row", name=re.compile("1 – Helt uenig"))).to_contain_text("1")
    main = leader.locator("main")
    for person in (org_a.employee, org_a.colleague, third):
        expect(main).not_to_contain_text(person.name)
    _snap(leader, "3-leader-aggregates")
    assert_accessible(leader)
