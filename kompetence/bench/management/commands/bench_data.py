"""`manage.py bench_data --people 45000`: a København-sized kommune for the benchmarks
(PostgreSQL).

~2,500 units in 6 levels and 45,000 people (through the real organisation import),
20 job profiles, a published 40-competence framework, one evaluation round with self-
and leader evaluations for everyone (~3.6 million ratings, written with COPY; the
assessment rows are then brought up to date in SQL with the same rule as the
services), MUS conversations and signed development plans for most, and catalogue
courses with enrolments. Minutes, not hours: bulk inserts and COPY throughout.

Run again, it finds the kommune and stops; `--reset` removes it first. The logins
`hr`, `leder`, `med` and `medarbejder` get the password `bench-password`."""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence import services as org_services
from kompetence.bench import organisation as bench
from kompetence.infra import imports
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, MEDMembership, OrgUnit, Person, Position, User
from kompetence.org_import import organisation_importer
from mus import content as mus_content
from mus.models import Conversation, Plan, PlanActivity, PlanGoal, PlanVersion, Signature
from profiles import services as profile_services
from profiles.models import (
    Assessment,
    Competence,
    Evaluation,
    JobProfileAssignment,
    JobRequirement,
)

SLUG = "koebenhavn"
PASSWORD = "bench-password"  # noqa: S105  (benchmark logins on a benchmark database)
GROUPS = {
    "Faglighed": [
        "Faglig viden",
        "Metode",
        "Dokumentation",
        "Lovgivning",
        "Kvalitet",
        "Sagsbehandling",
        "Digitale værktøjer",
        "Tværfaglighed",
        "Etik",
        "Overblik",
    ],
    "Samarbejde": [
        "Kommunikation",
        "Borgerkontakt",
        "Videndeling",
        "Konflikthåndtering",
        "Teamarbejde",
        "Mødeledelse",
        "Feedback",
        "Netværk",
        "Inddragelse",
        "Formidling",
    ],
    "Udvikling": [
        "Forandringsparathed",
        "Innovation",
        "Læring",
        "Projektarbejde",
        "Data og analyse",
        "Nytænkning",
        "Omstilling",
        "Evaluering",
        "Refleksion",
        "Faglig udvikling",
    ],
    "Resultater": [
        "Planlægning",
        "Prioritering",
        "Økonomiforståelse",
        "Ansvarlighed",
        "Beslutningskraft",
        "Service",
        "Effektivitet",
        "Opfølgning",
        "Målstyring",
        "Arbejdsmiljø",
    ],
}


