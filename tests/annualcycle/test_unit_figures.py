"""The dashboards' pre-aggregated figures (UnitFigures) are kept correct on every write:
after each kind of change a person's figures can undergo, the figures the dashboard
reads equal the figures computed afresh from the source tables."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from annualcycle.dashboards import selectors as dashboards
from annualcycle.models import UnitFigures
from catalogue import services as catalogue_services
from catalogue.models import Enrolment
from kompetence import services as org_services
from kompetence.infra import imports
from kompetence.models import OrgUnit, Person, Position
from kompetence.org_import import organisation_importer
from mus import selectors as mus_selectors
from mus import services as mus_services
from mus.models import Conversation, PlanActivity
from profiles import services as profile_services
from profiles.models import Competence, Evaluation, JobProfile
from tests.annualcycle.test_dashboards import (  # noqa: F401  # noqa: F401
    PASSWORD,
    add_people,
    add_unit,
    east,
    period_cycle,
    wheel,
)
from tests.catalogue.factories import build_course, build_session

pytestmark = pytest.mark.django_db


def read(org, round_) -> dict:
    """What the dashboard reads for the whole kommune (through the stored figures)."""
    units = OrgUnit.objects.filter(path__startswith=org.root.path)
    period = dashboards.dashboard_period()
    stored = dashboards.figures_by_unit(
        org.root, round_, period, {u.pk: u.figures_version for u in units}
    )
    competences = {
        (unit_id, competence_id): (rated, below, gap_sum)
        for unit_id, competence_id, rated, below, gap_sum in dashboards._competence_rows(
            org.root, round_, period
        ).values_list("figures__unit_id", "competence_id", "rated", "below", "gap_sum")
    }
    return {
        "units": {pk: figures.as_data() for pk, figures in stored.items()},
        "competences": competences,
    }


def fresh(org, round_) -> dict:
    computed = dashboards._compute(
        dashboards.Units(path=org.root.path), round_, dashboards.dashboard_period()
    )
    return {
        "units": {pk: f.as_data() for pk, f in computed.items() if not f.is_empty},
        "competences": {
            (pk, competence_id): values
            for pk, f in computed.items()
            for competence_id, values in f.competences.items()
        },
    }


def page_figures(org, round_) -> list:
    """What HR's page of the whole kommune shows: each row's figures and the largest gaps."""
    board = dashboards.unit_dashboard(org.root, round_, dashboards.dashboard_period())
    cells = ["people", "self_eval", "leader_eval", "mus", "plans", "activities", "seats", "cost"]
    return [
        [(row.label, *(getattr(row, c).value for c in cells), *(g.rated for g in row.gaps))
         for row in [*board.rows, board.total]],
        [(g.competence.pk, g.rated, g.below, g.gap_sum) for g in board.top_gaps],
    ]  # fmt: skip


def _agreed_answer(org, round_, staff):
    """A single answer others read at once: a level agreed in MUS. (A self- or leader
    evaluation's answer is a draft and moves no figure until it is submitted.)"""
    evaluation = profile_services.evaluation_get_or_create_agreed(round_=round_, subject=staff[4])
    competence = Competence.objects.filter(version=round_.version).first()
    profile_services.rating_save(evaluation=evaluation, competence=competence, level=1)


def _answered_not_submitted(org, round_, staff):
    evaluation = Evaluation.objects.get(round=round_, subject=staff[4], kind="self")
    competences = Competence.objects.filter(version=round_.version)
    profile_services.ratings_bulk_set(
        round_=round_, answers=[(evaluation, c, 3, "") for c in competences]
    )


def _submit(org, round_, staff):
    evaluation = Evaluation.objects.get(round=round_, subject=staff[4], kind="self")
    profile_services.evaluation_submit(evaluation=evaluation, by=staff[4])


_submit.prepare = _answered_not_submitted


def _reopen(org, round_, staff):
    evaluation = Evaluation.objects.get(round=round_, subject=staff[0], kind="self")
    profile_services.evaluation_reopen(evaluation=evaluation)


def _bulk_answers(org, round_, staff):
    evaluation = Evaluation.objects.get(round=round_, subject=staff[3], kind="leader")
    competences = Competence.objects.filter(version=round_.version)
    profile_services.ratings_bulk_set(
        round_=round_, answers=[(evaluation, c, 2, "") for c in competences], submit=True
    )


def _mus_held(org, round_, staff):
    conversation = mus_services.conversation_schedule(
        employee=staff[1],
        leader=Person.objects.get(pk=staff[0].pk)
        .positions.first()
        .unit.positions.filter(is_leader=True)
        .first()
        .person,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=60,
        is_online=True,
        location="Teams",
    )
    mus_services.conversation_mark_held(conversation=conversation)


def _mus_cancelled(org, round_, staff):
    conversation = Conversation.objects.get(employee=staff[0])
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.SCHEDULED)
    conversation.refresh_from_db()
    mus_services.conversation_cancel(conversation=conversation)


