"""Gap reports and action plans in a real browser: a leader orders a report, the page
polls until the download links appear, the spreadsheet downloads and opens; then the
leader writes the unit's action plan. axe-core checks every page on the way."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from annualcycle.models import GapReport
from annualcycle.reports import build as reports
from kompetence.infra import runner
from kompetence.infra.tenancy import kommune_scope
from tests.annualcycle.test_reports import SHEETS, build_case
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX_LINK = re.compile(r"^Regneark \(XLSX\)")


def test_leader_orders_a_gap_report_waits_for_it_and_downloads_the_spreadsheet(
    page, url_of, org_a, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    build_case(org_a)
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.chef.user.username)

    # A report ordered earlier is still on its way: the page polls until it is ready.
    with kommune_scope(org_a.kommune):
        waiting = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.chef, unit=org_a.team
        )
    page.goto(url_of(org_a.kommune, "/rapporter/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gabrapporter")
    expect(page.get_by_text("Under udarbejdelse …")).to_be_visible()
    assert_accessible(page)
    with kommune_scope(org_a.kommune):
        reports.gap_report_build(report_id=waiting.pk)
    expect(page.get_by_role("link", name=XLSX_LINK)).to_be_visible()
    assert_accessible(page)

    # A new order for the centre's whole subtree, made as in `make demo`: on the web
    # process's background thread after the answer, while the page polls.
    runner.run_after_response()
    page.get_by_label("Enhed (med underenheder)").select_option(str(org_a.centre.pk))
    page.get_by_label("Kun kompetencegruppe").select_option("Udvikling")
    page.get_by_role("button", name="Bestil rapporten").click()
    expect(page.get_by_text("Rapporten bliver lavet.")).to_be_visible()
    links = page.get_by_role("link", name=XLSX_LINK)
    expect(links).to_have_count(2, timeout=30_000)
    runner.drain()
    runner.run_after_response(False)
    assert_accessible(page)

    with page.expect_download() as download_info:
        links.first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("gabrapport-center-for-omsorg-")
    path = tmp_path / "report.xlsx"
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS
    summary = {row[0]: row[1] for row in book["Oversigt"].iter_rows(values_only=True) if row[0]}
    assert summary["Enhed (med underenheder)"] == "Center for Omsorg"
    assert summary["Kompetencegruppe"] == "Udvikling"


def test_leader_writes_the_units_action_plan(page, url_of, org_a):
    build_case(org_a)
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.leader.user.username)
    page.goto(url_of(org_a.kommune, "/handlingsplaner/"))
    assert_accessible(page)
    page.get_by_label("År").fill("2027")
    page.get_by_role("button", name="Opret handlingsplan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsplan for Team Nord 2027")
    assert_accessible(page)

    page.get_by_label("Prioriteter", exact=True).fill("Samarbejde og faglig sparring.")
    page.get_by_label("Budget (kr.)").first.fill("25000")
    page.get_by_role("button", name="Gem prioriteter og budget").click()
    expect(page.get_by_text("Prioriteter og budget er gemt.")).to_be_visible()

    page.get_by_text("Tilføj en aktivitet").click()
    page.get_by_label("Aktivitet", exact=True).fill("Sidemandsoplæring i journalføring")
    page.get_by_label("Deltagere").fill("3")
    page.get_by_role("button", name="Tilføj aktiviteten").click()
    expect(page.get_by_text("Aktiviteten er tilføjet.")).to_be_visible()
    expect(
        page.get_by_role("rowheader", name=re.compile("Sidemandsoplæring i journalføring"))
    ).to_be_visible()
    assert_accessible(page)
