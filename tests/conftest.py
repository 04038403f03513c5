"""Fixtures shared by every test: two kommuner, each with a small organisation and a
person in every role, and clients signed in on the right host.

Kommune A ("alfa") is the one under test; kommune B ("beta") supplies the outsider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, OrgUnit, Person
from tests.factories import KommuneFactory, OrgUnitFactory, PersonFactory, PositionFactory


@dataclass
class Org:
    """One kommune's test organisation.

    root (direktion) ─ centre ─ team            sibling_team (under centre)
    director leads root; chef leads centre; leader leads team;
    employee and colleague work in team; other_employee in sibling_team;
    hr works in a HR unit under root with the HR role.
    """

    kommune: Kommune
    root: OrgUnit
    centre: OrgUnit
    team: OrgUnit
    sibling_team: OrgUnit
    hr_unit: OrgUnit
    director: Person
    chef: Person
    leader: Person
    employee: Person
    colleague: Person
    other_employee: Person
    hr: Person

    def scope(self):
        return kommune_scope(self.kommune)


def build_org(slug: str) -> Org:
    kommune = KommuneFactory(slug=slug, name=f"{slug.title()} Kommune")
    root = OrgUnitFactory(kommune=kommune, name="Direktionen", kind=OrgUnit.Kind.DIREKTION)
    centre = OrgUnitFactory(
        kommune=kommune, parent=root, name="Center for Omsorg", kind=OrgUnit.Kind.CENTER
    )
    team = OrgUnitFactory(kommune=kommune, parent=centre, name="Team Nord", kind=OrgUnit.Kind.TEAM)
    sibling = OrgUnitFactory(
        kommune=kommune, parent=centre, name="Team Syd", kind=OrgUnit.Kind.TEAM
    )
    hr_unit = OrgUnitFactory(kommune=kommune, parent=root, name="Personale og Udvikling")

    def person(unit, title, *, leader=False, **kwargs):
        p = PersonFactory(kommune=kommune, **kwargs)
        PositionFactory(person=p, unit=unit, job_title=title, is_leader=leader)
        return p

    return Org(
        kommune=kommune,
        root=root,
        centre=centre,
        team=team,
        sibling_team=sibling,
        hr_unit=hr_unit,
        director=person(root, "Kommunaldirektør", leader=True, name="Dorte Direktør"),
        chef=person(centre, "Centerchef", leader=True, name="Carl Centerchef"),
        leader=person(team, "Teamleder", leader=True, name="Lise Leder"),
        employee=person(team, "Socialrådgiver", name="Eva Medarbejder"),
        colleague=person(team, "Socialrådgiver", name="Kim Kollega"),
        other_employee=person(sibling, "Sagsbehandler", name="Ole Andensen"),
        hr=person(hr_unit, "HR-konsulent", is_hr=True, name="Hanne HR"),
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Ids are reused after each test's rollback; cached entries must not outlive it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Celery tasks run in-process in tests, on SQLite and PostgreSQL alike, at once in
    the caller's thread (the web process's background thread only where a test asks for
    it: `tests/kompetence/test_runner.py`); the tests marked `worker` start a real worker
    process and send their tasks to it."""
    from kompetence.celery import app
    from kompetence.infra import runner

    runner.run_after_response(False)

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def org_a(db) -> Org:
    return build_org("alfa")


@pytest.fixture
def org_b(db) -> Org:
    return build_org("beta")


def host_of(kommune: Kommune) -> str:
    return f"{kommune.slug}.localhost"


def client_for(person: Person | None, kommune: Kommune | None = None) -> Client:
    """A test client on the kommune's host, signed in as `person` (anonymous if None)."""
    kommune = kommune or person.kommune
    client = Client(HTTP_HOST=host_of(kommune))
    if person is not None:
        client.force_login(person.user)
    return client


@pytest.fixture
def as_person():
    return client_for
