"""`manage.py import_org FILE --kommune SLUG [--apply] [--partial]`: the organisation
import from the command line. Without --apply it is the dry run: it prints what would
change and every problem, and changes nothing."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kompetence.infra import imports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune
from kompetence.org_import import organisation_importer


class Command(BaseCommand):
    help = "Import units, people and positions from a CSV or XLSX file (dry run by default)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kommune", required=True, help="the kommune's slug")
        parser.add_argument("--apply", action="store_true", help="write the changes")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="the file is part of the organisation: deactivate no one",
        )

    def handle(self, *args, file: Path, kommune: str, apply: bool, partial: bool, **options):
        translation.activate("da")
        try:
            tenant = Kommune.objects.get(slug=kommune)
        except Kommune.DoesNotExist:
            raise CommandError(f"Kommunen »{kommune}« findes ikke.") from None
        if not file.is_file():
            raise CommandError(f"Filen {file} findes ikke.")
        data = file.read_bytes()
        started = time.monotonic()
        with kommune_scope(tenant):
            run = imports.import_run if apply else imports.plan_table
            plan = run(
                kommune=tenant,
                importer=organisation_importer,
                data=data,
                options={"full": not partial},
            )
        seconds = time.monotonic() - started
        result = plan.as_dict()
        for problem in plan.problems:
            self.stderr.write(str(problem))
        if plan.problems:
            raise CommandError(f"{len(plan.problems)} fejl: intet er ændret.")
        for change in result["changes"]:
            if change["count"]:
                self.stdout.write(f"{change['label']}: {change['count']}")
        verb = "Gennemført" if apply else "Kontrolleret (intet ændret; brug --apply)"
        self.stdout.write(f"{verb}: {imports.summary_text(result)} på {seconds:.1f} s.")
