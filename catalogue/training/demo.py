"""Demo mandatory training: the working-environment representative's statutory
courses, first aid, information security for everyone and the social and health care
assistants' authorisation, with the catalogue courses that meet them, the functions'
holders, and certificates so that every status appears.

In the demo leader's ("leder") team: the demo employee ("medarbejder") was elected
arbejdsmiljørepræsentant three weeks ago and still has the courses ahead (due); one
colleague's first aid expires within two months, one's information security expired,
one never took it (missing); the others are valid. The rest of the kommune is spread
the way a register looks: mostly valid, some expiring, some expired, a few missing.
Every date is counted from today. Found again by the requirements, so a second run
changes nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from catalogue import services
from catalogue.models import (
    Certificate,
    Course,
    FunctionHolder,
    RequirementAssignment,
    TrainingFunction,
    TrainingRequirement,
)
from catalogue.training.selectors import certificate_valid_until
from kompetence.demo import DemoOrg
from kompetence.models import OrgUnit, Person, Position
from kompetence.permissions import persons_led_by
from profiles.models import JobProfile

AMR = "Arbejdsmiljørepræsentant"
FIRST_AIDER = "Førstehjælper"
SOSU_ASSISTANT = "Social- og sundhedsassistent"

FUNCTIONS = {
    AMR: (
        "Valgt af kollegerne til arbejdsmiljøorganisationen. Har ret og pligt til den "
        "lovpligtige arbejdsmiljøuddannelse og den supplerende uddannelse."
    ),
    FIRST_AIDER: (
        "Udpeget til at yde førstehjælp på arbejdspladsen, til førstehjælpsudstyret er "
        "tjekket, og til at hjælpe kollegerne, til ambulancen er fremme."
    ),
}

# (name, description, validity in months, grace days, whom it applies to)
REQUIREMENTS = [
    (
        "Arbejdsmiljøuddannelse (lovpligtig)",
        "Som ny arbejdsmiljørepræsentant skal du gennemføre den lovpligtige "
        "arbejdsmiljøuddannelse på tre dage (22 timer) inden for de første tre måneder "
        "efter valget. Arbejdsgiveren tilbyder og betaler uddannelsen, og du får løn under "
        "den. Uddannelsen gælder, så længe du har funktionen.",
        None,
        90,
        AMR,
    ),
    (
        "Supplerende arbejdsmiljøuddannelse",
        "I det første år efter valget skal du tilbydes to dages supplerende "
        "arbejdsmiljøuddannelse (14,8 timer), som du vælger efter arbejdspladsens behov.",
        None,
        365,
        AMR,
    ),
    (
        "Årlig supplerende arbejdsmiljøuddannelse",
        "Fra det andet år skal du hvert år tilbydes halvanden dags supplerende "
        "arbejdsmiljøuddannelse (11,1 timer), så din viden holdes ved lige.",
        12,
        730,
        AMR,
    ),
    (
        "Førstehjælp",
        "Førstehjælpere skal have et gyldigt førstehjælpsbevis. Beviset fornyes hvert "
        "andet år på et kursus i førstehjælp på arbejdspladsen.",
        24,
        90,
        FIRST_AIDER,
    ),
    (
        "Informationssikkerhed",
        "Alle medarbejdere gennemfører hvert år kommunens e-læring i informationssikkerhed "
        "og persondata: phishing, sikre adgangskoder og hvordan man behandler borgernes "
        "oplysninger efter databeskyttelsesforordningen.",
        12,
        30,
        "everyone",
    ),
    (
        "Autorisation som social- og sundhedsassistent",
        "Social- og sundhedsassistenter skal være autoriseret af Styrelsen for "
        "Patientsikkerhed. Lederen tjekker autorisationen i styrelsens "
        "autorisationsregister ved ansættelsen og registrerer den her. Autorisationen "
        "udløber ikke, men kan frakendes.",
        None,
        30,
        SOSU_ASSISTANT,
    ),
]

# (title, requirement it meets, form, provider, price, duration, description, place)
COURSES = [
    (
        "Arbejdsmiljøuddannelsen for arbejdsmiljørepræsentanter",
        "Arbejdsmiljøuddannelse (lovpligtig)",
        Course.Form.COURSE,
        Course.Provider.EXTERNAL,
        "5900",
        "3 dage",
        "Den lovpligtige uddannelse for nye arbejdsmiljørepræsentanter hos en godkendt "
        "udbyder: arbejdsmiljøloven, risikovurdering (APV), psykisk arbejdsmiljø og "
        "samarbejdet i arbejdsmiljøorganisationen.",
        "Hos udbyderen",
    ),
    (
        "Førstehjælp på arbejdspladsen",
        "Førstehjælp",
        Course.Form.COURSE,
        Course.Provider.EXTERNAL,
        "850",
        "1 dag",
        "Førstehjælpskursus efter Dansk Førstehjælpsråds retningslinjer: hjertelungeredning "
        "med hjertestarter, bevidstløshed, blødninger og forbrændinger. Giver et "
        "førstehjælpsbevis, der gælder i to år.",
        "Rådhuset",
    ),
    (
        "Informationssikkerhed og persondata (e-læring)",
        "Informationssikkerhed",
        Course.Form.E_LEARNING,
        Course.Provider.INTERNAL,
        "0",
        "45 minutter",
        "Kommunens årlige e-læring: genkend phishing, vælg sikre adgangskoder, og behandl "
        "borgernes oplysninger fortroligt. Afsluttes med en kort test.",
        "Online",
    ),
]


def _working_day(day: datetime.date) -> datetime.date:
    """Courses are held on working days: a Saturday or Sunday becomes the Monday after."""
    return day + datetime.timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


class _Certificates:
    """Certificates to create in one go, dated back from today."""

    def __init__(self, org: DemoOrg, today: datetime.date):
        self.org, self.today = org, today
        self.rows: list[Certificate] = []

    def add(
        self,
        person: Person,
        requirement: TrainingRequirement,
        completed_on: datetime.date,
        valid_until: datetime.date | None = None,
    ) -> None:
        completed_on = min(completed_on, self.today)
        if valid_until is None:
            valid_until = certificate_valid_until(requirement, completed_on)
        self.rows.append(
            Certificate(
                kommune=self.org.kommune,
                person=person,
                requirement=requirement,
                completed_on=completed_on,
                valid_until=valid_until,
                source=Certificate.Source.IMPORT,
                note="Fra det tidligere kursusregister",
                recorded_by=self.org.logins["hr"],
            )
        )

    def save(self) -> None:
        Certificate.objects.bulk_create(self.rows, batch_size=1000)


def seed(org: DemoOrg) -> None:
    kommune = org.kommune
    if TrainingRequirement.objects.filter(kommune=kommune).exists():
        return
    today = timezone.localdate()
    rng = random.Random(f"training-demo-{kommune.slug}")
    functions = {
        name: TrainingFunction.objects.create(kommune=kommune, name=name, description=text)
        for name, text in FUNCTIONS.items()
    }
    requirements = {}
    for name, description, validity, grace, target in REQUIREMENTS:
        assignment = _assignment(kommune, target, functions)
        if assignment is None:
            continue  # no such job profile in this kommune
        requirement = TrainingRequirement.objects.create(
            kommune=kommune,
            name=name,
            description=description,
            validity_months=validity,
            grace_days=grace,
        )
        assignment.requirement = requirement
        assignment.save()
        requirements[name] = requirement
    _courses(org, requirements, today)
    certificates = _Certificates(org, today)
    holders: list[FunctionHolder] = []
    team = _leader_team(org, requirements, functions, certificates, holders, today)
    _the_rest(org, requirements, functions, certificates, holders, today, team, rng)
    FunctionHolder.objects.bulk_create(holders)
    certificates.save()


def _assignment(
    kommune, target: str, functions: dict[str, TrainingFunction]
) -> RequirementAssignment | None:
    """Whom a requirement is for, unsaved: everyone, a function's holders or a job
    profile by name (None if the kommune has no such profile)."""
    if target == "everyone":
        return RequirementAssignment(kommune=kommune, kind=RequirementAssignment.Kind.EVERYONE)
    if target in functions:
        return RequirementAssignment(
            kommune=kommune,
            kind=RequirementAssignment.Kind.FUNCTION,
            function=functions[target],
        )
    profile = JobProfile.objects.filter(kommune=kommune, name=target).first()
    if profile is None:
        return None
    return RequirementAssignment(
        kommune=kommune, kind=RequirementAssignment.Kind.JOB_PROFILE, job_profile=profile
    )


def _courses(org: DemoOrg, requirements: dict, today: datetime.date) -> None:
    for title, meets, form, provider, price, duration, description, place in COURSES:
        course = services.course_create(
            kommune=org.kommune,
            title=title,
            description=description,
            form=form,
            provider=provider,
            price=Decimal(price),
            duration=duration,
            place=place,
            is_online=form == Course.Form.E_LEARNING,
            contact="Personale og Udvikling",
            requires_approval=provider == Course.Provider.EXTERNAL,
        )
        services.course_publish(course=course)
        requirements[meets].courses.add(course)
        if form == Course.Form.E_LEARNING:
            services.session_create(course=course, place=place)
            continue
        for weeks in (5, 14):
            day = _working_day(today + datetime.timedelta(weeks=weeks))
            starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            services.session_create(
                course=course,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=7),
                place=place,
                capacity=16,
                registration_deadline=day - datetime.timedelta(days=14),
            )


def _leader_team(org, requirements, functions, certificates, holders, today) -> set[int]:
    """The demo leader's team, each state once or more; returns the people it covers."""
    kommune, leader, employee = org.kommune, org.logins["leder"], org.logins["medarbejder"]
    team = [p for p in persons_led_by(leader).order_by("employee_number") if p.pk != employee.pk]
    info = requirements["Informationssikkerhed"]
    first_aid = requirements["Førstehjælp"]
    amr, amr_more, amr_yearly = (
        requirements["Arbejdsmiljøuddannelse (lovpligtig)"],
        requirements["Supplerende arbejdsmiljøuddannelse"],
        requirements["Årlig supplerende arbejdsmiljøuddannelse"],
    )

    def months_ago(months: int, days: int = 0) -> datetime.date:
        return today - relativedelta(months=months, days=days)

    # The demo employee: newly elected, courses still ahead; information security valid.
    holders.append(
        FunctionHolder(
            kommune=kommune,
            function=functions[AMR],
            person=employee,
            since=today - datetime.timedelta(days=21),
        )
    )
    certificates.add(employee, info, months_ago(3))
    certificates.add(leader, info, months_ago(2))
    # The fourth is left without information security: "Mangler".
    expiring_first_aid, first_aider, expired, _missing, old_amr, *others = team
    # First aid expiring in seven weeks, and one taken eight months ago.
    for person, valid_until in (
        (expiring_first_aid, today + datetime.timedelta(days=50)),
        (first_aider, None),
    ):
        holders.append(
            FunctionHolder(
                kommune=kommune,
                function=functions[FIRST_AIDER],
                person=person,
                since=months_ago(40),
            )
        )
        if valid_until is not None:
            certificates.add(person, first_aid, valid_until - relativedelta(months=24), valid_until)
        else:
            certificates.add(person, first_aid, months_ago(8))
    # Information security expired two months ago; one never took it.
    certificates.add(expired, info, months_ago(14))
    # The team's experienced representative, with every course behind them.
    since = months_ago(38)
    holders.append(
        FunctionHolder(kommune=kommune, function=functions[AMR], person=old_amr, since=since)
    )
    certificates.add(old_amr, amr, since + datetime.timedelta(days=40))
    certificates.add(old_amr, amr_more, since + datetime.timedelta(days=250))
    certificates.add(old_amr, amr_yearly, months_ago(5))
    for index, person in enumerate([expiring_first_aid, first_aider, old_amr, *others]):
        certificates.add(person, info, months_ago(1 + index % 8, index))
    return {leader.pk, employee.pk, *(p.pk for p in team)}


