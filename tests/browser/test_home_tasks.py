"""An employee's home page shows the current phase's task with live status."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annualcycle.cycle import services
from annualcycle.models import Phase, Task
from profiles import services as profile_services
from tests.browser.conftest import assert_accessible, log_in
from tests.profiles.factories import build_framework, competence, evaluation_of, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_tasks_now_follows_the_self_evaluation(page, url_of, org_a):
    version = build_framework(org_a.kommune, by=org_a.hr)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    with org_a.scope():
        cycle = services.cycle_create_default(kommune=org_a.kommune, start_year=2026)
        phase = Phase.objects.create(
            kommune=org_a.kommune,
            cycle=cycle,
            name="Selvevaluering og MUS",
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
        )
        Task.objects.create(
            kommune=org_a.kommune,
            phase=phase,
            title="Udfyld din selvevaluering",
            roles=["employee"],
            kind=Task.Kind.SELF_EVALUATION,
            deadline=cycle.ends_on,
        )
        profile_services.rating_save(
            evaluation=evaluation_of(round_, org_a.employee),
            competence=competence(version, "Faglig kompetence"),
            level=3,
        )

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    tasks = page.get_by_role("region", name="Mine opgaver nu")
    expect(tasks).to_contain_text("Selvevaluering: 1 af 5 besvaret")
    assert_accessible(page)

    tasks.get_by_role("link", name="Udfyld din selvevaluering").click()
    block = page.get_by_role("group", name="Samarbejdskompetence")
    block.get_by_label("Kompetent", exact=True).check()
    expect(block.get_by_role("status")).to_have_text("Gemt")
    page.get_by_role("link", name="Forside").click()
    expect(page.get_by_role("region", name="Mine opgaver nu")).to_contain_text(
        "Selvevaluering: 2 af 5 besvaret"
    )
    page.get_by_role("link", name="Se hele årshjulet").click()
    expect(page.locator(".today-marker")).to_have_count(1)
    assert_accessible(page)
