"""A certificate that expires, in a real browser: while it has 120 days left the
leader's "Certifikater" lists no one; the date moves on to 90 days before the expiry,
the morning job reminds the person and the leader once, and the leader's overview now
shows the person's "Udløber snart"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalogue.models import Certificate
from catalogue.training.reminders import reminders_send
from tests.browser.conftest import assert_accessible, log_in
from tests.catalogue.training_factories import certificate, requirement_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def test_the_reminder_goes_once_and_the_leader_sees_the_certificate_expiring(page, url_of, org_a):
    today = datetime.date.today()
    valid_until = today + 120 * DAY
    with org_a.scope():
        requirement = requirement_for(org_a.kommune, unit=org_a.team)
        certificate(org_a.employee, requirement, valid_until)
        for person in (org_a.colleague, org_a.leader):
            certificate(person, requirement, today + 600 * DAY)

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    page.locator("nav.main-nav").get_by_role("link", name="Certifikater", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certifikater")
    people = page.get_by_role("table", name="Personer og krav, der skal handles på")
    expect(people).to_contain_text("Ingen personer med denne status.")
    expect(people).not_to_contain_text(org_a.employee.name)
    assert_accessible(page)

    # The date moves on: 90 days before the expiry, the morning job runs (twice).
    reminder_day = valid_until - 90 * DAY
    with org_a.scope():
        assert reminders_send(kommune=org_a.kommune, today=reminder_day) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [org_a.employee.email, org_a.leader.email]
    )
    with org_a.scope():
        assert reminders_send(kommune=org_a.kommune, today=reminder_day) == 0
    assert len(mail.outbox) == 2
    to_leader = next(m for m in mail.outbox if m.to == [org_a.leader.email])
    assert "/certifikater/" in to_leader.body

    # For the status, the days that passed are the certificate's dates moving back.
    passed = (reminder_day - today).days
    with org_a.scope():
        moved = Certificate.objects.get(person=org_a.employee)
        moved.completed_on -= passed * DAY
        moved.valid_until -= passed * DAY
        moved.save(update_fields=["completed_on", "valid_until"])

    page.reload()
    row = people.get_by_role("row", name=re.compile(f"^{org_a.employee.name}"))
    expect(row).to_contain_text("Udløber snart")
    expect(row).to_contain_text(f"Gyldig til {moved.valid_until.day}.")
    expect(row).to_contain_text("Førstehjælp")
    counts = page.get_by_role("table", name="Antal personer pr. krav og status")
    expect(counts.get_by_role("row", name=re.compile("^Førstehjælp"))).to_contain_text("1")
    assert_accessible(page)

    page.get_by_label("Status").select_option(label="Udløber snart")
    page.get_by_role("button", name="Vis").click()
    expect(people.get_by_role("row")).to_have_count(2)  # the header and the person
    assert_accessible(page)
