"""HovedMED's yearly MUS evaluation: its figures on a known case, k-anonymity, the
documents, the Celery path and who may order and see it."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annualcycle.models import MusEvaluationReport
from annualcycle.reports import build, mus_evaluation_documents
from annualcycle.reports.mus_evaluation import evaluation_content
from kompetence import services as org_services
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import AuditEntry, MEDCommittee, MEDMembership, OrgUnit, Person
from mus.models import (
    CheckInActivity,
    Conversation,
    Plan,
    PlanActivity,
    PlanCheckIn,
    PlanGoal,
    PlanVersion,
    Signature,
)
from profiles.models import Competence
from tests.conftest import Org, client_for
from tests.mus.test_mus import pdf_text
from tests.profiles.factories import build_framework

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
SHEETS = ["Oversigt", "Pr. enhed", "Temaer"]
HIDDEN = "skjult"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class Case:
    competences: dict[str, Competence]


def _conversation(org: Org, employee, leader, kind: str, day, status="held") -> Conversation:
    return Conversation.objects.create(
        kommune=org.kommune,
        kind=kind,
        employee=employee,
        leader=leader,
        starts_at=_at(day),
        location="Mødelokale 1",
        status=status,
        held_at=_at(day, 11) if status == "held" else None,
    )


def _plan(
    org: Org,
    conversation: Conversation,
    *,
    signed: tuple[datetime.date | None, datetime.date | None],
    goals: list[list[Competence]],
    follow_up: datetime.date | None = None,
    activities: tuple[str, ...] = ("planned",),
) -> PlanVersion:
    plan = Plan.objects.create(
        kommune=org.kommune,
        conversation=conversation,
        employee=conversation.employee,
        leader=conversation.leader,
    )
    version = PlanVersion.objects.create(
        kommune=org.kommune, plan=plan, number=1, follow_up_date=follow_up
    )
    for order, competences in enumerate(goals):
        goal = PlanGoal.objects.create(
            kommune=org.kommune, version=version, text=f"Mål {order}", order=order
        )
        goal.competences.set(competences)
    for order, status in enumerate(activities):
        PlanActivity.objects.create(
            kommune=org.kommune,
            version=version,
            kind=PlanActivity.Kind.NETWORK,
            title=f"Aktivitet {order}",
            status=status,
            order=order,
        )
    for role, signer, day in (
        (Signature.Role.EMPLOYEE, plan.employee, signed[0]),
        (Signature.Role.LEADER, plan.leader, signed[1]),
    ):
        if day is not None:
            Signature.objects.create(
                kommune=org.kommune,
                version=version,
                signer=signer,
                role=role,
                signed_at=_at(day),
                content_hash="0" * 64,
            )
    return version


def _check_in(org: Org, version: PlanVersion, day: datetime.date) -> PlanCheckIn:
    check_in = PlanCheckIn.objects.create(
        kommune=org.kommune, version=version, author=version.plan.leader, held_on=day
    )
    activity = version.activities.first()
    CheckInActivity.objects.create(
        kommune=org.kommune, check_in=check_in, activity=activity, status="in_progress"
    )
    return check_in


def build_case(org: Org) -> Case:
    """The known case in 2025 (the period), in the org's tree:

    * employee (Team Nord): MUS held, plan signed by both in the period, goals about
      Udvikling+Kultur, Udvikling and no competence; follow-up 1 Sep with a check-in;
      last year's MUS, plan (Resultater goal) and check-in lie before the period;
    * colleague (Team Nord): GRUS held, plan signed by the employee only; a Resultater
      goal; follow-up 1 Oct with every activity done or dropped;
    * leader (Team Nord): LUS held with the chef, no plan;
    * other_employee (Team Syd): seniorsamtale held, plan signed by both, a Kultur goal;
      follow-up 1 Nov, not followed up;
    * chef (Center for Omsorg): one MUS planned, one cancelled in the period.
    """
    version = build_framework(org.kommune, by=org.hr)
    with kommune_scope(org.kommune):
        competences = {c.name: c for c in Competence.objects.filter(version=version)}
        change = competences["Forandringskompetence"]
        innovation = competences["Innovationskompetence"]
        together = competences["Samarbejdskompetence"]
        professional = competences["Faglig kompetence"]

        old = _conversation(org, org.employee, org.leader, "mus", datetime.date(2024, 3, 1))
        old_version = _plan(
            org,
            old,
            signed=(datetime.date(2024, 3, 1), datetime.date(2024, 3, 2)),
            goals=[[professional]],
            follow_up=datetime.date(2024, 9, 1),
        )
        _check_in(org, old_version, datetime.date(2024, 9, 3))

        mus = _conversation(org, org.employee, org.leader, "mus", datetime.date(2025, 3, 10))
        version = _plan(
            org,
            mus,
            signed=(datetime.date(2025, 3, 10), datetime.date(2025, 3, 11)),
            goals=[[change, together], [innovation], []],
            follow_up=datetime.date(2025, 9, 1),
        )
        _check_in(org, version, datetime.date(2025, 9, 5))

        grus = _conversation(org, org.colleague, org.leader, "grus", datetime.date(2025, 4, 1))
        _plan(
            org,
            grus,
            signed=(datetime.date(2025, 4, 2), None),
            goals=[[professional]],
            follow_up=datetime.date(2025, 10, 1),
            activities=("done", "cancelled"),
        )
        _conversation(org, org.leader, org.chef, "lus", datetime.date(2025, 5, 5))
        senior = _conversation(
            org, org.other_employee, org.chef, "senior", datetime.date(2025, 6, 1)
        )
        _plan(
            org,
            senior,
            signed=(datetime.date(2025, 6, 1), datetime.date(2025, 6, 1)),
            goals=[[together]],
            follow_up=datetime.date(2025, 11, 1),
        )
        _conversation(org, org.chef, org.director, "mus", datetime.date(2025, 11, 1), "scheduled")
        _conversation(org, org.chef, org.director, "mus", datetime.date(2025, 2, 1), "cancelled")
    return Case(competences=competences)


@pytest.fixture
def case(org_a, tmp_path, settings) -> Case:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_case(org_a)


def set_k(org: Org, k: int) -> None:
    org.kommune.med_min_group_size = k
    org.kommune.save(update_fields=["med_min_group_size"])


def committee(org: Org, unit: OrgUnit, members: list[Person], kind=MEDCommittee.Kind.CENTER):
    with org.scope():
        return org_services.med_committee_create(
            kommune=org.kommune,
            name=f"MED {unit.name}",
            kind=kind,
            unit=unit,
            members=[(m, MEDMembership.Role.MEMBER) for m in members],
        )


def order(client, unit: OrgUnit, capture, start=START, end=END) -> MusEvaluationReport:
    with capture(execute=True):
        response = client.post(
            reverse("mus_evaluation_list"),
            {"unit": unit.pk, "period_start": start.isoformat(), "period_end": end.isoformat()},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    with kommune_scope(unit.kommune):
        return MusEvaluationReport.objects.order_by("-pk").first()


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def overview(book) -> dict:
    return {row[0]: row[1] for row in rows(book["Oversigt"]) if row and row[0]}


def by_unit(book, sheet: str = "Pr. enhed") -> dict[str, dict]:
    table = rows(book[sheet])
    header = table[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in table[1:] if row[0]}


def download(client, report: MusEvaluationReport, kind: str = "xlsx"):
    return client.get(reverse("mus_evaluation_download", args=[report.pk, kind]))


# --- The figures ---------------------------------------------------------------------


def test_hr_orders_an_evaluation_and_its_figures_are_right(
    org_a, case, django_capture_on_commit_callbacks, tmp_path
):
    set_k(org_a, 1)  # every figure shown: the counts themselves are under test
    client = client_for(org_a.hr)
    page = client.get(reverse("mus_evaluation_list"))
    assert page.status_code == 200 and "Bestil en evaluering" in page.text
    report = order(client, org_a.root, django_capture_on_commit_callbacks)
    assert report.status == MusEvaluationReport.Status.READY, report.error
    assert report.people == 7
    assert report.xlsx.name == f"reports/{org_a.kommune.pk}/mus-evaluation-{report.pk}.xlsx"

    status = client.get(reverse("mus_evaluation_status", args=[report.pk]))
    assert reverse("mus_evaluation_download", args=[report.pk, "pdf"]) in status.text
    assert "hx-trigger" not in status.text
    # The row's "Personer" cell, "–" while it was being made, gets the count with it.
    people = f'<span id="evaluation-people-{report.pk}" hx-swap-oob="true">7</span>'
    assert people in status.text

    book = workbook_of(download(client, report))
    assert book.sheetnames == SHEETS
    summary = overview(book)
    assert summary["Enhed (med underenheder)"] == "Direktionen"
    assert summary["Periode"] == "01-01-2025 – 31-12-2025"
    expected = {
        "Personer": 7,
        "MUS": 1,
        "GRUS/TUS": 1,
        "LUS": 1,
        "Seniorsamtale": 1,
        "Samtaler afholdt i alt": 4,
        "Samtaler planlagt": 1,
        "Samtaler aflyst": 1,
        "Personer med afholdt samtale": 4,
        "Planer underskrevet": 2,
        "Periodens planer": 3,
        "Planer der afventer underskrift": 1,
        "Opfølgninger i perioden": 3,
        "Heraf fulgt op": 2,
        "Midtvejsopfølgninger registreret": 1,
    }
    assert {label: summary[label] for label in expected} == expected
    assert abs(summary["Andel med afholdt samtale"] - 4 / 7) < 0.001

    units = by_unit(book)
    assert units["Team Nord"]["Personer"] == 3
    assert units["Team Nord"]["Placering"] == "Direktionen \u203a Center for Omsorg"
    assert units["Team Nord"]["Samtaler afholdt i alt"] == 3
    assert units["Team Nord"]["LUS"] == 1
    assert units["Team Syd"]["Seniorsamtale"] == 1
    assert units["Team Syd"]["Planer underskrevet"] == 1
    assert units["Center for Omsorg"]["Personer"] == 5
    assert units["Direkte i Center for Omsorg"]["Samtaler planlagt"] == 1
    assert units["Direkte i Center for Omsorg"]["Samtaler afholdt i alt"] == 0

    themes = by_unit(book, "Temaer")
    # Goals per competence group: last year's Resultater goal is not in the period.
    assert themes["Direktionen"]["Udvikling"] == 2
    assert themes["Direktionen"]["Kultur"] == 2
    assert themes["Direktionen"]["Resultater"] == 1
    assert themes["Direktionen"]["Ingen kompetence valgt"] == 1
    assert themes["Team Syd"]["Kultur"] == 1 and themes["Team Syd"]["Udvikling"] == 0

    pdf = download(client, report, "pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
    assert "MUS-evaluering for Direktionen" in text
    assert "Udviklingsmålenes temaer" in text and "Udvikling" in text
    assert "Omsorg" in text and "Sådan er tallene talt" in text
    for person in (org_a.employee, org_a.colleague, org_a.other_employee):
        assert person.name not in text

    with kommune_scope(org_a.kommune):
        exports = AuditEntry.objects.filter(actor=org_a.hr, action=AuditEntry.Action.EXPORT)
        assert {e.object_id for e in exports} == {str(report.pk)} and exports.count() == 2


def test_the_pdf_follows_the_requesters_language(org_a, case, tmp_path):
    set_k(org_a, 1)
    org_a.hr.user.language = "en"
    org_a.hr.user.save(update_fields=["language"])
    with kommune_scope(org_a.kommune):
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.root,
            period_start=START,
            period_end=END,
        )
        report = build.mus_evaluation_build(report_id=report.pk)
    text = pdf_text(report.pdf.read(), tmp_path)
    assert "MUS evaluation for Direktionen" in text
    assert "MUS-evaluering for" not in text


def test_the_default_period_is_the_running_arshjul_year(org_a):
    client = client_for(org_a.hr)
    with kommune_scope(org_a.kommune):
        from annualcycle.cycle.selectors import current_cycle

        cycle = current_cycle()
    page = client.get(reverse("mus_evaluation_list")).text
    if cycle is not None:
        assert f'value="{cycle.starts_on.isoformat()}"' in page
        assert f'value="{cycle.ends_on.isoformat()}"' in page
    else:
        year = timezone.localdate().year - 1
        assert f'value="{year}-01-01"' in page and f'value="{year}-12-31"' in page


def test_an_end_before_the_start_is_refused_naming_the_field(org_a):
    client = client_for(org_a.hr)
    response = client.post(
        reverse("mus_evaluation_list"),
        {"unit": org_a.root.pk, "period_start": "2025-12-31", "period_end": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "Til-datoen ligger før fra-datoen." in response.text
    with kommune_scope(org_a.kommune):
        assert not MusEvaluationReport.objects.exists()


# --- k-anonymity -------------------------------------------------------------------------


def _derivable(units: dict[str, dict], k: int, tree: dict[str, list[str]]) -> list[str]:
    """Shown unit figures from which subtracting the shown figures below gives a number
    about 1..k-1 people: each would give a hidden figure away."""
    leaks = []
    for name, children in tree.items():
        row = units.get(name)
        if row is None or row["Personer"] == HIDDEN:
            continue
        parts = [units.get(c) for c in children] + [units.get(f"Direkte i {name}")]
        shown = sum(p["Personer"] for p in parts if p is not None and p["Personer"] != HIDDEN)
        rest = row["Personer"] - shown
        if 0 < rest < k:
            leaks.append(name)
    return leaks


def test_a_unit_of_fewer_than_k_shows_nothing_and_cannot_be_worked_out(org_a, case, tmp_path):
    set_k(org_a, 3)
    with kommune_scope(org_a.kommune):
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.root,
            period_start=START,
            period_end=END,
        )
        report = build.mus_evaluation_build(report_id=report.pk)
    assert report.people == 7
    book = openpyxl.load_workbook(report.xlsx.path)
    units = by_unit(book)
    # Team Syd holds one person: nothing at all, not even a zero.
    syd = units["Team Syd"]
    assert {value for key, value in syd.items() if key not in ("Enhed", "Placering")} == {HIDDEN}
    # The centre would give Team Syd and the chef away (5 − 3 = 2 < k): hidden too.
    assert units["Center for Omsorg"]["Personer"] == HIDDEN
    assert units["Team Nord"]["Personer"] == 3 and units["Team Nord"]["Seniorsamtale"] == 0
    assert units["Direktionen"]["Personer"] == 7
    tree = {
        "Direktionen": ["Center for Omsorg", "Personale og Udvikling"],
        "Center for Omsorg": ["Team Nord", "Team Syd"],
    }
    assert _derivable(units, 3, tree) == []
    # Every theme is built from fewer than three people: hidden.
    themes = by_unit(book, "Temaer")["Direktionen"]
    assert {v for key, v in themes.items() if key not in ("Enhed", "Placering")} == {HIDDEN}
    text = pdf_text(report.pdf.read(), tmp_path)
    assert "skjult" in text


def test_the_same_cell_is_hidden_in_every_report_that_shows_it(org_a, case):
    """The centre's own report hides its total as the kommune's report hides its row."""
    set_k(org_a, 3)
    with kommune_scope(org_a.kommune):
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.centre,
            period_start=START,
            period_end=END,
        )
        content = evaluation_content(report)
        report = build.mus_evaluation_build(report_id=report.pk)
    assert content.total.hidden and report.people is None
    # What the report still shows of the whole: the sum of the rows shown.
    part = content.shown_part
    assert part is not None and part.people == 3 and part.counts["held"] == 3
    assert [(r.label, r.hidden) for r in content.page] == [
        ("Center for Omsorg", True),
        ("Team Nord", False),
        ("Team Syd", True),
    ]
    page = client_for(org_a.hr).get(reverse("mus_evaluation_list")).text
    assert HIDDEN in page


# --- The task ----------------------------------------------------------------------------


def test_a_failed_build_is_marked_failed_with_its_reason(
    org_a, case, monkeypatch, django_capture_on_commit_callbacks
):
    from annualcycle.tasks import build_mus_evaluation

    def broken(content, target):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mus_evaluation_documents, "write_xlsx", broken)
    with kommune_scope(org_a.kommune):
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.root,
            period_start=START,
            period_end=END,
        )
    build_mus_evaluation.delay(org_a.kommune.pk, report.pk)
    with kommune_scope(org_a.kommune):
        report.refresh_from_db()
    assert report.status == MusEvaluationReport.Status.FAILED
    assert report.error == "RuntimeError: disk full" and report.failure == "error"
    client = client_for(org_a.hr)
    page = client.get(reverse("mus_evaluation_status", args=[report.pk]))
    assert "Fejlede" in page.text and "uventet fejl" in page.text and "Prøv igen" in page.text
    assert download(client, report).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mus_evaluation_retry", args=[report.pk]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200 and 'hx-trigger="every 2s"' in response.text
    with kommune_scope(org_a.kommune):
        report.refresh_from_db()
    assert report.status == MusEvaluationReport.Status.READY


def test_building_twice_leaves_one_file_of_each(org_a, case, settings):
    from pathlib import Path

    with kommune_scope(org_a.kommune):
        report = MusEvaluationReport.objects.create(
            kommune=org_a.kommune,
            requested_by=org_a.hr,
            unit=org_a.root,
            period_start=START,
            period_end=END,
        )
        first = build.mus_evaluation_build(report_id=report.pk)
        MusEvaluationReport.objects.filter(pk=report.pk).update(status="pending")
        again = build.mus_evaluation_build(report_id=report.pk)
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(org_a.kommune.pk)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"mus-evaluation-{report.pk}.pdf",
        f"mus-evaluation-{report.pk}.xlsx",
    ]
    assert again.xlsx.name == first.xlsx.name


# --- Who may order and see ----------------------------------------------------------------


def test_a_med_member_orders_for_the_units_their_committee_covers(
    org_a, org_b, case, django_capture_on_commit_callbacks
):
    committee(org_a, org_a.centre, [org_a.colleague])
    committee(org_a, org_a.sibling_team, [org_a.other_employee], MEDCommittee.Kind.LOKAL)
    member = client_for(org_a.colleague)
    page = member.get(reverse("mus_evaluation_list"))
    assert page.status_code == 200
    # The form offers the committee's subtree only.
    assert f'value="{org_a.centre.pk}"' in page.text
    assert f'value="{org_a.root.pk}"' not in page.text
    refused = member.post(
        reverse("mus_evaluation_list"),
        {"unit": org_a.root.pk, "period_start": "2025-01-01", "period_end": "2025-12-31"},
    )
    assert refused.status_code == 200 and "field-invalid" in refused.text

    report = order(member, org_a.centre, django_capture_on_commit_callbacks)
    assert report.status == MusEvaluationReport.Status.READY
    urls = [
        reverse("mus_evaluation_status", args=[report.pk]),
        reverse("mus_evaluation_download", args=[report.pk, "xlsx"]),
        reverse("mus_evaluation_download", args=[report.pk, "pdf"]),
    ]
    assert [member.get(url).status_code for url in urls] == [200, 200, 200]
    assert [client_for(org_a.hr).get(url).status_code for url in urls] == [200, 200, 200]
    # A member of a committee that does not cover the centre, a leader outside MED,
    # and another kommune's people: 404.
    for outsider in (org_a.other_employee, org_a.leader):
        client = client_for(outsider)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        assert client.post(reverse("mus_evaluation_retry", args=[report.pk])).status_code == 404
    for client in (client_for(org_b.hr), client_for(org_b.hr, org_a.kommune)):
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # The Lokal-MED member's list does not show the centre's evaluation.
    listed = client_for(org_a.other_employee).get(reverse("mus_evaluation_list")).text
    assert urls[0] not in listed


def test_people_who_are_neither_med_nor_hr_have_no_page(org_a, org_b):
    for person in (org_a.employee, org_a.leader, org_a.director):
        assert client_for(person).get(reverse("mus_evaluation_list")).status_code == 404
    foreign = client_for(org_b.hr, org_a.kommune)
    assert foreign.get(reverse("mus_evaluation_list")).status_code == 404


def test_the_menu_shows_the_page_to_med_and_hr(org_a):
    committee(org_a, org_a.centre, [org_a.colleague])
    url = reverse("mus_evaluation_list")
    assert url in client_for(org_a.colleague).get(reverse("home")).text
    assert url in client_for(org_a.hr).get(reverse("home")).text
    assert url not in client_for(org_a.employee).get(reverse("home")).text


def _queries(client, url: str) -> int:
    """The queries of a warm request: the first fills the caches (the kommune of the
    host) and refreshes the session, which later requests do not."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_order_page_costs_the_same_queries_for_many_reports(
    org_a, django_assert_max_num_queries
):
    committee(org_a, org_a.centre, [org_a.colleague])
    client = client_for(org_a.colleague)

    def add(status="pending") -> MusEvaluationReport:
        with kommune_scope(org_a.kommune):
            return MusEvaluationReport.objects.create(
                kommune=org_a.kommune,
                requested_by=org_a.colleague,
                unit=org_a.team,
                period_start=START,
                period_end=END,
                status=status,
            )

    add()
    one = _queries(client, reverse("mus_evaluation_list"))
    for status in ("ready", "failed", "pending", "ready"):
        add(status)
    newest = add()
    assert _queries(client, reverse("mus_evaluation_list")) == one
    with django_assert_max_num_queries(25):
        page = client.get(reverse("mus_evaluation_list"))
    assert page.text.count('hx-trigger="every 2s"') == 1
    assert reverse("mus_evaluation_status", args=[newest.pk]) in page.text
