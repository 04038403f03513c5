"""Makes the application's own database login: the production setup's last migrate step.

The web, worker and beat processes log in as `DATABASE_APP_ROLE` with the password in
`DATABASE_APP_PASSWORD`; this command, run by the owner of the tables right after
`migrate`, makes that role a login which is no superuser, cannot bypass row-level
security, owns nothing and is in no role that could. Run again, it sets the password
again (rotation) and changes nothing else."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from kompetence.infra import rls


class Command(BaseCommand):
    help = "Creates or updates the application's database login (DATABASE_APP_ROLE)."

    def add_arguments(self, parser):
        parser.add_argument("--role", default="", help="Default: DATABASE_APP_ROLE.")

    def handle(self, *args, role: str = "", **options):
        if connection.vendor != "postgresql":
            raise CommandError("Only PostgreSQL has database roles.")
        role = role or settings.DATABASE_APP_ROLE
        password = os.environ.get("DATABASE_APP_PASSWORD", "")
        if not role or not password:
            raise CommandError("Set DATABASE_APP_ROLE and DATABASE_APP_PASSWORD.")
        rls._check_role_name(role)
        connection.ensure_connection()
        raw = connection.connection
        # The server gets the SCRAM verifier, never the password (statement logs).
        verifier = raw.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
        with connection.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {connection.ops.quote_name(role)}; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
            )
            cursor.execute(
                sql.SQL(
                    "ALTER ROLE {} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
                    "NOREPLICATION PASSWORD {}"
                )
                .format(sql.Identifier(role), sql.Literal(verifier.decode()))
                .as_string(raw)
            )
            rls.grant(cursor, role)
            problems = rls.ways_around_the_wall(cursor, role)
        if problems:
            raise CommandError(f"{role} could leave row-level security: {'; '.join(problems)}.")
        self.stdout.write(f"{role}: login without superuser, BYPASSRLS or owned tables.")
