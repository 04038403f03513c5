"""Demo organisation for `manage.py seed_demo`: two kommuner with believable trees.

Shapes follow the seeds: Hvidovre's centre structure (Direktion → centres → units →
teams) and Fredericia's direktion → fagafdelinger → institutions. Names are generated
from a fixed random seed, and every row is found again by its natural key (unit id,
employee number), so running the command twice changes nothing.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from kompetence import services
from kompetence.models import Kommune, MEDCommittee, MEDMembership, OrgUnit, Person, Position

DEMO_PASSWORD = "kompetence-demo"  # noqa: S105 - printed for everyone by make demo

FIRST_NAMES = [
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Lene",
    "Camilla",
    "Louise",
    "Maria",
    "Charlotte",
    "Helle",
    "Tina",
    "Marianne",
    "Birgitte",
    "Pia",
    "Karen",
    "Sofie",
    "Ida",
    "Emma",
    "Laura",
    "Julie",
    "Signe",
    "Nanna",
    "Rikke",
    "Trine",
    "Malene",
    "Line",
    "Katrine",
    "Peter",
    "Jens",
    "Lars",
    "Henrik",
    "Søren",
    "Michael",
    "Thomas",
    "Martin",
    "Anders",
    "Niels",
    "Rasmus",
    "Jesper",
    "Morten",
    "Christian",
    "Jan",
    "Kim",
    "Mads",
    "Jonas",
    "Frederik",
    "Mikkel",
    "Kasper",
    "Ole",
    "Bo",
    "Torben",
    "Ulrik",
    "Jakob",
    "Emil",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Lund",
    "Holm",
    "Schmidt",
    "Eriksen",
    "Kristiansen",
    "Simonsen",
    "Clausen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Østergaard",
    "Jeppesen",
    "Vestergaard",
    "Nissen",
    "Lauridsen",
    "Kjær",
]


@dataclass
class UnitSpec:
    name: str
    kind: OrgUnit.Kind
    job_titles: tuple[str, ...] = ()
    staff: int = 0
    children: list[UnitSpec] = field(default_factory=list)


def _team(name: str, titles: tuple[str, ...], staff: int) -> UnitSpec:
    return UnitSpec(name, OrgUnit.Kind.TEAM, titles, staff)


def _unit(name: str, titles: tuple[str, ...], staff: int, *teams: UnitSpec) -> UnitSpec:
    return UnitSpec(name, OrgUnit.Kind.AFDELING, titles, staff, list(teams))


def _centre(name: str, *units: UnitSpec) -> UnitSpec:
    return UnitSpec(name, OrgUnit.Kind.CENTER, ("Administrativ medarbejder",), 1, list(units))


SOCIAL = ("Socialrådgiver", "Myndighedsrådgiver", "Sagsbehandler")
CARE = ("Social- og sundhedsassistent", "Social- og sundhedshjælper", "Sygeplejerske")
TEACH = ("Lærer", "Pædagog", "Skolesekretær")
DAYCARE = ("Pædagog", "Pædagogmedhjælper", "Pædagogisk assistent")
ADMIN = ("Administrativ medarbejder", "Konsulent", "Specialkonsulent")
TECH = ("Ingeniør", "Planlægger", "Tekniker")
JOB = ("Jobkonsulent", "Virksomhedskonsulent", "Sagsbehandler")

HVIDOVRE = UnitSpec(
    "Direktionen",
    OrgUnit.Kind.DIREKTION,
    ("Direktør",),
    1,
    [
        _centre(
            "Center for Børn og Familie",
            _unit(
                "Børne- og Familierådgivningen",
                SOCIAL,
                3,
                _team("Team Udsatte Børn", SOCIAL, 15),
                _team("Team Handicap", SOCIAL, 12),
            ),
            _unit("Sundhedsplejen", ("Sundhedsplejerske",), 14),
        ),
        _centre(
            "Center for Skole og Uddannelse",
            _unit("Avedøre Skole", TEACH, 24, _team("Indskolingen", TEACH, 14)),
            _unit("Holmegårdsskolen", TEACH, 27),
        ),
        _centre(
            "Center for Sundhed og Omsorg",
            _unit(
                "Hjemmeplejen",
                CARE,
                5,
                _team("Hjemmeplejen Nord", CARE, 20),
                _team("Hjemmeplejen Syd", CARE, 19),
            ),
            _unit("Plejecenter Humlehusene", CARE, 24),
        ),
        _centre(
            "Center for Beskæftigelse og Erhverv",
            _unit("Jobcentret", JOB, 7, _team("Team Unge", JOB, 14), _team("Team Voksne", JOB, 15)),
        ),
        _centre(
            "Center for Økonomi og Styring",
            _unit("Personale og Udvikling", ADMIN, 10),
            _unit("Budget og Analyse", ADMIN, 12),
        ),
        _centre(
            "Center for Plan og Miljø",
            _unit("Byplan", TECH, 12),
            _unit("Vej og Park", TECH, 14),
        ),
    ],
)

FREDERICIA = UnitSpec(
    "Direktionen",
    OrgUnit.Kind.DIREKTION,
    ("Direktør",),
    1,
    [
        UnitSpec(
            "Børn og Unge",
            OrgUnit.Kind.CENTER,
            ("Konsulent",),
            3,
            [
                _unit("Kirstinebjergskolen", TEACH, 20, _team("Udskolingen", TEACH, 14)),
                _unit("Børnehuset Bülowsminde", DAYCARE, 19),
                _unit("Familieafdelingen", SOCIAL, 5, _team("Team Familie", SOCIAL, 15)),
            ],
        ),
        UnitSpec(
            "Social og Sundhed",
            OrgUnit.Kind.CENTER,
            ("Konsulent",),
            3,
            [
                _unit("Myndighed Voksne", SOCIAL, 7, _team("Team Voksenhandicap", SOCIAL, 14)),
                _unit("Plejecenter Kongens Gaard", CARE, 24),
                _unit("Hjemmeplejen", CARE, 5, _team("Distrikt Øst", CARE, 17)),
            ],
        ),
        UnitSpec(
            "Byudvikling",
            OrgUnit.Kind.CENTER,
            ("Konsulent",),
            1,
            [_unit("Byg og Miljø", TECH, 15), _unit("Vej og Trafik", TECH, 14)],
        ),
        UnitSpec(
            "Økonomi og Personale",
            OrgUnit.Kind.CENTER,
            ("Konsulent",),
            1,
            [_unit("Personale og Udvikling", ADMIN, 12), _unit("Økonomi", ADMIN, 14)],
        ),
    ],
)

DEMO_KOMMUNER = {
    "fredericia": ("Fredericia Kommune", FREDERICIA),
    "hvidovre": ("Hvidovre Kommune", HVIDOVRE),
}

# The demo logins: (username, description). Each is found in the tree after it is built.
ROLE_LOGINS = [
    ("medarbejder", "Medarbejder"),
    ("leder", "Leder af medarbejdere"),
    ("chef", "Centerchef / leder af ledere"),
    ("direktor", "Direktion"),
    ("hr", "HR (Personale og Udvikling)"),
    ("med", "Medlem af Center-MED"),
]


@dataclass
class DemoOrg:
    """What later apps' demo data needs to know about the organisation."""

    kommune: Kommune
    root: OrgUnit
    units: list[OrgUnit]
    people: list[Person]
    logins: dict[str, Person]


