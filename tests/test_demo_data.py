"""`manage.py seed_demo`: two believable kommuner (organisation, frameworks and answers,
MUS and plans), every demo login working on its own kommune only, every page in each
login's menu rendering, and a second run that changes nothing."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Abs

from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person, Position
from mus.models import Conversation, PlanPdf, PlanVersion, Signature
from mus.selectors import previous_plan_for
from mus.signing import signature_is_valid
from profiles.models import (
    LEADER_ROLES,
    Assessment,
    Competence,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    Rating,
    Role,
)
from profiles.selectors import role_of

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    from catalogue.models import Certificate, FunctionHolder, TrainingRequirement

    counts = {}
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            counts[kommune.slug] = {
                "requirements": TrainingRequirement.objects.count(),
                "certificates": Certificate.objects.count(),
                "function_holders": FunctionHolder.objects.count(),
                "frameworks": Framework.objects.count(),
                "versions": FrameworkVersion.objects.count(),
                "competences": Competence.objects.count(),
                "rounds": EvaluationRound.objects.count(),
                "evaluations": Evaluation.objects.count(),
                "ratings": Rating.objects.count(),
                "assessments": Assessment.objects.count(),
                "units": OrgUnit.objects.count(),
                "people": Person.objects.count(),
                "committees": MEDCommittee.objects.count(),
                "conversations": Conversation.objects.count(),
                "plan_versions": PlanVersion.objects.count(),
                "signatures": Signature.objects.count(),
            }
    return counts


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeds once for the whole module (it takes a while) and rolls it all back after.
    Returns the counts after the first and after the second run."""
    # Published framework structures are cached by primary key, and primary keys come
    # back after a rollback: start and end with an empty cache.
    cache.clear()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=None)
        first = _counts()
        call_command("seed_demo", stdout=None)
        yield first, _counts()
        transaction.set_rollback(True)
    cache.clear()


def _login(username: str) -> Person:
    return Person.objects.get(user__username=username)


def _self_evaluation(person: Person) -> Evaluation:
    return Evaluation.objects.get(subject=person, kind=Evaluation.Kind.SELF)


def test_second_run_changes_nothing(seeded):
    first, second = seeded
    assert first == second
    for counts in first.values():
        assert counts["frameworks"] == 1
        assert counts["rounds"] == 1
        assert counts["ratings"] > 1000


def test_each_kommune_has_one_published_framework(seeded):
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            assert FrameworkVersion.objects.filter(status="published").count() == 1


def test_hvidovre_employee_answers_twelve_rows_of_their_role(seeded):
    with kommune_scope(Kommune.objects.get(slug="hvidovre")):
        evaluation = (
            Evaluation.objects.filter(
                kind=Evaluation.Kind.SELF, role=Role.MEDARBEJDER, status="submitted"
            )
            .select_related("subject")
            .first()
        )
        assert role_of(evaluation.subject) == Role.MEDARBEJDER
        assert evaluation.total == evaluation.answered == 12
        answered = Competence.objects.filter(
            pk__in=evaluation.ratings.filter(level__isnull=False).values("competence_id")
        )
        assert answered.count() == 12
        assert all(c.roles == ["medarbejder"] for c in answered)
        # 4 perspectives, 5 roles, 3 behaviours each, every one limited to one role.
        assert Competence.objects.count() == 60
        assert all(len(c.roles) == 1 for c in Competence.objects.all())
        assert all(len(c.name.split()) <= 8 for c in Competence.objects.all())


def test_fredericia_employee_answers_nine_rows_and_a_leader_nineteen(seeded):
    with kommune_scope(Kommune.objects.get(slug="fredericia")):
        employee, leader = _login("medarbejder"), _login("leder")
        assert role_of(employee) == Role.MEDARBEJDER
        assert _self_evaluation(employee).total == 9
        assert role_of(leader) in LEADER_ROLES
        assert _self_evaluation(leader).total == 19
        assert Competence.objects.filter(kind="leader").count() == 10
        for competence in Competence.objects.exclude(kind="leader"):
            assert competence.roles == []
            texts = [competence.short_description, competence.what, competence.why, competence.how]
            assert all(texts), competence.name


