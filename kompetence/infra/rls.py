"""PostgreSQL row-level security: the second wall behind the scoped managers.

Every table that holds personal data is under a policy, forced for the table's owner
too, keyed on the connection's `kompetence.kommune` setting:

* a tenant table (a `kommune_id` column) shows and takes only the rows of that kommune;
* the login table (`kompetence_user`) shows a kommune's logins only inside its scope,
  and the platform operators' logins (no kommune) only outside every scope;
* a table that belongs to one of those through a foreign key and has no `kommune_id`
  of its own (many-to-many tables, permission grants, the operators' admin log) shows
  a row only when the row it belongs to is visible.

`kommune_scope` (every request, task and command that works for a kommune) sets the
setting for the time of the scope, and switches the connection to the application role
(`DATABASE_APP_ROLE`), which is neither superuser nor allowed to bypass the policies.
Outside a scope the setting is empty, and the policies give no kommune's rows. A
request's login is read inside its kommune's scope (`KommuneMiddleware`), so the login
path needs no way around the wall.

In production the application logs in as that role itself (`manage.py app_login_role`
makes it a login that owns nothing), so neither `RESET ROLE`, `SET ROLE` nor
`set_config('role', ...)` leads out of the wall; only the migrations run as the owner.
The tables left outside the wall, and why, are listed in `UNPROTECTED`.

So a query that forgets its kommune filter, and that the scoped managers somehow let
through (raw SQL, a new manager, a bug in a library), still cannot reach another
kommune's rows. What it does not stop: SQL injection that sets the kommune setting
itself (the application must be able to choose any kommune), and code run as the
database owner outside any scope (migrations, `flush`).

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
# The login table: a kommune's logins and the platform operators' (no kommune).
LOGIN_TABLE = "kompetence_user"
_KOMMUNE = f"NULLIF(current_setting('{SETTING}', true), '')::integer"

# Tables outside the wall, each with the reason. Every other table of the database is
# under a policy (tests/kompetence/test_rls.py holds the two lists against the database).
_NO_PERSONAL_DATA = "no personal data: Django's own bookkeeping"
UNPROTECTED = {
    "kompetence_kommune": "the tenants themselves (name, host label, settings): looked up "
    "from the host before there is a scope; no personal data",
    "auth_group": _NO_PERSONAL_DATA,
    "auth_group_permissions": _NO_PERSONAL_DATA,
    "auth_permission": _NO_PERSONAL_DATA,
    "django_content_type": _NO_PERSONAL_DATA,
    "django_migrations": _NO_PERSONAL_DATA,
    "django_session": "sessions (cached_db: Redis in front, so a Redis outage signs no "
    "one out): a session key and a login's id, no personal content; a session is read "
    "before its login, and so its kommune, is known (the platform's bare domain has no "
    "kommune at all)",
    "guardian_groupobjectpermission": "object grants to groups: the product grants to "
    "people only (kompetence_orgunituserobjectpermission), so it stays empty",
    "axes_accessattempt": "failed logins (the typed login, address, browser): written "
    "before anyone is signed in, and the limit per address counts across kommuner; read "
    "only by the login throttling",
    "axes_accessattemptexpiration": "when an axes_accessattempt row expires",
    "axes_accessfailurelog": "failed logins, as axes_accessattempt",
    "axes_accesslog": "successful logins (login, address, browser, time): written by the "
    "login throttling as the login happens; read by nothing in the product",
}

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
    # The kommune is bound on the driver's connection before Django runs any query, so
    # Django's check of a reused connection (CONN_HEALTH_CHECKS) is done here first: a
    # connection the server ended while idle is replaced instead of failing. Outside
    # the try: a database that is down fails here, before the scope is remembered.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    token = _current.set(kommune_id)
    previous = token.old_value if token.old_value is not contextvars.Token.MISSING else None
    try:
        _apply(connection, kommune_id)
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
    if connection.vendor != "postgresql":
        return
    if settings.DATABASE_LOGIN_BEHIND_RLS:
        # Production: a login that could leave the wall (the owner, a superuser) is a
        # misconfiguration to stop at once, not a wall that silently is not there.
        with connection.connection.cursor() as cursor:
            problems = ways_around_the_wall(cursor, connection.connection.info.user)
        if problems:
            connection.close()
            raise ImproperlyConfigured(
                f"The database login could leave row-level security ({'; '.join(problems)}): "
                "log in as DATABASE_APP_ROLE (manage.py app_login_role), migrate as the owner."
            )
    # A connection opened inside a scope (the first query of a request, or a reconnect
    # after the database went away) gets the scope's kommune at once.
    if _current.get() is not None:
        _apply(connection, _current.get())


def ways_around_the_wall(cursor, role: str) -> list[str]:
    """What would let `role` read past the policies: owning a table (its owner may
    switch the policies off), or being in a role that owns one, is a superuser or may
    bypass row-level security (`SET ROLE` would reach it)."""
    cursor.execute(
        """
        SELECT DISTINCT r.rolname
        FROM pg_roles r
        WHERE pg_has_role(%(role)s, r.oid, 'MEMBER')
          AND (r.rolsuper OR r.rolbypassrls
               OR EXISTS (SELECT 1 FROM pg_tables t
                          WHERE t.schemaname = 'public' AND t.tableowner = r.rolname))
        ORDER BY 1
        """,
        {"role": role},
    )
    return [f"it is or is in {name}" for (name,) in cursor.fetchall()]


connection_created.connect(_on_connect, dispatch_uid="kompetence-rls")


# --- Installing the policies (migrations) -------------------------------------------------


def tenant_tables(apps) -> list[str]:
    """Tables with a `kommune_id` column, the login table excepted."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if any(field.column == "kommune_id" for field in model._meta.concrete_fields):
            tables.add(model._meta.db_table)
    return sorted(tables - {LOGIN_TABLE})