class _Builder:
    def __init__(self, kommune: Kommune, rng: random.Random):
        self.kommune = kommune
        self.rng = rng
        self.next_number = 1000
        self.units: list[OrgUnit] = []
        self.people: list[Person] = []
        self.leaders: dict[int, Person] = {}

    def person(self, title: str, unit: OrgUnit, *, leader: bool) -> Person:
        self.next_number += 1
        number = f"{self.next_number}"
        # Draw every random value before looking up, so a re-run draws the same sequence.
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        start = datetime.date(2015 + self.rng.randrange(10), 1 + self.rng.randrange(12), 1)
        person = Person.objects.filter(kommune=self.kommune, employee_number=number).first()
        if person is None:
            slug = (
                name.lower()
                .replace(" ", ".")
                .replace("ø", "oe")
                .replace("æ", "ae")
                .replace("å", "aa")
            )
            email = f"{slug}.{number}@{self.kommune.slug}.kompetence.example"
            person = services.person_create(
                kommune=self.kommune, employee_number=number, name=name, email=email
            )
            services.position_create(
                person=person, unit=unit, job_title=title, is_leader=leader, start_date=start
            )
        self.people.append(person)
        return person

    def unit(self, spec: UnitSpec, parent: OrgUnit | None, code: str) -> OrgUnit:
        unit = OrgUnit.objects.filter(kommune=self.kommune, external_id=code).first()
        if unit is None:
            unit = services.unit_create(
                kommune=self.kommune,
                name=spec.name,
                parent=parent,
                kind=spec.kind,
                external_id=code,
            )
        self.units.append(unit)
        leader_title = {
            OrgUnit.Kind.DIREKTION: "Kommunaldirektør",
            OrgUnit.Kind.CENTER: "Centerchef",
            OrgUnit.Kind.AFDELING: "Afdelingsleder",
            OrgUnit.Kind.TEAM: "Teamleder",
        }[spec.kind]
        self.leaders[unit.pk] = self.person(leader_title, unit, leader=True)
        for _ in range(spec.staff):
            self.person(self.rng.choice(spec.job_titles), unit, leader=False)
        for index, child in enumerate(spec.children, start=1):
            self.unit(child, unit, f"{code}.{index}")
        return unit


