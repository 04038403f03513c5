"""Action plans (handlingsplaner): the leader writes the unit's plan for a year beside
its gap picture; the MED committee covering the unit reads and comments; everyone else
gets 404; one plan per unit and year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annualcycle.action_plans import services as action_plans
from annualcycle.models import ActionPlan, ActionPlanComment, ActionPlanItem
from kompetence import services as org_services
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import MEDCommittee, MEDMembership
from tests.annualcycle.test_reports import build_case
from tests.catalogue.factories import build_course
from tests.conftest import Org, client_for
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db


def committee(org: Org, unit, member, *, name="Center-MED", kind="center") -> MEDCommittee:
    with kommune_scope(org.kommune):
        return org_services.med_committee_create(
            kommune=org.kommune,
            name=name,
            kind=kind,
            unit=unit,
            members=[(member, MEDMembership.Role.MEMBER)],
        )


def create_plan(org: Org, *, unit=None, year: int = 2027, by=None) -> ActionPlan:
    with kommune_scope(org.kommune):
        return action_plans.action_plan_create(
            kommune=org.kommune, unit=unit or org.team, year=year, by=by or org.leader
        )


def item_data(**changes) -> dict:
    data = {
        "item-course": "",
        "item-title": "Sidemandsoplæring i journalføring",
        "item-competence_group": "",
        "item-participants": "3",
        "item-budget": "0",
        "item-deadline": "2027-05-01",
        "action": "item",
    }
    data.update(changes)
    return data


def test_leader_writes_a_plan_with_activities_from_the_catalogue_and_new_ones(org_a):
    build_case(org_a)
    course = build_course(org_a.kommune, title="Konflikthåndtering i praksis", price="2500")
    client = client_for(org_a.leader)
    assert client.get(reverse("action_plan_list")).status_code == 200

    response = client.post(reverse("action_plan_create"), {"unit": org_a.team.pk, "year": 2027})
    assert response.status_code == 302
    with kommune_scope(org_a.kommune):
        plan = ActionPlan.objects.get(unit=org_a.team, year=2027)
    detail = reverse("action_plan_detail", args=[plan.pk])
    assert response["Location"] == detail
    update = reverse("action_plan_update", args=[plan.pk])
    add_item = reverse("action_plan_item_add", args=[plan.pk])

    response = client.post(
        update,
        {"action": "plan", "priorities": "Samarbejde på tværs af teams.", "budget": "40000"},
    )
    assert response.status_code == 302
    response = client.post(
        add_item,
        item_data(
            **{
                "item-course": course.pk,
                "item-title": "",
                "item-competence_group": "Kultur",
                "item-budget": "7500",
            }
        ),
    )
    assert response.status_code == 302
    assert client.post(add_item, item_data()).status_code == 302
    # Neither a title nor a course: a Danish message by the field, nothing stored.
    refused = client.post(add_item, item_data(**{"item-title": ""}))
    assert refused.status_code == 200
    assert "Skriv aktiviteten, eller vælg et kursus fra kataloget." in refused.text

    with kommune_scope(org_a.kommune):
        plan.refresh_from_db()
        items = list(plan.items.order_by("order"))
    assert plan.priorities == "Samarbejde på tværs af teams."
    assert plan.budget == Decimal("40000") and plan.updated_by == org_a.leader
    assert [(i.title, i.course_id, i.competence_group) for i in items] == [
        ("Konflikthåndtering i praksis", course.pk, "Kultur"),
        ("Sidemandsoplæring i journalføring", None, ""),
    ]

    edit = reverse("action_plan_item_edit", args=[items[1].pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "course": "",
            "title": "Sidemandsoplæring i dokumentation",
            "competence_group": "Resultater",
            "participants": "4",
            "budget": "1200",
            "deadline": "2027-06-01",
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("action_plan_item_delete", args=[items[0].pk])).status_code == 302
    with kommune_scope(org_a.kommune):
        remaining = list(plan.items.all())
    assert [(i.title, i.participants, i.budget) for i in remaining] == [
        ("Sidemandsoplæring i dokumentation", 4, Decimal("1200"))
    ]

    page = client.get(detail)
    assert page.status_code == 200
    assert "Sidemandsoplæring i dokumentation" in page.text
    # Beside the plan: the unit's gap picture and its people's plan activities.
    assert "Enhedens gabbillede" in page.text and "Udvikling" in page.text
    assert org_a.employee.name in page.text and "Aktivitet 4" in page.text
    assert org_a.other_employee.name not in page.text  # another team
    assert "Netværk" in page.text  # the count by kind


def test_one_plan_per_unit_and_year(org_a):
    plan = create_plan(org_a)
    client = client_for(org_a.leader)
    response = client.post(reverse("action_plan_create"), {"unit": org_a.team.pk, "year": 2027})
    assert response.status_code == 200
    assert "Der er allerede en handlingsplan for Team Nord i 2027." in response.text
    assert reverse("action_plan_detail", args=[plan.pk]) in response.text
    # Another year is another plan; plans are kept per year.
    response = client.post(reverse("action_plan_create"), {"unit": org_a.team.pk, "year": 2028})
    assert response.status_code == 302
    with kommune_scope(org_a.kommune):
        assert ActionPlan.objects.filter(unit=org_a.team).count() == 2
    page = client.get(reverse("action_plan_list"))
    assert page.text.index("2028") < page.text.index("2027")


def test_med_member_of_a_covering_committee_reads_and_comments_but_cannot_edit(org_a):
    build_case(org_a)
    committee(org_a, org_a.centre, org_a.colleague)
    plan = create_plan(org_a)
    with kommune_scope(org_a.kommune):
        item = ActionPlanItem.objects.create(kommune=org_a.kommune, plan=plan, title="Netværk")
    client = client_for(org_a.colleague)
    detail = reverse("action_plan_detail", args=[plan.pk])

    listed = client.get(reverse("action_plan_list"))
    assert listed.status_code == 200 and detail in listed.text
    assert "Ny handlingsplan" not in listed.text
    page = client.get(detail)
    assert page.status_code == 200
    assert "Du læser planen som medlem af Center-MED" in page.text
    assert 'name="action"' not in page.text
    assert reverse("action_plan_item_edit", args=[item.pk]) not in page.text
    # Aggregates only: no names, and the team (three people) is below k = 5.
    assert org_a.employee.name not in page.text
    assert "skjult" in page.text

    update = reverse("action_plan_update", args=[plan.pk])
    assert (
        client.post(update, {"action": "plan", "priorities": "x", "budget": "1"}).status_code == 404
    )
    assert client.post(
        reverse("action_plan_item_add", args=[plan.pk]), item_data()
    ).status_code == (404)
    assert client.get(reverse("action_plan_item_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("action_plan_item_delete", args=[item.pk])).status_code == 404
    assert (
        client.post(
            reverse("action_plan_create"), {"unit": org_a.team.pk, "year": 2030}
        ).status_code
        == 404
    )

    response = client.post(
        reverse("action_plan_comment", args=[plan.pk]), {"text": "Husk de nye kolleger."}
    )
    assert response.status_code == 302
    with kommune_scope(org_a.kommune):
        comment = ActionPlanComment.objects.get(plan=plan)
        plan.refresh_from_db()
    assert comment.author == org_a.colleague and comment.committee.name == "Center-MED"
    assert plan.priorities == "" and plan.budget == 0
    page = client_for(org_a.leader).get(detail)
    assert "Husk de nye kolleger." in page.text
    assert f"{org_a.colleague.name}</strong> (Center-MED)" in page.text


def test_outsiders_get_404(org_a, org_b):
    plan = create_plan(org_a)
    with kommune_scope(org_a.kommune):
        item = ActionPlanItem.objects.create(kommune=org_a.kommune, plan=plan, title="Netværk")
    sibling_leader = PersonFactory(kommune=org_a.kommune, name="Sofie Søsterleder")
    PositionFactory(person=sibling_leader, unit=org_a.sibling_team, is_leader=True)
    # A MED committee for another part of the tree does not cover the plan.
    committee(org_a, org_a.sibling_team, org_a.other_employee, name="Lokal-MED Syd", kind="lokal")
    urls = [
        ("get", reverse("action_plan_detail", args=[plan.pk]), {}),
        ("post", reverse("action_plan_item_add", args=[plan.pk]), item_data()),
        ("post", reverse("action_plan_update", args=[plan.pk]), {"priorities": "x", "budget": "1"}),
        ("post", reverse("action_plan_comment", args=[plan.pk]), {"text": "Hej"}),
        ("get", reverse("action_plan_item_edit", args=[item.pk]), {}),
        ("post", reverse("action_plan_item_delete", args=[item.pk]), {}),
    ]
    clients = [
        client_for(sibling_leader),
        client_for(org_a.other_employee),
        client_for(org_a.employee),
        client_for(org_b.hr),
        client_for(org_b.hr, org_a.kommune),
    ]
    for client in clients:
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code == 404, (client, url)
    assert client_for(org_a.employee).get(reverse("action_plan_list")).status_code == 404
    listed = client_for(sibling_leader).get(reverse("action_plan_list"))
    assert reverse("action_plan_detail", args=[plan.pk]) not in listed.text
    # A leader may not start a plan for a unit they do not lead.
    response = client_for(sibling_leader).post(
        reverse("action_plan_create"), {"unit": org_a.team.pk, "year": 2027}
    )
    assert response.status_code == 200 and "field-invalid" in response.text
    with kommune_scope(org_a.kommune):
        assert not ActionPlanComment.objects.exists()
        assert ActionPlan.objects.count() == 1


def test_the_leader_above_and_hr_write_the_plan_too(org_a):
    plan = create_plan(org_a)
    detail = reverse("action_plan_detail", args=[plan.pk])
    for person in (org_a.chef, org_a.hr):
        client = client_for(person)
        assert detail in client.get(reverse("action_plan_list")).text
        response = client.post(
            reverse("action_plan_update", args=[plan.pk]),
            {"action": "plan", "priorities": person.name, "budget": "5"},
        )
        assert response.status_code == 302


def _queries(client, url: str) -> int:
    """The queries of a warm request: the first fills the caches (the kommune of the
    host) and refreshes the session, which later requests do not."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_whatever_the_data(org_a):
    build_case(org_a)
    committee(org_a, org_a.root, org_a.colleague, name="Hoved-MED", kind="hoved")
    plan = create_plan(org_a, unit=org_a.centre, by=org_a.chef)
    create_plan(org_a, unit=org_a.team, year=2026)
    chef, med = client_for(org_a.chef), client_for(org_a.colleague)
    detail = reverse("action_plan_detail", args=[plan.pk])
    before = [_queries(c, u) for c in (chef, med) for u in (detail, reverse("action_plan_list"))]
    course = build_course(org_a.kommune)
    with kommune_scope(org_a.kommune):
        for n in range(6):
            action_plans.action_plan_item_add(
                plan=plan, by=org_a.chef, title=f"Aktivitet {n}", course=course if n % 2 else None
            )
            action_plans.action_plan_comment_add(plan=plan, author=org_a.colleague, text=f"K {n}")
    create_plan(org_a, unit=org_a.sibling_team, year=2027, by=org_a.chef)
    after = [_queries(c, u) for c in (chef, med) for u in (detail, reverse("action_plan_list"))]
    assert after == before
