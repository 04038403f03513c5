"""Searches and filters over people, and exports of personal data, are logged with
what was asked for (issue 19.4, the common data-processing agreement): a page shown
without criteria writes nothing; the audit log shows the criteria and filters by
action; another kommune's user gets 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kompetence.models import AuditEntry
from profiles.models import Competence, Evaluation
from tests.annualcycle.test_dashboards import answer_all
from tests.catalogue.training_factories import certificate, requirement_for
from tests.conftest import client_for
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def _searches(org) -> list[AuditEntry]:
    with org.scope():
        return list(AuditEntry.objects.filter(action=AuditEntry.Action.SEARCH).order_by("at", "pk"))


# --- The person list -----------------------------------------------------------------------


def test_the_person_list_logs_a_search_with_its_criteria(org_a):
    client = client_for(org_a.hr)
    client.get(reverse("person_list"))
    client.get(reverse("person_list"), {"q": "  "})
    assert _searches(org_a) == []  # no criterion: no entry
    client.get(reverse("person_list"), {"q": "Eva", "adgang": "ikke-inviteret"})
    (entry,) = _searches(org_a)
    assert entry.actor == org_a.hr and entry.subject is None
    assert entry.details == {"criteria": {"q": "Eva", "adgang": "Ikke inviteret"}}
    assert entry.summary == "Søgning i personer"
    # Paging with the same criteria is a new look at the people: logged again.
    client.get(reverse("person_list"), {"q": "Eva", "page": "2"})
    assert len(_searches(org_a)) == 2


def test_the_person_list_adds_one_query_for_the_entry(org_a, django_assert_max_num_queries):
    client = client_for(org_a.hr)
    client.get(reverse("person_list"))
    with django_assert_max_num_queries(50) as without:
        client.get(reverse("person_list"))
    with django_assert_max_num_queries(len(without.captured_queries) + 1):
        client.get(reverse("person_list"), {"q": "Eva"})


# --- The audit log -------------------------------------------------------------------------


def test_the_audit_logs_own_filter_is_logged_and_shown_with_its_criteria(org_a):
    client = client_for(org_a.hr)
    client.get(reverse("person_list"), {"q": "Kim"})
    page = client.get(reverse("audit_log"), {"subject": "Eva", "action": "search"})
    assert page.status_code == 200
    entries = _searches(org_a)
    assert entries[-1].details == {"criteria": {"hvis": "Eva", "handling": "Søgt"}}
    assert entries[-1].summary == "Søgning i adgangsloggen"
    # The searches are about no one in particular: shown by who made them.
    page = client.get(reverse("audit_log"), {"action": "search"})
    assert "Søgning i personer" in page.text
    assert "Søgetekst: Kim" in page.text
    assert "Hvis data: Eva" in page.text
    assert '<option value="search" selected>Søgt</option>' in page.text


def test_the_action_filter_narrows_the_log(org_a):
    client = client_for(org_a.hr)
    client.get(reverse("person_list"), {"q": "Kim"})
    with org_a.scope():
        AuditEntry.objects.create(
            kommune=org_a.kommune,
            actor=org_a.leader,
            action=AuditEntry.Action.VIEW,
            subject=org_a.employee,
            object_type="kompetence.Person",
            summary="Læste personen",
        )
    searched = client.get(reverse("audit_log"), {"action": "search"}).text
    assert "Søgning i personer" in searched and "Læste personen" not in searched
    viewed = client.get(reverse("audit_log"), {"action": "view"}).text
    assert "Læste personen" in viewed and "Søgning i personer" not in viewed


def test_the_audit_log_reads_the_criteria_in_english(org_a):
    client_for(org_a.hr).get(reverse("person_list"), {"q": "Kim"})
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    page = client_for(org_a.hr).get(reverse("audit_log"), {"action": "search"})
    assert "Search text: Kim" in page.text
    assert "Searched" in page.text


def test_a_unit_hr_sees_searches_made_by_the_people_they_administer_only(org_a, org_b):
    client_for(org_a.hr).get(reverse("person_list"), {"q": "Eva"})
    client_for(org_b.hr).get(reverse("person_list"), {"q": "Beta-søgning"})
    page = client_for(org_a.hr).get(reverse("audit_log"), {"action": "search"})
    assert "Søgetekst: Eva" in page.text and "Beta-søgning" not in page.text


@pytest.mark.parametrize("name", ["audit_log", "person_list"])
def test_another_kommunes_user_gets_404(org_a, org_b, name):
    client = client_for(org_b.hr, org_a.kommune)
    assert client.get(reverse(name), {"q": "Eva", "subject": "Eva"}).status_code == 404
    assert _searches(org_a) == []


# --- Training requirements and the Certifikater overview ----------------------------------


@pytest.fixture
def first_aid(org_a):
    with org_a.scope():
        requirement = requirement_for(org_a.kommune, grace_days=0)
        certificate(org_a.employee, requirement, TODAY - 3 * DAY)
        certificate(org_a.colleague, requirement, TODAY + 30 * DAY)
    return requirement


def test_the_requirements_status_filter_is_logged(org_a, first_aid):
    url = reverse("requirement_detail", args=[first_aid.pk])
    client = client_for(org_a.hr)
    client.get(url)
    assert _searches(org_a) == []
    assert client.get(url, {"status": "expired"}).status_code == 200
    (entry,) = _searches(org_a)
    assert entry.details == {"criteria": {"krav": "Førstehjælp", "status": "Udløbet"}}


def test_the_certificates_overviews_filters_are_logged(org_a, first_aid):
    client = client_for(org_a.hr)
    client.get(reverse("training_overview"))
    assert _searches(org_a) == []
    client.get(
        reverse("training_overview"),
        {"status": "expiring", "krav": first_aid.pk, "enhed": org_a.team.pk},
    )
    (entry,) = _searches(org_a)
    assert entry.details == {
        "criteria": {"enhed": "Team Nord", "krav": "Førstehjælp", "status": "Udløber snart"}
    }


def test_the_certificates_export_is_logged_with_its_filters_and_rows(org_a, first_aid):
    response = client_for(org_a.hr).get(reverse("training_overview_export"), {"status": "expired"})
    assert response.status_code == 200
    with org_a.scope():
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.details["format"] == "XLSX"
    assert entry.details["criteria"] == {"status": "Udløbet"}
    assert entry.details["rows"] >= 1


def test_another_kommunes_hr_gets_404_from_the_requirement_and_writes_nothing(
    org_a, org_b, first_aid
):
    url = reverse("requirement_detail", args=[first_aid.pk])
    assert client_for(org_b.hr, org_a.kommune).get(url, {"status": "expired"}).status_code == 404
    assert client_for(org_b.hr).get(url, {"status": "expired"}).status_code == 404
    assert _searches(org_a) == [] and _searches(org_b) == []


# --- The heat map's people ---------------------------------------------------------------


def test_the_people_behind_a_heat_map_cell_are_a_logged_filter(org_a):
    round_ = open_round(build_framework(org_a.kommune, by=org_a.hr), org_a.root, by=org_a.hr)
    answer_all(org_a, round_, [org_a.employee, org_a.colleague], Evaluation.Kind.SELF)
    with org_a.scope():
        competence = Competence.objects.filter(version=round_.version, roles=[]).first()
    url = (
        f"{reverse('heatmap_people')}?runde={round_.pk}&enhed={org_a.team.pk}"
        f"&direkte=1&kompetence={competence.pk}"
    )
    assert client_for(org_a.leader).get(url).status_code == 200
    (entry,) = _searches(org_a)
    assert entry.actor == org_a.leader
    assert entry.details["criteria"] == {
        "enhed": "Team Nord",
        "runde": round_.name,
        "kompetence": competence.name,
        "direkte": True,
    }
    assert client_for(org_a.hr, org_a.kommune).get(url).status_code == 404


# --- Exports -----------------------------------------------------------------------------


def test_the_personal_data_download_is_an_export_with_its_format(org_a):
    client_for(org_a.hr).post(reverse("person_data_download", args=[org_a.employee.pk]))
    with org_a.scope():
        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.subject == org_a.employee and entry.details == {"format": "ZIP"}
