"""Bad input, generated (hypothesis): whatever a file or a form holds, the answer is a
clear message or a success — never an exception (a 500), and never a partial write."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.catalogue_import import catalogue_importer
from kompetence.infra import imports
from kompetence.infra.tabular import TableError, read_table
from kompetence.models import OrgUnit, Person, Position
from kompetence.org_import import organisation_importer
from profiles import interchange
from profiles.models import Framework
from tests.conftest import client_for
from tests.kompetence.test_tenancy import _url_for, tenant_patterns

pytestmark = pytest.mark.django_db

# Function-scoped fixtures (the kommuner) are built once per test, not per example: each
# example runs in a savepoint that is rolled back.
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
# Values a spreadsheet cell might really hold, beside random text.
CELL = st.one_of(
    TEXT,
    st.sampled_from(["", "ja", "nej", "x", "31-12-2026", "2026-02-30", "D1", "T1", "-1", "1e9",
                     "a@b.dk", "ikke en mail", "=HYPERLINK(\"x\")", "<script>", "æøå ÆØÅ"]),
)  # fmt: skip


def csv_of(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


class Rollback(Exception):
    pass


def rolled_back(work):
    """Runs `work` in a savepoint that is always rolled back; returns its result."""
    result = None
    try:
        with transaction.atomic():
            result = work()
            raise Rollback
    except Rollback:
        pass
    return result


@PROPERTY
@given(data=st.binary(max_size=3000))
def test_any_bytes_are_a_table_or_a_danish_problem(data):
    try:
        table = read_table(data, organisation_importer.columns)
    except TableError as error:
        assert error.problems and all(problem.message for problem in error.problems)
    else:
        assert all(row.line >= 2 for row in table.rows)


def snapshot(org) -> list:
    return [
        sorted(OrgUnit.objects.values_list("pk", "name", "path", "is_active")),
        sorted(Person.objects.values_list("pk", "name", "email", "is_active")),
        sorted(Position.objects.values_list("pk", "unit_id", "job_title", "end_date")),
    ]


@PROPERTY
@given(
    rows=st.lists(st.lists(CELL, min_size=9, max_size=9), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_organisation_file_is_refused_whole_or_applied(org_a, rows, encoding):
    header = ["enhed_id", "enhed_navn", "overenhed_id", "medarbejdernr", "navn", "email",
              "stilling", "leder", "startdato"]  # fmt: skip
    data = csv_of(header, rows, encoding)
    with org_a.scope():
        before = snapshot(org_a)

        def run():
            plan = imports.import_run(
                kommune=org_a.kommune, importer=organisation_importer, data=data,
                options={"full": False},
            )  # fmt: skip
            if plan.problems:
                assert all(p.message for p in plan.problems)
                assert snapshot(org_a) == before, "a refused file changed something"
            return plan

        rolled_back(run)


@PROPERTY
@given(rows=st.lists(st.lists(CELL, min_size=8, max_size=8), max_size=5))
def test_any_catalogue_file_is_refused_whole_or_applied(org_a, rows):
    header = [
        "kode",
        "titel",
        "beskrivelse",
        "form",
        "pris",
        "hold_start",
        "pladser",
        "kompetencer",
    ]
    data = csv_of(header, rows, "utf-8")
    with org_a.scope():
        plan = rolled_back(
            lambda: imports.import_run(
                kommune=org_a.kommune, importer=catalogue_importer, data=data, options={}
            )
        )
    assert plan is not None
    assert all(problem.message for problem in plan.problems)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)
FRAMEWORKISH = st.fixed_dictionaries(
    {"format": st.just("kompetence-framework"), "format_version": st.just(1)},
    optional={"name": JSON, "scale": JSON, "groups": JSON, "description": JSON},
)


@PROPERTY
@given(document=st.one_of(JSON, FRAMEWORKISH), raw=st.binary(max_size=200))
def test_any_framework_file_is_a_danish_refusal_or_a_new_draft(org_a, document, raw):
    with org_a.scope():
        before = Framework.objects.count()
        for data in (json.dumps(document).encode(), raw):
            for importer in (
                interchange.framework_import_json,
                interchange.framework_import_moodle_csv,
            ):

                def run(importer=importer, data=data):
                    try:
                        importer(kommune=org_a.kommune, data=data)
                    except interchange.ImportRefused as refused:
                        assert refused.messages and all(refused.messages)
                        assert Framework.objects.count() == before
                    else:
                        assert Framework.objects.count() == before + 1

                rolled_back(run)


def _post_forms(html: str) -> list[tuple[str, list[str]]]:
    """(action, field names) of each POST form on a page."""
    forms = []
    for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I):
        attributes, body = match.groups()
        if not re.search(r'method="post"', attributes, re.I):
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        names = sorted(
            set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', body, re.I))
            - {"csrfmiddlewaretoken"}
        )
        forms.append((action.group(1) if action else "", names))
    return forms


def test_every_form_answers_random_input_without_a_server_error(org_a):
    """Every page an HR administrator or a leader reaches, every POST form on it, filled
    with generated values: the answer is a page, a redirect or a refusal, never a 500."""
    targets: dict[str, list[str]] = {}
    for person in (org_a.hr, org_a.leader, org_a.employee):
        client = client_for(person)
        for name, pattern in tenant_patterns():
            url, _ = _url_for(name, pattern, org_a)
            if name in {"logout", "set_language"} or "export" in name or "download" in name:
                continue
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for action, names in _post_forms(response.text):
                targets.setdefault(action or url, names)
    assert len(targets) >= 25, sorted(targets)
    client = client_for(org_a.hr)
    client.raise_request_exception = False
    failures: list[str] = []

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values=st.lists(CELL, min_size=30, max_size=30))
    def post(values, url, names):
        response = client.post(url, dict(zip(names, values, strict=False)))
        if response.status_code >= 500:
            failures.append(
                f"{url} {dict(zip(names, values, strict=False))}: {response.status_code}"
            )

    for url, names in sorted(targets.items()):
        if url.startswith("/log-ud") or url.startswith("/sprog"):
            continue
        rolled_back(lambda url=url, names=names: post(url=url, names=names))
    assert failures == []
