"""`make bench`: the København-scale benchmark against PostgreSQL and Redis.

Builds the benchmark kommune if it is missing (`bench_data`), starts gunicorn with the
production settings, and prints one table: for each scenario of issue 20 the median and
p95, the number of SQL queries, the floor measured in the same run, the ratio of the
figure to that floor, and the issue's target for it, judged (✓/✗) on this run.

The floor of a page is what it cannot go below on this machine at this moment: its
own SELECTs, captured while it is built in this process and replayed on a raw
psycopg connection (*floor: SQL*, the database's share without Django), plus a trivial
signed-in view through the same stack (*floor: view*, `/_bench/ping/`: session,
tenancy, middleware). The scenarios:

* the HR dashboard for the whole kommune, a MED dashboard for a centre and the leader
  heat-map for a subtree of about 300 people — each also with an answer, and with an
  agreed level, saved in its scope before every view (`_interleaved`); target p95
  within 2× the floor;
* the pages people open most (`_pages`): the home page with *Mine opgaver nu* for the
  direktør and for the 300-person leader, *Mit team*, the MUS conversation screen, the
  development-plan page, the catalogue with "passer til mine gab", HR's person list
  with a search, the org tree and the audit log of a much-read person; target p95
  under 150 ms and within 3× the floor;
* self-evaluation autosave under 20 concurrent clients, paced and flat out, beside the
  trivial view under the same 20 clients (`_autosave`); targets: paced p95 within 3×
  the view's, flat-out throughput at least half the view's, nothing lost;
* the gap report for the whole kommune, target within 5× its own SELECTs replayed;
* opening a round for the whole kommune (rolled back afterwards), target under 30 s;
* one development-plan PDF and the organisation import of 45,000 people.

`--only TEXT` runs the scenarios whose name contains TEXT; `--pages-only` the ones
served by gunicorn (dashboards, pages, autosave).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import secrets
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
from django.db import connection, transaction
from django.utils import timezone

from annualcycle.dashboards import selectors as dashboards
from annualcycle.models import GapReport
from annualcycle.reports.build import gap_report_build
from kompetence.bench.management.commands.bench_data import PASSWORD, SLUG, reading_history
from kompetence.infra import rls
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, MEDCommittee, OrgUnit, Person, Position, User
from mus.models import Conversation, PlanVersion
from mus.pdf import plan_pdf_bytes
from mus.selectors import plan_document
from profiles import services as profile_services
from profiles.models import Competence, Evaluation, EvaluationRound, Rating

# Issue 20's targets: absolute ones in ms, the others as multiples of the floor.
PAGE_MS = 150
PAGE_RATIO = 3
DASHBOARD_RATIO = 2
AUTOSAVE_RATIO = 3  # paced p95 over the trivial view's p95 under the same clients
THROUGHPUT_SHARE = 0.5  # flat-out autosave requests/s over the trivial view's
GAP_REPORT_RATIO = 5
ROUND_OPENING_MS = 30_000
# Earlier issues' targets, still held.
PDF_MS = 1000
IMPORT_MS = 120_000
RATE = "requests/s"


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
    """One row of the table. `timings` are milliseconds, except for a throughput row
    (`unit` "requests/s"), whose one figure is the requests per second and whose floor
    is the trivial view's; there the ratio is the row's share of its floor, and higher
    is better."""

    name: str
    timings: list[float]
    queries: str = ""
    unit: str = "ms"
    floor_sql: float | None = None
    floor_view: float | None = None
    target: float | None = None  # p95 under this many ms
    max_ratio: float | None = None  # p95 within this many times the floor
    min_ratio: float | None = None  # a throughput at least this share of the floor's
    checks: list[tuple[str, bool]] = field(default_factory=list)  # other targets, judged
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

    @property
    def verdicts(self) -> list[tuple[str, bool]]:
        """Each of the issue's targets for this row, and whether this run met it."""
        ratio = self.ratio
        verdicts = []
        if self.target is not None:
            verdicts.append((f"p95 < {_fmt(self.target)}", self.p95 < self.target))
        if self.max_ratio is not None:
            verdicts.append(
                (f"≤ {self.max_ratio:g}× floor", ratio is not None and ratio <= self.max_ratio)
            )
        if self.min_ratio is not None:
            verdicts.append(
                (f"≥ {self.min_ratio:g}× floor", ratio is not None and ratio >= self.min_ratio)
            )
        return verdicts + self.checks

    @property
    def met(self) -> bool | None:
        verdicts = self.verdicts
        return all(ok for _, ok in verdicts) if verdicts else None


