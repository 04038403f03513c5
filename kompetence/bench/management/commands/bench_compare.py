"""`manage.py bench_compare SINGLE.json NATIONAL.json`: what sharing the deployment
with every other kommune costs København.

Reads two `bench_run --json` files, the single-kommune run and the run over the
national database, and prints each scenario's p95 in both, their ratio and ✓ when the
national p95 is within `--limit` (1.2×) of the single one: row-level security, scoping
and indexes should cost nothing measurable as tenants grow. The query counts are
printed too; they must not differ. `--build FILE` (from `bench_national --json`) adds
the national database's size and build time."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _fmt(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 10_000 else f"{ms:.0f} ms"


class Command(BaseCommand):
    help = "Compares a single-kommune and a national bench_run (--json files)."

    def add_arguments(self, parser):
        parser.add_argument("single", type=Path)
        parser.add_argument("national", type=Path)
        parser.add_argument("--build", type=Path, help="bench_national --json output")
        parser.add_argument("--limit", type=float, default=1.2)
        parser.add_argument("--markdown", type=Path, help="also write the table here")

    def handle(self, *args, single, national, build, limit, markdown, **options):
        alone = {r["name"]: r for r in _read(single)}
        shared = {r["name"]: r for r in _read(national)}
        header = ("scenario", "p95 alone", "p95 national", "national / alone",
                  f"within {limit:g}×", "SQL queries alone / national")  # fmt: skip
        rows: list[tuple[str, ...]] = []
        missed: list[str] = []
        within = 0
        for name, a in alone.items():
            n = shared.get(name)
            if n is None:
                rows.append((name, _fmt(a["p95_ms"]), "–", "–", "not run", a["queries"] or "–"))
                missed.append(name)
                continue
            ratio = n["p95_ms"] / a["p95_ms"]
            ok = ratio <= limit
            within += ok
            if not ok:
                missed.append(name)
            queries = a["queries"] or "–"
            if n["queries"] != a["queries"]:
                queries += f" / {n['queries'] or '–'}"
            rows.append(
                (
                    name,
                    _fmt(a["p95_ms"]),
                    _fmt(n["p95_ms"]),
                    f"{ratio:.2f}×",
                    "✓" if ok else "✗",
                    queries,
                )
            )
        rows += [
            (name, "–", _fmt(n["p95_ms"]), "–", "only national", n["queries"] or "–")
            for name, n in shared.items()
            if name not in alone
        ]
        lines = [
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
        ]
        if build is not None:
            figures = json.loads(build.read_text())
            minutes, seconds = divmod(figures["build_seconds"], 60)
            lines.append(
                f"National database: {figures['kommuner']} kommuner, {figures['people']:,} "
                f"people, {figures['ratings']:,} answers, {figures['assessments']:,} "
                f"assessment rows; {figures['database_bytes'] / 1e9:.1f} GB "
                f"(pg_database_size); built in {minutes} min {seconds} s."
            )
        lines.append(
            f"{within} of {len(alone)} scenarios within {limit:g}×"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
        text = "\n".join(lines)
        self.stdout.write(text)
        if markdown:
            markdown.write_text(text + "\n")


def _read(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CommandError(f"{path}: {error}") from error
