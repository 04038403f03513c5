"""The organisation import's MED column: committees and memberships from the payroll
file, shown in the dry run, and nothing changed by importing the same file again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kompetence.models import MEDCommittee, MEDMembership, Person
from tests.conftest import client_for
from tests.kompetence.test_org_import import csv_bytes, dry_run, run

pytestmark = pytest.mark.django_db

HEADER = "enhed_id;enhed_navn;overenhed_id;medarbejdernr;navn;email;stilling;leder;MED"
ORGANISATION = [
    HEADER,
    "D1;Direktionen;;9001;Dorthe Direktør;dd@aero.dk;Kommunaldirektør;ja;Hoved-MED (formand)",
    "C1;Center for Børn og Unge;D1;5000;Carsten Chef;cc@aero.dk;Centerchef;ja;"
    '"Center-MED Børn og Unge (formand), Hoved-MED"',
    "T1;Sundhedsplejen Øst;C1;5001;Søren Æbelø;soren@aero.dk;Sundhedsplejerske;nej;"
    "Center-MED Børn og Unge (næstformand)",
    "T1;Sundhedsplejen Øst;C1;5002;Åse Ørnebjerg;aase@aero.dk;Leder;ja;"
    "Lokal-MED Sundhedsplejen (formand)",
    "T1;Sundhedsplejen Øst;C1;5004;Pia Plejer;pia@aero.dk;Sundhedsplejerske;nej;"
    "lokal-med sundhedsplejen",
    "T2;Tandplejen;C1;5003;Bjørn Kærgård;bjorn@aero.dk;Tandlæge;;",
]


def memberships(org) -> set[tuple[str, str, str]]:
    with org.scope():
        return set(
            MEDMembership.objects.values_list("committee__name", "person__employee_number", "role")
        )


def test_the_med_column_creates_committees_and_memberships_and_a_reimport_changes_nothing(
    org_a,
):
    data = csv_bytes(ORGANISATION, "utf-8")
    plan = dry_run(org_a, data)
    assert plan.problems == []
    assert plan.counts["med_create"] == 3
    assert plan.counts["med_join"] == 6
    with org_a.scope():
        assert not MEDCommittee.objects.exists(), "the dry run wrote something"

    run(org_a, data)
    with org_a.scope():
        committees = {
            c.name: (c.kind, c.unit.external_id)
            for c in MEDCommittee.objects.select_related("unit")
        }
    assert committees == {
        "Hoved-MED": ("hoved", "D1"),
        "Center-MED Børn og Unge": ("center", "C1"),
        "Lokal-MED Sundhedsplejen": ("lokal", "T1"),
    }
    assert memberships(org_a) == {
        ("Hoved-MED", "9001", "formand"),
        ("Hoved-MED", "5000", "medlem"),
        ("Center-MED Børn og Unge", "5000", "formand"),
        ("Center-MED Børn og Unge", "5001", "naestformand"),
        ("Lokal-MED Sundhedsplejen", "5002", "formand"),
        ("Lokal-MED Sundhedsplejen", "5004", "medlem"),
    }

    again = dry_run(org_a, data)
    assert again.problems == [] and again.total == 0
    run(org_a, data)
    assert len(memberships(org_a)) == 6

    # The imported member sees the committee's dashboard at once.
    with org_a.scope():
        soren = Person.objects.get(employee_number="5001")
        centre_med = MEDCommittee.objects.get(name="Center-MED Børn og Unge")
    page = client_for(soren).get(reverse("med_dashboard", args=[centre_med.pk]))
    assert page.status_code == 200


def test_a_changed_cell_moves_people_in_and_out_and_changes_roles(org_a):
    run(org_a, csv_bytes(ORGANISATION, "utf-8"))
    changed = list(ORGANISATION)
    changed[3] = changed[3].replace("(næstformand)", "")  # Søren: now a plain member
    changed[5] = changed[5].rsplit(";", 1)[0] + ";"  # Pia leaves the Lokal-MED
    plan = dry_run(org_a, csv_bytes(changed, "utf-8"))
    assert plan.problems == []
    assert plan.counts == {"med_role": 1, "med_leave": 1}
    run(org_a, csv_bytes(changed, "utf-8"))
    found = memberships(org_a)
    assert ("Center-MED Børn og Unge", "5001", "medlem") in found
    assert not any(number == "5004" for _name, number, _role in found)


def test_an_existing_committee_is_joined_by_name_and_keeps_its_coverage(org_a):
    run(org_a, csv_bytes(ORGANISATION[:2], "utf-8"))
    with org_a.scope():
        hoved = MEDCommittee.objects.get(name="Hoved-MED")
        hoved.unit = org_a.root
        hoved.save()
    plan = dry_run(org_a, csv_bytes(ORGANISATION[:3], "utf-8"), full=False)
    assert plan.problems == []
    assert "Hoved-MED" not in " ".join(plan.examples.get("med_create", []))
    run(org_a, csv_bytes(ORGANISATION[:3], "utf-8"), full=False)
    with org_a.scope():
        assert MEDCommittee.objects.filter(name="Hoved-MED").count() == 1
        assert MEDCommittee.objects.get(name="Hoved-MED").unit == org_a.root


def test_a_new_committee_without_a_chair_and_two_chairs_are_refused(org_a):
    lines = [
        HEADER,
        "D1;Direktionen;;9001;Dorthe Direktør;dd@aero.dk;Kommunaldirektør;ja;Hoved-MED",
        "D1;Direktionen;;9003;Dina Dansk;dina@aero.dk;Direktør;ja;Lokal-MED Y (formand)",
        "D1;Direktionen;;9004;Didde Dansk;didde@aero.dk;Direktør;ja;Lokal-MED Y (formand)",
    ]
    plan = dry_run(org_a, csv_bytes(lines, "utf-8"))
    problems = {(p.line, p.column): p.message for p in plan.problems}
    assert "ingen formand" in problems[(2, "med")]
    assert "formand i linje 3" in problems[(4, "med")]
    with org_a.scope():
        assert not MEDCommittee.objects.exists()


def test_a_committee_named_twice_or_on_a_unit_line_is_refused(org_a):
    lines = [
        HEADER,
        "D1;Direktionen;;9002;Dan Dansk;dan@aero.dk;Direktør;ja;"
        '"Center-MED X (formand), center-med x"',
        "D2;Kontoret;D1;;;;;;Hoved-MED",
    ]
    plan = dry_run(org_a, csv_bytes(lines, "utf-8"))
    problems = {(p.line, p.column): p.message for p in plan.problems}
    assert "to gange" in problems[(2, "med")]
    assert "persons linje" in problems[(3, "med")]