def _the_rest(org, requirements, functions, certificates, holders, today, team, rng) -> None:
    """Everyone else: information security for most, one representative and one first
    aider in each afdeling and team, and the assistants' authorisations."""
    kommune = org.kommune
    people = {p.pk: p for p in org.people if p.is_active and p.pk not in team}
    staff: dict[int, list[Person]] = {}
    for person_id, unit_id, is_leader in (
        Position.objects.active()
        .filter(kommune=kommune, person_id__in=list(people))
        .order_by("person__employee_number")
        .values_list("person_id", "unit_id", "is_leader")
    ):
        if not is_leader:
            staff.setdefault(unit_id, []).append(people[person_id])

    def days_ago(low: int, high: int) -> datetime.date:
        return today - datetime.timedelta(days=rng.randint(low, high))

    info = requirements["Informationssikkerhed"]
    for person in people.values():
        draw = rng.random()
        if draw < 0.85:  # valid; the last three months' worth expiring soon
            certificates.add(person, info, days_ago(5, 360))
        elif draw < 0.95:
            certificates.add(person, info, days_ago(370, 600))
        # else: never taken, missing
    units = [
        u
        for u in org.units
        if u.kind in (OrgUnit.Kind.AFDELING, OrgUnit.Kind.TEAM) and u.pk in staff
    ]
    amr, amr_more, amr_yearly = (
        requirements["Arbejdsmiljøuddannelse (lovpligtig)"],
        requirements["Supplerende arbejdsmiljøuddannelse"],
        requirements["Årlig supplerende arbejdsmiljøuddannelse"],
    )
    for unit in units:
        representative, *rest = rng.sample(staff[unit.pk], min(2, len(staff[unit.pk])))
        since = days_ago(30, 6 * 365)
        holders.append(
            FunctionHolder(
                kommune=kommune, function=functions[AMR], person=representative, since=since
            )
        )
        if (today - since).days > 60 or rng.random() < 0.5:
            certificates.add(
                representative, amr, since + datetime.timedelta(days=rng.randint(20, 60))
            )
        if (today - since).days > 300:
            certificates.add(
                representative, amr_more, since + datetime.timedelta(days=rng.randint(150, 300))
            )
        if (today - since).days > 400 and rng.random() < 0.85:
            certificates.add(representative, amr_yearly, days_ago(10, 450))
        for first_aider in rest:
            holders.append(
                FunctionHolder(
                    kommune=kommune,
                    function=functions[FIRST_AIDER],
                    person=first_aider,
                    since=days_ago(100, 2000),
                )
            )
            if rng.random() < 0.9:
                certificates.add(first_aider, requirements["Førstehjælp"], days_ago(10, 800))
    authorisation = requirements.get("Autorisation som social- og sundhedsassistent")
    if authorisation is None:
        return
    for person_id, start in (
        Position.objects.active()
        .filter(
            kommune=kommune,
            person_id__in=list(people),
            job_profile_assignment__job_profile__name=SOSU_ASSISTANT,
        )
        .values_list("person_id", "start_date")
    ):
        if rng.random() < 0.95:
            certificates.add(people[person_id], authorisation, start - datetime.timedelta(days=20))
