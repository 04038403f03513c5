"""The second wall: PostgreSQL row-level security on every tenant table. Raw SQL, which
the scoped managers never see, gets no rows without a kommune, and with kommune A set
can neither read nor write kommune B's rows."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from kompetence import rls
from kompetence.models import Person

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


def test_every_tenant_table_has_a_forced_policy():
    tables = rls.tenant_tables(apps)
    assert "kompetence_person" in tables and "profiles_rating" in tables
    assert "kompetence_user" not in tables and "kompetence_kommune" not in tables
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
