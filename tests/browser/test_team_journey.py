"""The leader's team in one place, in a real browser: "Mit team" shows each person's
evaluation, conversations, plan and follow-up, works on a phone, and the heat-map
opens the people behind a cell."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profiles.models import Evaluation
from tests.annualcycle.test_dashboards import answer_all
from tests.browser.conftest import assert_accessible, log_in
from tests.mus.factories import build_plan
from tests.profiles.factories import build_framework, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_sees_the_team_in_one_table_and_drills_into_the_heat_map(page, url_of, org_a):
    round_ = open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    answer_all(org_a, round_, [org_a.employee, org_a.colleague], Evaluation.Kind.SELF)
    build_plan(org_a)
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)

    page.get_by_role("link", name="Mit team", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit team")
    row = page.get_by_role("row", name=re.compile(f"^{org_a.employee.name}"))
    expect(row).to_contain_text("Selvevaluering indsendt")
    expect(row).to_contain_text("Kladde")
    expect(row).to_contain_text("0 af 3 aktiviteter gennemført")
    assert_accessible(page)

    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Team Nord").click()
    assert_accessible(page)
    page.locator("td.heat-cell a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("i Team Nord")
    expect(page.get_by_role("row", name=re.compile(f"^{org_a.employee.name}"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"^{org_a.colleague.name}"))).to_be_visible()
    assert_accessible(page)
