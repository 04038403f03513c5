"""Evidence in a real browser: an employee uploads a first-aid certificate (a real PDF)
from Mine krav, it waits for the leader, the leader approves it under Dokumentation, and
the requirement is valid on the employee's Mine krav."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from weasyprint import HTML

from catalogue.models import Certificate, Evidence, RequirementAssignment, TrainingRequirement
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Førstehjælpsbevis, 12 timer"


def test_upload_approve_and_the_requirement_counts(
    browser, page, url_of, org_a, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with org_a.scope():
        requirement = TrainingRequirement.objects.create(
            kommune=org_a.kommune, name="Førstehjælp", validity_months=24, grace_days=0
        )
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="everyone"
        )
    pdf = HTML(string="<h1>Kursusbevis</h1><p>Eva Medarbejder har gennemført førstehjælp.</p>")
    issued = timezone.localdate() - datetime.timedelta(days=20)

    # The employee uploads the certificate from Mine krav.
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    page.get_by_role("link", name="Mine krav").click()
    expect(page.get_by_role("heading", name="Mine krav", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Upload dokumentation\W+Førstehjælp$")).click()
    expect(page.get_by_role("heading", name="Upload dokumentation", level=1)).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_label("Dokumentation for")).to_have_value(f"krav:{requirement.pk}")
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label(re.compile("^Fil")).set_input_files(
        {"name": "førstehjælp.pdf", "mimeType": "application/pdf", "buffer": pdf.write_pdf()}
    )
    page.get_by_label("Udstedt").fill(issued.isoformat())
    page.get_by_role("button", name="Send til godkendelse").click()
    expect(page.get_by_text(f"Din dokumentation »{TITLE}« er sendt til din leder.")).to_be_visible()
    evidence_row = page.get_by_role("row", name=re.compile(TITLE))
    expect(evidence_row).to_contain_text("Afventer leder")
    assert_accessible(page)

    # The leader approves it.
    leader_context = browser.new_context(locale="da-DK")
    leader = leader_context.new_page()
    log_in(leader, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    # It waits on Godkendelser, beside the leader's other decisions.
    leader.locator("nav.main-nav").get_by_role("link", name="Godkendelser", exact=True).click()
    leader.get_by_role(
        "link", name="1 certifikat eller bevis venter også på din godkendelse"
    ).click()
    expect(leader.get_by_role("heading", name="Dokumentation, der venter på dig")).to_be_visible()
    assert_accessible(leader)
    with leader.expect_download() as download:
        leader.get_by_role("link", name="førstehjælp.pdf").click()
    assert download.value.suggested_filename == "førstehjælp.pdf"
    leader.get_by_role("button", name=f"Godkend Eva Medarbejder: {TITLE}").click()
    expect(
        leader.get_by_text(f"Dokumentationen »{TITLE}« fra Eva Medarbejder er godkendt.")
    ).to_be_visible()
    expect(leader.get_by_text("Ingen dokumentation venter på dig.")).to_be_visible()
    assert_accessible(leader)
    leader_context.close()

    # Back on Mine krav, the requirement is valid.
    page.reload()
    requirement_row = page.get_by_role("row", name=re.compile("^Førstehjælp Gyldig"))
    expect(requirement_row).to_contain_text("Gyldig")
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Godkendt")
    assert_accessible(page)
    with org_a.scope():
        assert Evidence.objects.get().status == Evidence.Status.APPROVED
        assert Certificate.objects.get().completed_on == issued
