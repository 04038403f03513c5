"""HR imports the organisation in the browser: upload → dry run → apply."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kompetence.models import Person
from tests.browser.conftest import assert_accessible, log_in, menu_link
from tests.kompetence.test_org_import import ORGANISATION, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_uploads_checks_and_applies_an_organisation_file(page, url_of, org_a, tmp_path):
    bad = tmp_path / "med-fejl.csv"
    bad.write_bytes(csv_bytes([ORGANISATION[0], "T1;Team Øst;X9;5001;Søren;nej;Titel;;"]))
    good = tmp_path / "sd-udtraek.csv"
    good.write_bytes(csv_bytes(ORGANISATION))

    log_in(page, url_of(org_a.kommune, "/log-ind/"), org_a.hr.user.username)
    menu_link(page, "Organisation", "Personer")
    page.get_by_role("link", name="Importér fra løn-/HR-system").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import: Organisation og medarbejdere"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Fil", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollér filen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Filen har 2 fejl, og intet er ændret")
    expect(alert).to_contain_text(
        "Linje 2, kolonne »overenhed_id«: Overenheden X9 findes hverken i filen eller i kommunen."
    )
    expect(alert).to_contain_text("Linje 2, kolonne »email«: »nej« er ikke en gyldig")
    assert_accessible(page)

    page.get_by_role("link", name="Tilbage til import").click()
    page.get_by_role("button", name="Fil", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Kontrollér filen").click()
    status = page.get_by_role("status").filter(has_text="Kontrollen er færdig")
    expect(status).to_contain_text("10 ændringer")
    page.get_by_text("Nye personer (3)").click()
    expect(page.get_by_text("Linje 4: Søren Æbelø (5001) i Sundhedsplejen Øst")).to_be_visible()
    assert_accessible(page)
    with org_a.scope():
        assert not Person.objects.filter(employee_number="5001").exists()

    page.get_by_role("button", name="Gennemfør importen").click()
    expect(page.get_by_role("status").filter(has_text="Importen er gennemført")).to_contain_text(
        "10 ændringer"
    )
    assert_accessible(page)
    with org_a.scope():
        assert Person.objects.get(employee_number="5001").name == "Søren Æbelø"

    menu_link(page, "Organisation", "Personer")
    expect(page.get_by_role("link", name="Søren Æbelø")).to_be_visible()
