"""`bench_data` on PostgreSQL at a small size: it builds, a second run leaves the
kommune as it is, `--reset` builds the same again, and the rows it generates in SQL
are the rows the app's own services would write: the round's evaluations and
assessment rows as `round_open` fills them, and each assessment's levels, assessed
level and gap as the services compute them from the submitted answers. Built side by
side with another kommune (`bench_national`), neither sees the other's rows, and a
kommune's rows are the same as when it is built alone."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from catalogue.models import Enrolment
from kompetence.bench.management.commands.bench_data import READS, reading_history
from kompetence.infra.tenancy import kommune_scope
from kompetence.models import AuditEntry, Kommune, OrgUnit, Person, Position, User
from mus import content as mus_content
from mus.models import PlanVersion, Signature
from profiles import selectors
from profiles import services as profile_services
from profiles.models import Assessment, Competence, Evaluation, EvaluationRound, Rating

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SLUG = "bench-test"
ARGS = ["--people", "300", "--units", "60", "--slug", SLUG]


def _build(*extra: str) -> str:
    out = StringIO()
    call_command("bench_data", *ARGS, *extra, stdout=out)
    return out.getvalue()


def _summary(kommune: Kommune) -> dict:
    with kommune_scope(kommune):
        return {
            "evaluations": list(
                Evaluation.objects.values("status")
                .annotate(n=Count("pk"), answered=Sum("answered"))
                .order_by("status")
            ),
            "ratings": list(
                Rating.objects.values("level").annotate(n=Count("pk")).order_by("level")
            ),
            "assessments": Assessment.objects.aggregate(
                n=Count("pk"), assessed=Count("assessed"), gap=Sum("gap")
            ),
            "signatures": Signature.objects.count(),
        }


def test_bench_data_builds_keeps_and_rebuilds_the_same_kommune():
    assert "done in" in _build()
    kommune = Kommune.objects.get(slug=SLUG)
    first = _summary(kommune)
    with kommune_scope(kommune):
        evaluations = Evaluation.objects.count()
        submitted = Evaluation.objects.filter(status=Evaluation.Status.SUBMITTED).count()
        untouched = Evaluation.objects.filter(answered=0).count()
    assert evaluations == 600
    # 85 % complete, 10 % half way, 5 % not started (of 600 draws).
    assert 0.78 < submitted / evaluations < 0.92
    assert 0.01 < untouched / evaluations < 0.10
    assert first["assessments"]["n"] == 300 * 40
    with kommune_scope(kommune):
        # The benchmark signs in as the direktør and reads a much-read person's log.
        director = Person.objects.get(user__username="direktoer")
        assert director.positions.filter(is_leader=True, unit__parent=None).exists()
        much_read = Person.objects.get(user__username="medarbejder")
        reads = AuditEntry.objects.filter(subject=much_read, action=AuditEntry.Action.VIEW)
        assert reads.count() == READS
        reading_history(kommune)  # bench_run calls it on every run: nothing doubles
        assert reads.count() == READS

    assert "exists" in _build()
    assert Kommune.objects.filter(slug=SLUG).count() == 1
    assert _summary(kommune) == first

    assert "done in" in _build("--reset")
    rebuilt = Kommune.objects.get(slug=SLUG)
    assert rebuilt.pk != kommune.pk
    assert _summary(rebuilt) == first


def test_the_generated_round_is_what_the_services_write():
    _build()
    kommune = Kommune.objects.get(slug=SLUG)
    with kommune_scope(kommune):
        bench_round = EvaluationRound.objects.get(kommune=kommune)
        assert bench_round.status == EvaluationRound.Status.OPEN
        app_round = profile_services.round_open(
            kommune=kommune,
            name="Samme runde, åbnet af appen",
            version=bench_round.version,
            unit=bench_round.unit,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
        )

        def evaluations(round_):
            return set(
                Evaluation.objects.filter(round=round_).values_list(
                    "subject_id", "kind", "role", "rater_id", "total", "version_id"
                )
            )

        def rows(round_):
            return set(
                Assessment.objects.filter(round=round_).values_list(
                    "person_id", "competence_id", "group_id", "unit_id", "required"
                )
            )

        assert evaluations(bench_round) == evaluations(app_round)
        assert rows(bench_round) == rows(app_round)

        # Each evaluation's progress is its answers, submitted only when complete.
        for evaluation in Evaluation.objects.filter(round=bench_round):
            assert evaluation.answered == evaluation.ratings.exclude(level=None).count()
            assert evaluation.is_submitted == (evaluation.answered == evaluation.total)

        # The levels as publishing the submitted evaluations gives them, and the
        # services' rule for the assessed level and the gap.
        submitted = {
            (subject_id, kind, competence_id): level
            for subject_id, kind, competence_id, level in Rating.objects.filter(
                evaluation__round=bench_round,
                evaluation__status=Evaluation.Status.SUBMITTED,
            ).values_list("evaluation__subject_id", "evaluation__kind", "competence_id", "level")
        }
        not_applicable = selectors.version_structure(bench_round.version).not_applicable_values
        assert not_applicable
        checked = 0
        for row in Assessment.objects.filter(round=bench_round):
            key = (row.person_id, row.competence_id)
            expected = Assessment(
                required=row.required,
                self_level=submitted.get((key[0], Evaluation.Kind.SELF, key[1])),
                leader_level=submitted.get((key[0], Evaluation.Kind.LEADER, key[1])),
            )
            profile_services._recompute(expected, not_applicable)
            assert (row.self_level, row.leader_level, row.agreed_level) == (
                expected.self_level,
                expected.leader_level,
                None,
            )
            assert (row.assessed, row.gap) == (expected.assessed, expected.gap)
            checked += row.assessed is not None
        assert checked > 300 * 40 * 0.7

        # The signed plans carry the real content hash.
        for version in PlanVersion.objects.all()[:20]:
            hashes = set(version.signatures.values_list("content_hash", flat=True))
            assert hashes == {mus_content.content_hash(version)}


# --- Kommuner side by side (`bench_national`) --------------------------------------------

OTHER = ["--people", "200", "--units", "50", "--seed", "46"]


def _build_other(slug: str) -> None:
    call_command(
        "bench_data", *OTHER, "--slug", slug, "--name", f"{slug} (benchmark)", stdout=StringIO()
    )


def _content(kommune: Kommune) -> dict:
    """The kommune's rows without their ids: who works where, the logins, every answer
    and assessment row, the plans' signatures and the enrolments, by the natural keys the
    organisation file gives (employee number, unit id) and the competences' names."""
    with kommune_scope(kommune):
        number = dict(Person.objects.values_list("pk", "employee_number"))
        unit = dict(OrgUnit.objects.values_list("pk", "external_id"))
        name = dict(Competence.objects.values_list("pk", "name"))
        evaluations = {
            e.pk: (number[e.subject_id], e.kind)
            for e in Evaluation.objects.only("subject_id", "kind")
        }
        return {
            "positions": sorted(
                (number[p], unit[u], title, leader)
                for p, u, title, leader in Position.objects.values_list(
                    "person_id", "unit_id", "job_title", "is_leader"
                )
            ),
            "logins": sorted(
                (u, number.get(p))
                for u, p in Person.objects.values_list("user__username", "pk")
                if u in {"hr", "leder", "med", "medarbejder"}
            ),
            "evaluations": sorted(
                (number[s], kind, role, total, answered, status)
                for s, kind, role, total, answered, status in Evaluation.objects.values_list(
                    "subject_id", "kind", "role", "total", "answered", "status"
                )
            ),
            "ratings": sorted(
                (*evaluations[e], name[c], level)
                for e, c, level in Rating.objects.values_list(
                    "evaluation_id", "competence_id", "level"
                )
            ),
            "assessments": sorted(
                (number[p], name[c], unit[u], required, own, leader, assessed, gap)
                for p, c, u, required, own, leader, assessed, gap in Assessment.objects.values_list(
                    "person_id",
                    "competence_id",
                    "unit_id",
                    "required",
                    "self_level",
                    "leader_level",
                    "assessed",
                    "gap",
                )
            ),
            "signatures": sorted(
                (number[s], role) for s, role in Signature.objects.values_list("signer_id", "role")
            ),
            "enrolments": sorted(
                (title, number[p], status)
                for title, p, status in Enrolment.objects.values_list(
                    "course__title", "person_id", "status"
                )
            ),
        }


