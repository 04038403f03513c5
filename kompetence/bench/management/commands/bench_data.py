"""`manage.py bench_data --people 45000`: a København-sized kommune for the benchmarks
(PostgreSQL).

~2,500 units in 6 levels and 45,000 people (through the real organisation import),
job profiles, a published 40-competence framework, one evaluation round with self-
and leader evaluations for everyone (~3.2 million answers and 1.8 million assessment
rows, generated in SQL, each row written once with its final values: `_round`), MUS
conversations and signed development plans for most (COPY), and catalogue courses
with enrolments. About a minute and a half on two cores.

Run again, it finds the kommune and stops (one left unfinished by an interrupted build
is removed and built again); `--reset` removes it first. The logins `hr`, `leder`, `med`,
`medarbejder` and `direktoer` get the password `bench-password`; `medarbejder` is a
much-read person (`reading_history`). `--slug`, `--name`, `--people`, `--units` and
`--seed` build another kommune beside it (`bench_national`: all 98); the same arguments
and seed give the same rows, whatever else the database holds."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence import services as org_services
from kompetence.bench import organisation as bench
from kompetence.infra import imports, rls
from kompetence.infra.bulk import bulk_insert
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import (
    AuditEntry,
    Kommune,
    MEDMembership,
    OrgUnit,
    Person,
    Position,
    User,
    unit_path_ids,
)
from kompetence.org_import import organisation_importer
from mus import content as mus_content
from mus.models import Conversation, Plan, PlanActivity, PlanGoal, PlanVersion, Signature
from profiles import services as profile_services
from profiles.models import (
    Competence,
    EvaluationRound,
    JobProfileAssignment,
    JobRequirement,
)
from profiles.rounds import round_fill

SLUG = "koebenhavn"
NAME = "Københavns Kommune (benchmark)"
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

# How far each evaluation got (`profiles.rounds.round_fill`'s `answered`): 85 % complete
# and submitted, 10 % half way (1 to total − 1 answers, the first ones in the framework's
# order), 5 % not started. Each WHEN draws anew: 0.15 × 2/3 is the 10 %.
ANSWERED_SQL = """CASE WHEN random() < 0.85 THEN total
    WHEN random() < 2.0 / 3 THEN least(total, 1 + floor(random() * (total - 1))::int)
    ELSE 0 END"""

# An answer for each of the first `answered` competences: the required level (3 where
# none is set) moved by −2 … +1, within 1–5, and "ikke relevant" (0) 3 % of the time.
# Over the round's temporary tables (`profiles.rounds.TABLES`).
RATINGS_SQL = """
INSERT INTO profiles_rating (kommune_id, evaluation_id, competence_id, level, comment,
  updated_at)
SELECT e.kommune_id, e.id, c.competence_id,
  CASE WHEN random() < 0.03 THEN 0
    ELSE greatest(1, least(5, coalesce(nullif(l.level, 0), 3)
      + (ARRAY[-2, -1, -1, 0, 0, 0, 1])[1 + floor(random() * 7)::int])) END,
  '', %(now)s