def test_answers_show_gaps_and_disagreement(seeded):
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            assessments = Assessment.objects.all()
            assert assessments.filter(gap__gt=0).exists()
            assert (
                assessments.filter(self_level__gt=0, leader_level__gt=0)
                .annotate(apart=Abs(F("self_level") - F("leader_level")))
                .filter(apart=2)
                .exists()
            )
            assert assessments.filter(self_level=0).exists()  # "ikke relevant for mig"


def test_demo_employee_has_begun_and_leader_team_is_rated(seeded):
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            employee = _login("medarbejder")
            own = _self_evaluation(employee)
            assert own.answered == 3
            assert not own.is_submitted
            rated = Evaluation.objects.get(subject=employee, kind=Evaluation.Kind.LEADER)
            assert rated.answered == 0

            team_unit = Position.objects.get(person=_login("leder"), is_leader=True).unit
            team = Position.objects.filter(unit=team_unit, is_leader=False).values("person_id")
            submitted = (
                Evaluation.objects.filter(subject__in=team, status="submitted")
                .values("subject_id")
                .annotate(n=Count("pk"))
            )
            # Self and leader evaluation both in, so comparison and heat-map have content.
            assert sum(1 for row in submitted if row["n"] == 2) >= 5


def test_every_page_in_each_demo_logins_navigation_renders(seeded):
    """Each demo login can open its home page and every page its menu links to."""
    from django.test import Client
    from django.urls import reverse

    from kompetence.context_processors import roles_of
    from kompetence.demo import ROLE_LOGINS
    from kompetence.infra.extensions import NAV_LINKS
    from kompetence.models import User

    checked = 0
    for kommune in Kommune.objects.all():
        for username, _role in ROLE_LOGINS:
            user = User.objects.get(kommune=kommune, username=username)
            client = Client(HTTP_HOST=f"{kommune.slug}.localhost")
            client.force_login(user)
            with kommune_scope(kommune):
                roles = roles_of(user.person)
            for url in ["/"] + [reverse(link.url_name) for link in NAV_LINKS if link.roles & roles]:
                response = client.get(url)
                assert response.status_code == 200, (kommune.slug, username, url)
                # The menu marks this page, and only this one, as the current place.
                nav = re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S)
                assert nav is not None
                assert re.findall(r'<a href="([^"]+)" aria-current="page">', nav.group(0)) == [
                    url
                ], (kommune.slug, username, url)
                checked += 1
    assert checked >= 30


def test_the_organisations_are_believable(seeded):
    first, _second = seeded
    assert set(first) == {"fredericia", "hvidovre"}
    for counts in first.values():
        assert counts["units"] >= 15
        assert 150 <= counts["people"] <= 400
        assert counts["committees"] >= 3
    with kommune_scope(Kommune.objects.get(slug="hvidovre")):
        assert set(MEDCommittee.objects.values_list("kind", flat=True)) == {
            "hoved",
            "center",
            "lokal",
        }
        assert OrgUnit.objects.filter(kind="center", name__startswith="Center for").count() >= 5