def _rows_seen(kommune: Kommune) -> dict[str, tuple[int, set[int]]]:
    """What raw SQL sees inside the kommune's scope (row-level security, not the scoped
    managers): how many rows each table shows and of which kommuner."""
    seen = {}
    with kommune_scope(kommune), connection.cursor() as cursor:
        for table in ("kompetence_person", "kompetence_user", "profiles_rating",
                      "profiles_assessment", "mus_signature", "catalogue_enrolment"):  # fmt: skip
            cursor.execute(f"SELECT kommune_id FROM {table}")  # noqa: S608  (a constant)
            ids = [k for (k,) in cursor.fetchall()]
            seen[table] = (len(ids), set(ids))
    return seen


def test_kommuner_built_side_by_side_do_not_see_each_others_rows():
    _build()
    _build_other("bench-other")
    one, other = Kommune.objects.get(slug=SLUG), Kommune.objects.get(slug="bench-other")
    for kommune, people in ((one, 300), (other, 200)):
        with kommune_scope(kommune):
            assert Person.objects.count() == people + 1  # and HR, made with the kommune
        seen = _rows_seen(kommune)
        assert all(kommunes == {kommune.pk} for _n, kommunes in seen.values()), seen
        assert seen["kompetence_person"][0] == people + 1
    # Each kommune its own logins, the same usernames on its own host.
    for username in ("hr", "leder", "med", "medarbejder"):
        assert User.objects.filter(username=username).count() == 2


def test_a_kommune_is_the_same_built_alone_or_beside_another():
    _build()
    alone = _content(Kommune.objects.get(slug=SLUG))
    assert len(alone["ratings"]) > 300 * 40
    _build_other("bench-other")
    assert "done in" in _build("--reset")  # now after the other one: other ids, same rows
    beside = _content(Kommune.objects.get(slug=SLUG))
    assert beside == alone
