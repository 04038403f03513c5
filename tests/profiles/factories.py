"""Builders for frameworks, profiles and rounds in tests. They call the services, so
tests exercise the same rules as the product."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from kompetence.infra.tenancy import kommune_scope
from kompetence.models import Kommune, OrgUnit, Person
from profiles import services
from profiles.models import (
    Competence,
    CompetenceGroup,
    Evaluation,
    EvaluationRound,
    FrameworkVersion,
    JobProfile,
    RatingScale,
)

WHEEL = {
    "Udvikling": ["Forandringskompetence", "Innovationskompetence"],
    "Kultur": ["Samarbejdskompetence", "Kommunikationskompetence"],
    "Resultater": ["Faglig kompetence"],
}


def build_framework(
    kommune: Kommune,
    *,
    name: str = "Kompetencehjulet",
    groups: dict | None = None,
    publish: bool = True,
    by: Person | None = None,
    roles: dict | None = None,
) -> FrameworkVersion:
    """A framework with `groups` ({group: [competence, ...]}); `roles` maps a
    competence name to the roles it is limited to."""
    with kommune_scope(kommune):
        scale = RatingScale.objects.filter(
            kommune=kommune
        ).first() or services.scale_create_default(kommune=kommune)
        version = services.framework_create(kommune=kommune, name=name, scale=scale)
        for group_name, competences in (WHEEL if groups is None else groups).items():
            group = services.group_create(version=version, name=group_name)
            for competence_name in competences:
                services.competence_create(
                    group=group,
                    name=competence_name,
                    short_description=f"Om {competence_name.lower()}.",
                    roles=(roles or {}).get(competence_name, []),
                )
        if publish:
            services.version_publish(version=version, by=by)
        return version


def competence(version: FrameworkVersion, name: str) -> Competence:
    with kommune_scope(version.kommune):
        return Competence.objects.get(version=version, name=name)


def open_round(
    version: FrameworkVersion, unit: OrgUnit, *, by: Person | None = None, days: int = 30
) -> EvaluationRound:
    with kommune_scope(version.kommune):
        return services.round_open(
            kommune=version.kommune,
            name="Selvevaluering 2027",
            version=version,
            unit=unit,
            deadline=timezone.localdate() + datetime.timedelta(days=days),
            opened_by=by,
        )


def evaluation_of(round_: EvaluationRound, person: Person, kind: str = "self") -> Evaluation:
    with kommune_scope(round_.kommune):
        return Evaluation.objects.select_related("round", "version").get(
            round=round_, subject=person, kind=kind
        )


@dataclass
class Profiles:
    """One of each profiles object in an org, for the URL walk."""

    version: FrameworkVersion
    draft: FrameworkVersion
    group: CompetenceGroup
    competence: Competence
    scale: RatingScale
    job_profile: JobProfile
    round: EvaluationRound
    evaluation: Evaluation


def build_profiles(org) -> Profiles:
    version = build_framework(org.kommune, by=org.hr)
    with kommune_scope(org.kommune):
        draft = services.version_new_draft(version=version)
        group = draft.groups.first()
        job_profile = services.job_profile_create(
            kommune=org.kommune, framework=version.framework, name="Socialrådgiver"
        )
        scale = version.framework.scale
    round_ = open_round(version, org.root, by=org.hr)
    return Profiles(
        version=version,
        draft=draft,
        group=group,
        competence=group.competences.first(),
        scale=scale,
        job_profile=job_profile,
        round=round_,
        evaluation=evaluation_of(round_, org.employee),
    )
