"""The tenant-model checklist, enforced: every model with a `kommune` field has

1. a scoped manager (kompetence.infra.scoping): outside a kommune's scope it refuses to
   query, inside one it filters on the kommune;
2. a row-level security policy (kompetence.infra.rls): on PostgreSQL, as the database has
   them; on SQLite, the tables that `rls.install` covers where the migrations run it;
3. a personal-data export decision and 4. a deletion decision
   (`extensions.register_data_decisions`): the export section or eraser that handles
   its rows, which must be registered, or a written reason it needs none.

Adding a tenant model without one of the four fails this file (docs/development.md)."""

from __future__ import annotations

import functools

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import isolate_apps
from django_scopes import ScopedManager, scope
from django_scopes.manager import DisabledQuerySet

from kompetence import personal_data
from kompetence.infra import extensions, rls, scoping
from kompetence.infra.extensions import DataDecision, Reason, not_personal_data
from kompetence.models import Kommune

pytestmark = pytest.mark.django_db

CHECKLIST = ("scoped manager", "RLS policy", "export decision", "deletion decision")


def tenant_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if any(field.name == "kommune" for field in model._meta.concrete_fields)
    ]


def _filters_on_kommune(queryset: models.QuerySet) -> bool:
    kommune = queryset.model._meta.get_field("kommune")
    return any(
        getattr(getattr(child, "lhs", None), "target", None) is kommune
        for child in queryset.query.where.children
    )


def _is_scoped(manager: models.Manager) -> bool:
    """Refuses to query outside a scope, and filters on the kommune inside one."""
    if not isinstance(manager.get_queryset(), DisabledQuerySet):
        return False
    with scope(kommune=Kommune(pk=-1)):
        return _filters_on_kommune(manager.get_queryset())


@functools.cache
def _tables_the_migrations_protect() -> frozenset[str]:
    """The tables `rls.install` puts the policy on when the migrations run: at each
    place a migration runs it, the tenant tables of the project state at that point."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    tables: set[str] = set()
    for node in loader.graph.nodes:
        migration = loader.graph.nodes[node]
        for index, operation in enumerate(migration.operations):
            if getattr(operation, "code", None) is not rls.install:
                continue
            state = loader.project_state(node, at_end=False)
            for earlier in migration.operations[:index]:
                earlier.state_forwards(migration.app_label, state)
            tables.update(rls.protected_tables(state.apps))
    return frozenset(tables)


def rls_protected_tables() -> frozenset[str]:
    """On PostgreSQL the tables with the forced kommune policy, as the database has them;
    on SQLite, which has no policies, the tables the migrations would give one."""
    if connection.vendor != "postgresql":
        return _tables_the_migrations_protect()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relrowsecurity AND c.relforcerowsecurity
              AND EXISTS (SELECT 1 FROM pg_policy p
                          WHERE p.polrelid = c.oid AND p.polname = %s)
            """,
            [rls.POLICY],
        )
        return frozenset(row[0] for row in cursor.fetchall())


def _decided(decision: object, registered: list) -> bool:
    if isinstance(decision, Reason):
        return bool(decision.text.strip())
    return any(decision is part for part in registered)


def checklist_problems(model: type[models.Model], protected: frozenset[str]) -> list[str]:
    """Which of the four the tenant model lacks."""
    label = model._meta.label
    problems = []
    if label not in scoping.UNSCOPED_MODELS and not all(
        _is_scoped(manager) for manager in model._meta.managers
    ):
        problems.append("scoped manager")
    table = model._meta.db_table
    if table not in protected:
        problems.append("RLS policy")
    decision = extensions.DATA_DECISIONS.get(label)
    sections = [part.files for part in personal_data.sections()]
    erasers = [part.erase for part in personal_data.erasers()]
    if decision is None or not _decided(decision.export, sections):
        problems.append("export decision")
    if decision is None or not _decided(decision.erase, erasers):
        problems.append("deletion decision")
    return problems


# --- Every tenant model of the project ---------------------------------------------


def test_every_tenant_model_has_all_four():
    models_ = tenant_models()
    labels = {model._meta.label for model in models_}
    # The walk finds the models (a broken walk must not pass by finding none).
    assert {"kompetence.Person", "kompetence.User", "mus.Plan", "catalogue.Enrolment"} <= labels
    assert len(models_) >= 40
    protected = rls_protected_tables()
    failures = {
        model._meta.label: problems
        for model in models_
        if (problems := checklist_problems(model, protected))
    }
    assert failures == {}


def test_every_decision_and_exemption_names_a_tenant_model():
    """No decision outlives its model, and every exemption says why."""
    labels = {model._meta.label for model in tenant_models()}
    assert set(extensions.DATA_DECISIONS) <= labels
    assert set(scoping.UNSCOPED_MODELS) <= labels
    assert all(reason.strip() for reason in scoping.UNSCOPED_MODELS.values())


