"""Demo upward feedback for this year: k of the demo leader's ("leder") team have
answered, so the leader, the chef and HR see aggregates; the leader of another team
under the same chef has fewer than k answers, so their figures show as suppressed. The
demo employee ("medarbejder") has not answered and is offered it. Found again by
leader and year, so a second run changes nothing."""

from __future__ import annotations

import random

from kompetence.demo import DemoOrg
from kompetence.models import Person, Position
from kompetence.permissions import persons_led_by
from mus.models import UpwardSubmission
from mus.upward import selectors, services

# Each answer leans a little to the positive side, as such answers do.
WEIGHTS = (1, 2, 4, 6, 4)


def _answer(org: DemoOrg, leader: Person, respondents: list[Person], rng: random.Random) -> None:
    period = selectors.current_period()
    if UpwardSubmission.objects.filter(leader=leader, period=period).exists():
        return
    questions = services.upward_questions(kommune=org.kommune)
    for respondent in respondents:
        UpwardSubmission.objects.create(
            kommune=org.kommune, respondent=respondent, leader=leader, period=period
        )
        answers = {q.pk: rng.choices((1, 2, 3, 4, 5), weights=WEIGHTS)[0] for q in questions}
        services.upward_answers_count(
            kommune=org.kommune, leader=leader, period=period, answers=answers
        )


def seed(org: DemoOrg) -> None:
    rng = random.Random("kompetence-demo-upward")
    k = org.kommune.med_min_group_size
    leader, chef = org.logins["leder"], org.logins["chef"]
    employee = org.logins["medarbejder"]
    team = [p for p in persons_led_by(leader).order_by("employee_number") if p.pk != employee.pk]
    _answer(org, leader, team[:k], rng)
    # The ids first: seeded in one transaction, the tables have no statistics yet, and
    # PostgreSQL planned the nested subquery as a scan taking over a minute.
    led_by_chef = list(persons_led_by(chef).values_list("pk", flat=True))
    other = (
        Position.objects.active()
        .filter(person_id__in=led_by_chef, is_leader=True)
        .exclude(person=leader)
        .select_related("person")
        .order_by("person__employee_number")
        .first()
    )
    if other is not None:
        staff = persons_led_by(other.person).order_by("employee_number")
        _answer(org, other.person, list(staff[: min(2, k - 1)]), rng)
