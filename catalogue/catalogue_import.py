"""The course catalogue in and out as CSV or XLSX, in one column layout both ways: HR
exports the catalogue, edits it in a spreadsheet and imports it again (or into another
kommune's catalogue), through the dry run → apply flow of `kompetence.infra.imports`.

A row is a session of a course, or a course without dated sessions. A course's columns
are repeated on each of its rows and must be the same there. A course is recognised
by its code; a row without a code by its title, among the courses without a code. A
session is recognised by its course and its start (to the minute), so importing the
same file again changes nothing. A session missing from the file is left alone: its
enrolments stay.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue import services
from catalogue.models import COURSE_FIELDS, Course, CourseCompetence, CourseSession, Enrolment
from kompetence.infra import figures
from kompetence.infra.imports import Plan, Progress
from kompetence.infra.tabular import (
    Column,
    Row,
    Table,
    ValueProblem,
    parse_bool,
    parse_date,
    write_csv,
    write_xlsx,
)
from kompetence.models import Kommune, OrgUnit, Person
from kompetence.permissions import is_kommune_hr
from profiles.models import Competence, JobProfile, ScaleLevel
from profiles.selectors import published_versions

LIST_SEPARATOR = "|"
CONTINUOUS = "løbende"  # hold_start of a session with continuous intake (no dates)

COLUMNS = [
    Column(
        "code",
        "kode",
        ("kursuskode", "kursusnummer", "code", "course_code"),
        required=False,
        help=gettext_lazy(
            "Kursets kode, fx fra kursusadministrationen. Et kursus genkendes på koden; "
            "en linje uden kode på titlen blandt kurserne uden kode. Findes koden ikke, "
            "får et kursus uden kode med samme titel koden."
        ),
    ),
    Column(
        "title",
        "titel",
        ("kursustitel", "kursusnavn", "kursus", "title", "name"),
        help=gettext_lazy("Kursets titel."),
    ),
    Column(
        "description",
        "beskrivelse",
        ("indhold", "description"),
        help=gettext_lazy("Hvad kurset handler om, som medarbejderne læser det i kataloget."),
    ),
    Column(
        "form",
        "form",
        ("kursusform", "aktivitetstype", "type", "format"),
        required=False,
        help=gettext_lazy(
            "Kursus, Efter- og videreuddannelse, Læring i jobbet, Netværk, Jobrotation, "
            "Sidemandsoplæring, Brown bag-møde eller E-læring. Tom: Kursus for et nyt "
            "kursus, uændret for et eksisterende."
        ),
    ),
    Column(
        "provider",
        "udbyder",
        ("intern_ekstern", "provider"),
        required=False,
        help=gettext_lazy(
            "intern eller ekstern. Tom: intern for et nyt kursus, uændret for et eksisterende."
        ),
    ),
    Column(
        "provider_name",
        "udbyders_navn",
        ("udbydernavn", "udbyderens_navn", "provider_name"),
        required=False,
        help=gettext_lazy("Fx »Professionshøjskolen« eller kursusholderens navn."),
    ),
    Column(
        "duration",
        "varighed",
        ("længde", "duration"),
        required=False,
        help=gettext_lazy("Fx »2 dage« eller »6 × 3 timer«."),
    ),
    Column(
        "price",
        "pris",
        ("pris_pr_deltager", "deltagerpris", "price"),
        required=False,
        help=gettext_lazy(
            "Pris pr. deltager i kroner, fx 1.250,50 eller 1250.50. Tom: 0 for et nyt "
            "kursus, uændret for et eksisterende."
        ),
    ),
    Column(
        "is_online",
        "online",
        ("er_online", "is_online"),
        required=False,
        help=gettext_lazy("ja eller nej. Tom: nej for et nyt kursus, uændret for et eksisterende."),
    ),
    Column(
        "place",
        "sted",
        ("lokation", "place", "location"),
        required=False,
        help=gettext_lazy("Hvor kurset normalt holdes. Hvert hold kan have sit eget sted."),
    ),
    Column(
        "contact",
        "kontakt",
        ("kontaktperson", "contact"),
        required=False,
        help=gettext_lazy("Hvem deltagerne kan spørge om kurset."),
    ),
    Column(
        "requires_approval",
        "kræver_godkendelse",
        ("kraever_godkendelse", "godkendelse", "lederens_godkendelse", "requires_approval"),
        required=False,
        help=gettext_lazy(
            "ja, hvis lederen skal godkende en tilmelding; ellers nej. Tom: ja for et nyt "
            "kursus, uændret for et eksisterende."
        ),
    ),
    Column(
        "status",
        "status",
        ("state",),
        required=False,
        help=gettext_lazy(
            "kladde, offentliggjort eller arkiveret. Tom: kladde for et nyt kursus, "
            "uændret for et eksisterende. Et arkiveret kursus kan ikke offentliggøres igen."
        ),
    ),
    Column(
        "audience_units",
        "målgruppe_enheder",
        ("maalgruppe_enheder", "enheder", "audience_units"),
        required=False,
        help=gettext_lazy(
            "Enhedernes id i løn-/HR-systemet eller deres navne, adskilt med |. Kurset "
            "er for enhederne og alle enheder under dem. Tom sammen med jobprofilerne: "
            "for alle."
        ),
    ),
    Column(
        "audience_job_profiles",
        "målgruppe_jobprofiler",
        ("maalgruppe_jobprofiler", "jobprofiler", "audience_job_profiles"),
        required=False,
        help=gettext_lazy("Jobprofilernes navne, adskilt med |."),
    ),
    Column(
        "competences",
        "kompetencer",
        ("udvikler", "competences"),
        required=False,
        help=gettext_lazy(
            "De kompetencer, kurset udvikler, og til hvilket niveau: »Kompetencenavn:niveau«, "
            "adskilt med |, fx »Samarbejde:3 | Kommunikation:4«. Navnene er fra kommunens "
            "offentliggjorte kompetencerammer; findes et navn i flere rammer, skrives "
            "rammen i parentes: »Samarbejde (Kompetencehjulet):3«."
        ),
    ),
    Column(
        "starts_at",
        "hold_start",
        ("holdstart", "start", "starttidspunkt", "starts_at"),
        required=False,
        help=gettext_lazy(
            "Holdets start, 31-12-2026 09:00 eller 2026-12-31T09:00, eller »løbende« for "
            "løbende optag. Tom på en linje, der kun beskriver kurset. Et hold genkendes "
            "på kurset og starttidspunktet; hold, der mangler i filen, bliver, som de er."
        ),
    ),
    Column(
        "ends_at",
        "hold_slut",
        ("holdslut", "slut", "sluttidspunkt", "ends_at"),
        required=False,
        help=gettext_lazy("Holdets slut, som starten, eller kun klokkeslættet (15:00)."),
    ),
    Column(
        "session_place",
        "hold_sted",
        ("holdsted", "session_place"),
        required=False,
        help=gettext_lazy("Holdets sted, hvis det ikke er kursets."),
    ),
    Column(
        "capacity",
        "pladser",
        ("antal_pladser", "kapacitet", "capacity", "seats"),
        required=False,
        help=gettext_lazy("Antal pladser på holdet. Tom: ubegrænset."),
    ),
    Column(
        "registration_deadline",
        "tilmeldingsfrist",
        ("frist", "registration_deadline"),
        required=False,
        help=gettext_lazy("Sidste dag for tilmelding, 31-12-2026 eller 2026-12-31."),
    ),
]

SESSION_KEYS = ["ends_at", "session_place", "capacity", "registration_deadline"]
TEXT_LIMITS = {
    "code": 50,
    "title": 200,
    "provider_name": 200,
    "duration": 100,
    "place": 200,
    "contact": 200,
    "session_place": 200,
}
# What a new course gets for a column that is missing or empty (choices, yes/no, price).
NEW_COURSE = {
    "form": Course.Form.COURSE,
    "provider": Course.Provider.INTERNAL,
    "price": Decimal("0"),
    "is_online": False,
    "requires_approval": True,
    "status": Course.Status.DRAFT,
}
# The course's own fields the file sets (the audience and competences are apart, and
# `audience_everyone` follows from the audience columns), and its status.
MODEL_FIELDS = [*(f for f in COURSE_FIELDS if f != "audience_everyone"), "status"]
# Every column that describes the course, not the session.
COURSE_KEYS = [*MODEL_FIELDS, "audience_units", "audience_job_profiles", "competences"]

LABELS = {
    "course_create": gettext_lazy("Nye kurser"),
    "course_change": gettext_lazy("Ændrede kurser"),
    "session_create": gettext_lazy("Nye hold"),
    "session_change": gettext_lazy("Ændrede hold"),
}

MISSING = object()


# --- Values --------------------------------------------------------------------------

DATETIME_FORMATS = (
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y kl. %H:%M",
    "%d-%m-%Y kl. %H.%M",
)


def parse_price(text: str) -> Decimal | None:
    """Kroner as Danes and as spreadsheets write them: 1.250,50, 1250,50 and 1250.50
    (and 1,250.50). A dot before exactly three digits groups thousands: 2.500 kr."""
    cleaned = re.sub(r"\s|kr\.?$", "", text.strip().lower())
    if not cleaned:
        return None
    if re.fullmatch(r"-?\d+(,\d+)?", cleaned):
        cleaned = cleaned.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    elif not re.fullmatch(r"-?\d+\.\d+", cleaned):
        raise ValueProblem(
            _("»%(value)s« er ikke et beløb. Skriv det som 1.250,50 eller 1250.50.")
            % {"value": text}
        )
    price = Decimal(cleaned)
    if price < 0:
        raise ValueProblem(_("Prisen kan ikke være negativ."))
    if price != price.quantize(Decimal("0.01")):
        raise ValueProblem(_("Skriv prisen med højst to decimaler."))
    if price >= Decimal("100000000"):
        raise ValueProblem(_("Prisen er for stor."))
    return price


def _aware(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def parse_datetime(text: str) -> datetime.datetime | None:
    """A date and time, Danish (31-12-2026 09:00) or ISO, as an XLSX cell gives it; a
    date alone is midnight. The time is the kommune's local time."""
    text = text.strip()
    if not text:
        return None
    for datetime_format in DATETIME_FORMATS:
        try:
            return _aware(datetime.datetime.strptime(text, datetime_format))
        except ValueError:
            continue
    try:
        return _aware(datetime.datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        date = parse_date(text)
    except ValueProblem:
        date = None
    if date is None:
        raise ValueProblem(
            _(
                "»%(value)s« er ikke et tidspunkt. Skriv det som 31-12-2026 09:00 eller "
                "2026-12-31T09:00."
            )
            % {"value": text}
        )
    return _aware(datetime.datetime.combine(date, datetime.time()))


def parse_time(text: str) -> datetime.time | None:
    """A time of day alone (15:00 or 15.00), or None when `text` is not one."""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def parse_capacity(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        raise ValueProblem(
            _(
                "»%(value)s« er ikke et antal pladser. Skriv et helt tal, eller lad "
                "feltet stå tomt for ubegrænset."
            )
            % {"value": text}
        )
    capacity = int(text)
    if capacity < 1:
        raise ValueProblem(_("Et hold skal have mindst én plads."))
    return capacity


def _minute(value: datetime.datetime | None) -> datetime.datetime | None:
    """Sessions are matched and compared to the minute: a file has no seconds."""
    return value.replace(second=0, microsecond=0) if value else None


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def _danish(label) -> str:
    with translation.override("da"):
        return str(label)


def _choices(choices) -> dict[str, str]:
    """Every way a choice may be written (key, Danish label, label in the active
    language), case-insensitive, to the key."""
    words = {}
    for key, label in choices.choices:
        for word in (key, _danish(label), str(label)):
            words[word.casefold()] = key
    return words


def _local_text(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")


def _price_text(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


# --- What the file names: units, job profiles, competences ---------------------------


@dataclass(frozen=True)
class CompetenceRef:
    """A competence of a current published framework version, as files name it."""

    key: uuid.UUID
    name: str
    framework_id: int
    framework_name: str
    levels: tuple[int, ...]  # the scale's levels, without "not applicable"
    order: tuple

    @property
    def qualified_name(self) -> str:
        return f"{self.name} ({self.framework_name})"


@dataclass
class Competences:
    """The competences a course may develop: those of the kommune's current published
    framework versions, by key and by name (a name may be in several frameworks)."""

    by_key: dict[uuid.UUID, CompetenceRef]
    by_name: dict[str, list[CompetenceRef]]

    @classmethod
    def load(cls, kommune: Kommune) -> Competences:
        versions = {
            v.pk: v
            for v in published_versions().filter(kommune=kommune).select_related("framework")
        }
        levels: dict[int, list[int]] = defaultdict(list)
        for scale_id, value in (
            ScaleLevel.objects.filter(
                scale_id__in={v.framework.scale_id for v in versions.values()},
                is_not_applicable=False,
            )
            .order_by("value")
            .values_list("scale_id", "value")
        ):
            levels[scale_id].append(value)
        by_key, by_name = {}, defaultdict(list)
        for competence in (
            Competence.objects.filter(version_id__in=list(versions))
            .select_related("group")
            .order_by("group__order", "group_id", "order", "pk")
        ):
            framework = versions[competence.version_id].framework
            ref = CompetenceRef(
                key=competence.key,
                name=competence.name,
                framework_id=framework.pk,
                framework_name=framework.name,
                levels=tuple(levels[framework.scale_id]),
                order=(framework.name, framework.pk, competence.group.order, competence.order),
            )
            by_key[ref.key] = ref
            by_name[ref.name.casefold()].append(ref)
        return cls(by_key=by_key, by_name=dict(by_name))

    def text(self, levels: dict[uuid.UUID, int]) -> str:
        """{key: level} as the column writes it, in the frameworks' order."""
        refs = sorted((self.by_key[key] for key in levels if key in self.by_key), key=_order)
        return f" {LIST_SEPARATOR} ".join(f"{self.name_of(ref)}:{levels[ref.key]}" for ref in refs)

    def name_of(self, ref: CompetenceRef) -> str:
        if len(self.by_name[ref.name.casefold()]) > 1:
            return ref.qualified_name
        return ref.name

    def find(self, name: str) -> CompetenceRef:
        found = self.by_name.get(name.casefold(), [])
        if not found:
            match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", name)
            if match:
                framework = match[2].strip().casefold()
                found = [
                    ref
                    for ref in self.by_name.get(match[1].strip().casefold(), [])
                    if ref.framework_name.casefold() == framework
                ]
        if not found:
            raise ValueProblem(
                _(
                    "Kompetencen »%(name)s« findes ikke i kommunens offentliggjorte "
                    "kompetencerammer."
                )
                % {"name": name}
            )
        if len(found) > 1:
            found = sorted(found, key=_order)
            raise ValueProblem(
                _(
                    "»%(name)s« findes i flere kompetencerammer (%(frameworks)s). Skriv "
                    "rammen i parentes, fx »%(example)s«."
                )
                % {
                    "name": name,
                    "frameworks": ", ".join(ref.framework_name for ref in found),
                    "example": found[0].qualified_name,
                }
            )
        return found[0]


def _order(ref: CompetenceRef) -> tuple:
    return ref.order


@dataclass
class Lookups:
    units_by_id: dict[str, OrgUnit]
    units_by_name: dict[str, list[OrgUnit]]
    job_profiles: dict[str, JobProfile]
    competences: Competences
    choices: dict[str, dict[str, str]]
    unit_names: dict[int, str]
    profile_names: dict[int, str]

    @classmethod
    def load(cls, kommune: Kommune) -> Lookups:
        units = list(OrgUnit.objects.filter(kommune=kommune).order_by("path"))
        profiles = list(JobProfile.objects.filter(kommune=kommune))
        by_name = defaultdict(list)
        for unit in units:
            by_name[unit.name.casefold()].append(unit)
        return cls(
            units_by_id={u.external_id: u for u in units if u.external_id},
            units_by_name=dict(by_name),
            job_profiles={p.name.casefold(): p for p in profiles},
            competences=Competences.load(kommune),
            choices={
                "form": _choices(Course.Form),
                "provider": _choices(Course.Provider),
                "status": _choices(Course.Status),
            },
            unit_names={u.pk: u.name for u in units},
            profile_names={p.pk: p.name for p in profiles},
        )

    def unit(self, text: str) -> OrgUnit:
        unit = self.units_by_id.get(text)
        if unit is not None:
            return unit
        found = self.units_by_name.get(text.casefold(), [])
        if len(found) > 1:
            raise ValueProblem(
                _("Der er flere enheder, der hedder »%(name)s«. Skriv enhedens id i stedet.")
                % {"name": text}
            )
        if not found:
            raise ValueProblem(_("Enheden »%(name)s« findes ikke i kommunen.") % {"name": text})
        return found[0]

    def job_profile(self, text: str) -> JobProfile:
        profile = self.job_profiles.get(text.casefold())
        if profile is None:
            raise ValueProblem(_("Jobprofilen »%(name)s« findes ikke i kommunen.") % {"name": text})
        return profile

    def competence_levels(self, text: str) -> dict[uuid.UUID, int]:
        levels: dict[uuid.UUID, int] = {}
        for item in _split(text):
            name, colon, level_text = item.rpartition(":")
            name, level_text = name.strip(), level_text.strip()
            if not colon or not name or not re.fullmatch(r"-?\d+", level_text):
                raise ValueProblem(
                    _("Skriv kompetencen som »Navn:niveau«, fx »Samarbejde:3«, ikke »%(value)s«.")
                    % {"value": item}
                )
            ref = self.competences.find(name)
            level = int(level_text)
            if level not in ref.levels:
                raise ValueProblem(
                    _(
                        "Niveau %(level)s findes ikke på skalaen i »%(framework)s«. Skriv et "
                        "af niveauerne %(levels)s."
                    )
                    % {
                        "level": level,
                        "framework": ref.framework_name,
                        "levels": ", ".join(str(v) for v in ref.levels),
                    }
                )
            if ref.key in levels:
                raise ValueProblem(_("»%(name)s« står to gange.") % {"name": name})
            levels[ref.key] = level
        return levels


# --- The plan's parts ----------------------------------------------------------------


@dataclass
class SessionSpec:
    line: int
    starts_at: datetime.datetime | None  # None: continuous intake
    values: dict[str, Any]  # model field -> value, for the columns in the file


@dataclass
class CourseSpec:
    """A course as the file describes it, from its first row."""

    line: int
    fields: dict[str, Any]  # column key -> parsed value; a missing key: not given
    texts: dict[str, str]  # column key -> the text as written, for messages
    sessions: list[SessionSpec] = field(default_factory=list)

    @property
    def label(self) -> str:
        code = self.fields.get("code")
        return f"{self.fields['title']} ({code})" if code else self.fields["title"]


@dataclass
class CourseWork:
    spec: CourseSpec
    course: Course  # unsaved for a new course; changed in memory for an existing one
    is_new: bool
    changed: bool = False
    audience: tuple[list[int], list[int]] | None = None  # (units, job profiles) to set
    competences: dict[uuid.UUID, int] | None = None  # to set (current frameworks only)
    sessions_new: list[SessionSpec] = field(default_factory=list)
    sessions_changed: list[tuple[CourseSession, dict]] = field(default_factory=list)


@dataclass
class Work:
    courses: list[CourseWork] = field(default_factory=list)
    current_keys: set[uuid.UUID] = field(default_factory=set)
    frameworks: dict[uuid.UUID, int] = field(default_factory=dict)  # competence key -> id


class CatalogueImporter:
    kind = "kursuskatalog"
    title = gettext_lazy("Kursuskatalog")
    description = gettext_lazy(
        "Kurser og deres hold, som CSV (UTF-8 eller Windows-1252, adskilt med ; eller ,) "
        "eller XLSX, fx en eksport af kataloget, der er rettet i et regneark."
    )
    template_name = "catalogue/import_help.html"
    columns = COLUMNS
    labels = LABELS

    def allowed(self, person: Person) -> bool:
        return is_kommune_hr(person)

    def option_fields(self) -> dict:
        return {}

    def describe_options(self, options: dict) -> str:
        return ""

    # --- The dry run ---------------------------------------------------------------

    def plan(self, *, kommune: Kommune, table: Table, options: dict, progress: Progress) -> Plan:
        plan = Plan(labels=LABELS, work=Work())
        lookups = Lookups.load(kommune)
        specs = self._read_rows(plan, table, lookups, progress)
        courses = list(
            Course.objects.filter(kommune=kommune).prefetch_related(
                "audience_units",
                "audience_job_profiles",
                "competences",
                Prefetch("sessions", queryset=CourseSession.objects.order_by("starts_at", "pk")),
            )
        )
        matched = self._match(plan, table, specs, courses)
        if plan.problems:
            return plan
        seated = _seated_counts(kommune, [c.pk for c in matched.values() if c is not None])
        work: Work = plan.work
        work.current_keys = set(lookups.competences.by_key)
        work.frameworks = {k: r.framework_id for k, r in lookups.competences.by_key.items()}
        for index, spec in enumerate(specs):
            self._plan_course(plan, table, kommune, spec, matched[index], lookups, seated)
        progress(100)
        return plan

    def _read_rows(self, plan, table, lookups, progress) -> list[CourseSpec]:
        groups: dict[tuple, CourseSpec] = {}
        for index, row in enumerate(table.rows):
            if index % 1000 == 0:
                progress(index * 60 // max(len(table.rows), 1))
            fields = self._read_course(plan, table, row, lookups)
            session = self._read_session(plan, table, row)
            if fields is None or session is MISSING:
                continue
            code = fields.get("code", "")
            key = ("code", code) if code else ("title", fields["title"])
            spec = groups.get(key)
            if spec is None:
                spec = groups[key] = CourseSpec(line=row.line, fields=fields, texts=row.values)
            elif not self._agrees(plan, table, spec, fields, row):
                continue
            if session is None:
                continue
            start = _minute(session.starts_at)
            twin = next((s for s in spec.sessions if _minute(s.starts_at) == start), None)
            if twin is not None:
                plan.problem(
                    _("Kurset har også et hold med samme start i linje %(other)s.")
                    % {"other": twin.line},
                    row.line,
                    table.name_of("starts_at"),
                )
                continue
            spec.sessions.append(session)
        return list(groups.values())

    def _read_course(self, plan, table, row: Row, lookups: Lookups) -> dict | None:
        before = len(plan.problems)
        fields: dict[str, Any] = {}
        for key in COURSE_KEYS:
            if not table.has(key):
                continue
            text = row[key]
            try:
                value = self._course_value(key, text, lookups)
            except ValueProblem as problem:
                plan.problem(str(problem), row.line, table.name_of(key))
                continue
            if value is not MISSING:
                fields[key] = value
        for key, message in (
            ("title", _("Titel mangler.")),
            ("description", _("Beskrivelse mangler.")),
        ):
            if not row[key]:
                plan.problem(message, row.line, table.name_of(key))
        if len(plan.problems) > before:
            return None
        return fields

    def _course_value(self, key: str, text: str, lookups: Lookups):
        """The parsed value of a course column, or MISSING for "not given"."""
        if key in TEXT_LIMITS and len(text) > TEXT_LIMITS[key]:
            raise ValueProblem(
                _("Højst %(max)s tegn (her er %(count)s).")
                % {"max": TEXT_LIMITS[key], "count": len(text)}
            )
        if key in lookups.choices:
            if not text:
                return MISSING
            choice = lookups.choices[key].get(text.casefold())
            if choice is None:
                words = {
                    "form": Course.Form,
                    "provider": Course.Provider,
                    "status": Course.Status,
                }[key]
                raise ValueProblem(
                    _("Ukendt værdi »%(value)s«. Skriv en af: %(words)s.")
                    % {
                        "value": text,
                        "words": ", ".join(_danish(label).lower() for label in words.labels),
                    }
                )
            return choice
        if key in ("is_online", "requires_approval"):
            return parse_bool(text) if text else MISSING
        if key == "price":
            price = parse_price(text)
            return MISSING if price is None else price
        if key == "audience_units":
            return tuple(sorted({lookups.unit(item).pk for item in _split(text)}))
        if key == "audience_job_profiles":
            return tuple(sorted({lookups.job_profile(item).pk for item in _split(text)}))
        if key == "competences":
            return lookups.competence_levels(text)
        return text

    def _read_session(self, plan, table, row: Row):
        """The row's session; None for a row that only describes its course, MISSING
        for a row with mistakes."""
        name_of = table.name_of
        given = {key: row[key] for key in ("starts_at", *SESSION_KEYS) if table.has(key)}
        if not any(given.values()):
            return None
        start_text = given.get("starts_at", "")
        if not start_text:
            plan.problem(
                _("Skriv holdets start, eller »%(word)s« for løbende optag.")
                % {"word": CONTINUOUS},
                row.line,
                name_of("starts_at") if table.has("starts_at") else None,
            )
            return MISSING
        before = len(plan.problems)
        starts_at = None
        if start_text.casefold() not in (CONTINUOUS, "løbende optag"):
            try:
                starts_at = parse_datetime(start_text)
            except ValueProblem as problem:
                plan.problem(str(problem), row.line, name_of("starts_at"))
        values: dict[str, Any] = {}
        readers = {
            "ends_at": lambda text: self._end(text, starts_at),
            "session_place": lambda text: text,
            "capacity": parse_capacity,
            "registration_deadline": parse_date,
        }
        for key in SESSION_KEYS:
            if key not in given:
                continue
            try:
                if key in TEXT_LIMITS and len(given[key]) > TEXT_LIMITS[key]:
                    raise ValueProblem(
                        _("Højst %(max)s tegn (her er %(count)s).")
                        % {"max": TEXT_LIMITS[key], "count": len(given[key])}
                    )
                values[key] = readers[key](given[key])
            except ValueProblem as problem:
                plan.problem(str(problem), row.line, name_of(key))
        ends_at = values.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            plan.problem(_("Holdet slutter, før det starter."), row.line, name_of("ends_at"))
        if len(plan.problems) > before:
            return MISSING
        return SessionSpec(line=row.line, starts_at=starts_at, values=values)

    def _end(self, text: str, starts_at: datetime.datetime | None):
        time = parse_time(text)
        if time is not None and starts_at is not None:
            day = timezone.localtime(starts_at).date()
            return _aware(datetime.datetime.combine(day, time))
        return parse_datetime(text)

    def _agrees(self, plan, table, spec: CourseSpec, fields: dict, row: Row) -> bool:
        """A course's columns repeated on another of its rows must say the same."""
        for key in COURSE_KEYS:
            if spec.fields.get(key, MISSING) != fields.get(key, MISSING):
                plan.problem(
                    _(
                        "Kurset står også i linje %(other)s, med »%(first)s«. Et kursus skal "
                        "have de samme oplysninger på alle sine linjer."
                    )
                    % {"other": spec.line, "first": spec.texts.get(key, "")},
                    row.line,
                    table.name_of(key),
                )
                return False
        return True

    def _match(self, plan, table, specs, courses) -> dict[int, Course | None]:
        """Each spec's course in the catalogue (by the spec's index), or None for a new one."""
        by_code = {c.code: c for c in courses if c.code}
        uncoded: defaultdict[str, list[Course]] = defaultdict(list)
        coded: defaultdict[str, list[Course]] = defaultdict(list)
        for course in courses:
            (coded if course.code else uncoded)[course.title].append(course)
        matched: dict[int, Course | None] = {}
        claimed: set[int] = set()
        for index, spec in enumerate(specs):
            if spec.fields.get("code"):
                continue
            title = spec.fields["title"]
            same = uncoded.get(title, [])
            if len(same) > 1:
                plan.problem(
                    _(
                        "Der er %(count)s kurser uden kode med titlen »%(title)s«. Giv "
                        "kurserne hver sin kode, og skriv koden i kolonnen »kode«."
                    )
                    % {"count": len(same), "title": title},
                    spec.line,
                    table.name_of("title"),
                )
            elif same:
                matched[index] = same[0]
                claimed.add(same[0].pk)
            elif coded.get(title):
                # Without this the file would quietly make a second course of the same name.
                plan.problem(
                    _(
                        "Kurset »%(title)s« har koden %(code)s i kataloget. Skriv koden i "
                        "kolonnen »kode«."
                    )
                    % {"title": title, "code": coded[title][0].code},
                    spec.line,
                    table.name_of("title"),
                )
            else:
                matched[index] = None
        for index, spec in enumerate(specs):
            code = spec.fields.get("code")
            if not code:
                continue
            course = by_code.get(code)
            if course is None:
                # A course without a code yet gets the code the file gives it.
                same = [c for c in uncoded.get(spec.fields["title"], []) if c.pk not in claimed]
                course = same[0] if len(same) == 1 else None
                if course is not None:
                    claimed.add(course.pk)
            matched[index] = course
        return matched

    def _plan_course(self, plan, table, kommune, spec: CourseSpec, course, lookups, seated):
        work: Work = plan.work
        fields = spec.fields
        if course is None:
            values = {**NEW_COURSE, **{k: fields[k] for k in MODEL_FIELDS if k in fields}}
            units = list(fields.get("audience_units", ()))
            profiles = list(fields.get("audience_job_profiles", ()))
            item = CourseWork(
                spec=spec,
                course=Course(
                    kommune=kommune, audience_everyone=not units and not profiles, **values
                ),
                is_new=True,
                audience=(units, profiles),
                competences=fields.get("competences", {}),
                sessions_new=list(spec.sessions),
            )
            work.courses.append(item)
            plan.add(
                "course_create",
                _("Linje %(line)s: %(course)s") % {"line": spec.line, "course": spec.label},
            )
            for session in spec.sessions:
                plan.add("session_create", self._session_label(spec, session))
            return

        item = CourseWork(spec=spec, course=course, is_new=False)
        changes = self._course_changes(plan, table, spec, course, item, lookups)
        if changes:
            item.changed = True
            plan.add(
                "course_change",
                _("Linje %(line)s: %(course)s: %(changes)s")
                % {"line": spec.line, "course": spec.label, "changes": "; ".join(changes)},
            )
        self._plan_sessions(plan, table, spec, course, item, seated)
        if (
            item.changed
            or item.audience is not None
            or item.competences is not None
            or (item.sessions_new or item.sessions_changed)
        ):
            work.courses.append(item)

    def _course_changes(self, plan, table, spec, course, item: CourseWork, lookups) -> list:
        fields = spec.fields
        changes = []
        for key in MODEL_FIELDS:
            if key not in fields:
                continue
            old, new = getattr(course, key), fields[key]
            if isinstance(old, str) and old.strip() == new:
                continue
            if old == new:
                continue
            if key == "status":
                try:
                    services.course_check_status(course=course, status=new)
                except ValidationError as error:
                    plan.problem(" ".join(error.messages), spec.line, table.name_of(key))
                    continue
            changes.append(
                f"{table.name_of(key)}: {_value_text(key, old)} → {_value_text(key, new)}"
            )
            setattr(course, key, new)

        now_units, now_profiles = _audience(course)
        units = list(fields.get("audience_units", now_units))
        profiles = list(fields.get("audience_job_profiles", now_profiles))
        if (units, profiles) != (now_units, now_profiles):
            item.audience = (units, profiles)
            course.audience_everyone = not units and not profiles
            changes.append(
                _("målgruppe: %(old)s → %(new)s")
                % {
                    "old": _audience_text(now_units, now_profiles, lookups),
                    "new": _audience_text(units, profiles, lookups),
                }
            )

        if "competences" in fields:
            current = {
                cc.competence_key: cc.level
                for cc in course.competences.all()
                if cc.competence_key in lookups.competences.by_key
            }
            if current != fields["competences"]:
                item.competences = fields["competences"]
                changes.append(
                    _("kompetencer: %(old)s → %(new)s")
                    % {
                        "old": lookups.competences.text(current) or "–",
                        "new": lookups.competences.text(fields["competences"]) or "–",
                    }
                )
        return changes

    def _plan_sessions(self, plan, table, spec, course, item: CourseWork, seated) -> None:
        by_start: dict[datetime.datetime | None, CourseSession] = {}
        for session in course.sessions.all():
            start = _minute(session.starts_at)
            if start not in by_start or (by_start[start].is_cancelled and not session.is_cancelled):
                by_start[start] = session
        for session_spec in spec.sessions:
            session = by_start.get(_minute(session_spec.starts_at))
            if session is None:
                item.sessions_new.append(session_spec)
                plan.add("session_create", self._session_label(spec, session_spec))
                continue
            if session.is_cancelled:
                plan.problem(
                    _(
                        "Holdet er aflyst. Giv det nye hold et andet starttidspunkt, eller "
                        "fjern linjen."
                    ),
                    session_spec.line,
                    table.name_of("starts_at"),
                )
                continue
            changed, changes = {}, []
            for key, value in session_spec.values.items():
                name = "place" if key == "session_place" else key
                old = getattr(session, name)
                same = (
                    _minute(old) == _minute(value)
                    if key == "ends_at"
                    else (old or "") == (value or "")
                    if key == "session_place"
                    else old == value
                )
                if same:
                    continue
                changed[name] = value
                changes.append(
                    f"{table.name_of(key)}: {_session_value_text(old)} → "
                    f"{_session_value_text(value)}"
                )
            if "capacity" in changed and changed["capacity"] is not None:
                taken = seated.get(session.pk, 0)
                if changed["capacity"] < taken:
                    plan.problem(
                        _("Holdet har allerede %(count)s bekræftede deltagere.") % {"count": taken},
                        session_spec.line,
                        table.name_of("capacity"),
                    )
                    continue
            if changes:
                item.sessions_changed.append((session, changed))
                plan.add(
                    "session_change",
                    _("%(session)s: %(changes)s")
                    % {
                        "session": self._session_label(spec, session_spec),
                        "changes": "; ".join(changes),
                    },
                )

    def _session_label(self, spec: CourseSpec, session: SessionSpec) -> str:
        start = _local_text(session.starts_at) if session.starts_at else _("løbende optag")
        return _("Linje %(line)s: %(course)s, %(start)s") % {
            "line": session.line,
            "course": spec.label,
            "start": start,
        }

    # --- Applying ------------------------------------------------------------------

    def apply(self, *, kommune: Kommune, plan: Plan, progress: Progress) -> None:
        work: Work = plan.work
        now = timezone.now()
        changed = [item.course for item in work.courses if not item.is_new and item.changed]
        for course in changed:
            course.updated_at = now
        Course.objects.bulk_update(
            changed, [*MODEL_FIELDS, "audience_everyone", "updated_at"], batch_size=500
        )
        # A new price changes the cost figures of everyone enrolled (the dashboards).
        figures.people_changed(
            Enrolment.objects.filter(course__in=changed).values_list("person_id", flat=True)
        )
        new = [item for item in work.courses if item.is_new]
        Course.objects.bulk_create([item.course for item in new], batch_size=500)
        progress(30)
        self._apply_audiences(work)
        self._apply_competences(kommune, work)
        progress(60)
        CourseSession.objects.bulk_create(
            [
                CourseSession(
                    kommune=kommune,
                    course=item.course,
                    starts_at=spec.starts_at,
                    ends_at=spec.values.get("ends_at"),
                    place=spec.values.get("session_place", ""),
                    capacity=spec.values.get("capacity"),
                    registration_deadline=spec.values.get("registration_deadline"),
                )
                for item in work.courses
                for spec in item.sessions_new
            ],
            batch_size=1000,
        )
        # One by one through the service: more places give the waiting list its seats
        # (and e-mails), as when HR edits the session on its page.
        for item in work.courses:
            for session, fields in item.sessions_changed:
                services.session_update(session=session, **fields)
        progress(100)

    def _apply_audiences(self, work: Work) -> None:
        items = [item for item in work.courses if item.audience is not None]
        course_ids = [item.course.pk for item in items]
        # Auto-created through models, which the Django plugin does not type.
        units_through: Any = Course.audience_units.through
        profiles_through: Any = Course.audience_job_profiles.through
        units_through.objects.filter(course_id__in=course_ids).delete()
        profiles_through.objects.filter(course_id__in=course_ids).delete()
        units_through.objects.bulk_create(
            [
                units_through(course_id=item.course.pk, orgunit_id=unit_id)
                for item in items
                if item.audience is not None  # as `items` holds; for the type checker
                for unit_id in item.audience[0]
            ],
            batch_size=2000,
        )
        profiles_through.objects.bulk_create(
            [
                profiles_through(course_id=item.course.pk, jobprofile_id=profile_id)
                for item in items
                if item.audience is not None
                for profile_id in item.audience[1]
            ],
            batch_size=2000,
        )

    def _apply_competences(self, kommune: Kommune, work: Work) -> None:
        """The file names only competences of the current framework versions: what a
        course develops in a retired version is kept."""
        items = [item for item in work.courses if item.competences is not None]
        CourseCompetence.objects.filter(
            kommune=kommune,
            course_id__in=[item.course.pk for item in items],
            competence_key__in=list(work.current_keys),
        ).delete()
        CourseCompetence.objects.bulk_create(
            [
                CourseCompetence(
                    kommune=kommune,
                    course_id=item.course.pk,
                    framework_id=work.frameworks[key],
                    competence_key=key,
                    level=level,
                )
                for item in items
                if item.competences is not None  # as `items` holds; for the type checker
                for key, level in item.competences.items()
            ],
            batch_size=2000,
        )


def _seated_counts(kommune: Kommune, course_ids: list[int]) -> dict[int, int]:
    """Confirmed places per session: a session cannot get fewer places than that."""
    return dict(
        Enrolment.objects.filter(
            kommune=kommune, course_id__in=course_ids, status__in=Enrolment.SEATED
        )
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )


def _audience(course: Course) -> tuple[list[int], list[int]]:
    """The units and job profiles the course is for, in effect: none when it is for all."""
    if course.audience_everyone:
        return [], []
    return (
        sorted(u.pk for u in course.audience_units.all()),
        sorted(p.pk for p in course.audience_job_profiles.all()),
    )


def _audience_text(units, profiles, lookups: Lookups) -> str:
    if not units and not profiles:
        return _("for alle")
    return ", ".join(
        [lookups.unit_names[pk] for pk in units] + [lookups.profile_names[pk] for pk in profiles]
    )


def _value_text(key: str, value) -> str:
    if value in ("", None):
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, Decimal):
        return _price_text(value)
    choices = {"form": Course.Form, "provider": Course.Provider, "status": Course.Status}
    if key in choices:
        return str(choices[key](value).label)
    return str(value)


def _session_value_text(value) -> str:
    if value in ("", None):
        return "–"
    if isinstance(value, datetime.datetime):
        return _local_text(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value)


catalogue_importer = CatalogueImporter()


# --- Export ------------------------------------------------------------------------------


def _export_rows(*, kommune: Kommune, status: str | None) -> list[list]:
    """The catalogue in the import's layout, one row per session (or per course without
    one), as Python values: the CSV and XLSX writers format them."""
    courses = Course.objects.filter(kommune=kommune)
    if status:
        courses = courses.filter(status=status)
    courses = courses.order_by("title", "pk").prefetch_related(
        Prefetch("audience_units", queryset=OrgUnit.objects.order_by("path")),
        Prefetch("audience_job_profiles", queryset=JobProfile.objects.order_by("name", "pk")),
        "competences",
        Prefetch(
            "sessions",
            # A cancelled session is not in the catalogue; importing the export into
            # another kommune should not offer it again.
            queryset=CourseSession.objects.filter(is_cancelled=False).order_by("starts_at", "pk"),
        ),
    )
    competences = Competences.load(kommune)
    rows = []
    with translation.override("da"):
        for course in courses:
            course_values = [
                course.code,
                course.title,
                course.description,
                str(Course.Form(course.form).label),
                str(Course.Provider(course.provider).label).lower(),
                course.provider_name,
                course.duration,
                course.price,
                "ja" if course.is_online else "nej",
                course.place,
                course.contact,
                "ja" if course.requires_approval else "nej",
                str(Course.Status(course.status).label).lower(),
                ""
                if course.audience_everyone
                else f" {LIST_SEPARATOR} ".join(
                    u.external_id or u.name for u in course.audience_units.all()
                ),
                ""
                if course.audience_everyone
                else f" {LIST_SEPARATOR} ".join(p.name for p in course.audience_job_profiles.all()),
                competences.text({cc.competence_key: cc.level for cc in course.competences.all()}),
            ]
            sessions = list(course.sessions.all())
            if not sessions:
                rows.append([*course_values, None, None, None, None, None])
            for session in sessions:
                rows.append(
                    [
                        *course_values,
                        timezone.localtime(session.starts_at) if session.starts_at else CONTINUOUS,
                        timezone.localtime(session.ends_at) if session.ends_at else None,
                        session.place,
                        session.capacity,
                        session.registration_deadline,
                    ]
                )
    return rows


def _csv_value(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Decimal):
        return _price_text(value)
    return value


def _xlsx_value(value):
    if isinstance(value, datetime.datetime):
        return timezone.make_naive(value)  # a spreadsheet has no time zones: local time
    return value


def catalogue_export_csv(*, kommune: Kommune, status: str | None = None) -> bytes:
    rows = _export_rows(kommune=kommune, status=status)
    return write_csv([c.name for c in COLUMNS], [[_csv_value(v) for v in row] for row in rows])


def catalogue_export_xlsx(*, kommune: Kommune, status: str | None = None) -> bytes:
    rows = _export_rows(kommune=kommune, status=status)
    return write_xlsx(
        "Kursuskatalog",  # like the column names: the same in every language
        [c.name for c in COLUMNS],
        [[_xlsx_value(v) for v in row] for row in rows],
    )