def test_every_registered_export_and_eraser_is_some_models_decision():
    """A section or an eraser that no model names is a sign the decisions are stale."""
    named = {
        id(part)
        for decision in extensions.DATA_DECISIONS.values()
        for part in (decision.export, decision.erase)
    }
    assert all(id(part.files) in named for part in personal_data.sections())
    assert all(id(part.erase) in named for part in personal_data.erasers())


def test_the_deletion_runs_every_apps_eraser_and_the_person_last():
    erasers = personal_data.erasers()
    assert erasers[-1] is personal_data.CORE_ERASER
    modules = [eraser.erase.__module__ for eraser in erasers]
    assert modules == [
        "profiles.personal_data",
        "mus.personal_data",
        "mus.upward.personal_data",
        "catalogue.personal_data",
        "kompetence.personal_data",
    ]


# --- The check fails when a new tenant model lacks any of the four -----------------


def _unregistered_eraser(person) -> None:
    """An eraser nobody registered: retention would never run it."""


@pytest.fixture
def throwaway():
    """A new tenant model, `throwaway.Note`, in a registry of its own: built with the
    four (a scoped manager, its table counted as protected, and a decision) or without
    the ones asked for."""

    def build(*, manager: bool = True):
        with isolate_apps():
            attrs = {
                "__module__": __name__,
                "kommune": models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+"),
                "text": models.TextField(),
                "Meta": type("Meta", (), {"app_label": "throwaway"}),
            }
            if manager:
                attrs["objects"] = ScopedManager(kommune="kommune")
            return type("Note", (models.Model,), attrs)

    return build


def test_a_new_tenant_model_without_any_of_the_four_fails(throwaway):
    model = throwaway(manager=False)
    assert checklist_problems(model, rls_protected_tables()) == list(CHECKLIST)


def test_a_new_tenant_model_with_all_four_passes(throwaway, monkeypatch):
    model = throwaway()
    monkeypatch.setitem(
        extensions.DATA_DECISIONS, "throwaway.Note", not_personal_data("a test's throwaway")
    )
    protected = rls_protected_tables() | {model._meta.db_table}
    assert checklist_problems(model, protected) == []


def test_a_new_tenant_model_without_a_scoped_manager_fails(throwaway, monkeypatch):
    model = throwaway(manager=False)
    monkeypatch.setitem(
        extensions.DATA_DECISIONS, "throwaway.Note", not_personal_data("a test's throwaway")
    )
    protected = rls_protected_tables() | {model._meta.db_table}
    assert checklist_problems(model, protected) == ["scoped manager"]


def test_a_new_tenant_model_without_an_rls_policy_fails(throwaway, monkeypatch):
    model = throwaway()
    monkeypatch.setitem(
        extensions.DATA_DECISIONS, "throwaway.Note", not_personal_data("a test's throwaway")
    )
    assert model._meta.db_table not in rls_protected_tables()
    assert checklist_problems(model, rls_protected_tables()) == ["RLS policy"]


@pytest.mark.parametrize(
    ("decision", "missing"),
    [
        (DataDecision(export=Reason(""), erase=Reason("kept: a test")), ["export decision"]),
        (
            # Exported by a section nobody registered: the export would leave it out.
            DataDecision(export=_unregistered_eraser, erase=Reason("kept: a test")),
            ["export decision"],
        ),
        (DataDecision(export=Reason("a test"), erase=Reason(" ")), ["deletion decision"]),
        (
            DataDecision(export=Reason("a test"), erase=_unregistered_eraser),
            ["deletion decision"],
        ),
    ],
)
def test_a_new_tenant_model_without_an_export_or_deletion_decision_fails(
    throwaway, monkeypatch, decision, missing
):
    model = throwaway()
    protected = rls_protected_tables() | {model._meta.db_table}
    assert checklist_problems(model, protected) == ["export decision", "deletion decision"]
    monkeypatch.setitem(extensions.DATA_DECISIONS, "throwaway.Note", decision)
    assert checklist_problems(model, protected) == missing


def test_unregistering_a_decision_or_an_eraser_fails_the_models_it_covered(monkeypatch):
    from mus.models import Conversation, Plan

    protected = rls_protected_tables()
    monkeypatch.delitem(extensions.DATA_DECISIONS, "mus.Plan")
    assert checklist_problems(Plan, protected) == ["export decision", "deletion decision"]
    # Without the MUS app's eraser, retention would keep its conversations.
    others = [e for e in personal_data.erasers() if e.erase.__module__ != "mus.personal_data"]
    monkeypatch.setattr(personal_data, "PERSONAL_DATA_ERASERS", others[:-1])
    assert checklist_problems(Conversation, protected) == ["deletion decision"]
