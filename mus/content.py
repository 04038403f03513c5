"""What a plan version says, as data: the canonical content a signature covers, its
bytes and SHA-256, and the same content as readable lines for diffs between versions.

Pure reads of one version's rows, below everything else in the app: selectors, the
PDF, services and signing all use it, and it imports none of them."""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mus.models import PlanActivity, PlanGoal, PlanVersion
from profiles.selectors import version_structure


def canonical_content(version: PlanVersion) -> dict:
    """What a signature covers: the agreement, not its progress. Everything is plain
    data in a fixed order, so the same content always gives the same bytes."""
    plan = version.plan
    # Rows already prefetched (many versions at once, as the benchmark data does) are
    # used as they are; otherwise one query each.
    prefetched = getattr(version, "_prefetched_objects_cache", {})
    goals: Iterable[PlanGoal] = (
        version.goals.all()
        if "goals" in prefetched
        else version.goals.prefetch_related("competences")
    )
    goals = sorted(goals, key=lambda goal: (goal.order, goal.pk))
    goal_index: dict[int | None, int] = {
        goal.pk: index for index, goal in enumerate(goals, start=1)
    }
    return {
        "format": "kompetence-plan/1",
        "kommune": plan.kommune.name,
        "plan": plan.pk,
        "version": version.number,
        "employee": {"name": plan.employee.name, "employee_number": plan.employee.employee_number},
        "leader": {"name": plan.leader.name, "employee_number": plan.leader.employee_number},
        "goals": [
            {
                "number": goal_index[goal.pk],
                "text": goal.text,
                "target_level": goal.target_level,
                "competences": sorted(
                    [{"key": str(c.key), "name": c.name} for c in goal.competences.all()],
                    key=lambda c: c["key"],
                ),
            }
            for goal in goals
        ],
        "activities": [
            {
                "key": str(activity.key),
                "kind": activity.kind,
                "title": activity.title,
                "description": activity.description,
                "goal": goal_index.get(activity.goal_id),
                "deadline": activity.deadline.isoformat() if activity.deadline else None,
                **_course_content(activity),
            }
            for activity in sorted(
                version.activities.select_related("course", "session")
                if "activities" not in prefetched
                else version.activities.all(),
                key=lambda a: (a.order, a.pk),
            )
        ],
        "leader_support": version.leader_support,
        "other_agreements": version.other_agreements,
        "follow_up_date": version.follow_up_date.isoformat() if version.follow_up_date else None,
    }


def _course_content(activity: PlanActivity) -> dict:
    """The catalogue course (and session) an activity names, so a signed plan states
    which course was agreed. Only an activity with a course has the keys: the content,
    and so the hash, of every other activity stays as it was before plans named
    courses."""
    if activity.course_id is None or activity.course is None:
        return {}
    course = activity.course
    data: dict = {"course": {"code": course.code, "title": course.title}}
    session = activity.session
    if session is not None:
        data["session"] = {
            "starts_at": (
                timezone.localtime(session.starts_at).isoformat(timespec="minutes")
                if session.starts_at
                else None
            ),
            "place": session.place,
        }
    return data


def content_bytes(version: PlanVersion) -> bytes:
    return json.dumps(
        canonical_content(version), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def content_hash(version: PlanVersion) -> str:
    return hashlib.sha256(content_bytes(version)).hexdigest()


def level_names(version: PlanVersion) -> dict[int, str]:
    """The names of the rating scale's levels a version's goals aim at ("Kyndig" for
    4), from the framework of the plan's conversation round; none without a round."""
    round_ = version.plan.conversation.round
    if round_ is None:
        return {}
    return {level.value: level.label for level in version_structure(round_.version).levels}


def content_text(version: PlanVersion) -> list[str]:
    """The signed content as readable lines, for diffs between versions."""
    return content_lines(canonical_content(version), levels=level_names(version))


def _date(value: str | None) -> str:
    """An ISO date of the canonical content as the reader writes dates."""
    if not value:
        return "–"
    return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")


def _session_text(session: dict) -> str:
    """A session of the canonical content as the reader writes its start and place."""
    if session["starts_at"]:
        when = date_format(datetime.datetime.fromisoformat(session["starts_at"]), "DATETIME_FORMAT")
    else:
        when = _("løbende optag")
    return f"{when}, {session['place']}" if session["place"] else when


def content_lines(data: dict, *, levels: dict[int, str] | None = None) -> list[str]:
    """Readable lines of canonical content (`canonical_content`): levels by their name
    in `levels` (the number where the scale has no name for it), dates as the reader
    writes them. Only for reading; the signature covers `content_bytes`."""
    levels = levels or {}
    goal_label = pgettext("one goal, numbered", "Mål")
    lines = []
    for goal in data["goals"]:
        names = ", ".join(c["name"] for c in goal["competences"])
        lines.append(
            f"{goal_label} {goal['number']}: {goal['text']}" + (f" ({names})" if names else "")
        )
        if goal["target_level"] is not None:
            level = goal["target_level"]
            lines.append(f"  {_('Målniveau')}: {levels.get(level, level)}")
    kinds = dict(PlanActivity.Kind.choices)
    for activity in data["activities"]:
        kind = kinds.get(activity["kind"], activity["kind"])
        lines.append(f"{_('Aktivitet')}: {activity['title']} [{kind}]")
        if activity["description"]:
            lines.append(f"  {activity['description']}")
        if activity["deadline"]:
            lines.append(f"  {_('Frist')}: {_date(activity['deadline'])}")
        if activity["goal"]:
            lines.append(f"  {goal_label} {activity['goal']}")
        if activity.get("course"):
            course = activity["course"]
            code = f"{course['code']} " if course["code"] else ""
            lines.append(f"  {_('Kursus')}: {code}{course['title']}")
        if activity.get("session"):
            lines.append(f"  {_('Hold')}: {_session_text(activity['session'])}")
    lines.append(f"{_('Lederens støtte')}: {data['leader_support'] or '–'}")
    lines.append(f"{_('Andre aftaler')}: {data['other_agreements'] or '–'}")
    lines.append(f"{_('Opfølgning')}: {_date(data['follow_up_date'])}")
    return lines


def version_diff(older: PlanVersion, newer: PlanVersion) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is "+" (added in the newer), "-" (removed) or " "."""
    return diff_lines(content_text(older), content_text(newer))


def diff_lines(older: list[str], newer: list[str]) -> list[tuple[str, str]]:
    """(kind, line) pairs of two lists of readable lines, as `version_diff` gives."""
    result = []
    for line in difflib.ndiff(older, newer):
        if line.startswith("? "):
            continue
        result.append((line[0], line[2:]))
    return result
