"""Demo data for profiles, called by `manage.py seed_demo` inside each kommune's scope.

Fredericia gets its competence wheel (nine employee and ten leader competences),
Hvidovre its matrix of roles and perspectives; both get the København scale, a few job
profiles, unit profiles and an evaluation round with believable answers. Texts are our
own wording of the seeds' facts. The two frameworks are data files of our own framework
format in profiles/frameworks/ (the starter frameworks), imported as HR would import
them. Everything is found again by name, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass

from django.utils import timezone

from kompetence.demo import DemoOrg
from kompetence.models import OrgUnit, Person, Position
from profiles import interchange, selectors, services
from profiles.models import (
    Assessment,
    Competence,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    JobProfile,
    RatingScale,
    Role,
    UnitProfileLevel,
)

SCALE_NAME = "Københavnerskalaen (0\N{EN DASH}5)"  # the name services give it

FREDERICIA_FILE = interchange.STARTER_FRAMEWORKS_DIR / "fredericia-kompetencehjulet.json"
HVIDOVRE_FILE = interchange.STARTER_FRAMEWORKS_DIR / "hvidovre-ledelses-og-medarbejdergrundlag.json"
# Hvidovre's four perspectives by five roles: the job profiles below name its rows.
HVIDOVRE = json.loads(HVIDOVRE_FILE.read_text(encoding="utf-8"))

LL, LM, M = Role.LEDER_AF_LEDERE, Role.LEDER_AF_MEDARBEJDERE, Role.MEDARBEJDER

# --- Job and unit profiles ----------------------------------------------------------


@dataclass(frozen=True)
class JobProfileSpec:
    name: str
    description: str
    # Positions with one of these job titles get the profile...
    titles: frozenset[str]
    # ...if they lead (or do not lead) their unit...
    leader: bool
    # ...and sit under a unit of this name (None: anywhere).
    within: str | None
    levels: dict[str, int]


def _hv(role: Role, *levels: tuple[int, int, int]) -> dict[str, int]:
    """Hvidovre levels for one role's rows, three per perspective in framework order."""
    result = {}
    for group, row_levels in zip(HVIDOVRE["groups"], levels, strict=True):
        rows = [c["name"] for c in group["competences"] if c["roles"] == [role]]
        for name, level in zip(rows, row_levels, strict=True):
            result[name] = level
    return result


SOCIAL_TITLES = frozenset({"Socialrådgiver", "Myndighedsrådgiver", "Sagsbehandler"})
LEADER_TITLES = frozenset({"Teamleder", "Afdelingsleder"})

