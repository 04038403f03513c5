"""Demo catalogue: courses of every form tied to the kommune's framework, sessions
(one nearly full), enrolments in every state, and requests waiting for the demo
leader. Courses are found again by title, so a second run changes nothing. Then the
mandatory training (`catalogue/training/demo.py`)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from catalogue import services
from catalogue.models import Course, CourseSession, Enrolment
from catalogue.training import demo as training_demo
from kompetence.demo import DemoOrg
from kompetence.models import Person
from kompetence.permissions import persons_led_by
from mus import selectors as mus_selectors
from mus import services as mus_services
from mus.models import Plan, PlanActivity
from profiles.models import Competence
from profiles.selectors import published_versions

# (title, form, provider, price, duration, description, competence names, level, approval)
COURSES = [
    (
        "Forandringer i praksis",
        Course.Form.COURSE,
        Course.Provider.INTERNAL,
        "1200",
        "2 dage",
        "Værktøjer til at gå forrest, når arbejdsgange og opgaver ændres, og til at tale om usikkerhed i teamet.",
        ["Forandringskompetence", "Forandringsledelse"],
        4,
        True,
    ),
    (
        "Innovation på arbejdspladsen",
        Course.Form.COURSE,
        Course.Provider.EXTERNAL,
        "4500",
        "3 dage",
        "Metoder til at udvikle og afprøve nye ideer sammen med borgere og kolleger.",
        ["Innovationskompetence", "Nytænkning og udvikling"],
        4,
        True,
    ),
    (
        "Lærende møder",
        Course.Form.BROWN_BAG,
        Course.Provider.INTERNAL,
        "0",
        "1 time",
        "Kort frokostmøde, hvor en kollega deler erfaringer fra en sag eller et kursus.",
        ["Lærings- og videndelingskompetence"],
        3,
        False,
    ),
    (
        "Samarbejde på tværs af faggrupper",
        Course.Form.COURSE,
        Course.Provider.INTERNAL,
        "900",
        "1 dag",
        "Om at løse opgaver med andre fagligheder og håndtere uenighed konstruktivt.",
        ["Samarbejdskompetence", "Samarbejde på tværs"],
        4,
        True,
    ),
    (
        "Skriv så borgeren forstår",
        Course.Form.E_LEARNING,
        Course.Provider.INTERNAL,
        "0",
        "4 moduler",
        "E-læring i klart sprog i breve, afgørelser og mails.",
        ["Kommunikationskompetence", "Kommunikation"],
        3,
        False,
    ),
    (
        "Diplomuddannelse i offentlig forvaltning",
        Course.Form.EDUCATION,
        Course.Provider.EXTERNAL,
        "18500",
        "1 semester",
        "Modul på diplomniveau om forvaltningsret og sagsbehandling.",
        ["Faglig kompetence"],
        5,
        True,
    ),
    (
        "Sidemandsoplæring i sagsbehandling",
        Course.Form.SIDE_BY_SIDE,
        Course.Provider.INTERNAL,
        "0",
        "4 uger",
        "Følg en erfaren kollega i sager og få sparring undervejs.",
        ["Faglig kompetence", "Servicekompetence"],
        3,
        True,
    ),
    (
        "Netværk for nye ledere",
        Course.Form.NETWORK,
        Course.Provider.INTERNAL,
        "0",
        "4 møder om året",
        "Erfaringsudveksling og sparring mellem nye ledere på tværs af kommunen.",
        ["Personlig ledelseskraft", "Strategisk ledelse"],
        3,
        False,
    ),
    (
        "Jobrotation i borgerservice",
        Course.Form.JOB_ROTATION,
        Course.Provider.INTERNAL,
        "0",
        "3 måneder",
        "Arbejd en periode i et andet team og tag erfaringerne med hjem.",
        ["Servicekompetence", "Kunde- og brugerfokus"],
        3,
        True,
    ),
    (
        "Mål og resultater i hverdagen",
        Course.Form.COURSE,
        Course.Provider.EXTERNAL,
        "3200",
        "2 dage",
        "Sæt tydelige mål, følg op og prioriter mellem opgaver.",
        ["Resultatskabende kompetence", "Resultatorientering"],
        4,
        True,
    ),
]


def _competence_keys(kommune) -> tuple:
    version = published_versions().filter(kommune=kommune).first()
    if version is None:
        return None, {}
    return version.framework, {c.name: c.key for c in Competence.objects.filter(version=version)}


def _hvidovre_keys(keys: dict, rng: random.Random, count: int) -> list:
    """Hvidovre's framework has other names; pick behaviours from its rows instead."""
    names = sorted(keys)
    return [keys[name] for name in rng.sample(names, min(count, len(names)))]


def _on_a_weekday(moment: datetime.datetime) -> datetime.datetime:
    """The moment, moved from a Saturday or a Sunday to the Monday after: courses are
    held on working days."""
    if moment.weekday() >= 5:
        return moment + datetime.timedelta(days=7 - moment.weekday())
    return moment


