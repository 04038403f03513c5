"""HR imports existing certificates in the browser: upload → dry run → apply, and the
person sees them under *Mine krav*."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalogue.models import Certificate, RequirementAssignment, TrainingRequirement
from tests.browser.conftest import assert_accessible, log_in
from tests.catalogue.test_certificate_import import HEADER, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_imports_certificates_and_the_employee_sees_them(page, url_of, org_a, tmp_path):
    with org_a.scope():
        requirement = TrainingRequirement.objects.create(
            kommune=org_a.kommune, name="Førstehjælp", validity_months=24
        )
        RequirementAssignment.objects.create(
            kommune=org_a.kommune, requirement=requirement, kind="everyone"
        )
    number = org_a.employee.employee_number
    bad = tmp_path / "med-fejl.csv"
    bad.write_bytes(csv_bytes([HEADER, f"{number};Brandøvelse;15-03-2025;;"]))
    good = tmp_path / "kursusregister.csv"
    good.write_bytes(csv_bytes([HEADER, f"{number};førstehjælp;15-03-2025;;Røde Kors"]))

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    page.goto(url_of(org_a.kommune, "/import/certifikater/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import: Certifikater for obligatoriske krav"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Fil", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollér filen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Filen har 1 fejl, og intet er ændret")
    expect(alert).to_contain_text(
        "Linje 2, kolonne »krav«: Kravet »Brandøvelse« findes ikke i kommunen."
    )
    assert_accessible(page)

    page.get_by_role("link", name="Tilbage til import").click()
    page.get_by_role("button", name="Fil", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Kontrollér filen").click()
    status = page.get_by_role("status").filter(has_text="Kontrollen er færdig")
    expect(status).to_contain_text("1 ændring")
    page.get_by_text("Nye certifikater (1)").click()
    expect(page.get_by_text("Linje 2: Eva Medarbejder")).to_be_visible()
    assert_accessible(page)
    with org_a.scope():
        assert not Certificate.objects.exists()

    page.get_by_role("button", name="Gennemfør importen").click()
    expect(page.get_by_role("status").filter(has_text="Importen er gennemført")).to_contain_text(
        "1 ændring"
    )
    assert_accessible(page)
    with org_a.scope():
        assert Certificate.objects.get().recorded_by == org_a.hr

    page.context.clear_cookies()
    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.employee.user.username)
    page.goto(url_of(org_a.kommune, "/krav/mine/"))
    expect(page.get_by_text("Førstehjælp").first).to_be_visible()
    expect(page.get_by_text("Gyldig til 15. marts 2027")).to_be_visible()