@functools.cache
def _demo_password_hash() -> str:
    # Argon2 is slow on purpose (tens of milliseconds a hash): every demo login shares
    # the one published password, so it is hashed once, not once per person.
    return make_password(DEMO_PASSWORD)


def _set_login(person: Person, username: str) -> None:
    user = person.user
    assert user is not None  # every demo person has a login
    if user.username != username or not user.has_usable_password():
        user.username = username
        user.password = _demo_password_hash()
        user.save(update_fields=["username", "password"])


def seed_organisation(slug: str) -> DemoOrg:
    """Builds (or finds again) one demo kommune's organisation. Call inside its scope."""
    _name, tree = DEMO_KOMMUNER[slug]
    kommune = Kommune.objects.get(slug=slug)
    builder = _Builder(kommune, random.Random(f"kompetence-demo-{slug}"))
    root = builder.unit(tree, None, "1")
    units = builder.units

    centres = [u for u in units if u.kind == OrgUnit.Kind.CENTER]
    teams = [u for u in units if u.kind == OrgUnit.Kind.TEAM]
    hr_unit = next(u for u in units if u.name == "Personale og Udvikling")
    first_team = teams[0]
    team_staff = Position.objects.filter(unit=first_team, is_leader=False).select_related("person")
    employee = team_staff.order_by("person__employee_number")[0].person
    med_member = team_staff.order_by("-person__employee_number")[0].person
    hr_person = (
        Position.objects.filter(unit=hr_unit, is_leader=False)
        .order_by("person__employee_number")[0]
        .person
    )
    if not hr_person.is_hr:
        hr_person.is_hr = True
        hr_person.save(update_fields=["is_hr"])
    centre_of_team = next(c for c in centres if first_team.path.startswith(c.path))
    logins = {
        "medarbejder": employee,
        "leder": builder.leaders[first_team.pk],
        "chef": builder.leaders[centre_of_team.pk],
        "direktor": builder.leaders[root.pk],
        "hr": hr_person,
        "med": med_member,
    }
    for username, person in logins.items():
        _set_login(person, username)

    _seed_med(kommune, root, centres, units, builder, logins)
    return DemoOrg(kommune=kommune, root=root, units=units, people=builder.people, logins=logins)


def _seed_med(kommune, root, centres, units, builder, logins) -> None:
    def committee(name, kind, unit, members):
        existing = MEDCommittee.objects.filter(kommune=kommune, unit=unit, kind=kind).first()
        if existing is None:
            services.med_committee_create(
                kommune=kommune, name=name, kind=kind, unit=unit, members=members
            )

    hoved_members = [(builder.leaders[root.pk], MEDMembership.Role.CHAIR)] + [
        (builder.leaders[c.pk], MEDMembership.Role.MEMBER) for c in centres[:3]
    ]
    committee("Hoved-MED", MEDCommittee.Kind.HOVED, root, hoved_members)
    for centre in centres:
        staff = [
            p.person
            for p in Position.objects.filter(unit__path__startswith=centre.path, is_leader=False)
            .select_related("person")
            .order_by("person__employee_number")[:4]
        ]
        members = [(builder.leaders[centre.pk], MEDMembership.Role.CHAIR)]
        members += [(p, MEDMembership.Role.MEMBER) for p in staff if p != logins["med"]]
        if logins["med"].positions.filter(unit__path__startswith=centre.path).exists():
            members.append((logins["med"], MEDMembership.Role.VICE_CHAIR))
        committee(f"Center-MED {centre.name}", MEDCommittee.Kind.CENTER, centre, members)
    for unit in [u for u in units if u.kind == OrgUnit.Kind.AFDELING][:4]:
        committee(
            f"Lokal-MED {unit.name}",
            MEDCommittee.Kind.LOKAL,
            unit,
            [(builder.leaders[unit.pk], MEDMembership.Role.CHAIR)],
        )
