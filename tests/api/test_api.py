"""The read-only BI API: per-kommune tokens, the organisation, the catalogue and the
frameworks of the token's kommune only, k-anonymous figures, never a person's name,
paging, problem+json errors, the rate limit and the audit log."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annualcycle.models import Cycle
from catalogue import services as catalogue_services
from kompetence.api import services
from kompetence.api.models import ApiToken
from kompetence.models import AuditEntry, OrgUnit, Person
from profiles.models import Evaluation
from tests.annualcycle.test_dashboards import add_people, add_unit, answer_all
from tests.catalogue.factories import build_course, build_session
from tests.catalogue.training_factories import certificate, requirement_for
from tests.conftest import client_for, host_of
from tests.profiles.factories import build_framework, open_round

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/org-units",
    "/api/v1/courses",
    "/api/v1/course-sessions",
    "/api/v1/competence-frameworks",
    "/api/v1/competences",
    "/api/v1/evaluation-rounds",
    "/api/v1/unit-figures",
    "/api/v1/training-requirements",
    "/api/v1/training-requirement-figures",
]


def issue(org, **kwargs) -> str:
    with org.scope():
        return services.api_token_create(actor=org.hr, name="Power BI", **kwargs).secret


@pytest.fixture
def secret(org_a) -> str:
    return issue(org_a)


def call(org, path: str, secret: str | None, method: str = "get", **headers):
    client = Client(HTTP_HOST=host_of(org.kommune))
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return getattr(client, method)(path, **headers)


@pytest.fixture
def seeded(org_a):
    """Figures about people: an evaluation round with submitted answers, a held MUS,
    a course place, so that every endpoint has rows to hide a name in."""
    today = timezone.localdate()
    with org_a.scope():
        Cycle.objects.create(
            kommune=org_a.kommune,
            name="Årshjul",
            starts_on=today - datetime.timedelta(days=180),
            ends_on=today + datetime.timedelta(days=180),
        )
    version = build_framework(org_a.kommune, by=org_a.hr)
    east = add_unit(org_a, "Team Øst", org_a.centre)
    staff = add_people(org_a, east, 6, leader=True)
    round_ = open_round(version, org_a.root, by=org_a.hr)
    answer_all(org_a, round_, staff[1:], Evaluation.Kind.SELF)
    course = build_course(org_a.kommune, requires_approval=False)
    session = build_session(course)
    with org_a.scope():
        catalogue_services.enrolment_request(session=session, person=staff[1])
        requirement = requirement_for(org_a.kommune, grace_days=0)
        certificate(staff[0], requirement, today + datetime.timedelta(days=400))
        certificate(org_a.employee, requirement, today - datetime.timedelta(days=3))
    return round_


# --- Authentication ------------------------------------------------------------------------


def test_a_token_of_the_kommune_reads_every_list(org_a, secret):
    for path in LISTS:
        response = call(org_a, path, secret)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("application/json")
        assert {"items", "page", "pageSize", "totalItems", "totalPages", "links"} <= set(
            response.json()
        )


def _revoked(org):
    secret = issue(org)
    with org.scope():
        token = ApiToken.objects.get(token_hash=hashlib.sha256(secret.encode()).hexdigest())
        services.api_token_revoke(actor=org.hr, token=token)
    return secret


def _expired(org):
    secret = issue(org)
    with org.scope():
        ApiToken.objects.filter(token_hash=services.token_hash(secret)).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    return secret


@pytest.mark.parametrize(
    "make",
    [
        lambda org_a, org_b: None,
        lambda org_a, org_b: "kbi_not-a-token",
        lambda org_a, org_b: _revoked(org_a),
        lambda org_a, org_b: _expired(org_a),
        lambda org_a, org_b: issue(org_b),
    ],
    ids=["missing", "unknown", "revoked", "expired", "other-kommune"],
)
def test_every_refused_token_gets_the_same_401(org_a, org_b, make):
    response = call(org_a, "/api/v1/org-units", make(org_a, org_b))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "type": "about:blank",
        "title": "Ikke godkendt",
        "status": 401,
        "detail": "Send en gyldig API-nøgle fra denne kommune i Authorization: Bearer <nøgle>.",
    }


def test_problems_are_english_for_accept_language_en(org_a):
    response = call(org_a, "/api/v1/org-units", None, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"
    assert response.json()["title"] == "Not authenticated"


def test_a_token_works_on_its_own_kommunes_host_only(org_a, org_b):
    secret_b = issue(org_b)
    assert call(org_b, "/api/v1/org-units", secret_b).status_code == 200
    assert call(org_a, "/api/v1/org-units", secret_b).status_code == 401


def test_use_is_recorded_on_the_token(org_a, secret):
    call(org_a, "/api/v1/org-units", secret)
    with org_a.scope():
        assert ApiToken.objects.get().last_used_at is not None


# --- Scope and content ---------------------------------------------------------------------


def test_only_the_token_kommunes_units_appear(org_a, org_b, secret):
    body = call(org_a, "/api/v1/org-units", secret).json()
    with org_a.scope():
        own = set(OrgUnit.objects.values_list("pk", flat=True))
    with org_b.scope():
        theirs = set(OrgUnit.objects.values_list("pk", flat=True))
    assert {item["id"] for item in body["items"]} == own
    assert not own & theirs
    team = next(item for item in body["items"] if item["id"] == org_a.team.pk)
    assert team == {
        "id": org_a.team.pk,
        "name": "Team Nord",
        "kind": "team",
        "parentId": org_a.centre.pk,
        "externalId": "",
        "path": [org_a.root.pk, org_a.centre.pk, org_a.team.pk],
        "depth": 3,
        "isActive": True,
    }


def test_the_catalogue_and_frameworks_of_the_kommune(org_a, org_b, secret):
    version = build_framework(org_a.kommune, by=org_a.hr)
    course = build_course(org_a.kommune, title="Konflikthåndtering")
    build_course(org_a.kommune, title="Kladde", publish=False)
    build_course(org_b.kommune, title="Betas kursus")
    session = build_session(course)
    courses = call(org_a, "/api/v1/courses", secret).json()["items"]
    assert [c["title"] for c in courses] == ["Konflikthåndtering"]
    assert courses[0]["price"] == 2500.0
    sessions = call(org_a, "/api/v1/course-sessions", secret).json()["items"]
    assert [(s["id"], s["courseId"]) for s in sessions] == [(session.pk, course.pk)]
    frameworks = call(org_a, "/api/v1/competence-frameworks", secret).json()["items"]
    assert frameworks[0]["versions"][0]["id"] == version.pk
    competences = call(org_a, f"/api/v1/competences?frameworkVersionId={version.pk}", secret).json()
    assert competences["totalItems"] > 0
    assert {c["frameworkVersionId"] for c in competences["items"]} == {version.pk}


def test_unit_figures_hide_groups_smaller_than_the_kommunes_minimum(org_a, secret):
    # Team Nord holds three people, Team Syd one, the centre five in all (k = 5).
    figures = {
        item["unitId"]: item for item in call(org_a, "/api/v1/unit-figures", secret).json()["items"]
    }
    assert figures[org_a.team.pk]["people"] is None
    assert figures[org_a.team.pk]["musHeld"] is None
    assert figures[org_a.sibling_team.pk]["people"] is None
    assert figures[org_a.centre.pk]["people"] == 5
    org_a.kommune.med_min_group_size = 3
    org_a.kommune.save(update_fields=["med_min_group_size"])
    figures = {
        item["unitId"]: item for item in call(org_a, "/api/v1/unit-figures", secret).json()["items"]
    }
    assert figures[org_a.team.pk]["people"] == 3


def test_unit_figures_of_a_round_show_evaluations_and_gaps_of_large_groups(org_a, secret, seeded):
    body = call(org_a, f"/api/v1/unit-figures?evaluationRoundId={seeded.pk}", secret).json()
    assert body["minGroupSize"] == 5
    assert body["evaluationRoundId"] == seeded.pk
    figures = {item["unitId"]: item for item in body["items"]}
    with org_a.scope():
        east = OrgUnit.objects.get(name="Team Øst")
    assert figures[east.pk]["people"] == 6
    assert figures[east.pk]["selfEvaluationsSubmitted"] == {"count": 5, "of": 6}
    assert figures[east.pk]["competenceGroupGaps"]
    assert figures[org_a.team.pk]["selfEvaluationsSubmitted"] == {"count": None, "of": None}


def test_training_figures_hide_groups_smaller_than_the_minimum(org_a, secret):
    today = timezone.localdate()
    with org_a.scope():
        requirement = requirement_for(org_a.kommune, grace_days=0)
        certificate(org_a.employee, requirement, today - datetime.timedelta(days=3))
        certificate(org_a.colleague, requirement, today + datetime.timedelta(days=30))
        certificate(org_a.leader, requirement, today + datetime.timedelta(days=400))
    listed = call(org_a, "/api/v1/training-requirements", secret).json()["items"]
    assert [r["id"] for r in listed] == [requirement.pk]
    body = call(org_a, "/api/v1/training-requirement-figures", secret).json()
    figures = {item["unitId"]: item["requirements"] for item in body["items"]}
    # Team Nord: three people subject (hidden at k = 5); the centre: five (shown).
    assert figures[org_a.team.pk] == [
        {
            "requirementId": requirement.pk,
            "people": None,
            "valid": None,
            "expiring": None,
            "expired": None,
            "due": None,
            "missing": None,
        }
    ]
    assert figures[org_a.centre.pk] == [
        {
            "requirementId": requirement.pk,
            "people": 5,
            "valid": 1,
            "expiring": 1,
            "expired": 1,
            "due": 2,  # no certificate, first day, grace of 0 days
            "missing": 0,
        }
    ]


def test_no_response_names_a_person(org_a, org_b, secret, seeded):
    with org_a.scope():
        people = list(Person.objects.all())
    # Distinctive strings: every name, e-mail address and employee number.
    needles = [p.name for p in people] + [p.email for p in people]
    needles += [p.employee_number for p in people if len(p.employee_number) > 4]
    bodies = [call(org_a, path, secret).content.decode() for path in LISTS]
    bodies.append(
        call(org_a, f"/api/v1/unit-figures?evaluationRoundId={seeded.pk}", secret).content.decode()
    )
    text = "\n".join(json.dumps(json.loads(body), ensure_ascii=False) for body in bodies)
    found = [needle for needle in needles if needle and needle in text]
    assert found == []


# --- Paging --------------------------------------------------------------------------------


def test_pages_link_to_each_other(org_a, secret):
    # Five units in kommune A: pages of two.
    first = call(org_a, "/api/v1/org-units?pageSize=2", secret).json()
    assert (first["page"], first["totalItems"], first["totalPages"]) == (1, 5, 3)
    assert first["links"]["previous"] is None
    assert first["links"]["next"] == "http://alfa.localhost/api/v1/org-units?pageSize=2&page=2"
    seen = [item["id"] for item in first["items"]]
    page = first
    while page["links"]["next"]:
        page = call(
            org_a, page["links"]["next"].removeprefix("http://alfa.localhost"), secret
        ).json()
        seen += [item["id"] for item in page["items"]]
    assert page["page"] == 3 and page["links"]["last"] == page["links"]["self"]
    assert len(seen) == len(set(seen)) == 5


def test_a_page_past_the_end_is_404_and_a_bad_size_400(org_a, secret):
    response = call(org_a, "/api/v1/org-units?page=9", secret)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    response = call(org_a, "/api/v1/org-units?pageSize=0", secret)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "pageSize"


# --- Methods, rate limit, audit ------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_methods_get_405(org_a, secret, method):
    response = call(org_a, "/api/v1/org-units", secret, method=method)
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response["Content-Type"] == "application/problem+json"


@override_settings(API_RATE_LIMIT="2/min")
def test_a_token_over_its_rate_gets_429_with_retry_after(org_a, secret):
    assert call(org_a, "/api/v1/org-units", secret).status_code == 200
    assert call(org_a, "/api/v1/courses", secret).status_code == 200
    response = call(org_a, "/api/v1/org-units", secret)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    # Another token of the kommune has a rate of its own.
    assert call(org_a, "/api/v1/org-units", issue(org_a)).status_code == 200


def test_every_call_is_audited_with_what_was_asked(org_a, secret, caplog):
    call(org_a, "/api/v1/org-units?pageSize=2", secret)
    call(org_a, "/api/v1/org-units?page=99", secret)
    call(org_a, "/api/v1/org-units", "kbi_wrong")
    with org_a.scope():
        entries = list(AuditEntry.objects.filter(action=AuditEntry.Action.API).order_by("pk"))
        token = ApiToken.objects.get()
    # A call without a valid token reads nothing: it goes to the server log, so callers
    # without a key cannot fill the kommune's audit log.
    assert len(entries) == 2
    answered, not_found = entries
    assert answered.actor is None and answered.subject is None
    assert answered.details == {
        "method": "GET",
        "path": "/api/v1/org-units",
        "query": {"pageSize": ["2"]},
        "status": 200,
        "tokenId": token.pk,
        "tokenPrefix": token.prefix,
    }
    assert "Power BI" in answered.summary
    assert not_found.details["status"] == 404 and not_found.details["tokenId"] == token.pk
    refusals = [r.getMessage() for r in caplog.records if "without a valid token" in r.getMessage()]
    assert len(refusals) == 1 and "401" in refusals[0] and "kbi_wrong" not in refusals[0]


def _queries(org, path: str, secret: str) -> int:
    call(org, path, secret)  # stale unit figures are stored again by the first call
    with CaptureQueriesContext(connection) as queries:
        assert call(org, path, secret).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", LISTS)
def test_queries_do_not_grow_with_the_data(
    org_a, secret, seeded, path, django_assert_max_num_queries
):
    before = _queries(org_a, path, secret)
    add_people(org_a, org_a.team, 4)
    build_session(build_course(org_a.kommune, title="Endnu et kursus"))
    assert _queries(org_a, path, secret) == before
    with django_assert_max_num_queries(15):
        call(org_a, path, secret)


def test_hr_of_the_kommune_reads_the_api_calls_in_the_audit_log(org_a, org_b, secret):
    call(org_a, "/api/v1/org-units?pageSize=2", secret)
    call(org_b, "/api/v1/courses", issue(org_b))
    page = client_for(org_a.hr).get(reverse("audit_log"), {"action": "api"}).text
    assert "GET /api/v1/org-units" in page
    assert "/api/v1/courses" not in page  # another kommune's call
