"""The audit log with a logged search and its criteria, the settings page with the log's
period, its error and the last deletion, and *Mine data* pass axe-core (issue 19.4)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kompetence import audit_retention
from kompetence.models import AuditEntry
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audit_pages_pass_axe(page, url_of, org_a):
    with org_a.scope():
        AuditEntry.objects.create(
            kommune=org_a.kommune,
            at=timezone.now() - datetime.timedelta(days=400),
            action=AuditEntry.Action.VIEW,
            subject=org_a.employee,
            object_type="kompetence.Person",
        )
        audit_retention.audit_purge(kommune=org_a.kommune)
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, reverse("person_list") + "?q=Eva"))
    page.goto(url_of(org_a.kommune, reverse("audit_log") + "?action=search"))
    expect(page.get_by_text("Søgetekst: Eva")).to_be_visible()
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, reverse("kommune_settings")))
    expect(page.locator("#last-purge")).to_contain_text("1 logpost ældre end")
    page.get_by_label("Gem adgangsloggen i (måneder)").fill("121")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("skal være et helt tal fra 1 til 120")).to_be_visible()
    assert_accessible(page)

    page.goto(url_of(org_a.kommune, reverse("my_data")))
    expect(page.get_by_text("de seneste 6 måneder")).to_be_visible()
    assert_accessible(page)
