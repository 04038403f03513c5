"""Filling an evaluation round with its evaluations and assessment rows.

The one write the round-opening task runs. It has its own module so that the import
graph goes one way: services import the task module (to send it), and the task module
imports this, never services.

A round for all of København is 90,000 evaluations and 1.8 million assessment rows.
Building them as Python objects took two minutes; instead the app's own selectors say
who is in the round, their role, main unit and required levels (a few small tables,
`_round_tables`), and the database multiplies them out with two INSERT … SELECT
statements (`EVALUATIONS_SQL`, `ASSESSMENTS_SQL`). The same SQL runs on PostgreSQL and
on the embedded SQLite, and the benchmark's data (`bench_data`) is built by it too, so
the benchmark measures rounds as the app fills them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from kompetence.infra import figures
from kompetence.models import Position
from kompetence.selectors import primary_positions
from profiles import selectors
from profiles.models import Evaluation, EvaluationRound

# The temporary tables `_round_tables` fills, dropped again by `round_fill`:
#   round_people (person_id, role, unit_id, levels): who is in the round, their role,
#     the unit of their main position, and which set of required levels is theirs;
#   round_levels (levels, competence_id, level): those sets, one row per level;
#   round_competences (role, ordinal, competence_id, group_id): the competences each
#     role answers, numbered in the framework's order;
#   round_totals (role, total): how many that is.
TABLES = {
    "round_people": "person_id bigint PRIMARY KEY, role varchar(32), unit_id bigint, levels int",
    "round_levels": "levels int, competence_id bigint, level int, "
    "PRIMARY KEY (levels, competence_id)",
    "round_competences": "role varchar(32), ordinal int, competence_id bigint, group_id bigint, "
    "PRIMARY KEY (role, ordinal)",
    "round_totals": "role varchar(32) PRIMARY KEY, total int",
}

# A self- and a leader evaluation for each person, in person order; `answered` is an SQL
# expression over `total` ("0" when a round opens; the benchmark draws how far each got).
# An evaluation with every row answered is submitted, as `profiles.services` submits it.
EVALUATIONS_SQL = """
INSERT INTO profiles_evaluation (kommune_id, round_id, version_id, subject_id, kind, role,
  rater_id, total, answered, status, submitted_at, updated_at)
SELECT %(kommune)s, %(round)s, %(version)s, person_id, kind, role,
  CASE WHEN kind = %(self)s THEN person_id END, total, answered,
  CASE WHEN answered = total AND total > 0 THEN %(submitted)s ELSE %(open)s END,
  CASE WHEN answered = total AND total > 0 THEN %(now)s END, %(now)s
FROM (
  SELECT d.*, {answered} AS answered
  FROM (
    SELECT p.person_id, p.role, k.kind, k.n, coalesce(t.total, 0) AS total
    FROM round_people p
    LEFT JOIN round_totals t ON t.role = p.role
    CROSS JOIN (SELECT %(self)s AS kind, 1 AS n UNION ALL SELECT %(leader)s, 2) k
    ORDER BY p.person_id, k.n
  ) d
) e
ORDER BY person_id, n
"""

# A person × the competences of their role, in their main unit, with the required level,
# and the services' rule (profiles.services._assessed, _recompute): agreed, else leader,
# else self; a "not applicable" level counts as none; gap = required − assessed. A round
# that opens has no answers: its self and leader levels are NULL (`NO_ANSWERS`). The
# benchmark's round has answers by now: the levels of the submitted self- and leader
# evaluations (a draft is its author's own: profiles.services._publish), `ANSWERS`.
ASSESSMENTS_SQL = """
INSERT INTO profiles_assessment (kommune_id, round_id, person_id, competence_id, group_id,
  unit_id, required, self_level, leader_level, assessed, gap)
SELECT %(kommune)s, %(round)s, person_id, competence_id, group_id, unit_id, required,
  self_level, leader_level, assessed, required - assessed