FROM profiles_evaluation e
JOIN round_people p ON p.person_id = e.subject_id
JOIN round_competences c ON c.role = p.role AND c.ordinal <= e.answered
LEFT JOIN round_levels l ON l.levels = p.levels AND l.competence_id = c.competence_id
WHERE e.round_id = %(round)s
ORDER BY e.id, c.ordinal
"""


class Command(BaseCommand):
    help = "Builds a benchmark kommune (København, 45,000 people) on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=45_000)
        parser.add_argument("--units", type=int, default=2_500)
        parser.add_argument("--slug", default=SLUG)
        parser.add_argument("--name", default=NAME)
        parser.add_argument("--reset", action="store_true")
        parser.add_argument("--seed", type=int, default=45)

    def handle(self, *args, people, units, slug, name, reset, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_data needs PostgreSQL (set DATABASE_URL).")
        if settings.DATABASE_APP_ROLE:
            # The benchmark's requests then run as the application role, behind row-level
            # security: the role, its grants and the policies, as `migrate` makes them
            # when the role is configured (idempotent, so also for a database migrated
            # without it).
            with connection.schema_editor() as editor:
                rls.install(apps, editor)
        existing = Kommune.objects.filter(slug=slug).first()
        if existing and not reset and finished(existing):
            self.stdout.write(f"The benchmark kommune {slug} exists; --reset rebuilds it.")
            return
        if existing:
            self._step("removed the old benchmark kommune", lambda: purge(existing))
        self.rng = random.Random(seed)
        self.seed = seed
        self.started = time.monotonic()
        kommune, hr = org_services.kommune_create(
            slug=slug,
            name=name,
            hr_name="Helle HR",
            hr_email=f"hr@{slug}.example",
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
            self._step("evaluation round, answers and assessment rows (SQL)", self._round)
            self._step("MUS conversations and signed plans", self._plans)
            self._step("catalogue and enrolments", self._catalogue)
            self._step("the direktør's login, a much-read person", lambda: reading_history(kommune))
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
            kommune=kommune,
            name=f"Kompetencer i {kommune.name.removesuffix(' (benchmark)')}",
            scale=scale,
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
        # The first centre with an employee below it (in a small kommune, not all have),
        # and not the leader's employee (the `medarbejder` login).
        centre, member = next(
            (centre, member)
            for centre in OrgUnit.objects.filter(kommune=kommune, depth=3).order_by("pk")
            if (
                member := Person.objects.filter(
                    positions__unit__path__startswith=centre.path, positions__is_leader=False
                )
                .exclude(pk=employee.pk)
                .order_by("pk")
                .first()
            )
        )
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
        """The leader position of an afdeling (depth 4; in a kommune too small to have
        any, of any unit) whose subtree holds closest to `size` people."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT leader.id FROM kompetence_position leader
                JOIN kompetence_orgunit u ON u.id = leader.unit_id
                JOIN kompetence_orgunit below ON below.path LIKE u.path || '%%'
                JOIN kompetence_position p ON p.unit_id = below.id
                WHERE leader.is_leader AND leader.kommune_id = %s
                GROUP BY leader.id, u.depth
                ORDER BY u.depth <> 4, abs(count(p.id) - %s), leader.id LIMIT 1
                """,
                [self.kommune.pk, size],
            )
            (position_id,) = cursor.fetchone()
        return Position.objects.select_related("unit", "person").get(pk=position_id)

    def _round(self):
        """The round as `profiles.rounds.round_populate` fills it, and everyone's answers,
        generated in SQL: most evaluations complete and submitted, some half way, a few
        untouched; levels near the required level, now and then "ikke relevant" (0).
        Each row is written once with its final values: the assessment rows carry the
        submitted levels and the services' rule (`profiles.services._recompute`) from
        the start, instead of being updated 1.8 million rows at a time afterwards.
        The rows are written by the SQL that opens every round (`round_fill`), with the
        answers in between."""
        kommune, version = self.kommune, self.version
        root = OrgUnit.objects.get(kommune=kommune, parent=None, external_id="D")
        self.round = round_ = EvaluationRound.objects.create(
            kommune=kommune,
            name="Kompetenceafklaring 2027",
            version=version,
            unit=root,
            deadline=timezone.localdate() + datetime.timedelta(days=60),
            opened_by=self.hr,
            status=EvaluationRound.Status.OPENING,
        )
        with connection.cursor() as cursor:
            # 3.2 million ratings whose keys come from the rows just written: no
            # foreign-key triggers for this step (they would double its time at the
            # commit). Only the superuser may turn them off; the tests' scoped role keeps them.
            cursor.execute(
                "SELECT set_config('session_replication_role', 'replica', true) "
                "WHERE current_setting('is_superuser') = 'on'"
            )
            cursor.execute("SELECT setseed(%s)", [(self.seed % 1000) / 1000])
        round_fill(
            round_=round_,
            answered=ANSWERED_SQL,
            before_assessments=lambda cursor, params: cursor.execute(RATINGS_SQL, params),
        )
        round_.status = EvaluationRound.Status.OPEN
        round_.save(update_fields=["status"])

    def _plans(self):
        """MUS held with 80 % of the people, each with a signed plan of two goals and
        three activities; the signatures carry the real content hash
        (`mus.content.content_hash` over the rows as written)."""
        kommune, rng = self.kommune, self.rng
        leaders = dict(
            Position.objects.filter(kommune=kommune, is_leader=True).values_list(
                "unit_id", "person_id"
            )
        )
        ancestor_ids = {
            pk: unit_path_ids(path)
            for pk, path in OrgUnit.objects.filter(kommune=kommune).values_list("pk", "path")
        }
        now, today = timezone.now(), timezone.localdate()
        talks = []
        # In a fixed order, so the same seed draws the same conversations.
        for person_id, unit_id, is_leader in (
            Position.objects.filter(kommune=kommune)
            .order_by("pk")
            .values_list("person_id", "unit_id", "is_leader")
        ):
            if rng.random() > 0.8:
                continue
            chain = ancestor_ids[unit_id]
            if is_leader:
                chain = chain[:-1]
            leader_id = next((leaders[u] for u in reversed(chain) if u in leaders), None)
            if leader_id is None or leader_id == person_id:
                continue
            held = now - datetime.timedelta(days=rng.randrange(5, 120))
            talks.append((person_id, leader_id, held))
        base = {"kommune_id": kommune.pk}
        conversations = copy_rows(
            Conversation,
            (
                {
                    **base,
                    "employee_id": employee_id,
                    "leader_id": leader_id,
                    "round_id": self.round.pk,
                    "starts_at": held,
                    "location": "Mødelokale",
                    "status": Conversation.Status.HELD,
                    "held_at": held,
                }
                for employee_id, leader_id, held in talks
            ),
        )
        plans = [
            Plan(kommune=kommune, conversation_id=c, employee_id=e, leader_id=lead)
            for c, (e, lead, _held) in zip(conversations, talks, strict=True)
        ]
        versions = [
            PlanVersion(
                kommune=kommune, plan=p, number=1, leader_support="Tid til kursus og sparring."
            )
            for p in plans
        ]
        goal_texts = ("Styrke det faglige", "Dele viden")
        goals = [
            PlanGoal(kommune=kommune, version=v, text=text, order=order, target_level=4)
            for v in versions
            for order, text in enumerate(goal_texts, start=1)
        ]
        kinds = [
            PlanActivity.Kind.EXTERNAL,
            PlanActivity.Kind.SIDE_BY_SIDE,
            PlanActivity.Kind.NETWORK,
        ]
        statuses = [PlanActivity.Status.PLANNED, PlanActivity.Status.DONE]
        activities = [
            PlanActivity(
                kommune=kommune,
                version=v,
                goal=goal,
                kind=kind,
                title=f"Aktivitet {order}",
                order=order,
                deadline=today + datetime.timedelta(days=30 * order),
                status=rng.choice(statuses),
            )
            for v, goal in zip(versions, goals[:: len(goal_texts)], strict=True)
            for order, kind in enumerate(kinds, start=1)
        ]
        # Unsaved instances written with COPY, then hashed as they are: the signed
        # content is `mus.content.content_hash` of exactly these rows, without reading
        # 36,000 versions back through the ORM (its per-row prefetch took minutes).
        for model, objects in (
            (Plan, plans),
            (PlanVersion, versions),
            (PlanGoal, goals),
            (PlanActivity, activities),
        ):
            ids = copy_rows(model, (model_values(obj) for obj in objects))
            for obj, pk in zip(objects, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
        people = {
            pk: Person(pk=pk, kommune=kommune, name=name, employee_number=number)
            for pk, name, number in Person.objects.filter(kommune=kommune).values_list(
                "pk", "name", "employee_number"
            )
        }
        by_version: dict[int, dict[str, list]] = {
            v.pk: {"goals": [], "activities": []} for v in versions
        }
        for goal in goals:
            goal._prefetched_objects_cache = {"competences": []}  # type: ignore[attr-defined]
            by_version[goal.version_id]["goals"].append(goal)
        for activity in activities:
            by_version[activity.version_id]["activities"].append(activity)
        signatures = []
        for version in versions:
            plan = version.plan
            plan.employee, plan.leader = people[plan.employee_id], people[plan.leader_id]
            version._prefetched_objects_cache = by_version[version.pk]  # type: ignore[attr-defined]
            content_hash = mus_content.content_hash(version)
            for role, signer_id in (
                (Signature.Role.EMPLOYEE, plan.employee_id),
                (Signature.Role.LEADER, plan.leader_id),
            ):
                signatures.append(
                    {
                        **base,
                        "version_id": version.pk,
                        "signer_id": signer_id,
                        "role": role,
                        "content_hash": content_hash,
                        "signed_at": now,
                    }
                )
        copy_rows(Signature, signatures)

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
        people = list(
            Position.objects.filter(kommune=kommune)
            .order_by("pk")
            .values_list("person_id", "unit_id")
        )
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


READS = 3_000  # audit entries about the much-read person


def reading_history(kommune: Kommune) -> None:
    """The login `direktoer` for the leader of the whole kommune (the direktion), and
    `READS` audit-log entries about `medarbejder` over the last two years, written by
    HR, the leaders above them and the direktør: a person whose data is read often, for
    the benchmark of the audit log. Idempotent (`bench_run` calls it on databases built
    before it existed)."""
    director = Position.objects.select_related("person").get(
        kommune=kommune, unit__parent=None, unit__external_id="D", is_leader=True
    )
    assert director.person.user_id is not None  # every bench person has a login
    user = User.objects.get(pk=director.person.user_id)
    if user.username != "direktoer":
        user.username = "direktoer"
        user.set_password(PASSWORD)
        user.save()
    subject = Person.objects.get(kommune=kommune, user__username="medarbejder")
    if AuditEntry.objects.filter(kommune=kommune, subject=subject).count() >= READS:
        return
    readers = list(
        Person.objects.filter(
            kommune=kommune, user__username__in=["hr", "leder", "direktoer"]
        ).order_by("pk")
    )
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                kommune=kommune,
                at=now - datetime.timedelta(minutes=350 * index),
                actor=readers[index % len(readers)],
                action=AuditEntry.Action.VIEW,
                subject=subject,
                object_type=Person._meta.label,
                object_id=str(subject.pk),
            )
            for index in range(READS)
        ),
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kompetence_auditentry")  # as autovacuum would soon


def copy_rows(model: type[models.Model], rows: Iterable[dict]) -> list[int]:
    """Writes `rows` (values by attribute name: `plan_id`) with COPY and returns their
    ids in order. Every other column gets the model field's default, as `save()` would
    give it (a fresh UUID each, the time now for `auto_now` and `auto_now_add`)."""
    rows = list(rows)
    if not rows:
        return []
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        values = [
            (
                pk,
                *(
                    row[f.attname]
                    if f.attname in row
                    else now
                    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                    else f.get_default()
                    for f in fields
                ),
            )
            for pk, row in zip(ids, rows, strict=True)
        ]
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (superuser,) = cursor.fetchone()
        if not superuser:
            # COPY refuses tables with row-level security to a role it applies to (the
            # tests' scoped role): the same rows as array inserts.
            bulk_insert(model, ["id", *(f.attname for f in fields)], values)
            return ids
        columns = ", ".join(
            connection.ops.quote_name(column)
            for column in ["id", *(cast(str, f.column) for f in fields)]
        )
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    return ids


def model_values(obj: models.Model) -> dict:
    """An unsaved instance's column values by attribute name, for `copy_rows` (its
    defaults, a fresh UUID each, were drawn when it was built). A foreign key to an
    instance given an id after this one was built takes that id, as `save()` would."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False):
            continue
        if getattr(field, "auto_now_add", False):
            continue
        value = getattr(obj, field.attname)
        if value is None and isinstance(field, models.ForeignKey) and field.is_cached(obj):
            related = getattr(obj, field.name)
            setattr(obj, field.name, related)  # sets the id and keeps the instance
            value = related.pk
        values[field.attname] = value
    return values


def finished(kommune: Kommune) -> bool:
    """Whether the kommune's build ran to its last step (the catalogue): each step
    commits on its own, so an interrupted build leaves a kommune without one."""
    with kommune_scope(kommune):
        return Course.objects.filter(kommune=kommune).exists()


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