def test_every_demo_login_signs_in_on_its_own_kommune_only(seeded):
    from django.test import Client
    from django.urls import reverse

    from kompetence.demo import DEMO_PASSWORD, ROLE_LOGINS

    fredericia, hvidovre = (
        Kommune.objects.get(slug="fredericia"),
        Kommune.objects.get(slug="hvidovre"),
    )
    for kommune, other in ((fredericia, hvidovre), (hvidovre, fredericia)):
        for username, _role in ROLE_LOGINS:
            client = Client(HTTP_HOST=f"{kommune.slug}.localhost")
            response = client.post(
                reverse("login"), {"username": username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, (kommune.slug, username)
            assert client.get(reverse("home")).status_code == 200
            # The same session is worthless on the other kommune's host.
            assert (
                client.get(reverse("home"), HTTP_HOST=f"{other.slug}.localhost").status_code != 200
            )


def test_the_demo_team_has_mus_in_every_state_and_signed_plans_with_pdfs(seeded):
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            employee = _login("medarbejder")
            upcoming = Conversation.objects.get(employee=employee, status="scheduled")
            # Two held in the team, and the demo employee's MUS of last year.
            assert Conversation.objects.filter(status="held").count() == 3
            signatures = list(Signature.objects.select_related("version"))
            assert len(signatures) == 6
            assert all(signature_is_valid(s) for s in signatures)
            previous = previous_plan_for(upcoming)
            assert previous is not None and previous["check_in"] is not None
            assert [a.status for a, _note in previous["activities"]] == [
                "done",
                "in_progress",
                "cancelled",
            ]
            # Asked for; they are rendered when the seeding transaction commits.
            assert PlanPdf.objects.count() == 2


def test_the_demo_catalogue_has_courses_a_waiting_list_and_requests_for_the_leader(seeded):
    from catalogue.models import Course, Enrolment
    from catalogue.selectors import approvals_for

    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            assert Course.objects.filter(status="published").count() >= 10
            assert Course.objects.filter(status="draft", proposed_by__isnull=False).exists()
            assert Enrolment.objects.filter(status="waitlisted").count() == 1
            # three team members, the demo employee, and one asked for from a plan
            assert approvals_for(_login("leder")).count() == 5
            assert Enrolment.objects.filter(
                plan_activity__course__isnull=False, status="requested"
            ).exists()
            assert Enrolment.objects.filter(status="completed").exists()


def test_demo_course_sessions_fall_on_working_days(seeded):
    from django.utils import timezone

    from catalogue.models import CourseSession

    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            starts = list(
                CourseSession.objects.filter(starts_at__isnull=False).values_list(
                    "starts_at", flat=True
                )
            )
            assert len(starts) >= 10
            weekend = [s for s in starts if timezone.localtime(s).weekday() >= 5]
            assert weekend == [], (kommune.slug, weekend)


def test_the_demo_leader_has_upward_feedback_to_show_and_another_leader_too_little(seeded):
    from mus.upward import selectors as upward

    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            k, period = kommune.med_min_group_size, upward.current_period()
            leader, chef = _login("leder"), _login("chef")
            assert upward.leader_feedback(leader, period, k).any_shown
            table = upward.feedback_table(chef, period, k)
            shown = {row.leader.pk: row.any_shown for row in table.rows}
            assert shown[leader.pk] and False in shown.values()
            # The demo employee has a MUS with the leader this year only when it falls
            # in this year (seeded twelve days ahead); then it is offered.
            employee = _login("medarbejder")
            conversation = Conversation.objects.get(
                employee=employee, status=Conversation.Status.SCHEDULED
            )
            if upward.conversation_period(conversation) == period:
                assert leader in upward.pending_feedback(employee, period)


def test_the_demo_has_every_kind_of_conversation(seeded):
    from mus.models import ConversationGroup

    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            leader, chef = _login("leder"), _login("chef")
            group = ConversationGroup.objects.get(leader=leader)
            assert group.conversations.filter(kind="grus").count() == 3
            assert group.conversations.filter(individual_requested_at__isnull=False).count() == 1
            assert Conversation.objects.filter(kind="senior", leader=leader).count() == 1
            lus = Conversation.objects.get(kind="lus")
            assert (lus.employee, lus.leader) == (leader, chef)


def test_the_demo_leaders_team_has_mandatory_training_in_every_state(seeded):
    from catalogue.models import Course, TrainingRequirement
    from catalogue.training.selectors import State, statuses_for, statuses_of
    from kompetence.permissions import persons_led_by

    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            assert TrainingRequirement.objects.count() == 6
            assert (
                Course.objects.filter(status="published", requirements__isnull=False).count() == 3
            )
            leader = _login("leder")
            team = [leader.pk, *persons_led_by(leader).values_list("pk", flat=True)]
            states = {status.state for status in statuses_for(team)}
            assert states == set(State.ORDER), kommune.slug
            # The demo employee was just elected arbejdsmiljørepræsentant.
            own = {s.requirement.name: s.state for s in statuses_of(_login("medarbejder"))}
            assert own["Arbejdsmiljøuddannelse (lovpligtig)"] == State.DUE
            assert own["Informationssikkerhed"] == State.VALID