FREDERICIA_PROFILES = [
    JobProfileSpec(
        "Myndighedsrådgiver, voksenområdet",
        "Træffer afgørelser efter serviceloven for voksne borgere med handicap eller "
        "sociale problemer.",
        SOCIAL_TITLES,
        False,
        "Social og Sundhed",
        {
            "Forandringskompetence": 3,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 4,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 4,
            "Faglig kompetence": 4,
            "Servicekompetence": 3,
            "Resultatskabende kompetence": 3,
        },
    ),
    JobProfileSpec(
        "Social- og sundhedsassistent",
        "Pleje, omsorg og sygepleje for borgere i eget hjem og på plejecenter.",
        frozenset({"Social- og sundhedsassistent"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Innovationskompetence": 2,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 4,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 4,
            "Servicekompetence": 3,
        },
    ),
    JobProfileSpec(
        "Pædagog",
        "Pædagogisk arbejde med børns trivsel, læring og udvikling.",
        frozenset({"Pædagog"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Innovationskompetence": 3,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 4,
            "Servicekompetence": 2,
        },
    ),
    JobProfileSpec(
        "Administrativ medarbejder",
        "Sagsbehandling, økonomi og administrativ service for borgere og kolleger.",
        frozenset({"Administrativ medarbejder", "Skolesekretær"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Lærings- og videndelingskompetence": 2,
            "Samarbejdskompetence": 3,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 3,
            "Servicekompetence": 4,
            "Resultatskabende kompetence": 3,
        },
    ),
    JobProfileSpec(
        "Teamleder",
        "Daglig ledelse af et team eller en afdeling med personaleansvar.",
        LEADER_TITLES,
        True,
        None,
        {
            "Forandringskompetence": 4,
            "Samarbejdskompetence": 4,
            "Kommunikationskompetence": 4,
            "Faglig kompetence": 3,
            "Resultatskabende kompetence": 3,
            "Forandringsledelse": 3,
            "Strategisk ledelse": 2,
            "Nytænkning og udvikling": 3,
            "Samarbejde på tværs": 3,
            "Værdibaseret ledelse": 3,
            "Kommunikation": 4,
            "Personlig ledelseskraft": 3,
            "Organisatorisk forståelse": 3,
            "Kunde- og brugerfokus": 3,
            "Resultatorientering": 3,
        },
    ),
]

HVIDOVRE_PROFILES = [
    JobProfileSpec(
        "Myndighedsrådgiver, børn og familie",
        "Sagsbehandling og afgørelser for udsatte børn, unge og familier.",
        SOCIAL_TITLES,
        False,
        "Center for Børn og Familie",
        _hv(M, (4, 4, 4), (3, 3, 3), (3, 3, 3), (3, 3, 2)),
    ),
    JobProfileSpec(
        "Social- og sundhedsassistent",
        "Pleje, omsorg og sygepleje for borgere i eget hjem og på plejecenter.",
        frozenset({"Social- og sundhedsassistent"}),
        False,
        None,
        _hv(M, (4, 3, 3), (2, 3, 2), (3, 2, 3), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Pædagog",
        "Pædagogisk arbejde med børns trivsel, læring og udvikling.",
        frozenset({"Pædagog"}),
        False,
        None,
        _hv(M, (3, 3, 3), (3, 3, 2), (3, 3, 4), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Administrativ medarbejder",
        "Sagsbehandling, økonomi og administrativ service for borgere og kolleger.",
        frozenset({"Administrativ medarbejder"}),
        False,
        None,
        _hv(M, (3, 3, 4), (3, 3, 2), (2, 3, 2), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Teamleder",
        "Daglig ledelse af et team eller en afdeling med personaleansvar.",
        LEADER_TITLES,
        True,
        None,
        _hv(LM, (3, 3, 3), (4, 3, 3), (3, 3, 2), (4, 3, 3))
        | _hv(LL, (4, 3, 3), (3, 3, 3), (3, 3, 2), (4, 3, 3)),
    ),
]

# Unit profiles: {unit name: {competence name: desired level}}, inherited downwards.
FREDERICIA_UNIT_PROFILES = {
    "Direktionen": {"Forandringskompetence": 3, "Samarbejdskompetence": 3},
    "Social og Sundhed": {"Forandringskompetence": 4, "Servicekompetence": 3},
    "Kirstinebjergskolen": {"Lærings- og videndelingskompetence": 4, "Innovationskompetence": 3},
}
HVIDOVRE_UNIT_PROFILES = {
    # The foundation applies to everyone: competent in every row unless a profile says more.
    "Direktionen": {c["name"]: 3 for group in HVIDOVRE["groups"] for c in group["competences"]},
    "Center for Sundhed og Omsorg": {"Holder mig opdateret på regler": 4},
    "Jobcentret": {"Tænker på tværs for borgerens skyld": 4},
}

# --- Answers --------------------------------------------------------------------------

SELF_COMMENTS = [
    "Det her vil jeg gerne blive bedre til i det kommende år.",
    "Jeg har fået nye opgaver på området og er stadig ved at lære.",
    "Det er en af mine styrker; jeg hjælper ofte nye kolleger.",
    "Svært at vurdere; jeg vil gerne tale om det til MUS.",
    "Jeg mangler et kursus eller sidemandsoplæring her.",
]
LEADER_COMMENTS = [
    "Du gør det godt her, og kollegerne søger ofte din hjælp.",
    "Et oplagt udviklingsområde; lad os aftale en aktivitet til MUS.",
    "Jeg ser dig længere fremme, end du selv vurderer.",
    "Vi ser forskelligt på det; lad os tage det op til MUS.",
]
# Weighted steps away from the required level (self) and from self (leader).
SELF_STEPS = [-2] * 1 + [-1] * 4 + [0] * 10 + [1] * 5
LEADER_STEPS = [-2] * 1 + [-1] * 4 + [0] * 9 + [1] * 5 + [2] * 1


def seed(org: DemoOrg) -> None:
    kommune = org.kommune
    # The framework files use this scale's levels, so their import finds it.
    if not RatingScale.objects.filter(kommune=kommune, name=SCALE_NAME).exists():
        services.scale_create_default(kommune=kommune, name=SCALE_NAME)
    if kommune.slug == "fredericia":
        framework_file, profiles, unit_profiles = (
            FREDERICIA_FILE,
            FREDERICIA_PROFILES,
            FREDERICIA_UNIT_PROFILES,
        )
    elif kommune.slug == "hvidovre":
        framework_file, profiles, unit_profiles = (
            HVIDOVRE_FILE,
            HVIDOVRE_PROFILES,
            HVIDOVRE_UNIT_PROFILES,
        )
    else:
        return
    hr = org.logins["hr"]
    version = _framework(org, framework_file.read_bytes(), hr)
    keys = {c.name: c.key for c in Competence.objects.filter(version=version)}
    for spec in profiles:
        _job_profile(org, version.framework, spec, keys)
    _unit_profiles(org, version.framework, unit_profiles, keys)
    _round(org, version, hr)


def _framework(org: DemoOrg, data: bytes, hr: Person) -> FrameworkVersion:
    """The framework of the file `data`, imported (on the kommune's scale with the same
    levels, made just before) and published."""
    name = json.loads(data)["name"]
    framework = Framework.objects.filter(kommune=org.kommune, name=name).first()
    if framework is not None:
        version = selectors.current_version(framework)
        if version is not None:
            return version
        version = framework.versions.get(status=FrameworkVersion.Status.DRAFT)
    else:
        version = interchange.framework_import_json(kommune=org.kommune, data=data).version
    return services.version_publish(version=version, by=hr)


def _job_profile(org: DemoOrg, framework: Framework, spec: JobProfileSpec, keys) -> None:
    if JobProfile.objects.filter(kommune=org.kommune, name=spec.name).exists():
        return
    profile = services.job_profile_create(
        kommune=org.kommune, framework=framework, name=spec.name, description=spec.description
    )
    services.job_requirements_set(
        job_profile=profile, levels={keys[name]: level for name, level in spec.levels.items()}
    )
    positions = Position.objects.active().filter(
        kommune=org.kommune, job_title__in=spec.titles, is_leader=spec.leader
    )
    if spec.within is not None:
        unit = OrgUnit.objects.get(kommune=org.kommune, name=spec.within)
        positions = positions.filter(unit__path__startswith=unit.path)
    for position in positions.order_by("pk"):
        services.job_profile_assign(position=position, job_profile=profile)


def _unit_profiles(org: DemoOrg, framework: Framework, unit_profiles: dict, keys) -> None:
    for unit_name, levels in unit_profiles.items():
        unit = next(u for u in org.units if u.name == unit_name)
        if UnitProfileLevel.objects.filter(unit=unit, framework=framework).exists():
            continue
        services.unit_profile_set(
            unit=unit,
            framework=framework,
            levels={keys[name]: level for name, level in levels.items()},
        )


def _round_name(today: datetime.date) -> str:
    # The round feeds the MUS conversations of the årshjul's January-March phase, so a round
    # opened in the autumn is named after the coming year.
    return f"Kompetenceafklaring {today.year + 1 if today.month >= 10 else today.year}"


def _round(org: DemoOrg, version: FrameworkVersion, hr: Person) -> None:
    today = timezone.localdate()
    name = _round_name(today)
    if EvaluationRound.objects.filter(kommune=org.kommune, name=name).exists():
        return
    round_ = services.round_open(
        kommune=org.kommune,
        name=name,
        version=version,
        unit=org.root,
        deadline=today + datetime.timedelta(weeks=5),
        opened_by=hr,
    )
    # One call for everything: with submit=True every complete evaluation is submitted
    # and every partial one stays open, and the assessment rows are brought up to date
    # in a single pass (each call rewrites all rows of the people it touches).
    services.ratings_bulk_set(round_=round_, answers=_answers(org, round_), submit=True)


def _answers(org: DemoOrg, round_: EvaluationRound) -> list[tuple]:
    """Who has answered what, drawn from a fixed seed: most people have a complete
    self-evaluation, many also a leader evaluation, some have only begun; the
    "medarbejder" login has answered three rows, and the "leder" login's team is almost
    fully rated."""
    rng = random.Random(f"profiles-demo-{org.kommune.slug}")
    structure = selectors.version_structure(round_.version)
    required = {
        (a["person_id"], a["competence_id"]): a["required"]
        for a in Assessment.objects.filter(round=round_).values(
            "person_id", "competence_id", "required"
        )
    }
    evaluations: dict[int, dict[str, Evaluation]] = {}
    for evaluation in Evaluation.objects.filter(round=round_).order_by(
        "subject__employee_number", "kind"
    ):
        evaluations.setdefault(evaluation.subject_id, {})[evaluation.kind] = evaluation

    employee = org.logins["medarbejder"]
    leader = org.logins["leder"]
    team_unit = Position.objects.active().filter(person=leader, is_leader=True).first().unit
    team = list(
        Position.objects.active()
        .filter(unit=team_unit, is_leader=False)
        .exclude(person=employee)
        .order_by("person__employee_number")
        .values_list("person_id", flat=True)
    )
    # Leave a few of the leader's people unrated, so the leader has ratings to give.
    team_rated = set(team[:-3])
    top = Position.objects.active().filter(unit=org.root, is_leader=True).first().person_id

    answers = []
    for person_id, pair in evaluations.items():
        self_ev, leader_ev = pair[Evaluation.Kind.SELF], pair[Evaluation.Kind.LEADER]
        rows = [c for c in structure.competences if c.applies_to(self_ev.role)]
        draw = rng.random()
        rate = rng.random() < 0.7
        if person_id == employee.pk:
            self_rows, rate = rows[:3], False
        elif person_id in team:
            self_rows, rate = rows, person_id in team_rated
        elif draw < 0.85:
            self_rows = rows
        elif draw < 0.93:
            self_rows = rows[: rng.randrange(1, len(rows))]
            rate = False
        else:
            self_rows, rate = [], False
        rate = rate and person_id != top  # the kommunaldirektør has no leader above

        self_levels = {}
        for competence in self_rows:
            wanted = required.get((person_id, competence.pk)) or 3
            # Now and then a row is "ikke relevant for mig" (0).
            level = 0 if rng.random() < 0.03 else min(5, max(1, wanted + rng.choice(SELF_STEPS)))
            comment = rng.choice(SELF_COMMENTS) if rng.random() < 0.08 else ""
            self_levels[competence.pk] = level
            answers.append((self_ev, competence, level, comment))
        if not rate:
            continue
        for competence in rows:
            own = self_levels[competence.pk]
            if own == 0:
                level = 0 if rng.random() < 0.5 else required.get((person_id, competence.pk)) or 3
            else:
                level = min(5, max(1, own + rng.choice(LEADER_STEPS)))
            apart = own != 0 and abs(level - own) >= 2
            comment = rng.choice(LEADER_COMMENTS) if apart or rng.random() < 0.05 else ""
            answers.append((leader_ev, competence, level, comment))
    return answers
