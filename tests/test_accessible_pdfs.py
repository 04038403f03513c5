"""The PDFs handed out are accessible (PDF/UA-1) and a signed plan's archival copy is
PDF/A-2a: tagged with headings, tables with row and column headers, the document's
language and title, every font embedded, the running header and footer in the body font,
and no page that holds only the running header and footer. See tests/pdf_checks.py for
what is checked and why no validator runs here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annualcycle.models import GapReport, MusEvaluationReport
from annualcycle.reports import build as reports
from mus import services
from mus.models import PlanPdf
from mus.pdf import plan_pdf_bytes
from mus.selectors import plan_document
from tests.annualcycle.test_mus_evaluation import END, START
from tests.annualcycle.test_mus_evaluation import build_case as build_mus_case
from tests.annualcycle.test_reports import build_case as build_gap_case
from tests.conftest import client_for
from tests.mus.factories import build_plan, sign, version_of
from tests.pdf_checks import (
    assert_no_page_is_only_running_text,
    assert_pdf_a,
    assert_pdf_ua,
    structure_roles,
)
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
PAGE = r"(Side|Page) \d+ (af|of) \d+"
# The running header and footer of the plan, and its closing lines, which alone on a
# page would make a page of nothing.
PLAN_RUNNING = (
    PAGE,
    r"Alfa Kommune",
    r"Udviklingsplan|Development plan",
    r"SHA-256 [0-9a-f]{64}",
    r"Indholdets fingeraftryk \(SHA-256\):",
    r"[0-9a-f]{64}",
    r"Dannet .* af Kompetence\.",
)
PLAN_ROLES = ("H1", "H2", "Table", "TH", "TD", "P")


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def round_a(org_a):
    return open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)


def _long_plan(org, goals: int):
    plan = build_plan(org, activities=12)
    version = version_of(plan)
    with org.scope():
        for index in range(goals):
            version.refresh_from_db()
            services.goal_add(
                version=version,
                revision=version.revision,
                text=f"Mål nummer {index + 1}: at blive bedre til at skrive afgørelser, "
                "som borgerne forstår i første forsøg",
            )
        version.refresh_from_db()
    return version


def test_the_plan_pdf_is_pdf_ua_with_row_headers_and_the_body_font(org_a, round_a):
    version = _long_plan(org_a, goals=3)
    with org_a.scope():
        data = plan_pdf_bytes(version, language="da", context=plan_document(version))
    pdf = assert_pdf_ua(
        data, title=f"Udviklingsplan for {org_a.employee.name}", lang="da", roles=PLAN_ROLES
    )
    # The label/value tables' labels are row headers too: more TH than the four column
    # headers of the activities.
    assert structure_roles(pdf)["TH"] > 4


def test_the_plan_pdf_in_english_says_so(org_a, round_a):
    version = _long_plan(org_a, goals=0)
    with org_a.scope():
        data = plan_pdf_bytes(version, language="en", context=plan_document(version))
    assert_pdf_ua(data, title=f"Development plan for {org_a.employee.name}", lang="en")


# With the closing lines free to move on their own, 13 and 31 goals (beside the two of
# `build_plan`) left the last page with only "Dannet … af Kompetence." on it.
@pytest.mark.parametrize("goals", [0, 13, 31])
def test_no_plan_page_holds_only_the_running_header_and_footer(org_a, round_a, goals, tmp_path):
    version = _long_plan(org_a, goals=goals)
    with org_a.scope():
        data = plan_pdf_bytes(version, language="da", context=plan_document(version))
    pages = assert_no_page_is_only_running_text(data, tmp_path, PLAN_RUNNING)
    assert pages >= 1 + goals // 20


def test_a_signed_plan_also_comes_as_pdf_a(
    org_a, org_b, round_a, media, django_capture_on_commit_callbacks
):
    plan = build_plan(org_a)
    version = version_of(plan)
    url = reverse("plan_pdf", args=[version.pk])
    employee = client_for(org_a.employee)
    # Not before both have signed.
    assert employee.post(url, {"archival": "1"}).status_code == 404
    assert "arkivformat" not in employee.get(reverse("plan_detail", args=[plan.pk])).text
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        sign(version, org_a.employee, PASSWORD)
        sign(version, org_a.leader, PASSWORD)
    page = employee.get(reverse("plan_detail", args=[plan.pk]))
    assert "Lav PDF i arkivformat (PDF/A)" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = employee.post(url, {"archival": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="pdf-status-archival"' in response.text
    with org_a.scope():
        accessible = PlanPdf.objects.get(version=version, archival=False)
        archival = PlanPdf.objects.get(version=version, archival=True)
    assert archival.status == PlanPdf.Status.READY
    title = f"Udviklingsplan for {org_a.employee.name}"
    assert_pdf_ua(accessible.file.read(), title=title, roles=PLAN_ROLES)
    download = employee.get(reverse("plan_pdf_download", args=[archival.pk]))
    assert download.status_code == 200 and "-arkiv.pdf" in download["Content-Disposition"]
    assert_pdf_a(b"".join(download.streaming_content), title=title, roles=PLAN_ROLES)
    page = employee.get(reverse("plan_detail", args=[plan.pk]))
    assert "Hent planen i arkivformat (PDF/A)" in page.text
    # Another kommune's people see neither.
    outsider = client_for(org_b.hr)
    assert outsider.post(url, {"archival": "1"}).status_code == 404
    assert outsider.get(reverse("plan_pdf_download", args=[archival.pk])).status_code == 404


def test_the_gap_report_pdf_is_pdf_ua(org_a, media, tmp_path):
    build_gap_case(org_a)
    with org_a.scope():
        report = GapReport.objects.create(
            kommune=org_a.kommune, requested_by=org_a.hr, unit=org_a.root
        )
        report = reports.gap_report_build(report_id=report.pk)
    data = report.pdf.read()
    assert_pdf_ua(
        data, title=f"Gabrapport for {org_a.root.name}", roles=("H1", "H2", "Table", "TH", "TD")
    )
    running = (PAGE, "Alfa Kommune", "Gabrapport")
    assert_no_page_is_only_running_text(data, tmp_path, running)


def test_the_mus_evaluation_pdf_is_pdf_ua(org_a, media, tmp_path):
    build_mus_case(org_a)
    org_a.kommune.med_min_group_size = 1
    org_a.kommune.save(update_fields=["med_min_group_size"])
    with org_a.scope():
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.root,
            period_start=START,
            period_end=END,
        )
        report = reports.mus_evaluation_build(report_id=report.pk)
    data = report.pdf.read()
    assert_pdf_ua(
        data,
        title=f"MUS-evaluering for {org_a.root.name}",
        roles=("H1", "H2", "Table", "TH", "TD", "P"),
    )
    assert_no_page_is_only_running_text(data, tmp_path, (PAGE, "Alfa Kommune", "MUS-evaluering"))


def test_the_pdf_helpers_see_a_page_of_running_text_only(tmp_path):
    from mus.pdf import html_to_pdf

    html = (
        "<!doctype html><html lang='da'><head><title>T</title><style>@page { font-family: "
        "'DejaVu Sans'; @bottom-right { content: 'Side ' counter(page) } }"
        "body { font-family: 'DejaVu Sans' }</style></head><body><p>Tekst</p>"
        "<p style='break-before: page'></p></body></html>"
    )
    data = html_to_pdf(html)
    with pytest.raises(AssertionError, match="page 2 of 2"):
        assert_no_page_is_only_running_text(data, tmp_path, (r"Side \d+",))
