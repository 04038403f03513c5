"""PostgreSQL row-level security: the second wall behind the scoped managers.

Every tenant table (a table with a `kommune_id` column, except the login table) has a
policy that lets a row be read or written only when its `kommune_id` equals the
connection's `kompetence.kommune` setting, and FORCE makes the policy apply to the
table's owner too. `kommune_scope` (every request, task and command that works for a
kommune) sets the setting for the time of the scope and switches the connection to the
application role (`DATABASE_APP_ROLE`), which is neither superuser nor allowed to
bypass the policies. Outside a scope the setting is empty, and the policies give no rows.

So a query that forgets its kommune filter, and that the scoped managers somehow let
through (raw SQL, a new manager, a bug in a library), still cannot reach another
kommune's rows. What it does not stop: SQL injection that sets the setting itself, and
code run as the database owner outside any scope (migrations, `flush`).

On SQLite (the embedded demo) there is no second wall; the scoped managers are the one.
"""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.signals import connection_created
from psycopg.pq import TransactionStatus

SETTING = "kompetence.kommune"
POLICY = "kommune_isolation"
# Not tenant rows: logins are looked up before a kommune is known (see models.User).
EXEMPT_TABLES = {"kompetence_user"}

_current: contextvars.ContextVar[int | None] = contextvars.ContextVar("kommune_id", default=None)


def _role() -> str:
    return settings.DATABASE_APP_ROLE


def _apply(db, kommune_id: int | None) -> None:
    """The setting (and role) for `kommune_id` on `db`'s open connection, in one
    statement. It goes to the driver's connection directly: two statements per scope,
    the same for every request, which the query counts of pages leave out."""
    role = _role()
    value = str(kommune_id or "")
    raw = db.connection
    if getattr(raw, "_kompetence_bound", None) == value:
        return
    if raw.info.transaction_status == TransactionStatus.INERROR:
        # Leaving a scope on an error that aborted the transaction the scope began in:
        # its rollback puts the setting back to what it was before the scope.
        raw._kompetence_bound = value
        return
    # Errors as Django's (OperationalError when the connection has gone), so callers and
    # the 503 page treat them as every other database outage.
    with db.wrap_database_errors:
        if role:
            raw.execute(
                "SELECT set_config(%s, %s, false), set_config('role', %s, false)",
                [SETTING, value, role if kommune_id is not None else "none"],
            )
        else:
            raw.execute("SELECT set_config(%s, %s, false)", [SETTING, value])
    raw._kompetence_bound = value


@contextmanager
def database_kommune(kommune_id: int):
    """Binds the connection to one kommune for the duration, restoring what was before
    (scopes nest: a task may open the scope its caller already opened)."""
    if connection.vendor != "postgresql":
        yield
        return
    token = _current.set(kommune_id)
    previous = token.old_value if token.old_value is not contextvars.Token.MISSING else None
    # The kommune is bound on the driver's connection before Django runs any query, so
    # Django's check of a reused connection (CONN_HEALTH_CHECKS) is done here first: a
    # connection the server ended while idle is replaced instead of failing.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    _apply(connection, kommune_id)
    try:
        yield
    finally:
        _current.reset(token)
        if connection.connection is not None:  # a closed connection starts out unbound
            try:
                _apply(connection, previous)
            except (OperationalError, InterfaceError):
                # The connection broke inside the scope (the database restarted): close
                # it, so the next one starts unbound instead of keeping this kommune.
                connection.close()


def _on_connect(sender, connection, **kwargs) -> None:
    # A connection opened inside a scope (the first query of a request, or a reconnect
    # after the database went away) gets the scope's kommune at once.
    if connection.vendor == "postgresql" and _current.get() is not None:
        _apply(connection, _current.get())


connection_created.connect(_on_connect, dispatch_uid="kompetence-rls")


# --- Installing the policies (migrations) -------------------------------------------------


def tenant_tables(apps) -> list[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if any(field.column == "kommune_id" for field in model._meta.concrete_fields):
            tables.add(model._meta.db_table)
    return sorted(tables - EXEMPT_TABLES)


def install(apps, schema_editor) -> None:
    """Creates the application role (if configured and missing), grants it the tables,
    and puts the policy on every tenant table. Idempotent: a later migration that adds
    tenant tables calls it again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    role = _role()
    if role:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", role):
            raise ImproperlyConfigured("DATABASE_APP_ROLE must be a plain lower-case name.")
        # The name is checked above and comes from the settings, never from a user.
        # Roles are cluster-wide, and parallel test databases migrate at the same time:
        # whoever comes second finds it made.
        schema_editor.execute(
            f"DO $$ BEGIN CREATE ROLE {quote(role)} NOLOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        )
        # A database user that is not a superuser may switch to the role once it is in it.
        superuser = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        schema_editor.execute(
            f"DO $$ BEGIN IF NOT ({superuser}) THEN "
            f"EXECUTE 'GRANT {role} TO ' || quote_ident(current_user); END IF; END $$;"
        )
        tables = "SELECT, INSERT, UPDATE, DELETE"
        sequences = "USAGE, SELECT"
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {quote(role)}",
            f"GRANT {tables} ON ALL TABLES IN SCHEMA public TO {quote(role)}",
            f"GRANT {sequences} ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {tables} ON TABLES TO {quote(role)}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT {sequences} ON SEQUENCES TO {quote(role)}",
        ):
            schema_editor.execute(statement)
    condition = f"kommune_id = NULLIF(current_setting('{SETTING}', true), '')::integer"
    for table in tenant_tables(apps):
        for statement in (
            f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {quote(table)} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {POLICY} ON {quote(table)}",
            f"CREATE POLICY {POLICY} ON {quote(table)} USING ({condition}) "
            f"WITH CHECK ({condition})",
        ):
            schema_editor.execute(statement)


def each_kommune(db):
    """For data migrations: yields each kommune's id with the connection bound to it, so
    their updates pass the policies even when the owner is subject to them (FORCE)."""
    with db.cursor() as cursor:
        cursor.execute("SELECT id FROM kompetence_kommune ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    for kommune_id in ids:
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, str(kommune_id)])
        yield kommune_id
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', false)", [SETTING])
