"""Builds a small kommune in the embedded (SQLite file) database of a separately run
site, for the tests that drive `make demo`'s own server over HTTP.

Run as `python -m tests.embedded_site PEOPLE` with DJANGO_SETTINGS_MODULE and
DATABASE_URL set; prints JSON: the kommune's host label, HR's username, the top unit's
id, and per person the username,
the self-evaluation's id and the competence ids."""

from __future__ import annotations

import json
import sys

import django


def build(people: int) -> dict:
    from kompetence.infra.tenancy import kommune_scope
    from profiles.models import Competence, Evaluation
    from tests.conftest import build_org
    from tests.factories import PersonFactory, PositionFactory
    from tests.profiles.factories import build_framework, open_round

    org = build_org("alfa")
    version = build_framework(org.kommune, by=org.hr)
    staff = []
    for _ in range(people):
        person = PersonFactory(kommune=org.kommune)
        PositionFactory(person=person, unit=org.team)
        staff.append(person)
    round_ = open_round(version, org.root, by=org.hr)
    with kommune_scope(org.kommune):
        competences = list(
            Competence.objects.filter(version=version).order_by("pk").values_list("pk", flat=True)
        )
        evaluations = dict(
            Evaluation.objects.filter(round=round_, kind="self", subject__in=staff).values_list(
                "subject_id", "pk"
            )
        )
    return {
        "kommune": org.kommune.slug,
        "hr": org.hr.user.username,
        "root": org.root.pk,
        "people": [
            {
                "username": p.user.username,
                "evaluation": evaluations[p.pk],
                "competences": competences,
            }
            for p in staff
        ],
    }


if __name__ == "__main__":
    django.setup()
    json.dump(build(int(sys.argv[1])), sys.stdout)
