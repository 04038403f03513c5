"""The second wall: PostgreSQL row-level security on every table with personal data.
Raw SQL, which the scoped managers never see, gets no rows without a kommune, and with
kommune A set can neither read nor write kommune B's rows, logins included; the
production login cannot step out of the wall."""

from __future__ import annotations

import io
import os
import secrets

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)

from kompetence.infra import rls
from kompetence.models import Person, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("Row-level security is a PostgreSQL feature: run with `make test-pg`.")


def as_application(cursor, kommune_id: int | None) -> None:
    """The connection as the application runs it: the application role, and the
    kommune setting (or none)."""
    cursor.execute(f"SET ROLE {settings.DATABASE_APP_ROLE}")
    cursor.execute("SELECT set_config('kompetence.kommune', %s, false)", [str(kommune_id or "")])


def test_every_protected_table_has_a_forced_policy():
    tables = rls.protected_tables(apps)
    assert {"kompetence_person", "profiles_rating", "kompetence_user"} <= set(tables)
    assert {"mus_plangoal_competences", "kompetence_user_groups"} <= set(tables)
    assert "kompetence_kommune" not in tables
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity
              AND EXISTS (SELECT 1 FROM pg_policy p
                          WHERE p.polrelid = c.oid AND p.polname = %s)
            """,
            [tables, rls.POLICY],
        )
        protected = sorted(row[0] for row in cursor.fetchall())
    assert protected == tables


def test_the_application_role_cannot_bypass_the_policies():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [settings.DATABASE_APP_ROLE],
        )
        assert cursor.fetchone() == (False, False)


def test_raw_sql_without_a_kommune_gets_no_rows(org_a, org_b):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kompetence_person")
        assert cursor.fetchone()[0] >= 14  # the owner sees both kommuner's people
        as_application(cursor, None)
        for table in ("kompetence_person", "kompetence_orgunit", "kompetence_position"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (a constant)
            assert cursor.fetchone()[0] == 0, table
        cursor.execute("RESET ROLE")


def test_with_kommune_a_set_b_can_be_neither_read_nor_written(org_a, org_b):
    b_person = org_b.employee
    with transaction.atomic(), connection.cursor() as cursor:
        as_application(cursor, org_a.kommune.pk)
        cursor.execute("SELECT DISTINCT kommune_id FROM kompetence_person")
        assert [row[0] for row in cursor.fetchall()] == [org_a.kommune.pk]
        cursor.execute("SELECT count(*) FROM kompetence_person WHERE id = %s", [b_person.pk])
        assert cursor.fetchone()[0] == 0
        cursor.execute("UPDATE kompetence_person SET name = 'X' WHERE id = %s", [b_person.pk])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM kompetence_person WHERE kommune_id = %s", [org_b.kommune.pk])
        assert cursor.rowcount == 0
        # Moving one of A's rows into B is refused by the policy's check.
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "UPDATE kompetence_person SET kommune_id = %s WHERE id = %s",
                [org_b.kommune.pk, org_a.employee.pk],
            )
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO kompetence_orgunit (kommune_id, name, kind, external_id, path,"
                " depth, is_active, figures_version) VALUES (%s, 'Indbrud', 'team', '', '/x/',"
                " 1, true, 0)",
                [org_b.kommune.pk],
            )
        cursor.execute("RESET ROLE")
    with org_b.scope():
        assert Person.objects.get(pk=b_person.pk).name == b_person.name


def test_the_application_runs_inside_the_wall(org_a):
    """The scopes switch to the application role with the kommune set: the queries the
    app makes see exactly their kommune's rows, through the policies."""
    with org_a.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('kompetence.kommune')")
        assert cursor.fetchone() == (settings.DATABASE_APP_ROLE, str(org_a.kommune.pk))
        assert Person.objects.count() == 7
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('kompetence.kommune')")
        assert cursor.fetchone()[0] == ""


