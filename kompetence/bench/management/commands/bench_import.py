"""Times the organisation import of a København-sized file (target: under 2 minutes
for 45,000 people on PostgreSQL): the dry run, the apply, and a second dry run of the
same file, which must find 0 changes.

Everything happens in a throwaway kommune inside a transaction that is rolled back."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kompetence.bench import organisation as bench
from kompetence.infra import imports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune
from kompetence.org_import import organisation_importer


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Prints how long the organisation import of --people people takes."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=45_000)
        parser.add_argument("--units", type=int, default=2_500)

    def handle(self, *args, people: int, units: int, **options):
        tree = bench.unit_tree(units)
        data = bench.org_file(tree, bench.employees(tree, people))
        self.stdout.write(
            f"organisation file: {len(tree)} units, {people} people, "
            f"{len(data) / 1024 / 1024:.1f} MB, on {connection.vendor}"
        )
        try:
            with transaction.atomic():
                self._bench(data)
                raise Rollback
        except Rollback:
            pass

    def _bench(self, data: bytes) -> None:
        kommune = Kommune.objects.create(slug="bench-import-tmp", name="Benchmark Kommune")
        options = {"full": True}
        with kommune_scope(kommune):
            for label, run in (
                ("dry run", imports.plan_table),
                ("apply", imports.import_run),
                ("second dry run", imports.plan_table),
            ):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    plan = run(
                        kommune=kommune,
                        importer=organisation_importer,
                        data=data,
                        options=options,
                    )
                    seconds = time.perf_counter() - started
                if plan.problems:
                    raise SystemExit(f"the file has problems: {plan.problems[:3]}")
                self.stdout.write(
                    f"import {label}: {seconds:.1f} s, {len(queries)} SQL queries, "
                    f"{imports.summary_text(plan.as_dict())} (target: under 120 s)"
                )