def _activity_done(org, round_, staff):
    activity = PlanActivity.objects.filter(status=PlanActivity.Status.PLANNED).first()
    mus_services.activity_set_status(activity=activity, status=PlanActivity.Status.DONE)


def _new_plan_version(org, round_, staff):
    """Editing a signed plan makes version 2, not yet signed: no longer "signed"."""
    version = mus_selectors.current_version(Conversation.objects.get(employee=staff[0]).plan)
    mus_services.goal_add(version=version, revision=version.revision, text="Et nyt mål")


def _enrol(org, round_, staff):
    course = build_course(org.kommune, price="900", requires_approval=False)
    session = build_session(course, days=10)
    catalogue_services.enrolment_request(session=session, person=staff[2])


def _cancel_enrolment(org, round_, staff):
    catalogue_services.enrolment_cancel(enrolment=Enrolment.objects.get(person=staff[1]))


def _price(org, round_, staff):
    course = Enrolment.objects.get(person=staff[1]).course
    catalogue_services.course_update(course=course, price=Decimal("3100"))


def _session_out_of_period(org, round_, staff):
    session = Enrolment.objects.get(person=staff[1]).session
    later = timezone.now() + datetime.timedelta(days=900)
    catalogue_services.session_update(
        session=session, starts_at=later, ends_at=later + datetime.timedelta(hours=3)
    )


def _move(org, round_, staff):
    position = Position.objects.get(person=staff[2])
    org_services.position_update(position=position, unit=org.sibling_team)
    profile_services.assessments_refresh(kommune_id=org.kommune.pk, person_ids=[staff[2].pk])


def _new_position(org, round_, staff):
    person = add_people(org, org.team, 1)[0]
    assert person.pk


def _deactivate(org, round_, staff):
    org_services.person_deactivate(person=staff[3])


def _job_profile(org, round_, staff):
    profile = JobProfile.objects.create(
        kommune=org.kommune, name="Rådgiver", framework=round_.version.framework
    )
    levels = {c.key: 5 for c in Competence.objects.filter(version=round_.version)}
    profile_services.job_requirements_set(job_profile=profile, levels=levels)
    profile_services.job_profile_assign(
        position=Position.objects.get(person=staff[1]), job_profile=profile
    )


def _required_levels_for_everyone(org, round_, staff):
    """Gaps need a required level: a job profile for the staff but staff[1]."""
    profile = JobProfile.objects.create(
        kommune=org.kommune, name="Socialrådgiver", framework=round_.version.framework
    )
    levels = {c.key: 4 for c in Competence.objects.filter(version=round_.version)}
    profile_services.job_requirements_set(job_profile=profile, levels=levels)
    for person in staff:
        if person != staff[1]:
            profile_services.job_profile_assign(
                position=Position.objects.get(person=person), job_profile=profile
            )


def _org_import(org, round_, staff):
    data = (
        "enhed_id;enhed_navn;overenhed_id;medarbejdernr;navn;email;stilling;leder\r\n"
        "X1;Importeret team;;7001;Ida Import;ida@x.dk;Rådgiver;nej\r\n"
    ).encode()
    OrgUnit.objects.filter(pk=staff[0].positions.first().unit_id).update(external_id="X1")
    imports.import_run(
        kommune=org.kommune, importer=organisation_importer, data=data, options={"full": True}
    )