def test_an_error_that_aborts_a_scoped_transaction_leaves_the_connection_unbound(org_a, org_b):
    with pytest.raises(IntegrityError), transaction.atomic(), org_a.scope():
        Person.objects.create(
            kommune=org_a.kommune, employee_number=org_a.employee.employee_number, name="Dublet"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('kompetence.kommune'), current_user = session_user")
        assert cursor.fetchone() == ("", True)
    with org_b.scope():
        assert Person.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_scope_entered_while_the_database_is_down_leaves_nothing_behind(org_a):
    """A request whose kommune comes from the cache enters the scope before its first
    query; with the database down that entry fails, and the thread must not keep the
    kommune: the next connection it opens, outside any scope, starts unbound."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # as if the database were down
    try:
        with pytest.raises(DatabaseError), rls.database_kommune(org_a.kommune.pk):
            pass  # never reached
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    with connection.cursor() as cursor:  # a fresh connection, outside any scope
        cursor.execute(
            "SELECT coalesce(current_setting('kompetence.kommune', true), ''), "
            "current_user = session_user"
        )
        assert cursor.fetchone() == ("", True)


def test_every_table_is_under_the_wall_or_named_with_a_reason():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        in_database = {row[0] for row in cursor.fetchall()}
    protected = set(rls.protected_tables(apps))
    assert not protected & set(rls.UNPROTECTED)
    assert in_database == protected | set(rls.UNPROTECTED)


def test_raw_sql_under_one_kommune_reads_none_of_anothers_logins(org_a, org_b):
    operator = User.objects.create_user(username="operator", email="op@example.org")
    with transaction.atomic(), connection.cursor() as cursor:
        as_application(cursor, org_a.kommune.pk)
        cursor.execute("SELECT DISTINCT kommune_id FROM kompetence_user")
        assert [row[0] for row in cursor.fetchall()] == [org_a.kommune.pk]
        cursor.execute(
            "SELECT count(*) FROM kompetence_user WHERE kommune_id = %s OR id = %s",
            [org_b.kommune.pk, operator.pk],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "UPDATE kompetence_user SET password = 'x' WHERE id = %s", [org_b.hr.user_id]
        )
        assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO kompetence_user (kommune_id, username, email, password, language,"
                " is_staff, is_active, is_superuser, date_joined)"
                " VALUES (%s, 'indbrud', '', 'x', 'da', false, true, false, now())",
                [org_b.kommune.pk],
            )
        # A kommune's permission rows go with its logins.
        cursor.execute(
            "SELECT count(*) FROM kompetence_user_user_permissions WHERE user_id = %s",
            [org_b.hr.user_id],
        )
        assert cursor.fetchone()[0] == 0
        # Outside every scope: the platform operators' logins, no kommune's.
        as_application(cursor, None)
        cursor.execute("SELECT id FROM kompetence_user")
        assert [row[0] for row in cursor.fetchall()] == [operator.pk]
        cursor.execute("RESET ROLE")
    with org_a.scope():
        assert not User.objects.filter(kommune=org_b.kommune).exists()
        assert User.objects.filter(pk=org_a.employee.user_id).exists()


def test_a_foreign_login_signed_in_on_our_host_gets_404(org_a, org_b, as_person):
    client = as_person(org_b.employee, org_a.kommune)
    assert client.get("/").status_code == 404
    assert as_person(org_a.employee).get("/").status_code == 200


@pytest.fixture
def app_login(monkeypatch):
    """A login made the way the production setup makes it (`manage.py app_login_role`),
    with a name of its own: roles are shared by every database of the server."""
    name = f"{connection.settings_dict['NAME']}_login"[:60].lower()
    password = secrets.token_urlsafe(24)
    monkeypatch.setenv("DATABASE_APP_PASSWORD", password)
    call_command("app_login_role", role=name, stdout=io.StringIO())
    settings_dict = connection.settings_dict
    login = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=name,
        password=password,
        autocommit=True,
    )
    yield name, login
    login.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"; DROP ROLE "{name}"')


def _count(login, sql, params=()):
    return login.execute(sql, params).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_production_login_cannot_step_out_of_the_wall(org_a, org_b, app_login):
    name, login = app_login
    b_logins = "SELECT count(*) FROM kompetence_user WHERE kommune_id = %s"
    b_people = "SELECT count(*) FROM kompetence_person WHERE kommune_id = %s"
    b = [org_b.kommune.pk]
    login.execute("SELECT set_config('kompetence.kommune', %s, false)", [str(org_a.kommune.pk)])
    # The application's own scope switch works for it (a role is in itself).
    login.execute("SELECT set_config('role', %s, false)", [name])
    assert _count(login, "SELECT count(*) FROM kompetence_user") == 7
    assert _count(login, b_logins, b) == _count(login, b_people, b) == 0

    login.execute("RESET ROLE")
    login.execute("SELECT set_config('role', 'none', false)")
    assert _count(login, b_logins, b) == _count(login, b_people, b) == 0
    for escape in (
        "SET ROLE postgres",
        f"SET ROLE {settings.DATABASE_APP_ROLE}",
        "SELECT set_config('role', 'postgres', false)",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER TABLE kompetence_user DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE kompetence_person NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY kommune_isolation ON kompetence_user",
        f"ALTER ROLE {name} BYPASSRLS",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            login.execute(escape)
    # Without the policies a query does not read everything: it is refused.
    login.execute("SELECT set_config('row_security', 'off', false)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        login.execute(b_logins, b)
    login.execute("RESET row_security")
    login.execute("SELECT set_config('kompetence.kommune', '', false)")
    assert _count(login, "SELECT count(*) FROM kompetence_user") == 0
    assert _count(login, "SELECT count(*) FROM kompetence_person") == 0
    assert _count(login, "SELECT current_user = session_user") is True
    assert login.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone() == (False, False)


@pytest.mark.django_db(transaction=True)
def test_production_refuses_a_database_login_that_could_leave_the_wall(app_login, settings):
    """DATABASE_LOGIN_BEHIND_RLS (on in production): the tests' superuser is refused at
    connection time, the login app_login_role makes is let in."""
    name, _login = app_login
    settings.DATABASE_LOGIN_BEHIND_RLS = True
    superuser = connections.create_connection(DEFAULT_DB_ALIAS)
    with pytest.raises(ImproperlyConfigured, match="could leave row-level security"):
        superuser.ensure_connection()
    app = connections.create_connection(DEFAULT_DB_ALIAS)
    app.settings_dict = {
        **app.settings_dict,
        "USER": name,
        "PASSWORD": os.environ["DATABASE_APP_PASSWORD"],
    }
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == name
    finally:
        app.close()


def test_app_login_role_refuses_a_role_that_could_leave_the_wall(monkeypatch):
    """A login that owns a table could switch its policies off. (Roles and owners are
    transactional: the test's rollback undoes them.)"""
    name = f"{connection.settings_dict['NAME']}_owner"[:60].lower()
    monkeypatch.setenv("DATABASE_APP_PASSWORD", "x" * 20)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}"; ALTER TABLE kompetence_importjob OWNER TO "{name}"')
    with pytest.raises(CommandError, match=f"it is or is in {name}"):
        call_command("app_login_role", role=name, stdout=io.StringIO())
