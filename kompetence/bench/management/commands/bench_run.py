"""`make bench`: the København-scale benchmark against PostgreSQL and Redis.

Builds the benchmark kommune if it is missing (`bench_data`), starts gunicorn with the
production settings, and prints for each scenario the median and p95, the number of
SQL queries, and next to it the floor measured in the same run — the raw SQL aggregate
the page needs and a trivial signed-in Django view through the same stack — with the
ratio of the figure to that floor:

* the HR dashboard for the whole kommune and a MED dashboard for a centre;
* the leader heat-map for a subtree of about 300 people;
* self-evaluation autosave under 20 concurrent clients (and afterwards: is every saved
  answer in the database?);
* the gap report task for the whole kommune;
* one development-plan PDF;
* the organisation import of 45,000 people.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import cast

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from annualcycle.dashboards import selectors as dashboards
from annualcycle.models import GapReport
from annualcycle.reports.build import gap_report_build
from kompetence.bench.management.commands.bench_data import PASSWORD, SLUG
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person, Position, User
from mus.models import PlanVersion
from mus.pdf import plan_pdf_bytes
from mus.selectors import plan_document
from profiles.models import Competence, Evaluation, EvaluationRound, Rating

TARGETS = {"page": 300, "autosave": 100, "gap_report": 60_000, "pdf": 1000, "import": 120_000}


# --- A small HTTP client that signs in like a browser -----------------------------------


class Client:
    def __init__(self, port: int, host: str):
        self.port, self.host = port, host
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        body = urllib.parse.urlencode(data) if data is not None else None
        headers = {
            "Host": self.host,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
            **(headers or {}),
        }
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server closed a kept-alive connection: open a new one, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, content, elapsed

    def log_in(self, username: str, password: str) -> None:
        status, _, content, _ = self.request("GET", "/log-ind/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        assert found is not None, "the login page has a CSRF token"
        token = found.group(1)
        status, _headers, _, _ = self.request(
            "POST",
            "/log-ind/",
            {"csrfmiddlewaretoken": token.decode(), "username": username, "password": password},
        )
        if status != 302:
            raise CommandError(f"{username} could not sign in (HTTP {status})")


@dataclass
class Result:
    name: str
    timings: list[float]
    queries: str = ""
    unit: str = "ms"
    floor_sql: float | None = None
    floor_view: float | None = None
    target: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def floor(self) -> float | None:
        parts = [p for p in (self.floor_sql, self.floor_view) if p is not None]
        return sum(parts) if parts else None

    @property
    def ratio(self) -> float | None:
        return self.p95 / self.floor if self.floor else None


def _fmt(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms / 1000:.1f} s" if ms >= 10_000 else f"{ms:.0f} ms"


class Command(BaseCommand):
    help = "Runs the København-scale benchmark (PostgreSQL, Redis, gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--clients", type=int, default=20)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--markdown", type=Path, help="also write the table here")
        parser.add_argument("--json", type=Path, help="also write the figures here (bench_compare)")
        parser.add_argument(
            "--pages-only", action="store_true", help="only the page and autosave scenarios"
        )

    def handle(
        self, *args, port, requests, clients, workers, threads, markdown, pages_only, **options
    ):
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("make bench needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        self.requests, self.json = requests, options["json"]
        call_command("bench_data", stdout=self.stdout)
        self.kommune = Kommune.objects.get(slug=SLUG)
        with kommune_scope(self.kommune):
            fixtures = self._fixtures(clients)
        self.host = f"{SLUG}.{settings.KOMPETENCE_DOMAIN}:{port}"
        results: list[Result] = []
        with self._gunicorn(port, workers, threads):
            results += self._pages(port, fixtures)
            # As people answer (a click a second each), then as fast as the clients can.
            results.append(self._autosave(port, fixtures, pause=1.0))
            results.append(self._autosave(port, fixtures, pause=0.0))
        if not pages_only:
            with kommune_scope(self.kommune):
                results.append(self._gap_report(fixtures))
                results.append(self._pdf())
            results.append(self._import())
        self._print(results, workers, threads, markdown)

    # --- Setup ---------------------------------------------------------------------------

    def _fixtures(self, clients: int) -> dict:
        hr = Person.objects.get(user__username="hr")
        leader = Person.objects.get(user__username="leder")
        committee = MEDCommittee.objects.filter(memberships__person__user__username="med").get()
        unit = Position.objects.filter(person=leader, is_leader=True).get().unit
        round_ = EvaluationRound.objects.filter(kommune=self.kommune).latest("opened_at")
        people = Position.objects.filter(unit__path__startswith=unit.path).values("person")
        open_self = list(
            Evaluation.objects.filter(
                round=round_,
                kind=Evaluation.Kind.SELF,
                status=Evaluation.Status.OPEN,
                subject__is_active=True,
            )
            .select_related("subject__user")
            .order_by("pk")[:clients]
        )
        for evaluation in open_self:
            user = evaluation.subject.user
            assert user is not None  # bench people all have logins
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return {
            "hr": hr,
            "committee": committee,
            "unit": unit,
            "subtree_people": Person.objects.filter(pk__in=people).count(),
            "round": round_,
            "autosave": [(e.pk, cast(User, e.subject.user).username) for e in open_self],
            "competences": list(
                Competence.objects.filter(version=round_.version).values_list("pk", flat=True)
            ),
            "root": OrgUnit.objects.get(kommune=self.kommune, parent=None, external_id="D"),
        }

    def _gunicorn(self, port: int, workers: int, threads: int):
        static = Path(tempfile.mkdtemp(prefix="kompetence-static-"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kompetence.settings.production",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50),
            "SECURE_SSL_REDIRECT": "false",
            "BENCH_DIAGNOSTICS": "true",
            "STATIC_ROOT": str(static),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=env,
            check=True,
        )
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "kompetence.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", "gthread",
            "--threads", str(threads),
            "--keep-alive", "30",
            "--log-level", "warning",
        ]  # fmt: skip
        bench = self

        class Server:
            def __enter__(self):
                self.process = subprocess.Popen(command, env=env)  # noqa: S603  (our own gunicorn)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        status = Client(port, bench.host).request("GET", "/healthz/")[0]
                        if status == 200:
                            return self
                    except OSError:
                        pass
                    time.sleep(0.3)
                self.process.kill()
                raise CommandError("gunicorn did not start")

            def __exit__(self, *exc):
                self.process.terminate()
                self.process.wait(timeout=30)

        return Server()

    # --- Scenarios -----------------------------------------------------------------------

    def _measure(self, client: Client, path: str, before=None) -> tuple[list[float], set[str]]:
        for _ in range(3):  # warm: connections, template and framework caches
            client.request("GET", path)
        timings, counts = [], set()
        for index in range(self.requests):
            if before is not None:
                before(index)
            status, headers, _, elapsed = client.request("GET", path)
            if status != 200:
                raise CommandError(f"{path}: HTTP {status}")
            timings.append(elapsed)
            counts.add(headers.get("X-Query-Count", "?"))
        return timings, counts

    def _raw(self):
        db = settings.DATABASES["default"]
        return psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname=db["NAME"],
            password=db["PASSWORD"] or None,
        )

    def _sql(self, statements: list[str]) -> float:
        """Median time of running `statements` one after the other on a connection of
        its own: the database's share of a page, without Django."""
        with self._raw() as raw:
            timings = []
            for _ in range(3 + self.requests):
                started = time.perf_counter()
                for sql in statements:
                    raw.execute(sql.encode()).fetchall()
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings[3:])

    def _page_sql(self, username: str, path: str) -> list[str]:
        """The SELECTs a page runs, as sent to the database (the page in this process,
        with the queries captured)."""
        from django.test import Client as DjangoClient
        from django.test.utils import CaptureQueriesContext

        client = DjangoClient(HTTP_HOST=self.host.split(":")[0])
        client.force_login(User.objects.get(kommune=self.kommune, username=username))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} in process: HTTP {response.status_code}")
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    def _pages(self, port: int, fixtures: dict) -> list[Result]:
        unit, committee = fixtures["unit"], fixtures["committee"]
        scenarios = [
            ("HR dashboard, whole kommune", "hr", "/overblik/"),
            (f"MED dashboard, {committee.unit.name}", "med", f"/overblik/med/{committee.pk}/"),
            (f"leader heat-map, {fixtures['subtree_people']} people", "leder",
             f"/kompetencer/heatmap/?enhed={unit.pk}"),
        ]  # fmt: skip
        clients = {}
        for _name, username, path in scenarios:
            clients[username] = Client(port, self.host)
            clients[username].log_in(username, PASSWORD)
            clients[username].request("GET", path)  # the first view fills UnitFigures
        # What autovacuum does soon after a table's first fill: fresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE annualcycle_unitfigures, annualcycle_unitcompetencefigures")
        results = []
        for name, username, path in scenarios:
            client = clients[username]
            timings, counts = self._measure(client, path)
            ping, _ = self._measure(client, "/_bench/ping/")
            results.append(
                Result(
                    name,
                    timings,
                    queries=",".join(sorted(counts)),
                    floor_sql=self._sql(self._page_sql(username, path)),
                    floor_view=statistics.median(ping),
                    target=TARGETS["page"],
                )
            )
        results[0].note = (
            "the same figures computed live from the 1.8 million assessment rows, without "
            f"the stored per-unit figures: {_fmt(self._live_dashboard(fixtures))}"
        )
        results.insert(1, self._dashboard_after_answers(port, fixtures, clients["hr"]))
        return results

    def _dashboard_after_answers(self, port: int, fixtures: dict, hr: Client) -> Result:
        """The HR dashboard as it is in the evaluation season: before each view, someone
        somewhere has just saved an answer, so one unit's figures are recomputed."""
        evaluation_id, username = fixtures["autosave"][-1]
        writer = Client(port, self.host)
        writer.log_in(username, PASSWORD)
        competences = fixtures["competences"]

        def answer(index: int) -> None:
            competence_id = competences[index % len(competences)]
            status = writer.request(
                "POST",
                f"/evaluering/{evaluation_id}/svar/{competence_id}/",
                {f"level-{competence_id}": 1 + index % 5},
                {"HX-Request": "true", "X-CSRFToken": writer.cookies.get("csrftoken", "")},
            )[0]
            if status != 200:
                raise CommandError(f"autosave before the dashboard: HTTP {status}")

        timings, counts = self._measure(hr, "/overblik/", before=answer)
        return Result(
            "HR dashboard, whole kommune, an answer saved before each view",
            timings,
            queries=",".join(sorted(counts)),
            target=TARGETS["page"],
        )

    def _live_dashboard(self, fixtures: dict) -> float:

        with kommune_scope(self.kommune):
            root, round_ = fixtures["root"], fixtures["round"]
            started = time.perf_counter()
            dashboards._compute(
                dashboards.Units(path=root.path), round_, dashboards.dashboard_period()
            )
            return (time.perf_counter() - started) * 1000

    def _autosave(self, port: int, fixtures: dict, *, pause: float) -> Result:
        """Each client answers every competence of its own open self-evaluation, one
        autosave request per answer, all clients at once, `pause` seconds between a
        client's answers (0: flat out)."""
        competences = fixtures["competences"]
        sessions = []
        for evaluation_id, username in fixtures["autosave"]:
            client = Client(port, self.host)
            client.log_in(username, PASSWORD)
            sessions.append((client, evaluation_id))
        timings: list[float] = []
        counts: set[str] = set()
        failures: list[str] = []
        sent: dict[tuple[int, int], int] = {}
        lock = threading.Lock()

        def answer(client: Client, evaluation_id: int, offset: int) -> None:
            if pause:  # people do not click in step: each starts at its own moment
                time.sleep(pause * offset / len(sessions))
            for index, competence_id in enumerate(competences):
                if pause and index:
                    time.sleep(pause)
                level = 1 + (index + offset + int(pause)) % 5
                status, headers, _, elapsed = client.request(
                    "POST",
                    f"/evaluering/{evaluation_id}/svar/{competence_id}/",
                    {f"level-{competence_id}": level},
                    {"HX-Request": "true", "X-CSRFToken": client.cookies.get("csrftoken", "")},
                )
                with lock:
                    timings.append(elapsed)
                    counts.add(headers.get("X-Query-Count", "?"))
                    if status == 200:
                        sent[(evaluation_id, competence_id)] = level
                    else:
                        failures.append(f"{evaluation_id}/{competence_id}: HTTP {status}")

        threads = [
            threading.Thread(target=answer, args=(client, evaluation_id, offset))
            for offset, (client, evaluation_id) in enumerate(sessions)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        with kommune_scope(self.kommune):
            stored = dict(
                (((e, c), level) for e, c, level in Rating.objects.filter(
                    evaluation_id__in=[e for _, e in sessions]
                ).values_list("evaluation_id", "competence_id", "level"))
            )  # fmt: skip
        lost = [key for key, level in sent.items() if stored.get(key) != level]
        note = (
            f"{len(timings) / seconds:.0f} requests/s, {len(sent)} answers saved, "
            f"{len(lost)} missing in the database, {len(failures)} refused"
        )
        if lost or failures:
            note += f" ({(failures + [str(k) for k in lost])[:3]})"
        how = f"an answer every {pause:g} s each" if pause else "flat out"
        return Result(
            f"autosave, {len(sessions)} concurrent clients, {how}",
            timings,
            queries=",".join(sorted(counts)),
            target=TARGETS["autosave"],
            note=note,
        )

    def _gap_report(self, fixtures: dict) -> Result:
        """The gap report task's work for the whole kommune, in this process."""
        hr, root = fixtures["hr"], fixtures["root"]
        timings = []
        for _ in range(2):
            report = GapReport.objects.create(kommune=self.kommune, requested_by=hr, unit=root)
            started = time.perf_counter()
            report = gap_report_build(report_id=report.pk)
            timings.append((time.perf_counter() - started) * 1000)
            if report.status != GapReport.Status.READY:
                raise CommandError(f"gap report failed: {report.error}")
        # The raw aggregate behind its sheets: per unit and competence, over the round.
        sql = f"""
            SELECT a.unit_id, a.competence_id, count(*), count(*) FILTER (WHERE a.gap > 0),
                   avg(a.self_level), avg(a.leader_level), avg(a.assessed), avg(a.required)
            FROM profiles_assessment a WHERE a.round_id = {int(fixtures["round"].pk)}
            GROUP BY 1, 2
        """  # noqa: S608  (an integer id)
        return Result(
            f"gap report task, whole kommune ({report.people} people)",
            timings,
            floor_sql=self._sql([sql]),
            target=TARGETS["gap_report"],
        )

    def _pdf(self) -> Result:
        version = (
            PlanVersion.objects.filter(kommune=self.kommune)
            .select_related("plan__employee", "plan__leader")
            .order_by("pk")[0]
        )
        plan_pdf_bytes(version, language="da", context=plan_document(version))
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            plan_pdf_bytes(version, language="da", context=plan_document(version))
            timings.append((time.perf_counter() - started) * 1000)
        return Result("development-plan PDF", timings, target=TARGETS["pdf"])

    def _import(self) -> Result:
        from io import StringIO

        out = StringIO()
        call_command("bench_import", "--people", "45000", stdout=out)
        figures = dict(
            re.findall(r"import (dry run|apply|second dry run): ([\d.]+) s", out.getvalue())
        )
        total = (float(figures["dry run"]) + float(figures["apply"])) * 1000
        return Result(
            "organisation import, 45,000 people (dry run + apply)",
            [total],
            target=TARGETS["import"],
            note=f"dry run {figures['dry run']} s, apply {figures['apply']} s, "
            f"second dry run {figures['second dry run']} s (0 changes)",
        )

    # --- Output --------------------------------------------------------------------------

    def _print(self, results: list[Result], workers: int, threads: int, markdown) -> None:
        header = ("scenario", "median", "p95", "SQL queries", "floor: SQL", "floor: view",
                  "p95 / floor", "target")  # fmt: skip
        rows = [
            (
                r.name,
                _fmt(r.median),
                _fmt(r.p95),
                r.queries or "–",
                _fmt(r.floor_sql),
                _fmt(r.floor_view),
                f"{r.ratio:.1f}×" if r.ratio else "–",
                (f"p95 < {_fmt(r.target)}" + (" ✓" if r.p95 < r.target else " ✗"))
                if r.target
                else "–",
            )
            for r in results
        ]
        lines = [
            f"Kompetence benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
            f"gunicorn {workers} workers × {threads} threads, PostgreSQL "
            f"{connection.cursor().connection.info.server_version}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
            *(f"* {r.name}: {r.note}" for r in results if r.note),
        ]
        text = "\n".join(lines)
        self.stdout.write(text)
        if markdown:
            markdown.write_text(text + "\n")
        if self.json:
            figures = [
                {"name": r.name, "median_ms": r.median, "p95_ms": r.p95, "queries": r.queries,
                 "floor_ms": r.floor, "ratio": r.ratio, "note": r.note}
                for r in results
            ]  # fmt: skip
            self.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
