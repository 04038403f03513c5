"""The demo works on any date: seeded on any day of the year, every demo login's home
page has tasks in "Mine opgaver nu", and every task's link opens.

Seeding is slow, so the organisation (which does not depend on the date) is built once
for the module, and each date then runs `seed_demo --kommune fredericia` with the clock
frozen, inside the test's own transaction, which is rolled back afterwards. The dates
take one day of each month, chosen to include the first and last days of the årshjul's
phases and the cycle's own first and last day.
"""

from __future__ import annotations

import datetime
import os
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from kompetence.demo import ROLE_LOGINS, seed_organisation
from kompetence.infra.mail import mail_suppressed
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, User

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DATES = [
    datetime.date(2027, 1, 1),
    datetime.date(2027, 2, 15),
    datetime.date(2027, 3, 31),
    datetime.date(2027, 4, 1),
    datetime.date(2027, 5, 15),
    datetime.date(2027, 6, 30),
    datetime.date(2027, 7, 15),
    datetime.date(2027, 8, 1),
    datetime.date(2027, 9, 30),
    datetime.date(2027, 10, 1),
    datetime.date(2027, 11, 15),
    datetime.date(2027, 12, 31),
]
PANEL = re.compile(r'<section class="card my-tasks".*?</section>', re.DOTALL)
TASK = re.compile(r'<li class="task.*?</li>', re.DOTALL)
LINK = re.compile(r'<a href="([^"]+)"')


def _at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=COPENHAGEN)


@pytest.fixture(scope="module")
def organisation(django_db_setup, django_db_blocker):
    """Fredericia's demo organisation, built once on the first date and rolled back
    after the module."""
    cache.clear()
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        time_machine.travel(_at_noon(DATES[0]), tick=False),
        mail_suppressed(),
    ):
        kommune = Kommune.objects.create(slug="fredericia", name="Fredericia Kommune")
        with kommune_scope(kommune):
            seed_organisation("fredericia")
        yield kommune
        transaction.set_rollback(True)
    cache.clear()


# Every date on the embedded database (`make test`); on PostgreSQL, where one seed takes
# about half a minute, the cycle's first and last day and a day inside a phase: the
# seeding is the same code, and CI runs both.
ON_POSTGRES = "DATABASE_URL" in os.environ
RUN_DATES = (
    [datetime.date(2027, 1, 1), datetime.date(2027, 6, 30), datetime.date(2027, 12, 31)]
    if ON_POSTGRES
    else DATES
)


@pytest.mark.parametrize("day", RUN_DATES, ids=[f"{d:%m-%d}" for d in RUN_DATES])
def test_every_demo_login_has_tasks_now_whatever_the_date(organisation, day):
    # Framework structures are cached by primary key, which a rollback hands out again.
    cache.clear()
    with time_machine.travel(_at_noon(day), tick=False):
        call_command("seed_demo", kommune=["fredericia"], stdout=None)
        for username, _role in ROLE_LOGINS:
            client = Client(HTTP_HOST="fredericia.localhost")
            client.force_login(User.objects.get(kommune=organisation, username=username))
            home = client.get("/")
            assert home.status_code == 200, username
            panel = PANEL.search(home.content.decode()).group(0)
            assert "Du har ingen opgaver" not in panel, (day, username)
            tasks = TASK.findall(panel)
            assert tasks, (day, username)
            for task in tasks:
                links = LINK.findall(task)
                assert links, (day, username, task)
                for url in links:
                    assert client.get(url).status_code == 200, (day, username, url)
    cache.clear()