def dependent_tables(apps) -> dict[str, list[tuple[str, str, str]]]:
    """Tables without a `kommune_id` that belong to a protected table through foreign
    keys: each with its (column, table, primary key column) of every protected parent."""
    protected = {*tenant_tables(apps), LOGIN_TABLE}
    dependents: dict[str, list[tuple[str, str, str]]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in protected:
            continue
        parents = [
            (field.column, field.related_model._meta.db_table, field.target_field.column)
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model._meta.db_table in protected
        ]
        if parents:
            dependents[table] = sorted(parents)
    return dict(sorted(dependents.items()))


def protected_tables(apps) -> list[str]:
    return sorted({*tenant_tables(apps), LOGIN_TABLE, *dependent_tables(apps)})


def _policies(apps, quote) -> dict[str, str]:
    """Each protected table's condition, for reading and writing alike."""
    policies = {table: f"kommune_id = {_KOMMUNE}" for table in tenant_tables(apps)}
    # NULL is not distinct from NULL: outside a scope, the operators' logins.
    policies[LOGIN_TABLE] = f"kommune_id IS NOT DISTINCT FROM {_KOMMUNE}"
    for table, parents in dependent_tables(apps).items():
        # The subquery reads the parent through its own policy.
        policies[table] = " AND ".join(
            f"EXISTS (SELECT 1 FROM {quote(parent)} "  # noqa: S608  (names from the models)
            f"WHERE {quote(parent)}.{quote(key)} = {quote(table)}.{quote(column)})"
            for column, parent, key in parents
        )
    return policies


def _check_role_name(role: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", role):
        raise ImproperlyConfigured("DATABASE_APP_ROLE must be a plain lower-case name.")


def grant(schema_editor_or_cursor, role: str) -> None:
    """Reading and writing rows of every table (and the sequences), now and for the
    tables the owner creates later; nothing else (no TRUNCATE, no DDL, no ownership)."""
    _check_role_name(role)
    tables = "SELECT, INSERT, UPDATE, DELETE"
    sequences = "USAGE, SELECT"
    for statement in (
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT {tables} ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT {sequences} ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {tables} ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {sequences} ON SEQUENCES TO "{role}"',
    ):
        schema_editor_or_cursor.execute(statement)


def install(apps, schema_editor) -> None:
    """Creates the application role (if configured and missing), grants it the tables,
    and puts the policy on every protected table. Idempotent: a later migration that
    adds tables calls it again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    role = _role()
    if role:
        _check_role_name(role)
        # The name is checked above and comes from the settings, never from a user.
        # Roles are cluster-wide, and parallel test databases migrate at the same time:
        # whoever comes second finds it made.
        schema_editor.execute(
            f"DO $$ BEGIN CREATE ROLE {quote(role)} NOLOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        )
        # A database user that is not a superuser may switch to the role once it is in
        # it (and the application's own login is the role: a role is in itself).
        superuser = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        schema_editor.execute(
            f"DO $$ BEGIN IF NOT ({superuser}) AND current_user <> '{role}' THEN "
            f"EXECUTE 'GRANT {role} TO ' || quote_ident(current_user); END IF; END $$;"
        )
        grant(schema_editor, role)
    for table, condition in _policies(apps, quote).items():
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