def seed(org: DemoOrg) -> None:
    _catalogue(org)
    training_demo.seed(org)


def _catalogue(org: DemoOrg) -> None:
    kommune = org.kommune
    if Course.objects.filter(kommune=kommune).exists():
        return
    rng = random.Random(f"catalogue-demo-{kommune.slug}")
    framework, keys = _competence_keys(kommune)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    courses = []
    for index, (
        title,
        form,
        provider,
        price,
        duration,
        description,
        names,
        level,
        approval,
    ) in enumerate(COURSES):
        course = services.course_create(
            kommune=kommune,
            title=title,
            description=description,
            form=form,
            provider=provider,
            price=Decimal(price),
            duration=duration,
            place="Rådhuset" if provider == Course.Provider.INTERNAL else "Hos udbyderen",
            contact="Personale og Udvikling",
            requires_approval=approval,
        )
        if framework is not None:
            wanted = [keys[n] for n in names if n in keys] or _hvidovre_keys(keys, rng, 2)
            services.course_set_competences(
                course=course, framework=framework, levels=dict.fromkeys(wanted, level)
            )
        services.course_publish(course=course)
        if form in (Course.Form.E_LEARNING, Course.Form.NETWORK, Course.Form.BROWN_BAG):
            services.session_create(course=course, place=course.place)
        else:
            for run in range(2):
                starts = _on_a_weekday(
                    timezone.localtime(now + datetime.timedelta(days=21 + index * 7 + run * 60))
                ).replace(hour=9)
                services.session_create(
                    course=course,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=6),
                    place=course.place,
                    capacity=4 if index == 0 else 16,
                    registration_deadline=(starts - datetime.timedelta(days=7)).date(),
                )
        courses.append(course)
    services.course_create(
        kommune=kommune,
        title="Forslag: Kursus i motiverende samtale",
        description="Foreslået af en leder; HR har ikke offentliggjort det endnu.",
        proposed_by=org.logins["leder"],
    )
    _enrolments(org, courses, rng)


def _enrolments(org: DemoOrg, courses: list[Course], rng: random.Random) -> None:
    """Requests waiting for the demo leader, a full first session with a waiting list,
    and some completed courses for the cost overview."""
    leader, employee = org.logins["leder"], org.logins["medarbejder"]
    team = [p for p in persons_led_by(leader).order_by("employee_number") if p.pk != employee.pk]
    first_session = CourseSession.objects.filter(course=courses[0]).order_by("starts_at")[0]
    for person in team[:5]:  # 4 places: four confirmed, one on the waiting list
        services.enrolment_request(session=first_session, person=person)
        enrolment = Enrolment.objects.get(session=first_session, person=person)
        if enrolment.status == Enrolment.Status.REQUESTED:
            services.enrolment_decide(enrolment=enrolment, leader=leader, approve=True)
    pending = CourseSession.objects.filter(course=courses[3]).order_by("starts_at")[0]
    for person in team[5:8]:
        services.enrolment_request(
            session=pending,
            person=person,
            motivation="Vil gerne blive bedre til tværfagligt samarbejde.",
        )
    diploma = CourseSession.objects.filter(course=courses[5]).order_by("starts_at")[0]
    services.enrolment_request(
        session=diploma, person=employee, motivation="Led mod en diplomuddannelse."
    )
    _plan_activity(leader, team[1], courses[1])
    elearning = CourseSession.objects.get(course=courses[4])
    for person in rng.sample(org.people, min(12, len(org.people))):
        if not person.is_active:
            continue
        enrolment = services.enrolment_request(session=elearning, person=person)
        if rng.random() < 0.6:
            services.enrolment_record(enrolment=enrolment, status=Enrolment.Status.COMPLETED)


def _plan_activity(leader: Person, person: Person, course: Course) -> None:
    """The course chosen from the catalogue in a new version of a team member's signed
    plan, and the place asked for from the plan: the request waits for the demo leader,
    and the plan page shows its status."""
    plan = Plan.objects.filter(employee=person).first()
    if plan is None:
        return
    signed = mus_selectors.current_version(plan)
    version = mus_services.plan_version_new(version=signed, by=leader)
    session = CourseSession.objects.filter(course=course).order_by("starts_at").first()
    activity = mus_services.activity_add(
        version=version,
        revision=version.revision,
        kind=PlanActivity.Kind.CATALOGUE_COURSE,
        title="",
        goal=version.goals.order_by("order").first(),
        deadline=timezone.localdate() + datetime.timedelta(days=150),
        course=course,
        session=session,
        by=leader,
    )
    if session is not None:
        services.enrolment_request(
            session=session,
            person=person,
            motivation="Aftalt i min udviklingsplan.",
            plan_activity=activity,
        )