class Command(BaseCommand):
    help = "Builds a 45,000-person benchmark kommune on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=45_000)
        parser.add_argument("--units", type=int, default=2_500)
        parser.add_argument("--slug", default=SLUG)
        parser.add_argument("--reset", action="store_true")
        parser.add_argument("--seed", type=int, default=45)

    def handle(self, *args, people, units, slug, reset, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_data needs PostgreSQL (set DATABASE_URL).")
        existing = Kommune.objects.filter(slug=slug).first()
        if existing and not reset:
            self.stdout.write(f"The benchmark kommune {slug} exists; --reset rebuilds it.")
            return
        if existing:
            self._step("removed the old benchmark kommune", lambda: purge(existing))
        self.rng = random.Random(seed)
        self.started = time.monotonic()
        kommune, hr = org_services.kommune_create(
            slug=slug,
            name="Københavns Kommune (benchmark)",
            hr_name="Helle HR",
            hr_email="hr@koebenhavn.example",
        )
        with kommune_scope(kommune):
            self.kommune, self.hr = kommune, hr
            tree = bench.unit_tree(units, seed)
            staff = bench.employees(tree, people, seed)
            self._step(
                f"imported {len(tree)} units and {people} people",
                lambda: self._organisation(tree, staff),
            )
            self._step("framework, job profiles, logins, MED", self._profiles)
            self._step("evaluation round (evaluations and assessment rows)", self._round)
            self._step("ratings (COPY) and assessments", self._ratings)
            self._step("MUS conversations and signed plans", self._plans)
            self._step("catalogue and enrolments", self._catalogue)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"done in {time.monotonic() - self.started:.0f} s")

    def _step(self, label, work):
        started = time.monotonic()
        with transaction.atomic():
            work()
        self.stdout.write(f"  {label}: {time.monotonic() - started:.1f} s")

    def _organisation(self, tree, staff):
        plan = imports.import_run(
            kommune=self.kommune,
            importer=organisation_importer,
            data=bench.org_file(tree, staff),
            options={"full": True},
        )
        if plan.problems:
            raise CommandError(str(plan.problems[:3]))

    def _profiles(self):
        kommune, rng = self.kommune, self.rng
        scale = profile_services.scale_create_default(kommune=kommune)
        version = profile_services.framework_create(
            kommune=kommune, name="Kompetencer i Københavns Kommune", scale=scale
        )
        for group_name, names in GROUPS.items():
            group = profile_services.group_create(version=version, name=group_name)
            for name in names:
                profile_services.competence_create(
                    group=group, name=name, short_description=f"{name} i det daglige arbejde."
                )
        self.version = profile_services.version_publish(version=version, by=self.hr)
        competences = list(Competence.objects.filter(version=self.version))
        titles = sorted({*bench.TITLES, "Leder"})
        profiles = {}
        for title in titles:
            profile = profile_services.job_profile_create(
                kommune=kommune, framework=self.version.framework, name=title
            )
            JobRequirement.objects.bulk_create(
                JobRequirement(
                    kommune=kommune,
                    job_profile=profile,
                    competence_key=c.key,
                    level=rng.choice((2, 3, 3, 4)),
                )
                for c in competences
            )
            profiles[title] = profile
        JobProfileAssignment.objects.bulk_create(
            (
                JobProfileAssignment(kommune=kommune, position_id=pk, job_profile=profiles[title])
                for pk, title in Position.objects.filter(kommune=kommune).values_list(
                    "pk", "job_title"
                )
            ),
            batch_size=5000,
        )
        # Logins the benchmark signs in with: HR, a leader of ~300 people, a MED member.
        leader = self._leader_of_about(300)
        employee = Person.objects.filter(
            positions__unit__path__startswith=leader.unit.path, positions__is_leader=False
        ).order_by("pk")[0]
        centre = OrgUnit.objects.filter(kommune=kommune, depth=3).order_by("pk")[0]
        member = Person.objects.filter(
            positions__unit__path__startswith=centre.path, positions__is_leader=False
        ).order_by("pk")[0]
        org_services.med_committee_create(
            kommune=kommune,
            name=f"Center-MED {centre.name}",
            kind="center",
            unit=centre,
            members=[(member, MEDMembership.Role.MEMBER)],
        )
        for username, person in (
            ("hr", self.hr),
            ("leder", leader.person),
            ("medarbejder", employee),
            ("med", member),
        ):
            assert person.user_id is not None  # every bench person has a login
            user = User.objects.get(pk=person.user_id)
            user.username = username
            user.set_password(PASSWORD)
            user.save()

    def _leader_of_about(self, size: int) -> Position:
        """The leader position whose subtree holds closest to `size` people."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT leader.id FROM kompetence_position leader
                JOIN kompetence_orgunit u ON u.id = leader.unit_id
                JOIN kompetence_orgunit below ON below.path LIKE u.path || '%%'
                JOIN kompetence_position p ON p.unit_id = below.id
                WHERE leader.is_leader AND leader.kommune_id = %s AND u.depth = 4
                GROUP BY leader.id ORDER BY abs(count(p.id) - %s), leader.id LIMIT 1
                """,
                [self.kommune.pk, size],
            )
            (position_id,) = cursor.fetchone()
        return Position.objects.select_related("unit", "person").get(pk=position_id)

    def _round(self):
        root = OrgUnit.objects.get(kommune=self.kommune, parent=None, external_id="D")
        self.round = profile_services.round_open(
            kommune=self.kommune,
            name="Kompetenceafklaring 2027",
            version=self.version,
            unit=root,
            deadline=timezone.localdate() + datetime.timedelta(days=60),
            opened_by=self.hr,
        )

    def _ratings(self):
        """Answers for everyone: most evaluations complete and submitted, some half way,
        a few untouched; levels near the required level, now and then "ikke relevant"."""
        rng, round_ = self.rng, self.round
        required = {
            (person_id, competence_id): level
            for person_id, competence_id, level in Assessment.objects.filter(
                round=round_
            ).values_list("person_id", "competence_id", "required")
        }
        competence_ids = list(
            Competence.objects.filter(version=self.version).values_list("pk", flat=True)
        )
        evaluations = list(Evaluation.objects.filter(round=round_).values_list("pk", "subject_id"))
        # 3.6 million rows whose keys come from the rows just read: no foreign-key
        # triggers for this step (they would double its time at the commit).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        now = timezone.now()
        submitted, partial = [], {}
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY profiles_rating (kommune_id, evaluation_id, competence_id, level, comment, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            for evaluation_id, subject_id in evaluations:
                draw = rng.random()
                answered = (
                    len(competence_ids)
                    if draw < 0.85
                    else (rng.randrange(1, len(competence_ids)) if draw < 0.95 else 0)
                )
                for competence_id in competence_ids[:answered]:
                    base = required.get((subject_id, competence_id)) or 3
                    level = (
                        0
                        if rng.random() < 0.03
                        else max(1, min(5, base + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
                    )
                    copy.write_row((self.kommune.pk, evaluation_id, competence_id, level, "", now))
                if answered == len(competence_ids):
                    submitted.append(evaluation_id)
                elif answered:
                    partial[evaluation_id] = answered
        Evaluation.objects.filter(pk__in=submitted).update(
            answered=len(competence_ids), status=Evaluation.Status.SUBMITTED, submitted_at=now
        )
        for answered in set(partial.values()):
            ids = [pk for pk, n in partial.items() if n == answered]
            Evaluation.objects.filter(pk__in=ids).update(answered=answered)
        with connection.cursor() as cursor:
            # Statistics for the rows just written, or the planner joins them row by row.
            cursor.execute("ANALYZE profiles_rating, profiles_evaluation, profiles_assessment")
            for kind, column in (("self", "self_level"), ("leader", "leader_level")):
                cursor.execute(
                    f"""
                    UPDATE profiles_assessment a SET {column} = r.level
                    FROM profiles_rating r JOIN profiles_evaluation e ON e.id = r.evaluation_id
                    WHERE e.round_id = %s AND e.kind = %s AND e.status = %s
                      AND a.round_id = e.round_id
                      AND a.person_id = e.subject_id AND a.competence_id = r.competence_id
                    """,  # noqa: S608  (the column name is one of two constants)
                    # A draft is its author's own (profiles.services._publish).
                    [round_.pk, kind, Evaluation.Status.SUBMITTED],
                )
            # The services' rule (profiles.services._recompute): agreed, else leader, else
            # self; "ikke relevant" (0) counts as no level; gap = required − assessed.
            cursor.execute(
                """
                UPDATE profiles_assessment SET
                  assessed = NULLIF(COALESCE(agreed_level, leader_level, self_level), 0),
                  gap = required - NULLIF(COALESCE(agreed_level, leader_level, self_level), 0)
                WHERE round_id = %s
                """,
                [round_.pk],
            )

    def _plans(self):
        """MUS held with 80 % of the people, each with a signed plan of two goals and
        three activities; the signatures carry the real content hash."""
        kommune, rng = self.kommune, self.rng
        leaders = {}
        for position in Position.objects.filter(kommune=kommune, is_leader=True).select_related(
            "unit"
        ):
            leaders[position.unit_id] = position.person_id
        units = {u.pk: u for u in OrgUnit.objects.filter(kommune=kommune)}
        conversations = []
        for position in Position.objects.filter(kommune=kommune).select_related("unit"):
            if rng.random() > 0.8:
                continue
            chain = units[position.unit_id].ancestor_ids
            if position.is_leader:
                chain = chain[:-1]
            leader_id = next((leaders[u] for u in reversed(chain) if u in leaders), None)
            if leader_id is None or leader_id == position.person_id:
                continue
            held = timezone.now() - datetime.timedelta(days=rng.randrange(5, 120))
            conversations.append(
                Conversation(
                    kommune=kommune,
                    employee_id=position.person_id,
                    leader_id=leader_id,
                    round=self.round,
                    starts_at=held,
                    location="Mødelokale",
                    status=Conversation.Status.HELD,
                    held_at=held,
                )
            )
        conversations = Conversation.objects.bulk_create(conversations, batch_size=5000)
        plans = Plan.objects.bulk_create(
            (
                Plan(
                    kommune=kommune,
                    conversation=c,
                    employee_id=c.employee_id,
                    leader_id=c.leader_id,
                )
                for c in conversations
            ),
            batch_size=5000,
        )
        versions = PlanVersion.objects.bulk_create(
            (
                PlanVersion(
                    kommune=kommune, plan=p, number=1, leader_support="Tid til kursus og sparring."
                )
                for p in plans
            ),
            batch_size=5000,
        )
        goals = PlanGoal.objects.bulk_create(
            (
                PlanGoal(kommune=kommune, version=v, text=text, order=order, target_level=4)
                for v in versions
                for order, text in enumerate(("Styrke det faglige", "Dele viden"), start=1)
            ),
            batch_size=5000,
        )
        first_goal = {g.version_id: g for g in goals if g.order == 1}
        kinds = [
            PlanActivity.Kind.EXTERNAL,
            PlanActivity.Kind.SIDE_BY_SIDE,
            PlanActivity.Kind.NETWORK,
        ]
        today = timezone.localdate()
        PlanActivity.objects.bulk_create(
            (
                PlanActivity(
                    kommune=kommune,
                    version=v,
                    goal=first_goal[v.pk],
                    kind=kind,
                    title=f"Aktivitet {order}",
                    order=order,
                    deadline=today + datetime.timedelta(days=30 * order),
                    status=rng.choice([PlanActivity.Status.PLANNED, PlanActivity.Status.DONE]),
                )
                for v in versions
                for order, kind in enumerate(kinds, start=1)
            ),
            batch_size=5000,
        )
        signatures = []
        for version in (
            PlanVersion.objects.filter(kommune=kommune)
            .select_related("plan__employee", "plan__leader", "plan__kommune")
            .prefetch_related("goals__competences", "activities")
        ):
            content_hash = mus_content.content_hash(version)
            signed = timezone.now()
            for role, signer_id in (
                (Signature.Role.EMPLOYEE, version.plan.employee_id),
                (Signature.Role.LEADER, version.plan.leader_id),
            ):
                signatures.append(
                    Signature(
                        kommune=kommune,
                        version=version,
                        signer_id=signer_id,
                        role=role,
                        content_hash=content_hash,
                        signed_at=signed,
                    )
                )
        Signature.objects.bulk_create(signatures, batch_size=5000)

    def _catalogue(self):
        kommune, rng = self.kommune, self.rng
        competences = list(Competence.objects.filter(version=self.version))
        courses = Course.objects.bulk_create(
            Course(
                kommune=kommune,
                title=f"Kursus {index + 1}: {c.name}",
                description=f"Et kursus i {c.name.lower()} for alle faggrupper.",
                price=Decimal(rng.choice((0, 900, 1500, 4500))),
                status=Course.Status.PUBLISHED,
            )
            for index, c in enumerate(competences * 5)
        )
        CourseCompetence.objects.bulk_create(
            CourseCompetence(
                kommune=kommune,
                course=course,
                framework=self.version.framework,
                competence_key=competences[index % len(competences)].key,
                level=4,
            )
            for index, course in enumerate(courses)
        )
        start = timezone.now() - datetime.timedelta(days=60)
        sessions = CourseSession.objects.bulk_create(
            CourseSession(
                kommune=kommune,
                course=course,
                capacity=30,
                starts_at=start + datetime.timedelta(days=3 * index),
                ends_at=start + datetime.timedelta(days=3 * index, hours=6),
            )
            for index, course in enumerate(courses)
        )
        people = list(Position.objects.filter(kommune=kommune).values_list("person_id", "unit_id"))
        statuses = [
            Enrolment.Status.CONFIRMED,
            Enrolment.Status.COMPLETED,
            Enrolment.Status.REQUESTED,
            Enrolment.Status.WAITLISTED,
        ]
        enrolments = []
        for session in sessions:
            for person_id, unit_id in rng.sample(people, 30):
                enrolments.append(
                    Enrolment(
                        kommune=kommune,
                        session=session,
                        course_id=session.course_id,
                        person_id=person_id,
                        unit_id=unit_id,
                        status=rng.choice(statuses),
                    )
                )
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)


def purge(kommune: Kommune) -> None:
    """Every row of the kommune, in every tenant table, then the kommune. Foreign-key
    triggers are off for this one transaction (a benchmark database, as the superuser):
    the tables can then be emptied in any order."""
    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if any(f.name == "kommune" for f in model._meta.concrete_fields)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}" WHERE kommune_id = %s', [kommune.pk])  # noqa: S608
        cursor.execute("DELETE FROM kompetence_kommune WHERE id = %s", [kommune.pk])
