"""`manage.py seed_demo`: two believable kommuner, idempotent, with working logins."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from kompetence.demo import DEMO_PASSWORD, ROLE_LOGINS
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person
from kompetence.tenancy import kommune_scope
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _counts():
    counts = {}
    for kommune in Kommune.objects.all():
        with kommune_scope(kommune):
            counts[kommune.slug] = (
                OrgUnit.objects.count(),
                Person.objects.count(),
                MEDCommittee.objects.count(),
            )
    return counts


def test_seed_demo_is_idempotent_and_believable():
    call_command("seed_demo", stdout=None)
    first = _counts()
    call_command("seed_demo", stdout=None)
    assert _counts() == first
    assert set(first) == {"fredericia", "hvidovre"}
    for units, people, committees in first.values():
        assert units >= 15
        assert 150 <= people <= 400
        assert committees >= 3
    hvidovre = Kommune.objects.get(slug="hvidovre")
    with kommune_scope(hvidovre):
        kinds = set(MEDCommittee.objects.values_list("kind", flat=True))
        assert kinds == {"hoved", "center", "lokal"}
        assert OrgUnit.objects.filter(kind="center", name__startswith="Center for").count() >= 5


def test_every_demo_login_works_on_its_own_kommune_only():
    call_command("seed_demo", stdout=None)
    for slug in ("fredericia", "hvidovre"):
        kommune = Kommune.objects.get(slug=slug)
        for username, _role in ROLE_LOGINS:
            client = client_for(None, kommune)
            response = client.post(
                reverse("login"), {"username": username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, (slug, username)
            assert client.get(reverse("home")).status_code == 200
