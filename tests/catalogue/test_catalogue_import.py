"""The catalogue import and export with real files: a Windows-1252 CSV with æøå, XLSX
both ways, every bad value by line and column with nothing changed, the same file twice
(0 ændringer), export → import round trips, and who may use the pages."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalogue import catalogue_import, services
from catalogue.catalogue_import import catalogue_importer, parse_price
from catalogue.models import Course, CourseCompetence, CourseSession, Enrolment
from kompetence.infra import imports
from kompetence.infra.tabular import ValueProblem
from kompetence.models import ImportJob, OrgUnit
from profiles import services as profile_services
from profiles.models import Competence
from tests.catalogue.factories import build_course, build_session
from tests.conftest import client_for
from tests.factories import OrgUnitFactory
from tests.profiles.factories import build_framework, competence

pytestmark = pytest.mark.django_db

HEADER = (
    "kode;titel;beskrivelse;form;udbyder;udbyders_navn;varighed;pris;online;sted;kontakt;"
    "kræver_godkendelse;status;målgruppe_enheder;målgruppe_jobprofiler;kompetencer;"
    "hold_start;hold_slut;hold_sted;pladser;tilmeldingsfrist"
)
TALKS = (
    "K-101;Svære samtaler med borgere;Om at tage de svære samtaler med borgere og "
    "pårørende.;Kursus;ekstern;Professionshøjskolen;2 dage;1.250,50;nej;Rådhuset;"
    "hr@alfa.dk;ja;offentliggjort;Team Nord | Team Syd;Socialrådgiver;"
    "Samarbejdskompetence:3 | Kommunikationskompetence:4"
)
CATALOGUE = [
    HEADER,
    TALKS + ";15-03-2027 09:00;15-03-2027 15:30;Mødesal Ærø;12;01-03-2027",
    TALKS + ";2027-09-13T09:00;15:30;Fløjen, lokale 2;14;2027-09-01",
    ";Førstehjælp på arbejdspladsen;Grundkursus i førstehjælp.;E-læring;intern;;3 timer;0;"
    "ja;;;nej;;;;Faglig kompetence:2;løbende;;;;",
    ";Netværk for ledere;Erfaringsudveksling på tværs af centrene.;Netværk;;;;;;;;;kladde;;;;;;;;",
]


def csv_bytes(lines: list[str], encoding: str = "cp1252") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def org(org_a):
    """Kommune A with a published framework and a job profile the file names."""
    version = build_framework(org_a.kommune)
    with org_a.scope():
        profile_services.job_profile_create(
            kommune=org_a.kommune, framework=version.framework, name="Socialrådgiver"
        )
    org_a.version = version
    return org_a


def dry_run(org, data: bytes) -> imports.Plan:
    with org.scope():
        return imports.plan_table(
            kommune=org.kommune, importer=catalogue_importer, data=data, options={}
        )


def run(org, data: bytes) -> imports.Plan:
    with org.scope():
        return imports.import_run(
            kommune=org.kommune, importer=catalogue_importer, data=data, options={}
        )


def problems(plan: imports.Plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def snapshot(org) -> list:
    """Everything the import could touch, to prove a refused file changed nothing."""
    with org.scope():
        return [
            sorted(Course.objects.values_list(*catalogue_import.MODEL_FIELDS, "pk")),
            sorted(
                Course.objects.values_list(
                    "pk", "audience_everyone", "audience_units", "audience_job_profiles"
                )
            ),
            sorted(CourseCompetence.objects.values_list("course_id", "competence_key", "level")),
            sorted(
                CourseSession.objects.values_list(
                    "pk", "course_id", "starts_at", "ends_at", "place", "capacity"
                )
            ),
        ]


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def test_a_windows_1252_csv_with_aeoeaa_creates_courses_sessions_and_competences(org):
    data = csv_bytes(CATALOGUE)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really Windows-1252
    before = snapshot(org)
    plan = dry_run(org, data)
    assert problems(plan) == []
    assert plan.counts == {"course_create": 3, "session_create": 3}
    assert plan.examples["course_create"] == [
        "Linje 2: Svære samtaler med borgere (K-101)",
        "Linje 4: Førstehjælp på arbejdspladsen",
        "Linje 5: Netværk for ledere",
    ]
    assert snapshot(org) == before, "the dry run wrote something"

    run(org, data)
    with org.scope():
        talks = Course.objects.get(code="K-101")
        assert talks.title == "Svære samtaler med borgere"
        assert talks.description.endswith("borgere og pårørende.")
        assert (talks.form, talks.provider, talks.provider_name) == (
            Course.Form.COURSE,
            Course.Provider.EXTERNAL,
            "Professionshøjskolen",
        )
        assert talks.price == Decimal("1250.50")
        assert (talks.is_online, talks.requires_approval) == (False, True)
        assert (talks.place, talks.contact, talks.duration) == ("Rådhuset", "hr@alfa.dk", "2 dage")
        assert talks.status == Course.Status.PUBLISHED
        assert not talks.audience_everyone
        assert {u.name for u in talks.audience_units.all()} == {"Team Nord", "Team Syd"}
        assert [p.name for p in talks.audience_job_profiles.all()] == ["Socialrådgiver"]
        levels = {cc.competence_key: (cc.level, cc.framework_id) for cc in talks.competences.all()}
        framework_id = org.version.framework_id
        assert levels == {
            competence(org.version, "Samarbejdskompetence").key: (3, framework_id),
            competence(org.version, "Kommunikationskompetence").key: (4, framework_id),
        }
        first, second = talks.sessions.order_by("starts_at")
        assert (first.starts_at, first.ends_at) == (
            local(2027, 3, 15, 9, 0),
            local(2027, 3, 15, 15, 30),
        )
        assert (first.place, first.capacity) == ("Mødesal Ærø", 12)
        assert first.registration_deadline == datetime.date(2027, 3, 1)
        # ISO start, and an end given as the time of day only.
        assert (second.starts_at, second.ends_at) == (
            local(2027, 9, 13, 9, 0),
            local(2027, 9, 13, 15, 30),
        )

        first_aid = Course.objects.get(title="Førstehjælp på arbejdspladsen")
        assert first_aid.code == ""
        assert (first_aid.form, first_aid.is_online, first_aid.requires_approval) == (
            Course.Form.E_LEARNING,
            True,
            False,
        )
        assert first_aid.status == Course.Status.DRAFT  # empty: a draft
        assert first_aid.audience_everyone
        continuous = first_aid.sessions.get()
        assert continuous.starts_at is None and continuous.capacity is None

        network = Course.objects.get(title="Netværk for ledere")
        assert (network.provider, network.price, network.requires_approval) == (
            Course.Provider.INTERNAL,
            Decimal("0"),
            True,
        )
        assert not network.sessions.exists()


def test_utf8_comma_separated_and_english_column_names(org):
    lines = [
        "code,title,description,price,start,seats",
        'K-7,Sundhed på jobbet,"Om kost, motion og søvn.",2500,2027-05-01 10:00,8',
    ]
    run(org, csv_bytes(lines, "utf-8-sig"))
    with org.scope():
        course = Course.objects.get(code="K-7")
        assert course.description == "Om kost, motion og søvn."
        assert course.price == Decimal("2500")
        assert course.sessions.get().capacity == 8


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("1.250,50", Decimal("1250.50")),
        ("1250.50", Decimal("1250.50")),
        ("1250,5", Decimal("1250.5")),
        ("2.500", Decimal("2500")),
        ("12.500.000", Decimal("12500000")),
        ("1,250.50", Decimal("1250.50")),
        ("1 250,50 kr.", Decimal("1250.50")),
        ("0", Decimal("0")),
        ("", None),
    ],
)
def test_prices_in_danish_and_spreadsheet_format(text, price):
    assert parse_price(text) == price


@pytest.mark.parametrize("text", ["gratis", "1.2.3,4", "NaN", "-5", "10,555", "1e5"])
def test_prices_that_are_not_prices(text):
    with pytest.raises(ValueProblem):
        parse_price(text)


# --- Bad input -------------------------------------------------------------------------

COURSE = ";Kursus i æøå;Beskrivelse."
SHORT_HEADER = (
    "kode;titel;beskrivelse;form;udbyder;pris;online;status;målgruppe_enheder;"
    "målgruppe_jobprofiler;kompetencer;hold_start;hold_slut;pladser;tilmeldingsfrist"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            ";;Beskrivelse.;;;;;;;;;;;;",
            "Linje 2, kolonne »titel«: Titel mangler.",
        ),
        (
            ";Titel;;;;;;;;;;;;;",
            "Linje 2, kolonne »beskrivelse«: Beskrivelse mangler.",
        ),
        (
            COURSE + ";Foredrag;;;;;;;;;;;",
            "Linje 2, kolonne »form«: Ukendt værdi »Foredrag«. Skriv en af: kursus, efter- og "
            "videreuddannelse, læring i jobbet, netværk, jobrotation, sidemandsoplæring, "
            "brown bag-møde, e-læring.",
        ),
        (
            COURSE + ";;privat;;;;;;;;;;",
            "Linje 2, kolonne »udbyder«: Ukendt værdi »privat«. Skriv en af: intern, ekstern.",
        ),
        (
            COURSE + ";;;gratis;;;;;;;;;",
            "Linje 2, kolonne »pris«: »gratis« er ikke et beløb. Skriv det som 1.250,50 eller "
            "1250.50.",
        ),
        (
            COURSE + ";;;-100;;;;;;;;;",
            "Linje 2, kolonne »pris«: Prisen kan ikke være negativ.",
        ),
        (
            COURSE + ";;;;måske;;;;;;;;",
            "Linje 2, kolonne »online«: Skriv ja eller nej, ikke »måske«.",
        ),
        (
            COURSE + ";;;;;aktiv;;;;;;;",
            "Linje 2, kolonne »status«: Ukendt værdi »aktiv«. Skriv en af: kladde, "
            "offentliggjort, arkiveret.",
        ),
        (
            COURSE + ";;;;;;Team Øst;;;;;;",
            "Linje 2, kolonne »målgruppe_enheder«: Enheden »Team Øst« findes ikke i kommunen.",
        ),
        (
            COURSE + ";;;;;;;Astronaut;;;;;",
            "Linje 2, kolonne »målgruppe_jobprofiler«: Jobprofilen »Astronaut« findes ikke i "
            "kommunen.",
        ),
        (
            COURSE + ";;;;;;;;Tålmodighed:3;;;;",
            "Linje 2, kolonne »kompetencer«: Kompetencen »Tålmodighed« findes ikke i kommunens "
            "offentliggjorte kompetencerammer.",
        ),
        (
            COURSE + ";;;;;;;;Faglig kompetence:9;;;;",
            "Linje 2, kolonne »kompetencer«: Niveau 9 findes ikke på skalaen i "
            "»Kompetencehjulet«. Skriv et af niveauerne 1, 2, 3, 4, 5.",
        ),
        (
            COURSE + ";;;;;;;;Faglig kompetence:0;;;;",
            "Linje 2, kolonne »kompetencer«: Niveau 0 findes ikke på skalaen i "
            "»Kompetencehjulet«. Skriv et af niveauerne 1, 2, 3, 4, 5.",
        ),
        (
            COURSE + ";;;;;;;;Faglig kompetence;;;;",
            "Linje 2, kolonne »kompetencer«: Skriv kompetencen som »Navn:niveau«, fx "
            "»Samarbejde:3«, ikke »Faglig kompetence«.",
        ),
        (
            COURSE + ";;;;;;;;Faglig kompetence:2 | faglig kompetence:3;;;;",
            "Linje 2, kolonne »kompetencer«: »faglig kompetence« står to gange.",
        ),
        (
            COURSE + ";;;;;;;;;32-13-2027 09:00;;;",
            "Linje 2, kolonne »hold_start«: »32-13-2027 09:00« er ikke et tidspunkt. Skriv det "
            "som 31-12-2026 09:00 eller 2026-12-31T09:00.",
        ),
        (
            COURSE + ";;;;;;;;;;;12;",
            "Linje 2, kolonne »hold_start«: Skriv holdets start, eller »løbende« for løbende "
            "optag.",
        ),
        (
            COURSE + ";;;;;;;;;10-05-2027 12:00;10-05-2027 09:00;;",
            "Linje 2, kolonne »hold_slut«: Holdet slutter, før det starter.",
        ),
        (
            COURSE + ";;;;;;;;;10-05-2027 12:00;;mange;",
            "Linje 2, kolonne »pladser«: »mange« er ikke et antal pladser. Skriv et helt tal, "
            "eller lad feltet stå tomt for ubegrænset.",
        ),
        (
            COURSE + ";;;;;;;;;10-05-2027 12:00;;0;",
            "Linje 2, kolonne »pladser«: Et hold skal have mindst én plads.",
        ),
        (
            COURSE + ";;;;;;;;;10-05-2027 12:00;;;i morgen",
            "Linje 2, kolonne »tilmeldingsfrist«: »i morgen« er ikke en dato. Skriv den som "
            "31-12-2026 eller 2026-12-31.",
        ),
        (
            "K" * 51 + ";Titel;Beskrivelse.;;;;;;;;;;;;",
            "Linje 2, kolonne »kode«: Højst 50 tegn (her er 51).",
        ),
    ],
)
def test_each_bad_value_is_named_by_line_and_column_and_nothing_changes(org, line, expected):
    build_course(org.kommune, title="Et kursus i forvejen")
    before = snapshot(org)
    plan = run(org, csv_bytes([SHORT_HEADER, line]))
    assert problems(plan) == [expected]
    assert snapshot(org) == before


def test_every_problem_of_a_file_at_once_and_nothing_changes(org):
    lines = [
        SHORT_HEADER + ";afdeling",
        "K-1;Kursus et;Beskrivelse.;;;100;;;;;;10-05-2027 09:00;;;;x",
        "K-1;Kursus et;Beskrivelse.;;;200;;;;;;11-05-2027 09:00;;;;x",  # another price
        "K-1;Kursus et;Beskrivelse.;;;100;;;;;;10-05-2027 09:00;;;;x",  # the same session
        "K-2;Kursus to;Beskrivelse.;;;100;;;Team Vest;;;;;;;x",
    ]
    before = snapshot(org)
    plan = run(org, csv_bytes(lines))
    assert problems(plan) == [
        "Linje 1, kolonne »afdeling«: Ukendt kolonne. Kolonnerne hedder: kode, titel, "
        "beskrivelse, form, udbyder, udbyders_navn, varighed, pris, online, sted, kontakt, "
        "kræver_godkendelse, status, målgruppe_enheder, målgruppe_jobprofiler, kompetencer, "
        "hold_start, hold_slut, hold_sted, pladser, tilmeldingsfrist.",
        "Linje 3, kolonne »pris«: Kurset står også i linje 2, med »100«. Et kursus skal have "
        "de samme oplysninger på alle sine linjer.",
        "Linje 4, kolonne »hold_start«: Kurset har også et hold med samme start i linje 2.",
        "Linje 5, kolonne »målgruppe_enheder«: Enheden »Team Vest« findes ikke i kommunen.",
    ]
    assert snapshot(org) == before


def test_a_file_without_the_required_columns_is_refused_before_the_rows(org):
    plan = run(org, csv_bytes(["kode;titel", "K-1;Kursus"]))
    assert problems(plan) == [
        "Linje 1, kolonne »beskrivelse«: Kolonnen mangler i filens første linje."
    ]


def test_two_courses_without_a_code_and_the_same_title_need_a_code(org):
    build_course(org.kommune, title="Førstehjælp")
    build_course(org.kommune, title="Førstehjælp")
    before = snapshot(org)
    plan = run(org, csv_bytes(["titel;beskrivelse", "Førstehjælp;Ny beskrivelse."]))
    assert problems(plan) == [
        "Linje 2, kolonne »titel«: Der er 2 kurser uden kode med titlen »Førstehjælp«. Giv "
        "kurserne hver sin kode, og skriv koden i kolonnen »kode«."
    ]
    assert snapshot(org) == before


def test_a_row_without_a_code_does_not_copy_a_course_that_has_one(org):
    build_course(org.kommune, title="Førstehjælp", code="F-1")
    plan = dry_run(org, csv_bytes(["titel;beskrivelse", "Førstehjælp;Ny beskrivelse."]))
    assert problems(plan) == [
        "Linje 2, kolonne »titel«: Kurset »Førstehjælp« har koden F-1 i kataloget. Skriv "
        "koden i kolonnen »kode«."
    ]


def test_a_unit_name_used_twice_needs_the_unit_id(org):
    with org.scope():
        OrgUnitFactory(kommune=org.kommune, parent=org.sibling_team, name="Team Nord")
        OrgUnit.objects.filter(pk=org.team.pk).update(external_id="T-7")
    header = "titel;beskrivelse;målgruppe_enheder"
    plan = dry_run(org, csv_bytes([header, "Kursus;Beskrivelse.;team nord"]))
    assert problems(plan) == [
        "Linje 2, kolonne »målgruppe_enheder«: Der er flere enheder, der hedder »team nord«. "
        "Skriv enhedens id i stedet."
    ]
    run(org, csv_bytes([header, "Kursus;Beskrivelse.;T-7"]))
    with org.scope():
        assert list(Course.objects.get().audience_units.all()) == [org.team]
    export_line = export(org, "catalogue_export_csv").decode("utf-8-sig").splitlines()[1]
    assert ";T-7;" in export_line


def test_a_name_in_two_frameworks_needs_the_framework_in_parentheses(org):
    other = build_framework(
        org.kommune, name="Ledelsesrammen", groups={"Ledelse": ["Faglig kompetence"]}
    )
    header = "titel;beskrivelse;kompetencer"
    plan = dry_run(org, csv_bytes([header, "Kursus;Beskrivelse.;Faglig kompetence:3"]))
    assert problems(plan) == [
        "Linje 2, kolonne »kompetencer«: »Faglig kompetence« findes i flere kompetencerammer "
        "(Kompetencehjulet, Ledelsesrammen). Skriv rammen i parentes, fx »Faglig kompetence "
        "(Kompetencehjulet)«."
    ]
    run(org, csv_bytes([header, "Kursus;Beskrivelse.;Faglig kompetence (Ledelsesrammen):3"]))
    with org.scope():
        cc = CourseCompetence.objects.get()
        assert (cc.framework_id, cc.competence_key, cc.level) == (
            other.framework_id,
            competence(other, "Faglig kompetence").key,
            3,
        )


def test_an_archived_course_is_not_published_again(org):
    course = build_course(org.kommune, title="Gammelt kursus", code="G-1")
    with org.scope():
        services.course_archive(course=course)
    plan = run(
        org, csv_bytes(["kode;titel;beskrivelse;status", "G-1;Gammelt kursus;X;offentliggjort"])
    )
    assert problems(plan) == [
        "Linje 2, kolonne »status«: Et arkiveret kursus kan ikke offentliggøres igen."
    ]


def test_fewer_places_than_confirmed_participants_is_refused(org):
    course = build_course(org.kommune, title="Fyldt kursus", code="F-2", requires_approval=False)
    session = build_session(course, capacity=3)
    with org.scope():
        for person in (org.employee, org.colleague):
            services.enrolment_request(session=session, person=person)
    start = timezone.localtime(session.starts_at).strftime("%d-%m-%Y %H:%M")
    lines = ["kode;titel;beskrivelse;hold_start;pladser", f"F-2;Fyldt kursus;X;{start};1"]
    before = snapshot(org)
    plan = run(org, csv_bytes(lines))
    assert problems(plan) == [
        "Linje 2, kolonne »pladser«: Holdet har allerede 2 bekræftede deltagere."
    ]
    assert snapshot(org) == before


def test_a_cancelled_session_is_named_not_brought_back(org):
    course = build_course(org.kommune, title="Aflyst kursus", code="A-1")
    session = build_session(course)
    with org.scope():
        services.session_update(session=session, is_cancelled=True)
    start = timezone.localtime(session.starts_at).strftime("%d-%m-%Y %H:%M")
    plan = dry_run(
        org, csv_bytes(["kode;titel;beskrivelse;hold_start", f"A-1;Aflyst kursus;X;{start}"])
    )
    assert problems(plan) == [
        "Linje 2, kolonne »hold_start«: Holdet er aflyst. Giv det nye hold et andet "
        "starttidspunkt, eller fjern linjen."
    ]


# --- Matching: the same file again, sessions kept, codes given ---------------------------


def test_the_same_file_twice_changes_nothing_the_second_time(org):
    data = csv_bytes(CATALOGUE)
    assert run(org, data).total == 6
    after_first = snapshot(org)
    second = dry_run(org, data)
    assert (problems(second), second.total) == ([], 0)
    assert imports.summary_text(second.as_dict()) == "0 ændringer"
    run(org, data)
    assert snapshot(org) == after_first


def test_changes_are_listed_and_a_session_missing_from_the_file_is_kept(org):
    run(org, csv_bytes(CATALOGUE))
    with org.scope():
        kept = CourseSession.objects.get(course__code="K-101", starts_at=local(2027, 9, 13, 9))
        services.enrolment_request(session=kept, person=org.employee)
    changed_talks = TALKS.replace("1.250,50", "1.400").replace(";offentliggjort;", ";kladde;")
    lines = [
        HEADER,
        changed_talks + ";15-03-2027 09:00;15-03-2027 16:00;Mødesal Ærø;12;01-03-2027",
        changed_talks + ";20-11-2027 09:00;;;;",
    ]
    plan = dry_run(org, csv_bytes(lines))
    assert problems(plan) == []
    assert plan.counts == {"course_change": 1, "session_change": 1, "session_create": 1}
    assert plan.examples["course_change"] == [
        "Linje 2: Svære samtaler med borgere (K-101): pris: 1250,50 → 1400,00; "
        "status: Offentliggjort → Kladde"
    ]
    assert plan.examples["session_change"] == [
        "Linje 2: Svære samtaler med borgere (K-101), 15-03-2027 09:00: "
        "hold_slut: 15-03-2027 15:30 → 15-03-2027 16:00"
    ]
    run(org, csv_bytes(lines))
    with org.scope():
        assert CourseSession.objects.filter(course__code="K-101").count() == 3
        assert Enrolment.objects.filter(session=kept).exists()
    assert dry_run(org, csv_bytes(lines)).total == 0


def test_more_places_give_the_waiting_list_its_seats(org):
    course = build_course(org.kommune, title="Populært kursus", code="P-1", requires_approval=False)
    session = build_session(course, capacity=1)
    with org.scope():
        services.enrolment_request(session=session, person=org.employee)
        waiting = services.enrolment_request(session=session, person=org.colleague)
        assert waiting.status == Enrolment.Status.WAITLISTED
    start = timezone.localtime(session.starts_at).strftime("%d-%m-%Y %H:%M")
    run(
        org,
        csv_bytes(
            ["kode;titel;beskrivelse;hold_start;pladser", f"P-1;Populært kursus;X;{start};2"]
        ),
    )
    with org.scope():
        waiting.refresh_from_db()
        assert waiting.status == Enrolment.Status.CONFIRMED
        session.refresh_from_db()
        assert session.capacity == 2


def test_a_course_without_a_code_gets_the_code_the_file_gives_it(org):
    course = build_course(org.kommune, title="Førstehjælp")
    plan = run(org, csv_bytes(["kode;titel;beskrivelse", "F-9;Førstehjælp;Ny beskrivelse."]))
    assert plan.examples["course_change"] == [
        f"Linje 2: Førstehjælp (F-9): kode: – → F-9; beskrivelse: {course.description} → "
        "Ny beskrivelse."
    ]
    with org.scope():
        course.refresh_from_db()
        assert (course.code, course.description) == ("F-9", "Ny beskrivelse.")
        assert Course.objects.count() == 1


def test_a_missing_column_leaves_the_field_as_it_is(org):
    course = build_course(org.kommune, title="Kursus", code="K-1", price="900")
    run(org, csv_bytes(["kode;titel;beskrivelse", "K-1;Kursus;Ny beskrivelse."]))
    with org.scope():
        course.refresh_from_db()
        assert course.price == Decimal("900")
        assert course.status == Course.Status.PUBLISHED


# --- Export --------------------------------------------------------------------------


def build_rich_catalogue(org) -> None:
    """Courses with every kind of field: codes and none, audiences, competences, dated,
    continuous and cancelled sessions, all three statuses."""
    version = org.version
    with org.scope():
        profile = version.framework.job_profiles.get()
    talks = build_course(
        org.kommune,
        code="K-101",
        title="Svære samtaler; med »citater« og æøå",
        description="Første linje.\nAnden linje, med komma.",
        form=Course.Form.EDUCATION,
        provider=Course.Provider.EXTERNAL,
        provider_name="=Professionshøjskolen",
        price="1250.50",
        place="Rådhuset",
        audience_everyone=False,
        audience_units=[org.team, org.sibling_team],
        audience_job_profiles=[profile],
        levels={
            competence(version, "Samarbejdskompetence").key: 3,
            competence(version, "Faglig kompetence").key: 5,
        },
        framework=version.framework,
    )
    build_session(talks, capacity=12)
    build_session(talks, capacity=None, days=90)
    cancelled = build_session(talks, days=120)
    with org.scope():
        services.session_update(session=cancelled, is_cancelled=True)
        services.session_create(course=talks, place="Hele året")  # continuous intake
    build_course(org.kommune, title="Netværk", publish=False, form=Course.Form.NETWORK)
    old = build_course(org.kommune, title="Gammelt kursus", is_online=True, price="0")
    with org.scope():
        services.course_archive(course=old)


def read_catalogue(org) -> list:
    """The catalogue as names and values, comparable across kommuner."""
    with org.scope():
        names = {c.key: c.name for c in Competence.objects.all()}
        result = []
        for course in Course.objects.order_by("title"):
            result.append(
                (
                    [getattr(course, name) for name in catalogue_import.MODEL_FIELDS],
                    course.audience_everyone,
                    sorted(u.name for u in course.audience_units.all()),
                    sorted(p.name for p in course.audience_job_profiles.all()),
                    sorted((names[c.competence_key], c.level) for c in course.competences.all()),
                    [
                        (s.starts_at, s.ends_at, s.place, s.capacity, s.registration_deadline)
                        for s in course.sessions.filter(is_cancelled=False).order_by(
                            "starts_at", "pk"
                        )
                    ],
                )
            )
        return result


def export(org, name: str, **params) -> bytes:
    response = client_for(org.hr).get(reverse(name), params)
    assert response.status_code == 200
    return response.content


def test_export_csv_then_import_changes_nothing(org, django_assert_max_num_queries):
    build_rich_catalogue(org)
    data = export(org, "catalogue_export_csv")
    assert data.startswith(("\ufeff" + HEADER + "\r\n").encode())
    assert "Svære samtaler; med »citater« og æøå" in data.decode("utf-8-sig")
    assert ";løbende;" in data.decode("utf-8-sig")
    with django_assert_max_num_queries(15):
        plan = dry_run(org, data)
    assert (problems(plan), plan.total) == ([], 0)


def test_export_xlsx_into_another_kommune_recreates_the_catalogue(org, org_b):
    build_rich_catalogue(org)
    data = export(org, "catalogue_export_xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]] == HEADER.split(";")
    assert isinstance(sheet["H2"].value, (int, float))  # the price is a number

    version = build_framework(org_b.kommune)
    with org_b.scope():
        profile_services.job_profile_create(
            kommune=org_b.kommune, framework=version.framework, name="Socialrådgiver"
        )
    plan = run(org_b, data)
    assert problems(plan) == []
    assert plan.counts == {"course_create": 3, "session_create": 3}
    assert read_catalogue(org_b) == read_catalogue(org)
    assert dry_run(org_b, data).total == 0


def test_export_of_one_status(org):
    build_rich_catalogue(org)
    lines = export(org, "catalogue_export_csv", status="draft").decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(";Netværk;")
    response = client_for(org.hr).get(reverse("catalogue_export_csv"), {"status": "nonsense"})
    assert response.status_code == 404


def test_export_issues_a_constant_number_of_queries(org, django_assert_max_num_queries):
    build_rich_catalogue(org)
    for index in range(5):
        course = build_course(org.kommune, title=f"Kursus {index}", code=f"X-{index}")
        build_session(course)
    with org.scope(), django_assert_max_num_queries(10):
        catalogue_import.catalogue_export_xlsx(kommune=org.kommune)


# --- The pages -------------------------------------------------------------------------


def test_hr_finds_the_links_uploads_reads_the_dry_run_and_applies(
    org, django_capture_on_commit_callbacks
):
    client = client_for(org.hr)
    page = client.get(reverse("course_manage"))
    assert reverse("import_upload", args=["kursuskatalog"]) in page.text
    assert reverse("catalogue_export_csv") in page.text
    assert f"{reverse('catalogue_export_xlsx')}?status=published" not in page.text  # no courses
    page = client.get(reverse("import_upload", args=["kursuskatalog"]))
    assert page.status_code == 200
    assert "målgruppe_jobprofiler" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import_upload", args=["kursuskatalog"]),
            {"file": SimpleUploadedFile("katalog.csv", csv_bytes(CATALOGUE))},
        )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Kontrollen er færdig: 6 ændringer" in page.text
    assert "Linje 2: Svære samtaler med borgere (K-101)" in page.text
    with org.scope():
        job = ImportJob.objects.get()
        assert not Course.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_job_apply", args=[job.pk]))
    assert "Importen er gennemført: 6 ændringer" in client.get(response.url).text
    with org.scope():
        assert Course.objects.count() == 3
    page = client.get(reverse("course_manage"))
    assert "K-101" in page.text
    assert f"{reverse('catalogue_export_xlsx')}?status=published" in page.text


def test_only_hr_of_the_whole_kommune_and_never_another_kommune(org, org_b):
    urls = [
        reverse("catalogue_export_csv"),
        reverse("catalogue_export_xlsx"),
        reverse("import_upload", args=["kursuskatalog"]),
        reverse("import_template", args=["kursuskatalog"]),
    ]
    for url in urls:
        assert client_for(org.hr).get(url).status_code == 200, url
    for person in (org.employee, org.leader, org.chef, org.director):
        for url in urls:
            assert client_for(person).get(url).status_code == 404, (person, url)
    on_our_host = client_for(org_b.hr, kommune=org.kommune)
    for url in urls:
        assert on_our_host.get(url).status_code == 404, url
