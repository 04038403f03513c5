"""`manage.py bench_national`: every Danish kommune on one deployment (PostgreSQL).

Builds the 98 kommuner of `kompetence.bench.kommuner` with `bench_data`, one after the
other in one database, 500,000 people in all: København first and exactly as it is
built alone, so `bench_run` measures the same pages over the same rows, now beside
455,000 other people behind the same row-level security and indexes.

Resumable: a kommune already built is left as it is and one an interruption left
unfinished is built again, so a second run only checks. `--json FILE` records what the
database holds, its size (`pg_database_size`) and how long the build took; a run that
builds nothing keeps the build time recorded by the run that did."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kompetence.bench.kommuner import TOTAL_PEOPLE, national


class Command(BaseCommand):
    help = "Builds all 98 benchmark kommuner (500,000 people) in one PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=TOTAL_PEOPLE)
        parser.add_argument(
            "--json", dest="json_path", type=Path, help="write the build's figures here"
        )

    def handle(self, *args, people, json_path, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_national needs PostgreSQL (set DATABASE_URL).")
        kommuner = national(people)
        started = time.monotonic()
        built = 0
        for number, kommune in enumerate(kommuner, start=1):
            out = StringIO()
            call_command(
                "bench_data",
                "--slug", kommune.slug,
                "--name", kommune.name,
                "--people", str(kommune.people),
                "--units", str(kommune.units),
                "--seed", str(kommune.seed),
                stdout=out,
            )  # fmt: skip
            done = "done in" in out.getvalue()
            built += done
            self.stdout.write(
                f"[{number}/{len(kommuner)}] {kommune.slug}, {kommune.people} people: "
                + (out.getvalue().strip().splitlines()[-1] if done else "already built")
            )
        seconds = time.monotonic() - started
        figures = self._figures()
        if json_path is not None:
            previous = _load(json_path) if not built else {}
            figures["build_seconds"] = previous.get("build_seconds", round(seconds))
            figures["built_now"] = built
            json_path.write_text(_dumps(figures))
        self.stdout.write(
            f"{figures['kommuner']} kommuner, {figures['people']} people, "
            f"{figures['database_bytes'] / 1e9:.1f} GB; {built} built in {seconds:.0f} s"
        )

    def _figures(self) -> dict:
        """What the whole database holds, read as the database owner (all tenants: the
        benchmark's superuser is not subject to row-level security)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM kompetence_kommune),"
                " (SELECT count(*) FROM kompetence_person),"
                " (SELECT count(*) FROM profiles_rating),"
                " (SELECT count(*) FROM profiles_assessment),"
                " pg_database_size(current_database())"
            )
            kommuner, persons, ratings, assessments, size = cursor.fetchone()
        return {
            "kommuner": kommuner,
            "people": persons,
            "ratings": ratings,
            "assessments": assessments,
            "database_bytes": size,
        }


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _dumps(figures: dict) -> str:
    return json.dumps(figures, indent=2) + "\n"