CHANGES = [
    _agreed_answer,
    _submit,
    _reopen,
    _bulk_answers,
    _mus_held,
    _mus_cancelled,
    _activity_done,
    _new_plan_version,
    _enrol,
    _cancel_enrolment,
    _price,
    _session_out_of_period,
    _move,
    _new_position,
    _deactivate,
    _job_profile,
    _org_import,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_stored_figures_follow_every_kind_of_change(org_a, east, change):  # noqa: F811
    _team, round_, _leader, staff = east
    with org_a.scope():
        _required_levels_for_everyone(org_a, round_, staff)
        if hasattr(change, "prepare"):
            change.prepare(org_a, round_, staff)
        assert read(org_a, round_) == fresh(org_a, round_)  # stores every unit's figures
        assert UnitFigures.objects.exists()
        shown_before = page_figures(org_a, round_)  # keeps the page's row sums too
        before = fresh(org_a, round_)
        change(org_a, round_, staff)
        after = fresh(org_a, round_)
        assert after != before, "the change should move a figure, or the test proves nothing"
        assert read(org_a, round_) == after
        shown = page_figures(org_a, round_)
        cache.clear()
        assert shown == page_figures(org_a, round_), "the kept row sums went stale"
        assert shown_before is not None


def test_a_second_read_recomputes_nothing(org_a, east, django_assert_num_queries):  # noqa: F811
    _team, round_, _leader, _staff = east
    with org_a.scope():
        units = {u.pk: u.figures_version for u in OrgUnit.objects.filter(kommune=org_a.kommune)}
        period = dashboards.dashboard_period()
        dashboards.figures_by_unit(org_a.root, round_, period, units)
        with django_assert_num_queries(1):  # the stored rows, nothing recomputed
            dashboards.figures_by_unit(org_a.root, round_, period, units)


def test_a_position_ending_with_the_calendar_is_caught_by_the_nightly_job(org_a, east):  # noqa: F811
    from annualcycle.tasks import figures_for_today_all

    _team, round_, _leader, staff = east
    with org_a.scope():
        assert read(org_a, round_) == fresh(org_a, round_)
        # No write: yesterday was the last day of this position (the date passed).
        today = timezone.localdate()
        Position.objects.filter(person=staff[4]).update(
            start_date=today - datetime.timedelta(days=400),
            end_date=today - datetime.timedelta(days=1),
        )
        assert read(org_a, round_) != fresh(org_a, round_)  # what the job is for
    figures_for_today_all()
    with org_a.scope():
        assert read(org_a, round_) == fresh(org_a, round_)


def test_the_dashboard_sums_follow_a_change_in_one_unit(org_a, east):  # noqa: F811
    """The kept row sums of a leader's or HR's page are found again only while nothing
    below has changed."""
    _team, round_, _leader, staff = east
    with org_a.scope():
        period = dashboards.dashboard_period()
        first = dashboards.unit_dashboard(org_a.root, round_, period)
        again = dashboards.unit_dashboard(org_a.root, round_, period)
        assert again.total.people.value == first.total.people.value
        org_services.person_deactivate(person=staff[2])
        after = dashboards.unit_dashboard(org_a.root, round_, period)
        assert after.total.people.value == first.total.people.value - 1


def test_kept_sums_follow_a_change_deep_below_and_are_shared_by_pages(org_a, east):  # noqa: F811
    """The sums are kept per subtree: a centre's page and the kommune's page use the same
    ones, and a change three levels below the top is added up again along its path."""
    team, round_, _leader, _staff = east
    group = add_unit(org_a, "Gruppe Øst 1", team)
    newcomers = add_people(org_a, group, 3)
    with org_a.scope():
        period = dashboards.dashboard_period()
        centre_before = dashboards.unit_dashboard(org_a.centre, round_, period).total
        kommune_before = page_figures(org_a, round_)
        org_services.person_deactivate(person=newcomers[0])
        centre = dashboards.unit_dashboard(org_a.centre, round_, period).total
        shown = page_figures(org_a, round_)
        cache.clear()
        assert shown == page_figures(org_a, round_), "the kept sums went stale"
        assert shown != kommune_before
        assert centre.people.value == centre_before.people.value - 1
        fresh_centre = dashboards.unit_dashboard(org_a.centre, round_, period).total
        assert centre.people.value == fresh_centre.people.value