def _fmt(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms / 1000:.1f} s" if ms >= 10_000 else f"{ms:.0f} ms"


def _fmt_in(unit: str, figure: float | None) -> str:
    if unit == RATE and figure is not None:
        return f"{figure:.0f}/s"
    return _fmt(figure)


class Rollback(Exception):
    """Leaves the transaction of a scenario that must not change the bench database."""


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
            "--pages-only",
            action="store_true",
            help="only the scenarios served by gunicorn (dashboards, pages, autosave)",
        )
        parser.add_argument(
            "--only", default="", help="only the scenarios whose name contains this text"
        )

    def handle(
        self,
        *args,
        port,
        requests,
        clients,
        workers,
        threads,
        markdown,
        pages_only,
        only,
        **options,
    ):
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("make bench needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        self.requests, self.json = requests, options["json"]
        self.only = only.casefold()
        call_command("bench_data", stdout=self.stdout)
        self.kommune = Kommune.objects.get(slug=SLUG)
        with kommune_scope(self.kommune):
            reading_history(self.kommune)  # a database built before the direktør's login
            fixtures = self._fixtures(clients)
        self.host = f"{SLUG}.{settings.KOMPETENCE_DOMAIN}:{port}"
        self.clients: dict[str, Client] = {}
        results: list[Result] = []
        with self._gunicorn(port, workers, threads):
            results += self._dashboards(port, fixtures)
            results += self._pages(port, fixtures)
            results += self._autosave(port, fixtures)
        if not pages_only:
            with kommune_scope(self.kommune):
                if self._wanted(name := "gap report task, whole kommune"):
                    results.append(self._gap_report(name, fixtures))
                if self._wanted(name := "development-plan PDF"):
                    results.append(self._pdf(name))
            if self._wanted(name := "organisation import, 45,000 people (dry run + apply)"):
                results.append(self._import(name))
            # Last: the round it opens is rolled back, and the dead rows it leaves
            # behind are for autovacuum, not for the scenarios above.
            with kommune_scope(self.kommune):
                if self._wanted(name := "opening a round, whole kommune"):
                    results.append(self._round_opening(name, fixtures))
        if not results:
            raise CommandError(f"no scenario's name contains {only!r}")
        self._print(results, workers, threads, markdown)

    def _wanted(self, name: str) -> bool:
        return self.only in name.casefold()

    # --- Setup ---------------------------------------------------------------------------

    def _fixtures(self, clients: int) -> dict:
        hr = Person.objects.get(user__username="hr")
        leader = Person.objects.get(user__username="leder")
        employee = Person.objects.get(user__username="medarbejder")
        committee = MEDCommittee.objects.filter(memberships__person__user__username="med").get()
        unit = Position.objects.filter(person=leader, is_leader=True).get().unit
        root = OrgUnit.objects.get(kommune=self.kommune, parent=None, external_id="D")
        round_ = EvaluationRound.objects.filter(kommune=self.kommune).latest("opened_at")
        people = Position.objects.filter(unit__path__startswith=unit.path).values("person")
        open_self = Evaluation.objects.filter(
            round=round_,
            kind=Evaluation.Kind.SELF,
            status=Evaluation.Status.OPEN,
            subject__is_active=True,
        ).order_by("pk")
        autosave = list(open_self.select_related("subject__user")[:clients])
        # Who saves an answer before each view of a dashboard: someone in its scope,
        # not among the autosave clients.
        writers = {
            scope: open_self.filter(subject__positions__unit__path__startswith=path)
            .exclude(pk__in=[e.pk for e in autosave])
            .select_related("subject__user")
            .first()
            for scope, path in (
                ("kommune", root.path),
                ("centre", committee.unit.path),
                ("subtree", unit.path),
            )
        }
        for evaluation in [*autosave, *writers.values()]:
            if evaluation is None:
                raise CommandError("the bench round has too few open self-evaluations")
            user = evaluation.subject.user
            assert user is not None  # bench people all have logins
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        # Who records an agreed level before each view: a leader of a conversation (of
        # this round) with someone in the scope.
        conversations = Conversation.objects.filter(round=round_).select_related("leader__user")
        agreeing = {
            scope: conversations.filter(
                employee__positions__unit__path__startswith=path,
                employee__positions__is_leader=False,
            )
            .order_by("pk")
            .first()
            for scope, path in (
                ("kommune", root.path),
                ("centre", committee.unit.path),
                ("subtree", unit.path),
            )
        }
        for found in agreeing.values():
            if found is None or found.leader.user is None:
                raise CommandError("the bench round has too few conversations")
            found.leader.user.set_password(PASSWORD)
            found.leader.user.save(update_fields=["password"])
        # The leader's own MUS conversation with one of their people, with its plan.
        conversation = (
            Conversation.objects.filter(leader=leader, plan__isnull=False)
            .select_related("plan")
            .order_by("pk")
            .first()
        )
        if conversation is None:
            raise CommandError("the bench leader has no conversation with a plan")
        competences = list(
            Competence.objects.filter(version=round_.version)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return {
            "hr": hr,
            "committee": committee,
            "unit": unit,
            "subtree_people": Person.objects.filter(pk__in=people).count(),
            "round": round_,
            "autosave": [(e.pk, cast(User, e.subject.user).username) for e in autosave],
            "answering": {
                scope: (
                    f"/evaluering/{e.pk}/svar/{competences[0]}/",
                    f"level-{competences[0]}",
                    cast(User, e.subject.user).username,
                )
                for scope, e in writers.items()
                if e is not None
            },
            "agreeing": {
                scope: (
                    f"/mus/{c.pk}/aftalt/{competences[0]}/",
                    f"agreed-{competences[0]}",
                    cast(User, c.leader.user).username,
                )
                for scope, c in agreeing.items()
                if c is not None
            },
            "competences": competences,
            "root": root,
            "employee": employee,
            "conversation": conversation,
        }

    def _app_login(self) -> tuple[str, str]:
        """The application's own database login, as production runs (`app_login_role`:
        no superuser, behind row-level security), named after the bench database so
        runs on other databases of the same server do not share it; a fresh password
        each run. Returns the role and the DATABASE_URL gunicorn logs in with."""
        db = settings.DATABASES["default"]
        role = re.sub(r"[^a-z0-9_]", "_", f"{db['NAME']}_app".lower())
        password = secrets.token_urlsafe(24)
        os.environ["DATABASE_APP_PASSWORD"] = password
        try:
            call_command("app_login_role", "--role", role, stdout=self.stdout)
        finally:
            del os.environ["DATABASE_APP_PASSWORD"]
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return role, f"postgres://{role}:{urllib.parse.quote(password)}@{host}/{db['NAME']}"

    def _gunicorn(self, port: int, workers: int, threads: int):
        static = Path(tempfile.mkdtemp(prefix="kompetence-static-"))
        role, url = self._app_login()
        self.app_role = role
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATABASE_APP_ROLE": role,
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

    # --- Measuring -----------------------------------------------------------------------

    def _client(self, port: int, username: str) -> Client:
        """One signed-in HTTP client per login, kept for the whole run."""
        if username not in self.clients:
            self.clients[username] = Client(port, self.host)
            self.clients[username].log_in(username, PASSWORD)
        return self.clients[username]

    def _measure(self, client: Client, path: str, before=None) -> tuple[list[float], set[str]]:
        for index in range(3):  # warm: connections, template and framework caches
            if before is not None:
                before(-1 - index)
            status = client.request("GET", path)[0]
            if status != 200:
                raise CommandError(f"{path}: HTTP {status}")
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
        """A connection of its own, bound to the bench kommune as a served request is
        (`kompetence.infra.rls`: the kommune setting and the application role), so the
        floor pays row-level security as the page does."""
        db = settings.DATABASES["default"]
        raw = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname=db["NAME"],
            password=db["PASSWORD"] or None,
            autocommit=True,
        )
        raw.execute(
            "SELECT set_config(%s, %s, false), set_config('role', %s, false)",
            [rls.SETTING, str(self.kommune.pk), self.app_role],
        )
        return raw

    def _sql(self, statements: list[str], *, runs: int | None = None, warm: int = 3) -> float:
        """Median time of running `statements` one after the other on a connection of
        its own, fetching every row: the database's share of a page, without Django."""
        with self._raw() as raw:
            timings = []
            for _ in range(warm + (runs or self.requests)):
                started = time.perf_counter()
                for sql in statements:
                    raw.execute(sql.encode()).fetchall()
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings[warm:])

    def _page_sql(self, username: str, path: str, before=None) -> list[str]:
        """The SELECTs a page runs, as sent to the database (the page in this process,
        with the queries captured; `before` runs first, outside the capture)."""
        from django.test import Client as DjangoClient
        from django.test.utils import CaptureQueriesContext

        client = DjangoClient(HTTP_HOST=self.host.split(":")[0])
        client.force_login(User.objects.get(kommune=self.kommune, username=username))
        client.get(path)  # warm, as the served page is
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} in process: HTTP {response.status_code}")
        return _selects(queries.captured_queries)

    def _page(
        self,
        port: int,
        name: str,
        username: str,
        path: str,
        *,
        target: float | None = None,
        max_ratio: float | None = None,
    ) -> Result:
        client = self._client(port, username)
        timings, counts = self._measure(client, path)
        ping, _ = self._measure(client, "/_bench/ping/")
        return Result(
            name,
            timings,
            queries=",".join(sorted(counts)),
            floor_sql=self._sql(self._page_sql(username, path)),
            floor_view=statistics.median(ping),
            target=target,
            max_ratio=max_ratio,
        )

    # --- Dashboards and the heat-map -----------------------------------------------------

    def _dashboards(self, port: int, fixtures: dict) -> list[Result]:
        unit, committee = fixtures["unit"], fixtures["committee"]
        scenarios = [
            ("HR dashboard, whole kommune", "hr", "/overblik/", "kommune"),
            (f"MED dashboard, {committee.unit.name}", "med", f"/overblik/med/{committee.pk}/",
             "centre"),
            (f"leader heat-map, {fixtures['subtree_people']} people", "leder",
             f"/kompetencer/heatmap/?enhed={unit.pk}", "subtree"),
        ]  # fmt: skip
        scenarios = [
            s
            for s in scenarios
            if any(self._wanted(f"{s[0]}{suffix}") for suffix in ("", *WRITES_BEFORE))
        ]
        for _name, username, path, _scope in scenarios:
            self._client(port, username).request("GET", path)  # fills UnitFigures
        if scenarios:
            # What autovacuum does soon after a table's first fill: fresh statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE annualcycle_unitfigures, annualcycle_unitcompetencefigures")
        results = []
        for name, username, path, scope in scenarios:
            if self._wanted(name):
                results.append(self._page(port, name, username, path, max_ratio=DASHBOARD_RATIO))
            for suffix, writers in WRITES_BEFORE.items():
                if self._wanted(f"{name}{suffix}"):
                    post_path, field_name, writer = fixtures[writers][scope]
                    results.append(
                        self._interleaved(port, f"{name}{suffix}", username, path,
                                          writer, post_path, field_name)
                    )  # fmt: skip
        if results and results[0].name == "HR dashboard, whole kommune":
            results[0].note = (
                "the same figures computed live from the 1.8 million assessment rows, "
                f"without the stored per-unit figures: {_fmt(self._live_dashboard(fixtures))}"
            )
        return results

    def _interleaved(
        self,
        port: int,
        name: str,
        username: str,
        path: str,
        writer_name: str,
        answer_path: str,
        field_name: str,
    ) -> Result:
        """The page as it is in the evaluation season: before each view, someone in its
        scope has just saved a level (each time a different one, so it always changes):
        an employee's answer in their open self-evaluation, or a leader's level agreed
        in a MUS conversation. Only the view is timed, not the save.

        Its floor is measured as a page's is, with the save before the capture: the
        SELECTs the view then runs — the page's own and those recomputing the changed
        unit's figures — replayed raw, plus the trivial view. The save's own cost is
        not in the floor, as it is not in the timing; what the changed figures cost to
        read again is, since a page that is up to date must read them.

        What the write changes: an answer is a draft's (`profiles.services.rating_save`
        keeps a self-evaluation's levels on its rating rows until it is submitted) and
        marks no unit's figures, so today the view after it recomputes nothing (the
        same query count as without it): that row measures the page beside a
        concurrent write. An agreed level goes to the person's assessment rows at once
        and marks their unit, so the view after it recomputes that unit's figures: that
        row measures the recompute."""
        http_writer = self._client(port, writer_name)
        levels = iter(range(1_000_000))

        def answer(_index: int) -> None:
            level = 1 + next(levels) % 5
            status = http_writer.request(
                "POST",
                answer_path,
                {field_name: level},
                {"HX-Request": "true", "X-CSRFToken": http_writer.cookies.get("csrftoken", "")},
            )[0]
            if status != 200:
                raise CommandError(f"the answer before {path}: HTTP {status}")

        def answer_in_process() -> None:
            from django.test import Client as DjangoClient

            client = DjangoClient(HTTP_HOST=self.host.split(":")[0])
            client.force_login(User.objects.get(kommune=self.kommune, username=writer_name))
            for _ in range(2):  # two different levels: one of them is a change
                level = 1 + next(levels) % 5
                response = client.post(answer_path, {field_name: level}, HTTP_HX_REQUEST="true")
                if response.status_code != 200:
                    raise CommandError(f"the answer in process: HTTP {response.status_code}")

        client = self._client(port, username)
        timings, counts = self._measure(client, path, before=answer)
        ping, _ = self._measure(client, "/_bench/ping/")
        return Result(
            name,
            timings,
            queries=",".join(sorted(counts)),
            floor_sql=self._sql(self._page_sql(username, path, before=answer_in_process)),
            floor_view=statistics.median(ping),
            max_ratio=DASHBOARD_RATIO,
        )

    def _live_dashboard(self, fixtures: dict) -> float:
        with kommune_scope(self.kommune):
            root, round_ = fixtures["root"], fixtures["round"]
            started = time.perf_counter()
            dashboards._compute(
                dashboards.Units(path=root.path), round_, dashboards.dashboard_period()
            )
            return (time.perf_counter() - started) * 1000

    # --- The pages people open most ------------------------------------------------------

    def _pages(self, port: int, fixtures: dict) -> list[Result]:
        """Each page by the login that opens it most, with the issue's two targets: p95
        under 150 ms and within 3× its floor."""
        size = fixtures["subtree_people"]
        conversation, employee = fixtures["conversation"], fixtures["employee"]
        search = "Hansen"  # one of the commonest surnames: a full first page of hits
        scenarios = [
            ("home page with Mine opgaver nu, the direktør (whole kommune)", "direktoer", "/"),
            (f"home page with Mine opgaver nu, leader of {size} people", "leder", "/"),
            (f"Mit team, leader of {size} people", "leder", "/mit-team/"),
            ("MUS conversation screen, the leader", "leder",
             f"/mus/{conversation.pk}/samtale/"),
            ("development-plan page, the leader", "leder",
             f"/udviklingsplaner/{conversation.plan.pk}/"),
            ("catalogue, passer til mine gab", "medarbejder", "/katalog/?mine_gab=on"),
            (f"HR's person list, search {search}", "hr",
             f"/personer/?{urllib.parse.urlencode({'q': search})}"),
            ("org tree, HR of the whole kommune", "hr", "/organisation/"),
            ("audit log of a much-read person, HR", "hr",
             f"/adgangslog/?{urllib.parse.urlencode({'subject': employee.employee_number})}"),
        ]  # fmt: skip
        return [
            self._page(port, name, username, path, target=PAGE_MS, max_ratio=PAGE_RATIO)
            for name, username, path in scenarios
            if self._wanted(name)
        ]

    # --- Autosave ------------------------------------------------------------------------

    def _autosave(self, port: int, fixtures: dict) -> list[Result]:
        """Self-evaluation autosave under 20 clients, as people answer (an answer a
        second each) and flat out, each beside its floor: the trivial signed-in view
        requested the same way by the same 20 clients just before. Paced, the target is
        latency (p95 within 3× the view's); flat out, the two cores are saturated and a
        closed loop of clients queues, so the target is throughput (at least half the
        view's requests per second). Every answer must be in the database afterwards."""
        clients = len(fixtures["autosave"])
        paced = (
            f"trivial signed-in view, {clients} clients, a request every 1 s each",
            f"autosave, {clients} clients, an answer every 1 s each",
        )
        flat = (
            f"trivial signed-in view, {clients} clients flat out: {RATE}",
            f"autosave, {clients} clients flat out: {RATE}",
        )
        results = []
        for (view_name, autosave_name), pause in ((paced, 1.0), (flat, 0.0)):
            if not (self._wanted(view_name) or self._wanted(autosave_name)):
                continue
            sessions = [
                (self._client(port, username), evaluation_id)
                for evaluation_id, username in fixtures["autosave"]
            ]
            view = self._load(sessions, fixtures["competences"], pause=pause, save=False)
            saved = self._load(sessions, fixtures["competences"], pause=pause, save=True)
            lost = self._lost(saved)
            refused = saved["failures"]
            nothing_lost = (
                f"nothing lost: {len(lost)} missing, {len(refused)} refused",
                not lost and not refused,
            )
            note = f"{len(saved['sent'])} answers saved, {len(lost)} missing in the database"
            if lost or refused:
                note += f" ({(refused + [str(k) for k in lost])[:3]})"
            if pause:
                results.append(Result(view_name, view["timings"], queries=view["queries"]))
                results.append(
                    Result(
                        autosave_name,
                        saved["timings"],
                        queries=saved["queries"],
                        floor_view=results[-1].p95,
                        max_ratio=AUTOSAVE_RATIO,
                        checks=[nothing_lost],
                        note=f"{saved['rate']:.0f} {RATE}; {note}; floor: the p95 of the row above",
                    )
                )
            else:
                results.append(
                    Result(
                        view_name,
                        [view["rate"]],
                        queries=view["queries"],
                        unit=RATE,
                        note=f"latency median {_fmt(statistics.median(view['timings']))}, "
                        f"p95 {_fmt(_p95(view['timings']))}",
                    )
                )
                results.append(
                    Result(
                        autosave_name,
                        [saved["rate"]],
                        queries=saved["queries"],
                        unit=RATE,
                        floor_view=view["rate"],
                        min_ratio=THROUGHPUT_SHARE,
                        checks=[nothing_lost],
                        note=f"latency median {_fmt(statistics.median(saved['timings']))}, "
                        f"p95 {_fmt(_p95(saved['timings']))}; {note}; floor: the row above",
                    )
                )
        return results

    def _load(self, sessions: list, competences: list[int], *, pause: float, save: bool) -> dict:
        """Each client sends one request per competence of its own open self-evaluation
        (`save`: the autosave of an answer; else the trivial view), all clients at once,
        `pause` seconds between a client's requests (0: flat out)."""
        timings: list[float] = []
        counts: set[str] = set()
        failures: list[str] = []
        sent: dict[tuple[int, int], int] = {}
        lock = threading.Lock()

        def run(client: Client, evaluation_id: int, offset: int) -> None:
            if pause:  # people do not click in step: each starts at its own moment
                time.sleep(pause * offset / len(sessions))
            for index, competence_id in enumerate(competences):
                if pause and index:
                    time.sleep(pause)
                level = 1 + (index + offset + int(pause)) % 5
                if save:
                    status, headers, _, elapsed = client.request(
                        "POST",
                        f"/evaluering/{evaluation_id}/svar/{competence_id}/",
                        {f"level-{competence_id}": level},
                        {"HX-Request": "true", "X-CSRFToken": client.cookies.get("csrftoken", "")},
                    )
                else:
                    status, headers, _, elapsed = client.request("GET", "/_bench/ping/")
                with lock:
                    timings.append(elapsed)
                    counts.add(headers.get("X-Query-Count", "?"))
                    if status != 200:
                        failures.append(f"{evaluation_id}/{competence_id}: HTTP {status}")
                    elif save:
                        sent[(evaluation_id, competence_id)] = level

        threads = [
            threading.Thread(target=run, args=(client, evaluation_id, offset))
            for offset, (client, evaluation_id) in enumerate(sessions)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        if failures and not save:
            raise CommandError(f"the trivial view under load: {failures[:3]}")
        return {
            "timings": timings,
            "queries": ",".join(sorted(counts)),
            "rate": len(timings) / seconds,
            "sent": sent,
            "failures": failures,
            "evaluations": [e for _, e in sessions],
        }

    def _lost(self, saved: dict) -> list:
        """The answers acknowledged with 200 whose level is not in the database."""
        with kommune_scope(self.kommune):
            stored = {
                (e, c): level
                for e, c, level in Rating.objects.filter(
                    evaluation_id__in=saved["evaluations"]
                ).values_list("evaluation_id", "competence_id", "level")
            }
        return [key for key, level in saved["sent"].items() if stored.get(key) != level]

    # --- Reports and rounds --------------------------------------------------------------

    def _gap_report(self, name: str, fixtures: dict) -> Result:
        """The gap report task's work for the whole kommune, in this process
        (`gap_report_build`), built three times: once with its queries captured, which
        is the floor — its own SELECTs replayed raw, every row fetched, as for a page —
        and twice timed without the capture's overhead."""
        from django.test.utils import CaptureQueriesContext

        hr, root = fixtures["hr"], fixtures["root"]

        def build() -> GapReport:
            report = GapReport.objects.create(kommune=self.kommune, requested_by=hr, unit=root)
            report = gap_report_build(report_id=report.pk)
            if report.status != GapReport.Status.READY:
                raise CommandError(f"gap report failed: {report.error}")
            return report

        with CaptureQueriesContext(connection) as queries:
            report = build()
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            build()
            timings.append((time.perf_counter() - started) * 1000)
        selects = _selects(queries.captured_queries)
        return Result(
            name,
            timings,
            queries=str(len(queries.captured_queries)),
            floor_sql=self._sql(selects, runs=3, warm=1),
            max_ratio=GAP_REPORT_RATIO,
            note=f"{report.people} people; floor: its {len(selects)} SELECTs replayed",
        )

    def _round_opening(self, name: str, fixtures: dict) -> Result:
        """`profiles.services.round_open` — a new round for the whole kommune, filled by
        `profiles.rounds.round_populate` — timed inside a transaction that is then
        rolled back, so the bench database stays as it was. Its target is absolute."""
        round_, hr, root = fixtures["round"], fixtures["hr"], fixtures["root"]
        started = time.perf_counter()
        try:
            with transaction.atomic():
                opened = profile_services.round_open(
                    kommune=self.kommune,
                    name="Benchmark: runde for hele kommunen",
                    version=round_.version,
                    unit=root,
                    deadline=timezone.localdate() + datetime.timedelta(days=60),
                    opened_by=hr,
                )
                elapsed = (time.perf_counter() - started) * 1000
                evaluations = Evaluation.objects.filter(round=opened).count()
                raise Rollback
        except Rollback:
            pass
        return Result(
            name,
            [elapsed],
            target=ROUND_OPENING_MS,
            note=f"{evaluations} evaluations; rolled back afterwards",
        )

    def _pdf(self, name: str) -> Result:
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
        return Result(name, timings, target=PDF_MS)

    def _import(self, name: str) -> Result:
        from io import StringIO

        out = StringIO()
        call_command("bench_import", "--people", "45000", stdout=out)
        figures = dict(
            re.findall(r"import (dry run|apply|second dry run): ([\d.]+) s", out.getvalue())
        )
        total = (float(figures["dry run"]) + float(figures["apply"])) * 1000
        return Result(
            name,
            [total],
            target=IMPORT_MS,
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
                "–" if r.unit == RATE else _fmt(r.median),
                _fmt_in(r.unit, r.p95),
                r.queries or "–",
                _fmt(r.floor_sql),
                _fmt_in(r.unit, r.floor_view),
                f"{r.ratio:.1f}×" if r.ratio else "–",
                ", ".join(f"{text} {'✓' if ok else '✗'}" for text, ok in r.verdicts) or "–",
            )
            for r in results
        ]
        missed = [r.name for r in results if r.met is False]
        lines = [
            f"Kompetence benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, "
            f"gunicorn {workers} workers × {threads} threads, PostgreSQL "
            f"{connection.cursor().connection.info.server_version}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
            "* Floor: the page's own SELECTs replayed raw (SQL) plus the trivial signed-in "
            "view (view); a throughput row's figure and floor are requests per second "
            f"(higher is better). Targets met: {len(results) - len(missed)} of "
            f"{len(results)}.",
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


# The dashboards' variants with a write before each view: name suffix → the fixture
# naming, per scope, where the write is posted, its field and who posts it.
WRITES_BEFORE = {
    ", an answer saved before each view": "answering",
    ", an agreed level saved before each view": "agreeing",
}


def _p95(timings: list[float]) -> float:
    return Result("", timings).p95


def _selects(captured: list[dict]) -> list[str]:
    """The reads among captured queries (writes are not replayed: they would change
    what is measured next)."""
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