FROM (
  SELECT a.*, CASE WHEN coalesce(leader_level, self_level) IN ({not_applicable})
    THEN NULL ELSE coalesce(leader_level, self_level) END AS assessed
  FROM (
    SELECT p.person_id, c.competence_id, c.group_id, p.unit_id, l.level AS required,
      {answers}
    FROM round_people p
    JOIN round_competences c ON c.role = p.role
    LEFT JOIN round_levels l ON l.levels = p.levels AND l.competence_id = c.competence_id
    {answers_from}
  ) a
) b
ORDER BY person_id, competence_id
"""
NO_ANSWERS = {
    "answers": "CAST(NULL AS integer) AS self_level, CAST(NULL AS integer) AS leader_level",
    "answers_from": "",
}
ANSWERS = {
    "answers": "rs.level AS self_level, rl.level AS leader_level",
    "answers_from": """
    LEFT JOIN profiles_evaluation es ON es.round_id = %(round)s
      AND es.subject_id = p.person_id AND es.kind = %(self)s AND es.status = %(submitted)s
    LEFT JOIN profiles_rating rs ON rs.evaluation_id = es.id
      AND rs.competence_id = c.competence_id
    LEFT JOIN profiles_evaluation el ON el.round_id = %(round)s
      AND el.subject_id = p.person_id AND el.kind = %(leader)s AND el.status = %(submitted)s
    LEFT JOIN profiles_rating rl ON rl.evaluation_id = el.id
      AND rl.competence_id = c.competence_id""",
}


@transaction.atomic
def round_populate(*, round_: EvaluationRound) -> EvaluationRound:
    """Creates the round's evaluations and assessment rows and opens it. Idempotent: a
    round that is no longer opening (a task delivered twice) is left as it is."""
    round_ = (
        EvaluationRound.objects.select_for_update()
        .select_related("kommune", "version", "unit")
        .get(pk=round_.pk)
    )
    if round_.status != EvaluationRound.Status.OPENING:
        return round_
    person_ids = round_fill(round_=round_)
    # The dashboards' stored figures of the round's units are recomputed on their next
    # read (one may have been read while the round was still empty).
    figures.people_changed(person_ids)
    round_.status = EvaluationRound.Status.OPEN
    round_.save(update_fields=["status"])
    return round_


def round_fill(
    *,
    round_: EvaluationRound,
    answered: str = "0",
    before_assessments: Callable[[CursorWrapper, dict], None] | None = None,
) -> list[int]:
    """Writes the round's evaluations and assessment rows; returns who is in it.
    `answered` and `before_assessments` are the benchmark's: how far each evaluation
    got (an SQL expression over `total`), and its answers written before the assessment
    rows, which then carry them (the temporary tables are there for it)."""
    version = round_.version
    structure = selectors.version_structure(version)
    params = {
        "kommune": round_.kommune_id,
        "round": round_.pk,
        "version": version.pk,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "self": Evaluation.Kind.SELF,
        "leader": Evaluation.Kind.LEADER,
        "open": Evaluation.Status.OPEN,
        "submitted": Evaluation.Status.SUBMITTED,
    }
    not_applicable = sorted(structure.not_applicable_values)
    for index, value in enumerate(not_applicable):
        params[f"na{index}"] = value
    # No value is "not applicable" on some scales; NULL matches nothing.
    in_list = ", ".join(f"%(na{i})s" for i in range(len(not_applicable))) or "NULL"
    with connection.cursor() as cursor:
        person_ids = _round_tables(cursor, round_, structure)
        cursor.execute(EVALUATIONS_SQL.format(answered=answered), params)
        answers = NO_ANSWERS
        if before_assessments is not None:
            before_assessments(cursor, params)
            answers = ANSWERS
        cursor.execute(ASSESSMENTS_SQL.format(not_applicable=in_list, **answers), params)
        for table in TABLES:
            cursor.execute(f"DROP TABLE {table}")  # the names are the constants above
    return person_ids


def _round_tables(
    cursor: CursorWrapper, round_: EvaluationRound, structure: selectors.VersionStructure
) -> list[int]:
    """The temporary tables (`TABLES`), from the selectors `round_populate` always used:
    everyone with an active position in the round's subtree, their role (`roles_of`),
    main unit (`primary_positions`) and required levels (`required_levels`)."""
    version = round_.version
    person_ids = sorted(
        set(
            Position.objects.active()
            .filter(unit__path__startswith=round_.unit.path, person__is_active=True)
            .values_list("person_id", flat=True)
        )
    )
    roles = selectors.roles_of(person_ids)
    primary = primary_positions(person_ids)
    required = selectors.required_levels(person_ids, [version.framework_id], primary)
    competence_ids = {c.key: c.pk for c in structure.competences}
    # People share few sets of required levels (a job profile, the unit profiles above).
    level_sets: dict[tuple, int] = {}
    people = []
    for person_id in person_ids:
        levels = required[(person_id, version.framework_id)]
        key = tuple(
            sorted((competence_ids[k], v) for k, v in levels.items() if k in competence_ids)
        )
        index = level_sets.setdefault(key, len(level_sets))
        people.append((person_id, roles[person_id], primary[person_id].unit_id, index))
    competences = []
    totals = []
    for role in sorted(set(roles.values())):
        rows = [c for c in structure.competences if c.applies_to(role)]
        competences += [(role, n, c.pk, c.group_id) for n, c in enumerate(rows, start=1)]
        totals.append((role, len(rows)))
    for table, columns in TABLES.items():
        # Left over in this connection by a failed fill on SQLite, which keeps them.
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
    _copy(cursor, "round_people", 4, people)
    _copy(
        cursor,
        "round_levels",
        3,
        (
            (index, competence_id, level)
            for key, index in level_sets.items()
            for competence_id, level in key
        ),
    )
    _copy(cursor, "round_competences", 4, competences)
    _copy(cursor, "round_totals", 2, totals)
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE round_people, round_levels, round_competences, round_totals")
    return person_ids


def _copy(cursor: CursorWrapper, table: str, width: int, rows: Iterable[tuple]) -> None:
    """Rows into a temporary table: COPY on PostgreSQL (allowed under row-level security
    there, as temporary tables have none), else one executemany."""
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * width)
    cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", list(rows))  # noqa: S608
