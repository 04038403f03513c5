"""Times the PDF of a development plan with many activities (target: under 1 s).

Builds a throwaway kommune with one plan of --activities activities inside a
transaction that is rolled back, renders the PDF --runs times and prints the figures."""

from __future__ import annotations

import datetime
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kompetence import services as org
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune
from mus import selectors, services
from mus.models import PlanActivity
from mus.pdf import plan_pdf_bytes
from mus.selectors import plan_document


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Prints how long one development-plan PDF takes to render."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=30)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, activities: int, runs: int, **options):
        try:
            with transaction.atomic():
                self._bench(activities, runs)
                raise Rollback
        except Rollback:
            pass

    def _bench(self, activities: int, runs: int) -> None:
        kommune = Kommune.objects.create(slug="bench-pdf-tmp", name="Benchmark Kommune")
        with kommune_scope(kommune):
            unit = org.unit_create(kommune=kommune, name="Team")
            leader = org.person_create(
                kommune=kommune, employee_number="1", name="Lene Leder", password=None
            )
            employee = org.person_create(
                kommune=kommune, employee_number="2", name="Mads Medarbejder", password=None
            )
            org.position_create(person=leader, unit=unit, job_title="Leder", is_leader=True)
            org.position_create(person=employee, unit=unit, job_title="Rådgiver")
            conversation = services.conversation_schedule(
                employee=employee,
                leader=leader,
                starts_at=timezone.now() + datetime.timedelta(days=1),
                duration_minutes=60,
                is_online=False,
                location="Lokale 1",
            )
            plan = services.plan_get_or_create(conversation=conversation)
            version = selectors.current_version(plan)
            goal = services.goal_add(
                version=version, revision=0, text="Styrke den faglige kvalitet"
            )
            version.refresh_from_db()
            for index in range(activities):
                PlanActivity.objects.create(
                    kommune=kommune,
                    version=version,
                    goal=goal,
                    kind=PlanActivity.Kind.EXTERNAL,
                    title=f"Aktivitet {index + 1}: kursus i sagsbehandling",
                    description="Fire dage med opgaver mellem modulerne.",
                    deadline=timezone.localdate() + datetime.timedelta(days=30 + index),
                    order=index + 1,
                )
            context = plan_document(version)
            plan_pdf_bytes(version, language="da", context=context)  # warm fonts and caches
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                data = plan_pdf_bytes(version, language="da", context=plan_document(version))
                timings.append(time.perf_counter() - started)
        self.stdout.write(
            f"plan PDF, {activities} activities: "
            f"median {statistics.median(timings) * 1000:.0f} ms, "
            f"max {max(timings) * 1000:.0f} ms over {runs} runs, {len(data) // 1024} KiB "
            "(target: under 1000 ms)"
        )
