"""Downloaded files keep their Danish letters ("børn", not "brn"), and the
Content-Disposition header says so correctly (RFC 5987 `filename*` with an ASCII
fallback)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annualcycle.models import GapReport
from annualcycle.reports import build as reports
from kompetence.infra.downloads import attachment_header, filename_part
from kompetence.models import OrgUnit
from tests.conftest import client_for


def test_a_file_name_keeps_danish_letters():
    assert filename_part("Center for Børn og Familie", "x") == "center-for-børn-og-familie"
    assert filename_part("Æblegården Å", "x") == "æblegården-å"
    assert filename_part("???", "enhed") == "enhed"


def test_the_header_has_the_exact_name_and_an_ascii_fallback():
    assert attachment_header("gabrapport-børn.xlsx") == (
        "attachment; filename=\"gabrapport-boern.xlsx\"; filename*=UTF-8''gabrapport-b%C3%B8rn.xlsx"
    )
    assert attachment_header("plan.pdf") == 'attachment; filename="plan.pdf"'
    # A quote or backslash cannot end the quoted fallback early.
    assert attachment_header('a"b\\c.txt').startswith('attachment; filename="abc.txt"; filename*=')


@pytest.mark.django_db
def test_a_gap_report_on_born_og_familie_downloads_as_born_og_familie(
    org_a, org_b, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with org_a.scope():
        OrgUnit.objects.filter(pk=org_a.team.pk).update(name="Center for Børn og Familie")
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.team
        )
        report = reports.gap_report_build(report_id=report.pk)
    url = reverse("gap_report_download", args=[report.pk, "xlsx"])
    response = client_for(org_a.hr).get(url)
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="gabrapport-center-for-boern-og-familie-')
    assert "filename*=UTF-8''gabrapport-center-for-b%C3%B8rn-og-familie-" in header
    assert header.endswith(f"-{report.pk}.xlsx")
    assert client_for(org_b.hr, org_a.kommune).get(url).status_code == 404
